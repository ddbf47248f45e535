/**
 * Loading a TypeScript program outside the Pulumi CLI: when nothing in the process compiles `.ts`
 * files yet (no ts-node), a require hook that transpiles each file with the project's own
 * `typescript` package and its tsconfig.json (module forced to CommonJS, as Pulumi's Node.js host
 * runs a program). No type check: the program runs as the CLI would run it with transpileOnly.
 */
import * as fs from "fs";
import * as path from "path";
import { createRequire } from "module";

type TypeScript = typeof import("typescript");

/** The `require` that finds a `typescript` package: the project's, else the one installed beside this package. Throws when neither has one. */
function typescriptRequire(projectRoot: string): NodeJS.Require {
    const projectRequire = createRequire(path.join(projectRoot, "package.json"));
    try {
        projectRequire.resolve("typescript");
        return projectRequire;
    } catch {
        require.resolve("typescript");
        return require;
    }
}

/**
 * What TypeScript compiles the program `init` writes (templates/index.ts) to, under any tsconfig
 * (`var` or `const` by target, comments kept or not): a project that keeps that program is planned
 * without compiling it, which saves TypeScript's first transpile (129 ms of a 1,000-role plan's
 * profile; @pulumi/pulumi loads TypeScript itself). A test pins it against TypeScript's own output.
 */
export const TEMPLATE_PROGRAM_JS: string =
    '"use strict";\nconst revocable_roles_1 = require("revocable-roles");\nmodule.exports = revocable_roles_1.stackConfigProgram;\n';

/** The text of the program `init` writes, read once; undefined where the package has no templates. */
let templateText: string | null | undefined;
function templateProgram(): string | undefined {
    if (templateText === undefined) {
        try {
            templateText = fs.readFileSync(path.join(__dirname, "..", "templates", "index.ts"), "utf8");
        } catch {
            templateText = null;
        }
    }
    return templateText ?? undefined;
}

/**
 * Makes `require` of `.ts` files work for a program in `projectRoot`, unless something already
 * does (ts-node, or an earlier call). Throws when no `typescript` package can be found, which the
 * Pulumi CLI needs too; reads the tsconfig and compiles only a file that is not the program `init` writes.
 */
export function registerTypeScript(projectRoot: string): void {
    const extensions = require.extensions;
    if (extensions[".ts"] !== undefined) return;
    let typescript: NodeJS.Require;
    try {
        typescript = typescriptRequire(projectRoot);
    } catch {
        throw new Error(
            "the program is TypeScript (index.ts) and no typescript package is installed; add it to the project: npm install --save-dev typescript",
        );
    }
    let transpile: ((source: string, fileName: string) => string) | undefined;
    const compiler = () => {
        const ts = typescript("typescript") as TypeScript;
        const configFile = path.join(projectRoot, "tsconfig.json");
        const read = fs.existsSync(configFile) ? ts.readConfigFile(configFile, ts.sys.readFile) : { config: {} };
        const options = ts.parseJsonConfigFileContent(read.config ?? {}, ts.sys, projectRoot).options;
        const compilerOptions = {
            ...options,
            module: ts.ModuleKind.CommonJS,
            noEmit: false,
            declaration: false,
            sourceMap: false,
            inlineSourceMap: false,
        };
        return (source: string, fileName: string) => ts.transpileModule(source, { compilerOptions, fileName }).outputText;
    };
    extensions[".ts"] = (module, filename) => {
        const source = fs.readFileSync(filename, "utf8");
        const output = source === templateProgram() ? TEMPLATE_PROGRAM_JS : (transpile ??= compiler())(source, filename);
        (module as unknown as { _compile(code: string, file: string): void })._compile(output, filename);
    };
}

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

/** The `typescript` package the project uses, or the one installed beside this package. */
function typescriptFor(projectRoot: string): TypeScript {
    try {
        return createRequire(path.join(projectRoot, "package.json"))("typescript") as TypeScript;
    } catch {
        // eslint-disable-next-line @typescript-eslint/no-require-imports -- the peer dependency, loaded only when a program is TypeScript
        return require("typescript") as TypeScript;
    }
}

/**
 * Makes `require` of `.ts` files work for a program in `projectRoot`, unless something already
 * does (ts-node, or an earlier call). Throws when no `typescript` package can be found.
 */
export function registerTypeScript(projectRoot: string): void {
    const extensions = require.extensions;
    if (extensions[".ts"] !== undefined) return;
    let ts: TypeScript;
    try {
        ts = typescriptFor(projectRoot);
    } catch {
        throw new Error(
            "the program is TypeScript (index.ts) and no typescript package is installed; add it to the project: npm install --save-dev typescript",
        );
    }
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
    extensions[".ts"] = (module, filename) => {
        const source = fs.readFileSync(filename, "utf8");
        const output = ts.transpileModule(source, { compilerOptions, fileName: filename }).outputText;
        (module as unknown as { _compile(code: string, file: string): void })._compile(output, filename);
    };
}

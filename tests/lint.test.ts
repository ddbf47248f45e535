import * as assert from "assert";
import * as path from "path";
import * as ts from "typescript";
import { ESLint } from "eslint";
import { PROJECT_ROOT } from "../cli/project";

const declarations = new Map<string, ts.SourceFile>();

/** The messages the project's ESLint config gives a TypeScript file, typed against @pulumi/pulumi as the project is. */
async function lint(source: string): Promise<{ rule: string | null; line: number }[]> {
    // A file that is never written: the program and ESLint both read it from memory.
    const file = path.join(PROJECT_ROOT, "tests", "lint-probe.ts");
    const config = ts.getParsedCommandLineOfConfigFile(path.join(PROJECT_ROOT, "tsconfig.json"), undefined, {
        ...ts.sys,
        onUnRecoverableConfigFileDiagnostic: (d) => assert.fail(ts.flattenDiagnosticMessageText(d.messageText, "\n")),
    })!;
    const host = ts.createCompilerHost(config.options);
    const { getSourceFile, fileExists, readFile } = host;
    // The declarations (@pulumi/pulumi, @types/node) are parsed once for every program of the suite.
    host.getSourceFile = (name, ...rest) => {
        if (name === file) return ts.createSourceFile(name, source, ts.ScriptTarget.ES2022, true);
        let parsed = declarations.get(name);
        if (parsed === undefined) {
            parsed = getSourceFile(name, ...rest);
            if (parsed !== undefined) declarations.set(name, parsed);
        }
        return parsed;
    };
    host.fileExists = (name) => name === file || fileExists(name);
    host.readFile = (name) => (name === file ? source : readFile(name));
    const program = ts.createProgram({ rootNames: [file], options: config.options, host });
    const eslint = new ESLint({
        cwd: PROJECT_ROOT,
        overrideConfig: [{ files: ["**/*.ts"], languageOptions: { parserOptions: { programs: [program] } } }],
    });
    const [result] = await eslint.lintText(source, { filePath: file });
    return result.messages.map((m) => ({ rule: m.ruleId, line: m.line }));
}

describe("the linter (eslint.config.mjs)", function () {
    this.timeout(60_000);

    it("refuses an Output in a template string and a promise nobody awaits, and accepts their fixes", async () => {
        const [broken, fixed] = await Promise.all([
            lint(
                [
                    `import * as pulumi from "@pulumi/pulumi";`,
                    `export const label = (name: pulumi.Output<string>): string => \`role \${name}\`;`,
                    `async function save(): Promise<void> {}`,
                    `export function run(): void {`,
                    `    save();`,
                    `}`,
                    ``,
                ].join("\n"),
            ),
            lint(
                [
                    `import * as pulumi from "@pulumi/pulumi";`,
                    `export const label = (name: pulumi.Output<string>): pulumi.Output<string> => pulumi.interpolate\`role \${name}\`;`,
                    `async function save(): Promise<void> {}`,
                    `export async function run(): Promise<void> {`,
                    `    await save();`,
                    `}`,
                    ``,
                ].join("\n"),
            ),
        ]);
        assert.deepStrictEqual(broken, [
            { rule: "@pulumi/no-output-in-template-literal", line: 2 },
            { rule: "@typescript-eslint/no-floating-promises", line: 5 },
        ]);
        assert.deepStrictEqual(fixed, []);
    });
});

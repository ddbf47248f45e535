/**
 * How a program is run as the Pulumi CLI runs it: loadProgram, and the program init writes, planned
 * without compiling it.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { project } from "./helpers";
import { loadProgram } from "../plan/recorder";
import { PROJECT_ROOT } from "../cli/project";
import * as ts from "typescript";
import { execFileSync } from "child_process";
import { TEMPLATE_PROGRAM_JS } from "../plan/typescript";

describe("loadProgram, which runs a program as the Pulumi CLI does", () => {
    const counters = globalThis as { programLoads?: number; programCalls?: number };
    afterEach(() => {
        delete counters.programLoads;
        delete counters.programCalls;
    });

    it("calls the function a program exports on every run, its module loaded once, and returns what it resolves to", async () => {
        const root = project({
            "program.js": [
                "globalThis.programLoads = (globalThis.programLoads ?? 0) + 1;",
                "module.exports = async () => ({ call: (globalThis.programCalls = (globalThis.programCalls ?? 0) + 1) });",
            ].join("\n"),
        });
        const run = loadProgram(path.join(root, "program.js"));
        const context = { now: new Date() };
        assert.deepStrictEqual([await run(context), await run(context)], [{ call: 1 }, { call: 2 }]);
        assert.strictEqual(counters.programLoads, 1);
    });

    it("loads afresh on every run a program that registers as its module loads, and returns its exports", () => {
        const root = project({
            "program.js": "exports.load = globalThis.programLoads = (globalThis.programLoads ?? 0) + 1;",
        });
        const run = loadProgram(path.join(root, "program.js"));
        const context = { now: new Date() };
        assert.deepStrictEqual([run(context), run(context)], [{ load: 1 }, { load: 2 }]);
    });
});

describe("the program init writes, planned without compiling it", () => {
    it("is what TypeScript compiles it to, under either target, comments aside", () => {
        const source = fs.readFileSync(path.join(PROJECT_ROOT, "templates", "index.ts"), "utf8");
        const compiled = [ts.ScriptTarget.ES5, ts.ScriptTarget.ES2022].map(
            (target) =>
                ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS, target, removeComments: true } })
                    .outputText,
        );
        assert.deepStrictEqual(compiled, [TEMPLATE_PROGRAM_JS.replace("const ", "var "), TEMPLATE_PROGRAM_JS]);
        // This project's own program is that file, so its plans take the same path.
        assert.strictEqual(fs.readFileSync(path.join(PROJECT_ROOT, "index.ts"), "utf8"), source);
    });

    it("compiles nothing for that program, and compiles any other index.ts with TypeScript", function () {
        this.timeout(20_000);
        const template = fs.readFileSync(path.join(PROJECT_ROOT, "templates", "index.ts"), "utf8");
        const loads = (program: string) => {
            const root = project({ "index.ts": program });
            const modules = path.join(root, "node_modules");
            fs.mkdirSync(modules, { recursive: true });
            fs.symlinkSync(path.join(PROJECT_ROOT, "dist"), path.join(modules, "revocable-roles"), "dir");
            fs.symlinkSync(path.join(PROJECT_ROOT, "node_modules", "typescript"), path.join(modules, "typescript"), "dir");
            // A process of its own: this one compiles .ts files with ts-node already.
            // The JavaScript Node runs for index.ts: the known program's, or TypeScript's output. (@pulumi/pulumi loads
            // TypeScript itself; what the known program saves is its compilation.)
            const script = `const Module = require("module");
const compile = Module.prototype._compile;
let code;
Module.prototype._compile = function (text, file) {
    if (file.endsWith("index.ts")) code = text;
    return compile.call(this, text, file);
};
const { registerTypeScript } = require(${JSON.stringify(path.join(PROJECT_ROOT, "dist", "plan", "typescript.js"))});
registerTypeScript(${JSON.stringify(root)});
const program = require(${JSON.stringify(path.join(root, "index.ts"))});
process.stdout.write(JSON.stringify({ program: typeof program, code }));`;
            return JSON.parse(execFileSync(process.execPath, ["-e", script], { encoding: "utf8" })) as unknown;
        };
        assert.deepStrictEqual(
            [loads(template), loads(`${template}// edited\n`)],
            [
                { program: "function", code: TEMPLATE_PROGRAM_JS },
                {
                    program: "function",
                    code: ts.transpileModule(`${template}// edited\n`, {
                        compilerOptions: { module: ts.ModuleKind.CommonJS },
                        fileName: "index.ts",
                    }).outputText,
                },
            ],
        );
    });
});

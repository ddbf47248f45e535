// `npm run lint`: the type check and ESLint over one TypeScript program, and Prettier's check. The
// typed lint rules need the very program `tsc --noEmit` builds, so it is built once instead of
// twice (about 7 s saved); Prettier runs meanwhile in its own process. Prints every problem and
// fails if there is any.
import { spawn } from "node:child_process";
import path from "node:path";
import process from "node:process";
import ts from "typescript";
import { ESLint } from "eslint";

const started = Date.now();

// prettier --check . (npm puts node_modules/.bin on PATH for its scripts)
const formatting = new Promise((resolve) => {
    const child = spawn("prettier", ["--check", "."], { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    child.on("error", (error) => resolve({ ok: false, output: `prettier: ${error.message}\n` }));
    child.on("close", (code) => resolve({ ok: code === 0, output }));
});

const status = (ok, text) => process.stdout.write(`${ok ? "ok" : "FAILED"}: ${text} (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);

// tsc --noEmit
const formatHost = { getCanonicalFileName: (f) => f, getCurrentDirectory: ts.sys.getCurrentDirectory, getNewLine: () => "\n" };
const format = process.stdout.isTTY ? ts.formatDiagnosticsWithColorAndContext : ts.formatDiagnostics;
let configProblem;
const config = ts.getParsedCommandLineOfConfigFile("tsconfig.json", undefined, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => (configProblem = d),
});
if (config === undefined) {
    status(false, "tsc --noEmit: tsconfig.json cannot be read");
    process.stdout.write(format([configProblem], formatHost));
    process.exit(1);
}
// isolatedDeclarations: every exported declaration carries its own types, so that npm run build can write each
// file's type declarations without a type checker (ts-node refuses the option, so it is set here only). It
// matters for the shipped folders (tools/build.mjs), whose declarations alone are checked: tests, the
// benchmark and the examples ship none, and computing theirs costs a second and a half.
const SHIPPED = /^(?:iam|backends|config|components|plan|analysis|guard|apply|revocation|cli)\//;
const options = { ...config.options, declaration: true, isolatedDeclarations: true };
const program = ts.createProgram({ rootNames: config.fileNames, options, configFileParsingDiagnostics: config.errors });
const own = program.getSourceFiles().filter((file) => !program.isSourceFileFromExternalLibrary(file) && !file.isDeclarationFile);
const diagnostics = ts.sortAndDeduplicateDiagnostics([
    ...program.getConfigFileParsingDiagnostics(),
    ...program.getOptionsDiagnostics(),
    ...program.getGlobalDiagnostics(),
    ...own.flatMap((file) => [...program.getSyntacticDiagnostics(file), ...program.getSemanticDiagnostics(file)]),
    ...own
        .filter((file) => SHIPPED.test(path.relative(process.cwd(), file.fileName)))
        .flatMap((file) => program.getDeclarationDiagnostics(file)),
]);
status(diagnostics.length === 0, `tsc --noEmit, ${diagnostics.length} error(s)`);
process.stdout.write(format(diagnostics, formatHost));

// eslint .
const eslint = new ESLint({ overrideConfig: [{ files: ["**/*.ts"], languageOptions: { parserOptions: { programs: [program] } } }] });
const results = await eslint.lintFiles(["."]);
const problems = results.reduce((sum, r) => sum + r.errorCount + r.warningCount, 0);
status(problems === 0, `eslint, ${problems} problem(s) in ${results.length} files`);
process.stdout.write(await (await eslint.loadFormatter("stylish")).format(results));

// prettier --check .
const formatted = await formatting;
status(formatted.ok, formatted.ok ? "prettier --check, every file formatted" : "prettier --check: run npm run format");
if (!formatted.ok) process.stdout.write(formatted.output);

process.exitCode = diagnostics.length === 0 && problems === 0 && formatted.ok ? 0 : 1;

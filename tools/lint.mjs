// `npm run lint`: the type check and ESLint over one TypeScript program. The typed lint rules need
// the very program `tsc --noEmit` builds, so it is built once instead of twice (about 7 s saved).
// Prints every problem and fails if there is any.
import process from "node:process";
import ts from "typescript";
import { ESLint } from "eslint";

const started = Date.now();
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
const program = ts.createProgram({ rootNames: config.fileNames, options: config.options, configFileParsingDiagnostics: config.errors });
const diagnostics = ts.getPreEmitDiagnostics(program);
status(diagnostics.length === 0, `tsc --noEmit, ${diagnostics.length} error(s)`);
process.stdout.write(format(diagnostics, formatHost));

// eslint .
const eslint = new ESLint({ overrideConfig: [{ files: ["**/*.ts"], languageOptions: { parserOptions: { programs: [program] } } }] });
const results = await eslint.lintFiles(["."]);
const problems = results.reduce((sum, r) => sum + r.errorCount + r.warningCount, 0);
status(problems === 0, `eslint, ${problems} problem(s) in ${results.length} files`);
process.stdout.write(await (await eslint.loadFormatter("stylish")).format(results));

process.exitCode = diagnostics.length === 0 && problems === 0 ? 0 : 1;

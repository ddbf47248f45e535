// `npm test`: the lint (the type check, ESLint and Prettier's check: tools/lint.mjs) and the mocha
// suite, side by side. The run is CPU-bound (about 100 s of CPU on two cores), so nothing may
// leave a core idle: the suite runs as two mocha processes over disjoint sets of test files,
// because much of a serial run is spent waiting (for git, tsc, moto and the command's own
// processes), and the lint runs beside them at the same priority (at the lowest, it only ran once
// the suites ended, on one core). The package build (dist/, which tests run as users do) is made
// first, once, so that the two suites do not build it at the same time. The first suite's output
// streams as it runs; the second's and the lint's follow. Fails if any fails.
import { spawn } from "node:child_process";
import fs from "node:fs";
import process from "node:process";

const run = (command, args, stream) =>
    new Promise((resolve) => {
        const child = spawn(command, args, { stdio: ["ignore", stream ? "inherit" : "pipe", stream ? "inherit" : "pipe"] });
        let output = "";
        child.stdout?.on("data", (chunk) => (output += chunk));
        child.stderr?.on("data", (chunk) => (output += chunk));
        child.on("error", (error) => resolve({ code: 1, output: `${command}: ${error.message}\n` }));
        child.on("close", (code) => resolve({ code: code ?? 1, output }));
    });

// The second suite: the files that mostly wait on other processes (the packed package, moto's
// server, tsc over the package's declarations, the CI scripts), about half of the run; every file
// that needs moto is here, so that one server serves them all. Every other file, new ones included,
// runs in the first. (The package's schema and public API tests moved here when the first suite
// ended about 8 s after the second: 49 to 52 s against 56 s on an idle machine.)
const SECOND = [
    "pack.test.ts",
    "emergency.test.ts",
    "emergencyLeaked.test.ts",
    "emergencyFaults.test.ts",
    "incident.test.ts",
    "incidentHangs.test.ts",
    "iamContract.test.ts",
    "organizationPolicy.test.ts",
    "commands.test.ts",
    "init.test.ts",
    "stackFile.test.ts",
    "verify.test.ts",
    "verifyOrganization.test.ts",
    "liveRevocation.test.ts",
    "package.test.ts",
    "publicApi.test.ts",
];
const all = fs.readdirSync("tests").filter((name) => name.endsWith(".test.ts"));
const ignoring = (names) => names.flatMap((name) => ["--ignore", `tests/${name}`]);

const lint = run(process.execPath, ["tools/lint.mjs"], false);
const build = await run(process.execPath, ["tools/build.mjs", "--if-stale", "--quiet"], true);
if (build.code !== 0) {
    process.stdout.write((await lint).output);
    process.exit(1);
}
const [first, second] = await Promise.all([
    run("mocha", ignoring(SECOND), true),
    run("mocha", ignoring(all.filter((name) => !SECOND.includes(name))), false),
]);
process.stdout.write(second.output);
const linted = await lint;
process.stdout.write(linted.output);
process.exitCode = linted.code === 0 && first.code === 0 && second.code === 0 ? 0 : 1;

// `npm test`: the lint (the type check, ESLint and Prettier's check: tools/lint.mjs) and the mocha
// suite, side by side. They share nothing, and each is mostly one busy thread, so on two cores
// running them together costs the longer of the two instead of their sum. The suite's output
// streams as it runs; the lint's follows it. Fails if either fails.
import { spawn } from "node:child_process";
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

// The suite is the longer of the two and has to wait for git and servers on its one thread; the
// lint runs at the lowest priority, in the time the suite leaves a core free.
const [lint, mocha] = await Promise.all([run("nice", ["-n", "19", process.execPath, "tools/lint.mjs"], false), run("mocha", [], true)]);
process.stdout.write(lint.output);
process.exitCode = lint.code === 0 && mocha.code === 0 ? 0 : 1;

// The raw-resource floor, as a whole process: the offline recorder (the same mock runtime the
// plan uses) runs bench/baselineProgram.cjs, which declares the resources the real program
// registered for the stack, read from <root>/<stack>.resources.json. It loads only what that
// needs: the Pulumi SDK, the aws provider's iam module and the recorder, nothing of the tools.
// Prints {"resources": n, "ms": the program's run, after loading}.
"use strict";
const path = require("path");
const { loadProgram, runOffline } = require("../dist/plan/recorder");

async function main() {
    const [root, stack] = process.argv.slice(2);
    const program = loadProgram(path.join(__dirname, "baselineProgram.cjs"));
    const start = performance.now();
    const run = await runOffline(program, {
        project: "revocable-roles",
        stack,
        config: { "bench:resources": path.join(root, `${stack}.resources.json`) },
        now: new Date(),
    });
    if (run.error !== undefined) throw run.error;
    process.stdout.write(`${JSON.stringify({ resources: run.registrations.length, ms: performance.now() - start })}\n`);
}

main().catch((error) => {
    process.stderr.write(`${String((error && error.stack) || error)}\n`);
    process.exit(1);
});

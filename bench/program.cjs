// The program alone, as the plan command runs it but timed after loading: the stack file read,
// the program run under the recorder, the plan built. Prints {"resources": n, "ms": ...}.
"use strict";
const { planStack } = require("../dist/plan/run");
const { loadStack } = require("../dist/config/loader");
const { directorySource } = require("../dist/config/sources");

async function main() {
    const [root, stack] = process.argv.slice(2);
    const start = performance.now();
    const plan = await planStack(loadStack(directorySource(root), stack), root, new Date());
    process.stdout.write(`${JSON.stringify({ resources: plan.resources.length, ms: performance.now() - start })}\n`);
}

main().catch((error) => {
    process.stderr.write(`${String((error && error.stack) || error)}\n`);
    process.exit(1);
});

/**
 * One measured run, in a fresh process: the offline plan of a stack (`plan <root> <stack>`), or
 * the baseline program that declares the identical resources directly (`baseline <root> <stack>`,
 * reading `<stack>.resources.json`).
 * Prints `{"resources": n, "ms": wall ms of the run, "peakMiB": peak RSS}` on stdout.
 */
import * as path from "path";
import { planStack } from "../plan/run";
import { loadProgram, runOffline } from "../plan/recorder";
import { useFastStackTraces } from "../cli/io";
import { loadStack } from "../config/loader";
import { directorySource } from "../config/sources";
import { PROJECT_ROOT } from "../cli/project";

async function main(): Promise<void> {
    useFastStackTraces(); // as `npm run plan` does
    const [mode, root, stack] = process.argv.slice(2);
    const start = performance.now();
    let resources: number;
    if (mode === "plan") {
        resources = (await planStack(loadStack(directorySource(root), stack), PROJECT_ROOT)).resources.length;
    } else {
        const run = await runOffline(loadProgram(path.join(__dirname, "baselineProgram.ts")), {
            project: "revocable-roles",
            stack,
            config: { "bench:resources": path.join(root, `${stack}.resources.json`) },
        });
        if (run.error !== undefined) throw run.error;
        resources = run.registrations.length;
    }
    const ms = performance.now() - start;
    process.stdout.write(`${JSON.stringify({ resources, ms, peakMiB: process.resourceUsage().maxRSS / 1024 })}\n`);
}

main().catch((error) => {
    process.stderr.write(`${String(error?.stack ?? error)}\n`);
    process.exit(1);
});

/**
 * `npm run bench [-- --json] [-- --runs N]`: what planning a stack of 10, 100 and 1,000 roles
 * costs against the raw-resource floor, and how many resources a revocation touches.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseArgs } from "util";
import { planStack } from "../plan/run";
import { footprint, touched } from "../plan/model";
import { loadStack } from "../config/loader";
import { directorySource } from "../config/sources";
import { PROJECT_ROOT } from "../cli/project";
import { useFastStackTraces } from "../cli/io";
import { BENCH_CUTOFF, syntheticStack } from "./synthetic";
import { baselineOf } from "./baseline";

/** One row of the benchmark. */
export interface BenchRow {
    roles: number;
    resources: number;
    planMs: number;
    baselineMs: number;
    ratio: number;
    /** Peak resident memory of the plan run (median). */
    peakMiB: number;
    /** Peak resident memory of the baseline run (median). */
    baselinePeakMiB: number;
}

const SIZES = [10, 100, 1000];

function median(values: number[]): number {
    const sorted = [...values].sort((a, b) => a - b);
    const middle = Math.floor(sorted.length / 2);
    return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

interface Measurement {
    resources: number;
    ms: number;
    peakMiB: number;
}

/** One run in a fresh process. */
function measure(args: string[]): Measurement {
    const child = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", path.join(__dirname, "child.ts"), ...args], {
        cwd: PROJECT_ROOT,
        encoding: "utf8",
        maxBuffer: 1 << 20,
    });
    if (child.status !== 0) throw new Error(`bench child ${args.join(" ")} failed:\n${child.stderr}`);
    return JSON.parse(child.stdout) as Measurement;
}

const round = (n: number, digits = 0) => Number(n.toFixed(digits));

async function main(): Promise<void> {
    const { values } = parseArgs({
        args: process.argv.slice(2),
        options: { json: { type: "boolean" }, runs: { type: "string" } },
        strict: true,
    });
    const runs = Number(values.runs ?? 5);
    const log = (line: string) => {
        if (!values.json) process.stdout.write(`${line}\n`);
    };
    useFastStackTraces();
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "revocable-roles-bench-"));
    fs.copyFileSync(path.join(PROJECT_ROOT, "Pulumi.yaml"), path.join(root, "Pulumi.yaml"));
    const rows: BenchRow[] = [];
    let largest: Awaited<ReturnType<typeof planStack>> | undefined;
    try {
        for (const roles of SIZES) {
            const stack = `bench${roles}`;
            const text = syntheticStack(roles);
            fs.writeFileSync(path.join(root, `Pulumi.${stack}.yaml`), text);
            // The baseline program declares exactly what the program registers, documents already serialized.
            const plan = await planStack(loadStack(directorySource(root), stack), PROJECT_ROOT);
            fs.writeFileSync(path.join(root, `${stack}.resources.json`), JSON.stringify(baselineOf(plan)));
            if (roles === SIZES[SIZES.length - 1]) largest = plan;
            const planRuns: Measurement[] = [];
            const baselineRuns: Measurement[] = [];
            for (let i = 0; i < runs; i++) {
                planRuns.push(measure(["plan", root, stack]));
                baselineRuns.push(measure(["baseline", root, stack]));
            }
            if (
                planRuns.some((r) => r.resources !== plan.resources.length) ||
                baselineRuns.some((r) => r.resources !== plan.resources.length)
            ) {
                throw new Error(`resource counts differ for ${roles} roles`);
            }
            const planMs = median(planRuns.map((r) => r.ms));
            const baselineMs = median(baselineRuns.map((r) => r.ms));
            rows.push({
                roles,
                resources: plan.resources.length,
                planMs: round(planMs),
                baselineMs: round(baselineMs),
                ratio: round(planMs / baselineMs, 2),
                peakMiB: round(median(planRuns.map((r) => r.peakMiB))),
                baselinePeakMiB: round(median(baselineRuns.map((r) => r.peakMiB))),
            });
        }
        if (values.json) {
            process.stdout.write(`${JSON.stringify(rows)}\n`);
            return;
        }
        log(`Median of ${runs} runs each, every run in a fresh process (${os.cpus().length} cores, Node ${process.version}).`);
        log("");
        log("| roles | resources | plan ms | baseline ms | ratio | plan peak MiB | baseline peak MiB |");
        log("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        for (const r of rows)
            log(`| ${r.roles} | ${r.resources} | ${r.planMs} | ${r.baselineMs} | ${r.ratio} | ${r.peakMiB} | ${r.baselinePeakMiB} |`);

        const plan = largest!;
        const count = SIZES[SIZES.length - 1];
        const planText = (text: string) => planStack(loadStack(directorySource(root), `bench${count}`, text), PROJECT_ROOT);
        const one = footprint(plan, await planText(syntheticStack(count, { alsoRevoke: 1 })));
        const allCutoff = new Date(Date.parse(BENCH_CUTOFF) + 3600_000).toISOString().replace(".000Z", "Z");
        const all = footprint(plan, await planText(syntheticStack(count, { revokeAllBefore: allCutoff })));
        const roleTouched = touched(all).filter((urn) => urn.includes("$aws:iam/role:Role::")).length;
        log("");
        log(`Revocation footprint in the ${count}-role stack:`);
        log(
            `- revoking one more role: ${one.added.length} added, ${one.changed.length} changed, ${one.removed.length} removed (${touched(
                one,
            )
                .map((u) => u.split("::").pop())
                .join(", ")})`,
        );
        log(
            `- setting revokeAllBefore: ${all.added.length} added, ${all.changed.length} changed, ${all.removed.length} removed; roles touched: ${roleTouched}`,
        );

        const [, mid, big] = rows;
        log("");
        log("Targets (reported, not asserted):");
        const check = (ok: boolean, text: string) => log(`- ${ok ? "met" : "MISSED"}: ${text}`);
        check(big.ratio <= 1.3, `ratio to baseline at ${big.roles} roles at most 1.3 (${big.ratio})`);
        check(big.planMs < 10_000, `${big.roles} roles planned in under 10 s (${(big.planMs / 1000).toFixed(1)} s)`);
        check(
            big.peakMiB <= 1.15 * big.baselinePeakMiB,
            `peak memory at ${big.roles} roles at most 1.15x the baseline's (${big.peakMiB} MiB against ${big.baselinePeakMiB} MiB, ${(big.peakMiB / big.baselinePeakMiB).toFixed(2)}x)`,
        );
        check(
            big.planMs / mid.planMs <= 12,
            `time from ${mid.roles} to ${big.roles} roles grows at most 12-fold (${(big.planMs / mid.planMs).toFixed(1)}x)`,
        );
        check(touched(one).length === 1, `revoking one role changes exactly one resource (${touched(one).length})`);
        check(
            touched(all).length === count && roleTouched === 0,
            `revokeAllBefore changes or adds one resource per role and no role (${touched(all).length}, roles ${roleTouched})`,
        );
    } finally {
        fs.rmSync(root, { recursive: true, force: true });
    }
}

main().catch((error) => {
    process.stderr.write(`${String(error?.stack ?? error)}\n`);
    process.exit(1);
});

/**
 * `npm run bench [-- --roles 1000,5000,10000] [-- --runs N] [-- --json]`: what the commands cost
 * on generated stacks (bench/synthetic.ts), against the raw-resource floor, each measured as a
 * whole process from its start (wall by this process, CPU and peak memory by the process itself,
 * bench/measure.cjs):
 *
 * - floor: the resources the program registers, declared directly (bench/floor.cjs);
 * - plan: `revocable-roles plan --stack <s>`;
 * - guard: `revocable-roles guard --base HEAD` with one more revocation in the working tree;
 * - revoke: `revocable-roles revoke --role <one>` with its containment report;
 * - chained: `revoke --with-chained` on a stack where every role is chained to the next, against
 *   the plan of that stack;
 * - patterns: the wildcard matcher's worst case (thousands of stars and `?` against the longest
 *   role ARN IAM allows), `revoke` on a stack holding 200 long star patterns (the attack that made
 *   a backtracking matcher run for hours), and the undo analysis on 5,000 densely connected roles
 *   (tests/manyRoles.ts: every revoked role's undoers, and the guard's comparison of two sides).
 *
 * The program alone (after loading) is timed too, as before (bench/program.cjs). The commands run
 * from the build (dist/), as users run them.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseArgs } from "util";
import { PROJECT_ROOT } from "../cli/project";
import { loadStack } from "../config/loader";
import { directorySource } from "../config/sources";
import { BENCH_CUTOFF, syntheticKey, syntheticStack } from "./synthetic";
import { Measured, MAIN, benchProject, measure, median, round } from "./process";
import { measurePatterns, patternsReport } from "./patterns";
import { baselineOf } from "./baseline";
import { Writer } from "../cli/io";
import { runAsProcess } from "../cli/process";

/** One size's figures: medians over the runs. */
export interface BenchRow {
    roles: number;
    resources: number;
    /** The program alone, after loading (as before). */
    planMs: number;
    /** The floor program alone, after loading (as before). */
    baselineMs: number;
    /** planMs / baselineMs. */
    ratio: number;
    /** Peak memory of the plan command. */
    peakMiB: number;
    /** Peak memory of the floor process. */
    baselinePeakMiB: number;
    /** The floor as a whole process. */
    floorMs: number;
    floorCpuMs: number;
    planCommandMs: number;
    planCommandCpuMs: number;
    planCommandPeakMiB: number;
    guardMs: number;
    guardCpuMs: number;
    guardPeakMiB: number;
    revokeMs: number;
    revokeCpuMs: number;
    revokePeakMiB: number;
    /** `revoke --with-chained` of the first role of a stack where every role is chained, and the plan of that stack. */
    chainedRevokeMs: number;
    chainedPlanMs: number;
}

const USAGE = "usage: npm run bench -- [--roles 100,1000] [--runs 3] [--json] [--patterns]";
const HELP = `${USAGE}

Times plan, guard and revoke as whole processes on generated stacks of each size, against the
raw-resource floor, and reports wall time, CPU time and peak memory with the ratios to the floor.
Then times the wildcard matcher's worst case, revoke on a stack of 200 long star patterns, and the
undo analysis on 5,000 densely connected roles.

  --roles <n,n,...>   the stack sizes; default 100,1000 (docs/performance.md uses 1000,5000,10000)
  --runs <n>          runs per measurement, the median reported; default 3
  --json              the rows as JSON
  --patterns          only the matcher, the star patterns and the undo analysis
`;

/** The command line; undefined means --help. */
export function benchOptions(argv: string[]): { sizes: number[]; runs: number; json: boolean; patterns: boolean } | undefined {
    if (argv.includes("--help") || argv.includes("-h")) return undefined;
    const { values } = parseArgs({
        args: argv,
        options: { roles: { type: "string" }, runs: { type: "string" }, json: { type: "boolean" }, patterns: { type: "boolean" } },
        strict: true,
    });
    const sizes = (values.roles ?? "100,1000").split(",").map((s) => Number(s.trim()));
    if (sizes.some((n) => !Number.isInteger(n) || n < 10))
        throw new Error(`--roles ${values.roles}: whole numbers of at least 10, such as 1000,5000`);
    const runs = Number(values.runs ?? 3);
    if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs ${values.runs}: a whole number of at least 1`);
    return { sizes, runs, json: values.json === true, patterns: values.patterns === true };
}

/** Measures one size: every process `runs` times, each stack in a project of its own (the guard plans every stack of a project). */
async function measureSize(roles: number, runs: number, log: (line: string) => void): Promise<BenchRow> {
    const stack = `bench${roles}`;
    const text = syntheticStack(roles);
    const chainText = syntheticStack(roles, { chained: true });
    const root = benchProject({ [`Pulumi.${stack}.yaml`]: text });
    const chained = benchProject({ [`Pulumi.${stack}.yaml`]: chainText });
    const file = path.join(root, `Pulumi.${stack}.yaml`);
    const chainFile = path.join(chained, `Pulumi.${stack}.yaml`);
    try {
        // The floor's input: exactly what the program registers, from one plan in this process.
        const { planStack } = await import("../plan/run");
        const plan = await planStack(loadStack(directorySource(root), stack), root, new Date());
        fs.writeFileSync(path.join(root, `${stack}.resources.json`), JSON.stringify(baselineOf(plan)));
        const oneMore = syntheticStack(roles, { alsoRevoke: 1 });

        const samples: Record<string, Measured[]> = {};
        const add = (name: string, m: Measured) => (samples[name] ??= []).push(m);
        for (let run = 0; run < runs; run++) {
            log(`  ${roles} roles, run ${run + 1} of ${runs}`);
            add("floor", await measure([path.join(__dirname, "floor.cjs"), root, stack], root));
            add("program", await measure([path.join(__dirname, "program.cjs"), root, stack], root));
            add("plan", await measure([MAIN, "plan", "--stack", stack], root));
            fs.writeFileSync(file, oneMore);
            add("guard", await measure([MAIN, "guard", "--base", "HEAD"], root).catch(restore(file, text)));
            fs.writeFileSync(file, text);
            add(
                "revoke",
                await measure([MAIN, "revoke", "--stack", stack, "--role", syntheticKey(1), "--at", BENCH_CUTOFF], root).catch(
                    restore(file, text),
                ),
            );
            fs.writeFileSync(file, text);
            add("chainedPlan", await measure([MAIN, "plan", "--stack", stack], chained));
            add(
                "chainedRevoke",
                await measure(
                    [MAIN, "revoke", "--stack", stack, "--role", syntheticKey(0), "--with-chained", "--at", BENCH_CUTOFF],
                    chained,
                ).catch(restore(chainFile, chainText)),
            );
            fs.writeFileSync(chainFile, chainText);
        }
        const resources = (name: string) => (JSON.parse(samples[name][0].stdout) as { resources: number }).resources;
        if (resources("floor") !== plan.resources.length || resources("program") !== plan.resources.length) {
            throw new Error(`resource counts differ for ${roles} roles`);
        }
        const wall = (name: string) => round(median(samples[name].map((m) => m.wallMs)));
        const cpu = (name: string) => round(median(samples[name].map((m) => m.cpuMs)));
        const peak = (name: string) => round(median(samples[name].map((m) => m.peakMiB)));
        const inner = (name: string) => median(samples[name].map((m) => (JSON.parse(m.stdout) as { ms: number }).ms));
        return {
            roles,
            resources: plan.resources.length,
            planMs: round(inner("program")),
            baselineMs: round(inner("floor")),
            ratio: round(inner("program") / inner("floor"), 2),
            peakMiB: peak("plan"),
            baselinePeakMiB: peak("floor"),
            floorMs: wall("floor"),
            floorCpuMs: cpu("floor"),
            planCommandMs: wall("plan"),
            planCommandCpuMs: cpu("plan"),
            planCommandPeakMiB: peak("plan"),
            guardMs: wall("guard"),
            guardCpuMs: cpu("guard"),
            guardPeakMiB: peak("guard"),
            revokeMs: wall("revoke"),
            revokeCpuMs: cpu("revoke"),
            revokePeakMiB: peak("revoke"),
            chainedRevokeMs: wall("chainedRevoke"),
            chainedPlanMs: wall("chainedPlan"),
        };
    } finally {
        for (const folder of [root, chained]) fs.rmSync(folder, { recursive: true, force: true });
    }
}

/** Puts a stack file back before a failure propagates. */
function restore(file: string, text: string): (error: Error) => never {
    return (error) => {
        fs.writeFileSync(file, text);
        throw error;
    };
}

/** The report for people: the table, the growth and the targets (reported, never asserted). */
export function benchReport(rows: BenchRow[], runs: number): string {
    const x = (a: number, b: number) => `${(a / b).toFixed(2)}x`;
    const lines = [
        `Median of ${runs} run(s); every figure a whole process from its start (${os.cpus().length} cores, Node ${process.version}, load ${os
            .loadavg()
            .map((l) => l.toFixed(2))
            .join(" ")}).`,
        "",
        "| roles | resources | floor s | plan s | guard s | revoke s | plan / floor | guard / floor | revoke / floor | floor MiB | plan MiB | guard MiB | revoke MiB |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ...rows.map(
            (r) =>
                `| ${r.roles} | ${r.resources} | ${(r.floorMs / 1000).toFixed(1)} | ${(r.planCommandMs / 1000).toFixed(1)} | ${(r.guardMs / 1000).toFixed(1)} | ${(r.revokeMs / 1000).toFixed(1)} | ${x(r.planCommandMs, r.floorMs)} | ${x(r.guardMs, r.floorMs)} | ${x(r.revokeMs, r.floorMs)} | ${r.baselinePeakMiB} | ${r.planCommandPeakMiB} | ${r.guardPeakMiB} | ${r.revokePeakMiB} |`,
        ),
        "",
        "| roles | floor CPU s | plan CPU s | guard CPU s | revoke CPU s | program alone s | floor program alone s | revoke --with-chained s | plan of that stack s |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ...rows.map(
            (r) =>
                `| ${r.roles} | ${(r.floorCpuMs / 1000).toFixed(1)} | ${(r.planCommandCpuMs / 1000).toFixed(1)} | ${(r.guardCpuMs / 1000).toFixed(1)} | ${(r.revokeCpuMs / 1000).toFixed(1)} | ${(r.planMs / 1000).toFixed(1)} | ${(r.baselineMs / 1000).toFixed(1)} | ${(r.chainedRevokeMs / 1000).toFixed(1)} | ${(r.chainedPlanMs / 1000).toFixed(1)} |`,
        ),
        "",
        "Targets (reported, not asserted):",
    ];
    const check = (ok: boolean, text: string) => lines.push(`- ${ok ? "met" : "MISSED"}: ${text}`);
    for (const r of rows) {
        check(r.planCommandMs <= 1.5 * r.floorMs, `plan at ${r.roles} roles at most 1.5x the floor (${x(r.planCommandMs, r.floorMs)})`);
        check(r.revokeMs <= 1.5 * r.floorMs, `revoke at ${r.roles} roles at most 1.5x the floor (${x(r.revokeMs, r.floorMs)})`);
        check(r.guardMs <= 2.5 * r.floorMs, `guard at ${r.roles} roles at most 2.5x the floor (${x(r.guardMs, r.floorMs)})`);
        const worst = Math.max(r.planCommandPeakMiB, r.guardPeakMiB, r.revokePeakMiB);
        check(
            worst <= 1.3 * r.baselinePeakMiB,
            `peak memory at ${r.roles} roles at most 1.3x the floor's (${x(worst, r.baselinePeakMiB)}, the largest of the three)`,
        );
        check(
            r.chainedRevokeMs <= 2 * r.chainedPlanMs,
            `revoke --with-chained of ${r.roles - 1} chained roles at most 2x the plan of that stack (${x(r.chainedRevokeMs, r.chainedPlanMs)})`,
        );
    }
    const first = rows[0];
    const last = rows[rows.length - 1];
    if (rows.length > 1) {
        const growth = last.roles / first.roles;
        for (const [name, a, b] of [
            ["plan", first.planCommandMs, last.planCommandMs],
            ["guard", first.guardMs, last.guardMs],
            ["revoke", first.revokeMs, last.revokeMs],
        ] as const) {
            check(
                b / a <= growth * 1.1,
                `${name} grows from ${first.roles} to ${last.roles} roles at most ${(growth * 1.1).toFixed(1)}-fold (${(b / a).toFixed(1)}x)`,
            );
        }
    }
    return lines.join("\n");
}

/** The benchmark; returns the exit code. */
export async function main(argv: string[], out: Writer, err: Writer): Promise<number> {
    let options: ReturnType<typeof benchOptions>;
    try {
        options = benchOptions(argv);
    } catch (error) {
        err.write(`${(error as Error).message}\n${USAGE}\n`);
        return 2;
    }
    if (options === undefined) {
        out.write(HELP);
        return 0;
    }
    const { sizes, runs, json } = options;
    execFileSync(process.execPath, [path.join(PROJECT_ROOT, "tools", "build.mjs"), "--if-stale", "--quiet"], { stdio: "inherit" });
    const rows: BenchRow[] = [];
    if (!options.patterns) for (const roles of sizes) rows.push(await measureSize(roles, runs, (line) => err.write(`${line}\n`)));
    const patterns = await measurePatterns(runs, (line) => err.write(`${line}\n`));
    if (json) out.write(`${JSON.stringify(options.patterns ? patterns : { rows, patterns })}\n`);
    else out.write(`${options.patterns ? "" : `${benchReport(rows, runs)}\n\n`}${patternsReport(patterns, runs)}\n`);
    return 0;
}

if (require.main === module) runAsProcess((argv) => main(argv, process.stdout, process.stderr));

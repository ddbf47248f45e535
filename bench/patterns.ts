/**
 * The patterns part of `npm run bench`: the wildcard matcher's worst case (thousands of stars and
 * `?` against the longest role ARN IAM allows), `revoke` on a stack holding 200 long star patterns
 * (the attack that made a backtracking matcher run for hours), and the undo analysis on 5,000
 * densely connected roles (tests/manyRoles.ts: every revoked role's undoers, and the guard's
 * comparison of two sides).
 */
import * as fs from "fs";
import * as path from "path";
import { BENCH_CUTOFF, STAR_VICTIM, starPatternStack } from "./synthetic";
import { wildcardCovers } from "../iam/wildcard";
import { Cutoff } from "../iam/cutoff";
import { RepositoryIndex, containment, repositoryRoles } from "../analysis/containment";
import { undoRules } from "../guard/rules/undo";
import { manyRoleStacks } from "../tests/manyRoles";
import { MAIN, benchProject, measure, median, round } from "./process";

/** The figures of the patterns part: medians over the runs. */
export interface PatternFigures {
    /** The longest single match of the matcher's worst cases, in microseconds, with the pattern's and the ARN's lengths. */
    matcherMicros: number;
    patternLength: number;
    arnLength: number;
    /** `revoke` of the victim of a stack holding 200 long star patterns, as a whole process. */
    starRevokeMs: number;
    /** The undo analysis alone on that stack (its containment report), in this process. */
    starUndoMs: number;
    /** 5,000 densely connected roles (tests/manyRoles.ts): every revoked role's undoers, from one index. */
    manyRoles: number;
    manyRevoked: number;
    manyUndoMs: number;
    /** The guard's undo rules on them: both sides indexed and compared, one stack changed. */
    manyGuardMs: number;
}

/** The matcher's worst cases: thousands of stars, stars and `?`, and segments with `?` that nearly match everywhere, against the longest role ARN. */
function matcherWorstCase(runs: number): { micros: number; patternLength: number; arnLength: number } {
    const arn = `arn:aws:iam::111111111111:role/${"a/".repeat(255)}${"a".repeat(64)}`;
    const patterns = [
        `${"*".repeat(10_000)}-scratch-1`,
        `${"*?".repeat(5_000)}-scratch-1`,
        `*${"a?".repeat(150)}b*`,
        `arn:aws:iam::*:role/${"*a".repeat(5_000)}*-scratch-1`,
    ];
    let worst = { micros: 0, patternLength: 0, arnLength: arn.length };
    for (const pattern of patterns) {
        const times: number[] = [];
        for (let run = 0; run < Math.max(runs, 5); run++) {
            // A new pattern text each run, so that no compiled form is reused.
            const fresh = `${pattern}${run}`;
            const start = performance.now();
            wildcardCovers(fresh, arn);
            times.push((performance.now() - start) * 1000);
        }
        const micros = median(times);
        if (micros > worst.micros) worst = { micros, patternLength: pattern.length, arnLength: arn.length };
    }
    return worst;
}

/** The patterns part: the matcher, revoke on the star-pattern stack, and the undo analysis on many roles. */
export async function measurePatterns(runs: number, log: (line: string) => void): Promise<PatternFigures> {
    log("  patterns: the matcher's worst case");
    const matcher = matcherWorstCase(runs);
    const stack = "stars";
    const text = starPatternStack();
    const root = benchProject({ [`Pulumi.${stack}.yaml`]: text });
    const file = path.join(root, `Pulumi.${stack}.yaml`);
    const memory = (files: Record<string, string>) => ({
        label: "bench",
        entries: () => new Map(Object.keys(files).map((name) => [name, "file" as const])),
        read: (name: string) => files[name],
    });
    const project = { "Pulumi.yaml": "name: revocable-roles\nruntime: nodejs\n" };
    try {
        const revokes: number[] = [];
        const undos: number[] = [];
        for (let run = 0; run < runs; run++) {
            log(`  patterns: revoke on 200 star patterns, run ${run + 1} of ${runs}`);
            revokes.push((await measure([MAIN, "revoke", "--stack", stack, "--role", STAR_VICTIM, "--at", BENCH_CUTOFF], root)).wallMs);
            fs.writeFileSync(file, text);
            const { roles } = repositoryRoles(memory({ ...project, [`Pulumi.${stack}.yaml`]: text }), new Date(BENCH_CUTOFF));
            const start = performance.now();
            containment(
                roles.find((r) => r.key === STAR_VICTIM)!,
                roles,
                Cutoff.read(BENCH_CUTOFF)!,
            );
            undos.push(performance.now() - start);
        }
        log("  patterns: the undo analysis on 5,000 roles");
        const files: Record<string, string> = { ...project, ...manyRoleStacks(1667) };
        const many = repositoryRoles(memory(files), new Date(BENCH_CUTOFF)).roles;
        const revoked = many.filter((r) => r.revokedBefore !== undefined);
        // The guard's head: stack b read again (new objects, as a changed stack is), the others shared.
        const changed = repositoryRoles(memory({ ...project, "Pulumi.b.yaml": files["Pulumi.b.yaml"] }), new Date(BENCH_CUTOFF)).roles;
        const head = [...many.filter((r) => r.stack !== "b"), ...changed];
        const [undo, guard]: number[][] = [[], []];
        for (let run = 0; run < runs; run++) {
            let start = performance.now();
            const index = new RepositoryIndex(many);
            for (const role of revoked) index.undo.undoers(role);
            undo.push(performance.now() - start);
            start = performance.now();
            const cutoff = Cutoff.read(BENCH_CUTOFF)!;
            undoRules(
                revoked.map((facts) => ({ facts, cutoff })),
                [],
                { base: many, head, changed: new Set(["b"]) },
            );
            guard.push(performance.now() - start);
        }
        return {
            matcherMicros: round(matcher.micros),
            patternLength: matcher.patternLength,
            arnLength: matcher.arnLength,
            starRevokeMs: round(median(revokes)),
            starUndoMs: round(median(undos)),
            manyRoles: many.length,
            manyRevoked: revoked.length,
            manyUndoMs: round(median(undo)),
            manyGuardMs: round(median(guard)),
        };
    } finally {
        fs.rmSync(root, { recursive: true, force: true });
    }
}

/** The patterns part for people. */
export function patternsReport(f: PatternFigures, runs: number): string {
    return [
        `Patterns (median of ${runs} run(s)):`,
        "",
        `- wildcard matcher, worst case: ${f.matcherMicros} µs for one pattern of ${f.patternLength} characters against an ARN of ${f.arnLength}`,
        `- revoke on a stack holding 200 long star patterns: ${(f.starRevokeMs / 1000).toFixed(2)} s as a whole process; its undo analysis alone ${f.starUndoMs} ms`,
        `- undo analysis on ${f.manyRoles} densely connected roles: every one of ${f.manyRevoked} revoked roles' undoers in ${f.manyUndoMs} ms; the guard's undo rules (both sides, one stack changed) in ${f.manyGuardMs} ms`,
    ].join("\n");
}

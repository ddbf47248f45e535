/**
 * The program, the plan, the guard and revoke read every stack file of the fixtures alike: the
 * same errors for an invalid file, the same cutoff in force for every role of a valid one.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { FIXTURES, memorySource } from "./helpers";
import { loadProgram, runOffline } from "../plan/recorder";
import { CliError } from "../cli/io";
import { PROJECT_ROOT } from "../cli/project";
import { planStack } from "../plan/run";
import { readSide } from "../guard/sides";
import { ConfigSourceError, loadStack } from "../config/loader";
import { CONFIG_ERROR_HEADER, effectiveCutoff } from "../config/stackConfig";
import { deployedRoles } from "../plan/deployment";
import { formatUtc } from "../iam/timestamps";
import { Cutoff } from "../iam/cutoff";
import { currentConfig } from "../revocation/decide";

/** Every fixture stack file: its path under tests/fixtures. */
function fixtureStackFiles(folder = FIXTURES): string[] {
    return fs.readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
        const full = path.join(folder, entry.name);
        if (entry.isDirectory()) return fixtureStackFiles(full);
        return entry.name.endsWith(".yaml") && entry.name !== "Pulumi.yaml" ? [path.relative(FIXTURES, full)] : [];
    });
}

/** One reading: the errors, or per role key the cutoff in force (null when not revoked). */
type Reading = { errors: string[] } | { cutoffs: Record<string, string | null> };

const NOW = new Date();
const STACK = "fixture";
const source = (text: string) => memorySource({ [`Pulumi.${STACK}.yaml`]: text });

/** What the loader refuses, every tool refuses with the same lines; the program is handed its config through the loader. */
function refused(text: string): Reading | undefined {
    try {
        loadStack(source(text), STACK);
        return undefined;
    } catch (error) {
        assert.ok(error instanceof ConfigSourceError, String(error));
        return { errors: error.problems };
    }
}

async function programReading(text: string): Promise<Reading> {
    const refusal = refused(text);
    if (refusal !== undefined) return refusal;
    const run = await runOffline(loadProgram(path.join(PROJECT_ROOT, "index.ts")), {
        project: "revocable-roles",
        now: new Date(),
        stack: STACK,
        config: loadStack(source(text), STACK).config,
    });
    if (run.error !== undefined) return { errors: run.error.message.replace(`${CONFIG_ERROR_HEADER}\n`, "").split("\n") };
    const roles = deployedRoles({
        project: "revocable-roles",
        stack: STACK,
        resources: run.registrations.map((r) => ({ ...r, parent: r.parent ?? null })),
        details: new Map(),
    });
    return { cutoffs: Object.fromEntries(roles.map((r) => [r.key, r.revocation === undefined ? null : r.revocation.cutoff.toString()])) };
}

async function planReading(text: string): Promise<Reading> {
    try {
        const plan = await planStack(loadStack(source(text), STACK), PROJECT_ROOT, new Date());
        return {
            cutoffs: Object.fromEntries(
                deployedRoles(plan).map((r) => [r.key, r.revocation === undefined ? null : r.revocation.cutoff.toString()]),
            ),
        };
    } catch (error) {
        return { errors: error instanceof ConfigSourceError ? error.problems : (error as Error).message.split("\n") };
    }
}

async function guardReading(text: string): Promise<Reading> {
    const side = await readSide({ source: source(text), program: PROJECT_ROOT, project: "revocable-roles" }, STACK, NOW);
    if (side.problems.length > 0) return { errors: side.problems };
    const { roles, revokeAllBefore } = side.revocations!;
    return {
        cutoffs: Object.fromEntries(
            [...roles].map(([key, role]) => [key, formatOrNull(effectiveCutoff(role.revokeBefore, revokeAllBefore))]),
        ),
    };
}

function revokeReading(text: string): Reading {
    try {
        const current = currentConfig(loadStack(source(text), STACK), NOW);
        return {
            cutoffs: Object.fromEntries(
                current.roles.map(({ key, args }) => [
                    key,
                    args.revokeBefore === undefined ? null : formatUtc(new Date(args.revokeBefore)),
                ]),
            ),
        };
    } catch (error) {
        if (error instanceof ConfigSourceError) return { errors: error.problems };
        assert.ok(error instanceof CliError, String(error));
        return { errors: error.message.split("\n").slice(1) };
    }
}

const formatOrNull = (cutoff: Cutoff | undefined) => (cutoff === undefined ? null : cutoff.toString());

describe("the program, the plan, the guard and revoke", () => {
    const files = fixtureStackFiles();

    it("have stack files of every kind to compare: valid ones with revocations and invalid ones", async () => {
        const readings = await Promise.all(files.map((file) => revokeReading(fs.readFileSync(path.join(FIXTURES, file), "utf8"))));
        assert.ok(
            readings.some((r) => "errors" in r) && readings.some((r) => "cutoffs" in r && Object.values(r.cutoffs).some((c) => c !== null)),
        );
        // Exactly which: every file under bad/ and the two refused sources are invalid; the rest revoke a role.
        const kinds: Record<"invalid" | "revoked" | "unrevoked", string[]> = { invalid: [], revoked: [], unrevoked: [] };
        files.forEach((file, i) => {
            const reading = readings[i];
            const kind = "errors" in reading ? "invalid" : Object.values(reading.cutoffs).some((c) => c !== null) ? "revoked" : "unrevoked";
            kinds[kind].push(file);
        });
        for (const list of Object.values(kinds)) list.sort();
        assert.deepStrictEqual(kinds, {
            invalid: [...files.filter((f) => f.startsWith("bad/")), "sources/merge-key.yaml", "sources/un-namespaced-key.yaml"].sort(),
            revoked: [
                "diff/Pulumi.after.yaml",
                "diff/Pulumi.before.yaml",
                "revoke/Pulumi.commented.yaml",
                "sources/json-string-roles.yaml",
                "stacks/Pulumi.ci.yaml",
                "stacks/Pulumi.dev.yaml",
            ],
            unrevoked: [],
        });
        assert.deepStrictEqual(revokeReading(fs.readFileSync(path.join(FIXTURES, "sources", "json-string-roles.yaml"), "utf8")), {
            cutoffs: { ci: "2026-11-27T10:15:00Z", app: null },
        });
    });

    for (const file of files) {
        it(`read ${file} alike`, async () => {
            const text = fs.readFileSync(path.join(FIXTURES, file), "utf8");
            // Each reads its own clock; a future cutoff's message names it.
            const clockless = (reading: Reading): Reading =>
                "errors" in reading ? { errors: reading.errors.map((e) => e.replace(/\(now is [^)]*\)/, "(now is <now>)")) } : reading;
            const program = clockless(await programReading(text));
            assert.deepStrictEqual(
                {
                    plan: clockless(await planReading(text)),
                    guard: clockless(await guardReading(text)),
                    revoke: clockless(revokeReading(text)),
                },
                { plan: program, guard: program, revoke: program },
            );
        });
    }
});

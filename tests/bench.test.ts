import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Plan, footprint, touched } from "../plan/model";
import { baselineOf } from "../bench/baseline";
import { BENCH_CUTOFF, syntheticStack } from "../bench/synthetic";
import { loadProgram, runOffline } from "../plan/recorder";
import { toPlan } from "../plan/run";
import { plan } from "./helpers";

describe("the benchmark's baseline program", () => {
    it("registers what the program registers for the same stack: the same URNs, inputs, options and dependencies", async () => {
        const planned = await plan(syntheticStack(4), "bench");
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "revocable-roles-baseline-"));
        try {
            fs.writeFileSync(path.join(dir, "resources.json"), JSON.stringify(baselineOf(planned)));
            const run = await runOffline(loadProgram(path.join(__dirname, "..", "bench", "baselineProgram.ts")), {
                project: "revocable-roles",
                stack: "bench",
                config: { "bench:resources": path.join(dir, "resources.json") },
            });
            assert.strictEqual(run.error, undefined);
            const baseline = toPlan("revocable-roles", "bench", run.registrations);
            assert.strictEqual(baseline.resources.length, 4 * 6 + 2);
            assert.deepStrictEqual(baseline.resources, planned.resources);
            assert.deepStrictEqual(baseline.details, planned.details);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});

describe("the revocation footprint (on the benchmark's synthetic stack, 10 roles)", () => {
    const ROLES = 10;
    let base: Plan;
    const name = (urn: string) => urn.split("::").pop();
    const changes = async (text: string) => {
        const f = footprint(base, await plan(text, "bench"));
        return { added: f.added.map(name), changed: f.changed.map(name), replaced: f.replaced.map(name), removed: f.removed.map(name) };
    };

    before(async () => {
        base = await plan(syntheticStack(ROLES), "bench");
    });

    it("has the synthetic shape: 6 resources per role plus a revocation for every other role", () => {
        assert.strictEqual(base.resources.length, ROLES * 6 + ROLES / 2);
    });

    it("adds exactly one resource, the role's revocation policy, when one more role is revoked", async () => {
        assert.deepStrictEqual(await changes(syntheticStack(ROLES, { alsoRevoke: 3 })), {
            added: ["service-0003-revocation"],
            changed: [],
            replaced: [],
            removed: [],
        });
    });

    it("changes exactly one resource when a revoked role's cutoff moves", async () => {
        const later = syntheticStack(ROLES).replace(`revokeBefore: ${BENCH_CUTOFF}`, "revokeBefore: 2026-11-27T11:00:00Z");
        assert.deepStrictEqual(await changes(later), { added: [], changed: ["service-0000-revocation"], replaced: [], removed: [] });
    });

    it("changes or adds exactly one resource per role, and no role, when revokeAllBefore is set", async () => {
        const f = footprint(base, await plan(syntheticStack(ROLES, { revokeAllBefore: "2026-11-27T11:00:00Z" }), "bench"));
        assert.deepStrictEqual([f.added.length, f.changed.length, f.replaced.length, f.removed.length], [ROLES / 2, ROLES / 2, 0, 0]);
        assert.deepStrictEqual(
            touched(f).map(name).sort(),
            Array.from({ length: ROLES }, (_, i) => `service-${String(i).padStart(4, "0")}-revocation`),
        );
    });
});

import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Plan, footprint, planStack, touched } from "../cli/plan";
import { PROJECT_ROOT } from "../cli/project";
import { BENCH_CUTOFF, syntheticStack } from "../bench/synthetic";

describe("the revocation footprint (on the benchmark's synthetic stack, 10 roles)", () => {
    const ROLES = 10;
    let root: string;
    let base: Plan;
    const plan = (text: string) => planStack("bench", text, root);
    const name = (urn: string) => urn.split("::").pop();

    before(async () => {
        root = fs.mkdtempSync(path.join(os.tmpdir(), "footprint-"));
        fs.copyFileSync(path.join(PROJECT_ROOT, "Pulumi.yaml"), path.join(root, "Pulumi.yaml"));
        base = await plan(syntheticStack(ROLES));
    });

    after(() => fs.rmSync(root, { recursive: true, force: true }));

    it("has the synthetic shape: 6 resources per role plus a revocation for every other role", () => {
        assert.strictEqual(base.resources.length, ROLES * 6 + ROLES / 2);
    });

    it("adds exactly one resource, the role's revocation policy, when one more role is revoked", async () => {
        const f = footprint(base, await plan(syntheticStack(ROLES, { alsoRevoke: 3 })));
        assert.deepStrictEqual({ added: f.added.map(name), changed: f.changed, removed: f.removed }, { added: ["service-0003-revocation"], changed: [], removed: [] });
    });

    it("changes exactly one resource when a revoked role's cutoff moves", async () => {
        const later = syntheticStack(ROLES).replace(`revokeBefore: ${BENCH_CUTOFF}`, "revokeBefore: 2026-11-27T11:00:00Z");
        const f = footprint(base, await plan(later));
        assert.deepStrictEqual({ added: f.added, changed: f.changed.map(name), removed: f.removed }, { added: [], changed: ["service-0000-revocation"], removed: [] });
    });

    it("changes or adds exactly one resource per role, and no role, when revokeAllBefore is set", async () => {
        const f = footprint(base, await plan(syntheticStack(ROLES, { revokeAllBefore: "2026-11-27T11:00:00Z" })));
        assert.strictEqual(f.added.length, ROLES / 2);
        assert.strictEqual(f.changed.length, ROLES / 2);
        assert.deepStrictEqual(f.removed, []);
        assert.deepStrictEqual(touched(f).map(name).sort(), Array.from({ length: ROLES }, (_, i) => `service-${String(i).padStart(4, "0")}-revocation`));
    });
});

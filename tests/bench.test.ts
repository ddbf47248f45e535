/**
 * The benchmark's parts that decide its figures: the floor program registers exactly what the
 * program does, the synthetic stack has the shape the docs describe, a revocation touches exactly
 * the resources it should, and the command line answers --help. No timing is asserted.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseArgs } from "util";
import { Plan, footprint, touched } from "../plan/model";
import { Cutoff } from "../iam/cutoff";
import { baselineOf } from "../bench/baseline";
import { BENCH_CUTOFF, STAR_VICTIM, STAR_VICTIM_NAME, starPatternStack, syntheticKey, syntheticStack } from "../bench/synthetic";
import { main as bench } from "../bench/run";
import { main as benchNow } from "../bench/emergency";
import { loadProgram, runOffline } from "../plan/recorder";
import { toPlan } from "../plan/run";
import { deployedRoles } from "../plan/deployment";
import { Capture, memorySource, plan } from "./helpers";
import { RepositoryIndex, containment, repositoryRoles } from "../analysis/containment";

describe("the benchmark's floor program", () => {
    it("registers what the program registers for the same stack: the same URNs, inputs, options and dependencies", async () => {
        const planned = await plan(syntheticStack(10), "bench");
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "revocable-roles-baseline-"));
        try {
            fs.writeFileSync(path.join(dir, "resources.json"), JSON.stringify(baselineOf(planned)));
            const run = await runOffline(loadProgram(path.join(__dirname, "..", "bench", "baselineProgram.cjs")), {
                project: "revocable-roles",
                now: new Date(),
                stack: "bench",
                config: { "bench:resources": path.join(dir, "resources.json") },
            });
            assert.strictEqual(run.error, undefined);
            const baseline = toPlan("revocable-roles", "bench", run.registrations);
            assert.strictEqual(baseline.resources.length, planned.resources.length);
            assert.deepStrictEqual(baseline.resources, planned.resources);
            assert.deepStrictEqual(baseline.details, planned.details);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});

describe("the benchmark's synthetic stack (10 roles)", () => {
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

    it("mixes trust kinds, one to three managed policies, inline policies, one role in ten revoked", () => {
        const roles = deployedRoles(base);
        assert.deepStrictEqual(
            roles.map((r) => [
                r.key,
                Object.keys(r.trust.Statement[0].Principal ?? {})[0],
                r.managedPolicyArns.length,
                r.inlinePolicyNames.join("+"),
                r.revocation !== undefined,
            ]),
            [
                ["service-00000", "AWS", 1, "artifacts", true],
                ["service-00001", "Service", 2, "", false],
                ["service-00002", "Federated", 3, "assume", false],
                ["service-00003", "AWS", 1, "artifacts", false],
                ["service-00004", "Federated", 2, "", false],
                ["service-00005", "AWS", 2, "", false],
                ["service-00006", "Service", 1, "artifacts", false],
                ["service-00007", "Federated", 2, "assume", false],
                ["service-00008", "AWS", 3, "", false],
                ["service-00009", "Federated", 1, "artifacts", false],
            ],
        );
        assert.strictEqual(base.resources.length, 45);
    });

    it("has a fifth of its roles trusting another role that may assume them, so the analyses have chains to follow", () => {
        const roles = repositoryRoles(
            memorySource({ "Pulumi.yaml": "name: revocable-roles\nruntime: nodejs\n", "Pulumi.bench.yaml": syntheticStack(ROLES) }),
            new Date(BENCH_CUTOFF),
        ).roles;
        const index = new RepositoryIndex(roles);
        const reached = roles
            .map((role) => containment(role, index, Cutoff.read(BENCH_CUTOFF)!).reachable.map((r) => `${role.key} -> ${r.reach.role.key}`))
            .flat();
        assert.deepStrictEqual(reached, ["service-00002 -> service-00003", "service-00007 -> service-00008"]);
    });

    it("chains every role to the next when chained, with nothing revoked", () => {
        const text = syntheticStack(ROLES, { chained: true });
        const roles = repositoryRoles(
            memorySource({ "Pulumi.yaml": "name: revocable-roles\nruntime: nodejs\n", "Pulumi.bench.yaml": text }),
            new Date(BENCH_CUTOFF),
        ).roles;
        assert.deepStrictEqual(
            {
                revoked: roles.filter((r) => r.revokedBefore !== undefined).length,
                reachable: containment(roles[0], roles, Cutoff.read(BENCH_CUTOFF)!).reachable.map((r) => [r.reach.role.key, r.reach.depth]),
            },
            { revoked: 0, reachable: Array.from({ length: ROLES - 1 }, (_, i) => [syntheticKey(i + 1), i + 1]) },
        );
    });

    it("adds exactly one resource, the role's revocation policy, when one more role is revoked", async () => {
        assert.deepStrictEqual(await changes(syntheticStack(ROLES, { alsoRevoke: 3 })), {
            added: ["service-00003-revocation"],
            changed: [],
            replaced: [],
            removed: [],
        });
    });

    it("changes exactly one resource when a revoked role's cutoff moves", async () => {
        const later = syntheticStack(ROLES).replace(`revokeBefore: "${BENCH_CUTOFF}"`, 'revokeBefore: "2026-11-27T11:00:00Z"');
        assert.deepStrictEqual(await changes(later), { added: [], changed: ["service-00000-revocation"], replaced: [], removed: [] });
    });

    it("changes or adds exactly one resource per role, and no role, when revokeAllBefore is set", async () => {
        const f = footprint(base, await plan(syntheticStack(ROLES, { revokeAllBefore: "2026-11-27T11:00:00Z" }), "bench"));
        assert.deepStrictEqual([f.added.length, f.changed.length, f.replaced.length, f.removed.length], [ROLES - 1, 1, 0, 0]);
        assert.deepStrictEqual(
            touched(f).map(name).sort(),
            Array.from({ length: ROLES }, (_, i) => `${syntheticKey(i)}-revocation`),
        );
    });
});

describe("the benchmark's stack of long star patterns", () => {
    it("holds 200 patterns of 40 stars, ten to a role within the inline quota, and the role to revoke", () => {
        const { roles, problems } = repositoryRoles(
            memorySource({ "Pulumi.yaml": "name: revocable-roles\nruntime: nodejs\n", "Pulumi.stars.yaml": starPatternStack() }),
            new Date(BENCH_CUTOFF),
        );
        const patterns = roles.flatMap((r) => r.inlinePolicies.flatMap((p) => p.document.Statement.flatMap((s) => s.Resource ?? [])));
        assert.deepStrictEqual(
            {
                problems,
                roles: roles.length,
                victim: roles.find((r) => r.key === STAR_VICTIM)?.roleName,
                patterns: patterns.length,
                stars: new Set(patterns.map((p) => String(p).split("*").length - 1)),
            },
            { problems: [], roles: 21, victim: STAR_VICTIM_NAME, patterns: 200, stars: new Set([40]) },
        );
    });
});

describe("npm run bench's command line", () => {
    it("answers --help with its usage and exit code 0, and a bad size with exit code 2, measuring nothing", async () => {
        const out = new Capture();
        const err = new Capture();
        assert.strictEqual(await bench(["--help"], out, err), 0);
        assert.deepStrictEqual(out.text.split("\n")[0], "usage: npm run bench -- [--roles 100,1000] [--runs 3] [--json] [--patterns]");
        const bad = new Capture();
        assert.strictEqual(await bench(["--roles", "1000,many"], new Capture(), bad), 2);
        assert.strictEqual(
            bad.text,
            "--roles 1000,many: whole numbers of at least 10, such as 1000,5000\nusage: npm run bench -- [--roles 100,1000] [--runs 3] [--json] [--patterns]\n",
        );
    });

    it("bench:now answers --help with its usage and exit code 0, and an unknown flag with exit code 2", async () => {
        const out = new Capture();
        assert.strictEqual(await benchNow(["--help"], out, new Capture()), 0);
        assert.strictEqual(
            out.text.split("\n")[0],
            "usage: npm run bench:now -- [--accounts 1] [--roles 100] [--latency-ms 0] [--throttle 0] [--deadline 120] [--json]",
        );
        const err = new Capture();
        assert.strictEqual(await benchNow(["--role", "5"], new Capture(), err), 2);
        // Node.js words an unknown flag differently from version to version; the command passes its words on.
        const nodeSays = (() => {
            try {
                parseArgs({ args: ["--role", "5"], options: { roles: { type: "string" }, runs: { type: "string" } }, strict: true });
                return "";
            } catch (error) {
                return (error as Error).message;
            }
        })();
        assert.strictEqual(
            err.text,
            `${nodeSays}\nusage: npm run bench:now -- [--accounts 1] [--roles 100] [--latency-ms 0] [--throttle 0] [--deadline 120] [--json]\n`,
        );
        assert.match(nodeSays, /^Unknown option '--role'/);
    });
});

/**
 * Organization revocations make before they break: a revocation's policy is chosen by a hash of
 * what it revokes, so adding, removing or reordering revocations never moves one in force to
 * another policy; every policy of the budget is deployed at all times, the last first, so a policy
 * a change adds is created and attached before any is updated; and the guard fails a change that
 * would still move one, or leave a target holding more policies than the budget while it deploys.
 */
import * as assert from "assert";
import * as path from "path";
import { PROJECT_YAML, memorySource } from "./helpers";
import { PROJECT_ROOT } from "../cli/project";
import { Cutoff } from "../iam/cutoff";
import { loadStack } from "../config/loader";
import { OrganizationSection, organizationChangeProblems, organizationModel } from "../config/organization";
import { PLACEHOLDER_STATEMENT, budgetProblem, organizationPolicies, placeRevocations, policySlot } from "../iam/organizationPolicy";
import { loadProgram, runOffline } from "../plan/recorder";
import { planStack } from "../plan/run";
import { deployedOrganization } from "../plan/organization";
import { CUTOFF, FAILED, NOW, PASSED, WINDOW, runGuard } from "./guardHarness";

/** Safe to remove since 2026-11-27T11:00:00Z. */
const OLD_CUTOFF = "2026-11-26T22:00:00Z";
const USER = "90676d4c3b-0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d";

type Entry = { role?: string; user?: string; cutoff: string };

/** An organization stack file: its targets, its budget when given, and `- roleName: …` / `- identityCenterUserId: …` entries. */
function organizationStack(targets: string[], revocations: Entry[], budget?: number): string {
    const entries = revocations.map((r) =>
        r.role !== undefined
            ? `      - roleName: "${r.role}"\n        revokeBefore: "${r.cutoff}"\n`
            : `      - identityCenterUserId: "${r.user}"\n        revokeBefore: "${r.cutoff}"\n`,
    );
    const list = entries.length === 0 ? "    revocations: []\n" : `    revocations:\n${entries.join("")}`;
    const limit = budget === undefined ? "" : `    policyBudget: ${budget}\n`;
    return `config:\n  aws:region: us-east-1\n  revocable-roles:organization:\n    targets: ${JSON.stringify(targets)}\n${limit}${list}`;
}

/** 21 expired revocations: under the old placement (statements in order, policies filled), ci-deployer after them sat in the second policy. */
const EXPIRED: Entry[] = Array.from({ length: 21 }, (_, i) => ({ role: `team-${i}-deployer`, cutoff: OLD_CUTOFF }));
const IN_FORCE: Entry = { role: "ci-deployer", cutoff: CUTOFF };
const BASE = organizationStack(["r-ab12"], [...EXPIRED, IN_FORCE]);

/** The name of the policy that deploys `key` in the plan of an organization stack file. */
async function policyOf(text: string, key: string): Promise<string[]> {
    const plan = await planStack(loadStack(memorySource({ "Pulumi.org.yaml": text }), "org"), PROJECT_ROOT, NOW);
    return deployedOrganization(plan).flatMap((p) => (p.revocations.has(key) ? [String(p.resource.inputs.name)] : []));
}

const section = (revocations: Entry[], policyBudget?: number): OrganizationSection => ({
    targets: ["r-ab12"],
    revocations: revocations.map((r) =>
        r.role !== undefined ? { roleName: r.role, revokeBefore: r.cutoff } : { identityCenterUserId: r.user, revokeBefore: r.cutoff },
    ),
    ...(policyBudget === undefined ? {} : { policyBudget }),
});

describe("where an organization revocation is placed", () => {
    const entries: Entry[] = [
        { role: "ci-deployer", cutoff: CUTOFF },
        { role: "web-*", cutoff: CUTOFF },
        { role: "batch-*", cutoff: OLD_CUTOFF },
        { user: USER, cutoff: CUTOFF },
        { role: "app", cutoff: OLD_CUTOFF },
        { role: "db-admin", cutoff: CUTOFF },
    ];
    /** Each revocation's policy (1-based), by key, as the model places a list. */
    const placement = (list: Entry[]) => {
        const { model } = organizationModel(section(list));
        return Object.fromEntries(model!.policies.flatMap((p) => p.holds.map((key) => [key, p.name])));
    };
    const expected = {
        "role app": "revocable-roles-revocations-1",
        [`Identity Center user ${USER}`]: "revocable-roles-revocations-2",
        "role web-*": "revocable-roles-revocations-2",
        "role batch-*": "revocable-roles-revocations-3",
        "role ci-deployer": "revocable-roles-revocations-4",
        "role db-admin": "revocable-roles-revocations-4",
    };

    it("puts each revocation in the policy its own key's hash chooses, whatever else the list holds or in which order", () => {
        assert.deepStrictEqual(placement(entries), expected);
        assert.deepStrictEqual(placement([...entries].reverse()), expected);
        const subset = placement(entries.filter((e) => e.cutoff === CUTOFF));
        assert.deepStrictEqual(subset, {
            [`Identity Center user ${USER}`]: expected[`Identity Center user ${USER}`],
            "role web-*": expected["role web-*"],
            "role ci-deployer": expected["role ci-deployer"],
            "role db-admin": expected["role db-admin"],
        });
        const more = placement([...EXPIRED, ...entries]);
        for (const [key, policy] of Object.entries(expected)) assert.strictEqual(more[key], policy, key);
        assert.deepStrictEqual(
            ["role ci-deployer", "role app"].map((key) => [1, 2, 3, 4].map((budget) => policySlot(key, budget))),
            [
                [0, 1, 2, 3],
                [0, 0, 1, 0],
            ],
        );
    });

    it("deploys every policy of the budget, the placeholder in those that hold nothing, statements in the order of their keys", () => {
        const revocations = [
            { roleName: "db-admin", revokeBefore: Cutoff.read(CUTOFF)! },
            { roleName: "ci-deployer", revokeBefore: Cutoff.read(CUTOFF)! },
        ];
        assert.deepStrictEqual(placeRevocations(revocations, 4), [[], [], [], [1, 0]]);
        const documents = organizationPolicies(revocations, 4);
        assert.deepStrictEqual(
            documents.map((d) => d.Statement.map((s) => s.Sid)),
            [["RevocationPlaceholder"], ["RevocationPlaceholder"], ["RevocationPlaceholder"], ["RevokeRole0", "RevokeRole1"]],
        );
        assert.deepStrictEqual(documents[0].Statement, [PLACEHOLDER_STATEMENT]);
        assert.deepStrictEqual(documents[3].Statement[0].Condition!.ArnLike, {
            "aws:PrincipalArn": ["arn:*:iam::*:role/ci-deployer", "arn:*:iam::*:role/*/ci-deployer"],
        });
    });

    it("moves nothing in force when revocations are added, removed after their window, reordered or re-timed", () => {
        const before = organizationModel(section([...EXPIRED, ...entries])).model!;
        const changes: Entry[][] = [
            [...EXPIRED, ...entries, { role: "reporting", cutoff: CUTOFF }, { role: "prod-admin", cutoff: CUTOFF }],
            entries,
            [...entries].reverse(),
            [...EXPIRED, ...entries].map((e) => (e.role === "ci-deployer" ? { ...e, cutoff: "2026-11-27T11:00:00Z" } : e)),
        ];
        for (const change of changes) {
            assert.deepStrictEqual(organizationChangeProblems(before, organizationModel(section(change)).model!, NOW), []);
        }
    });

    it("refuses a new budget while revocations are in force, since it moves them, naming each, its policies and what to do", () => {
        const before = organizationModel(section(entries)).model!;
        assert.deepStrictEqual(organizationChangeProblems(before, organizationModel(section(entries, 3)).model!, NOW), [
            `Identity Center user ${USER} moves from service control policy revocable-roles-revocations-2 to revocable-roles-revocations-1 while it is in force ${WINDOW}: the deploy updates one policy before the other, and between the two updates, or for good if the second fails, no policy denies its sessions; keep policyBudget at 4 until 2026-11-27T23:00:00Z, when it is safe to remove`,
            `role ci-deployer moves from service control policy revocable-roles-revocations-4 to revocable-roles-revocations-3 while it is in force ${WINDOW}: the deploy updates one policy before the other, and between the two updates, or for good if the second fails, no policy denies its sessions; keep policyBudget at 4 until 2026-11-27T23:00:00Z, when it is safe to remove`,
            `role db-admin moves from service control policy revocable-roles-revocations-4 to revocable-roles-revocations-3 while it is in force ${WINDOW}: the deploy updates one policy before the other, and between the two updates, or for good if the second fails, no policy denies its sessions; keep policyBudget at 4 until 2026-11-27T23:00:00Z, when it is safe to remove`,
        ]);
        // Once nothing is in force, the same change moves nothing that matters.
        assert.deepStrictEqual(
            organizationChangeProblems(before, organizationModel(section(entries, 3)).model!, new Date("2026-11-28T00:00:00Z")),
            [],
        );
    });

    it("counts what a target holds at the deploy's fullest step: what it held and the new policies, attached first", () => {
        assert.deepStrictEqual(
            [budgetProblem(4, 4, 4), budgetProblem(2, 2, 4), budgetProblem(0, 4, 4), budgetProblem(4, 0, 2), budgetProblem(3, 1, 3)],
            [
                "would hold 8 revocation policies during the deploy (the 4 it holds until the deploy ends, and 4 new ones attached first), more than the policyBudget of 4: a target holds 5 service control policies and one of them must allow actions (FullAWSAccess), so the attachment past the budget can fail, and the deploy with it",
                undefined,
                undefined,
                // Lowering the budget attaches nothing: the target never holds more than it already does.
                undefined,
                "would hold 4 revocation policies during the deploy (the 3 it holds until the deploy ends, and 1 new one attached first), more than the policyBudget of 3: a target holds 5 service control policies and one of them must allow actions (FullAWSAccess), so the attachment past the budget can fail, and the deploy with it",
            ],
        );
        // A budget raised from 2 to 4 adds two policies to a target that held two: four at the fullest step, within the budget.
        const before = organizationModel(section(entries, 2)).model!;
        const after = organizationModel({ ...section(entries, 4), targets: ["r-ab12", "ou-ab12-cd34ef56"] }).model!;
        assert.deepStrictEqual(organizationChangeProblems(before, after, new Date("2026-11-28T00:00:00Z")), []);
    });
});

describe("the organization layer's resources make before they break", () => {
    it("registers the last policy first, each depending on the one after it and its attachments, protected while it holds a revocation in force", async () => {
        const text = organizationStack(["r-ab12", "ou-ab12-cd34ef56"], [{ role: "ci-deployer", cutoff: CUTOFF }], 3);
        const run = await runOffline(loadProgram(path.join(PROJECT_ROOT, "index.ts")), {
            project: "revocable-roles",
            stack: "org",
            config: loadStack(memorySource({ "Pulumi.org.yaml": text }), "org").config,
            now: NOW,
        });
        assert.strictEqual(run.error, undefined);
        const urn = (name: string) =>
            name.includes("-r-ab12") || name.includes("-ou-")
                ? `urn:pulumi:org::revocable-roles::revocable-roles:index:OrganizationRevocations$aws:organizations/policyAttachment:PolicyAttachment::${name}`
                : `urn:pulumi:org::revocable-roles::revocable-roles:index:OrganizationRevocations$aws:organizations/policy:Policy::${name}`;
        const policy = (n: number) => `organization-revocable-roles-revocations-${n}`;
        const attachments = (n: number) => [`${policy(n)}-r-ab12`, `${policy(n)}-ou-ab12-cd34ef56`];
        assert.deepStrictEqual(
            run.registrations.slice(1).map((r) => [r.name, r.protect, r.dependencies]),
            [
                // ci-deployer is in the third of three policies.
                [policy(3), true, []],
                [attachments(3)[0], true, [urn(policy(3))]],
                [attachments(3)[1], true, [urn(policy(3))]],
                [policy(2), false, [urn(policy(3)), ...attachments(3).map(urn)]],
                [attachments(2)[0], false, [urn(policy(2))]],
                [attachments(2)[1], false, [urn(policy(2))]],
                [policy(1), false, [urn(policy(2)), ...attachments(2).map(urn)]],
                [attachments(1)[0], false, [urn(policy(1))]],
                [attachments(1)[1], false, [urn(policy(1))]],
            ],
        );
    });
});

describe("npm run guard: organization revocations make before they break", function () {
    this.timeout(20_000);

    it("passes reordering the revocations, which moves nothing in force", async () => {
        const head = organizationStack(["r-ab12"], [IN_FORCE, ...[...EXPIRED].reverse()]);
        assert.deepStrictEqual(await runGuard({ "Pulumi.org.yaml": BASE }, { "Pulumi.org.yaml": head }), {
            code: 0,
            lines: [PASSED],
            stderr: "",
        });
        assert.deepStrictEqual(
            [await policyOf(BASE, "role ci-deployer"), await policyOf(head, "role ci-deployer")],
            [["revocable-roles-revocations-4"], ["revocable-roles-revocations-4"]],
        );
    });

    it("passes removing an expired revocation listed before one in force, which stays in its policy", async () => {
        const head = organizationStack(["r-ab12"], [...EXPIRED.slice(1), IN_FORCE]);
        assert.deepStrictEqual(await runGuard({ "Pulumi.org.yaml": BASE }, { "Pulumi.org.yaml": head }), {
            code: 0,
            lines: [
                "ok   org: organization role team-0-deployer: revokeBefore 2026-11-26T22:00:00Z removed after its safe-to-remove time (2026-11-27T11:00:00Z)",
                PASSED,
            ],
            stderr: "",
        });
        assert.deepStrictEqual(await policyOf(head, "role ci-deployer"), ["revocable-roles-revocations-4"]);
    });

    it("passes revocations added ahead of one in force that once overflowed it into a new policy, and appended ones", async () => {
        const added: Entry[] = Array.from({ length: 21 }, (_, i) => ({ role: `svc-${i}`, cutoff: CUTOFF }));
        const base = organizationStack(["r-ab12"], [IN_FORCE]);
        const head = organizationStack(["r-ab12"], [...added, IN_FORCE, { user: USER, cutoff: CUTOFF }]);
        assert.deepStrictEqual(await runGuard({ "Pulumi.org.yaml": base }, { "Pulumi.org.yaml": head }), {
            code: 0,
            lines: [
                ...added.map((e) => `ok   org: organization role ${e.role}: new revocation: revokeBefore ${CUTOFF}`),
                `ok   org: organization Identity Center user ${USER}: new revocation: revokeBefore ${CUTOFF}`,
                PASSED,
            ],
            stderr: "",
        });
        assert.deepStrictEqual(await policyOf(head, "role ci-deployer"), ["revocable-roles-revocations-4"]);
    });

    it("fails revocations that would overfill the policy their keys fall into, naming it", async () => {
        // Role names of 64 characters: fourteen of them and ci-deployer fill more than one policy.
        const added: Entry[] = Array.from({ length: 14 }, (_, i) => ({
            role: `${String(i).padStart(2, "0")}${"n".repeat(62)}`,
            cutoff: CUTOFF,
        }));
        const base = organizationStack(["r-ab12"], [IN_FORCE], 1);
        assert.deepStrictEqual(
            await runGuard({ "Pulumi.org.yaml": base }, { "Pulumi.org.yaml": organizationStack(["r-ab12"], [IN_FORCE, ...added], 1) }),
            {
                code: 1,
                lines: [
                    "FAIL org: Pulumi.org.yaml: revocable-roles:organization.revocations: 15 revocations fall into revocable-roles-revocations-1, 5127 characters, more than the 5120 a service control policy holds (a revocation's policy is chosen by a hash of what it revokes, so that no change moves one from policy to policy): remove revocations past their window (cutoff + 13 h), use a name pattern for roles that share a prefix, or raise policyBudget while no organization revocation is in force",
                    ...added.map((e) => `ok   org: organization role ${e.role}: new revocation: revokeBefore ${CUTOFF}`),
                    FAILED(1),
                ],
                stderr: "",
            },
        );
    });

    it("fails a new policyBudget while a revocation is in force, which moves it to another policy", async () => {
        const head = organizationStack(["r-ab12"], [...EXPIRED, IN_FORCE], 3);
        assert.deepStrictEqual(await runGuard({ "Pulumi.org.yaml": BASE }, { "Pulumi.org.yaml": head }), {
            code: 1,
            lines: [
                `FAIL org: organization role ci-deployer: moves from service control policy revocable-roles-revocations-4 to revocable-roles-revocations-3 while it is in force ${WINDOW}: the deploy updates one policy before the other, and between the two updates, or for good if the second fails, no policy denies its sessions; keep policyBudget at 4 until 2026-11-27T23:00:00Z, when it is safe to remove`,
                FAILED(1),
            ],
            stderr: "",
        });
    });

    it("fails a change whose deploy would attach more policies to a target than the budget before removing any", async () => {
        // A renamed project deploys every policy and attachment anew: they are created and attached before the old ones go.
        const base = organizationStack(["r-ab12"], [IN_FORCE], 2);
        const renamed = PROJECT_YAML.replace("name: revocable-roles", "name: platform-roles");
        assert.deepStrictEqual(await runGuard({ "Pulumi.org.yaml": base }, { "Pulumi.yaml": renamed }), {
            code: 1,
            lines: [
                "FAIL project: Pulumi.yaml: changed while revocations are in force (org/organization: role ci-deployer until 2026-11-27T23:00:00Z): only stack files and documentation may change until every revocation is safe to remove, because the guard cannot judge what a change to the program, its packages, settings, tools or workflows deploys; merge after 2026-11-27T23:00:00Z, when every revocation is safe to remove",
                "FAIL org: organization target r-ab12: would hold 4 revocation policies during the deploy (the 2 it holds until the deploy ends, and 2 new ones attached first), more than the policyBudget of 2: a target holds 5 service control policies and one of them must allow actions (FullAWSAccess), so the attachment past the budget can fail, and the deploy with it",
                FAILED(2),
            ],
            stderr: "",
        });
    });

    it("passes a new revocation appended, and one removed after its window when nothing in force moves", async () => {
        const head = organizationStack(["r-ab12"], [...EXPIRED.slice(0, 20), IN_FORCE, { role: "web-*", cutoff: CUTOFF }]);
        assert.deepStrictEqual(await runGuard({ "Pulumi.org.yaml": BASE }, { "Pulumi.org.yaml": head }), {
            code: 0,
            lines: [
                "ok   org: organization role team-20-deployer: revokeBefore 2026-11-26T22:00:00Z removed after its safe-to-remove time (2026-11-27T11:00:00Z)",
                `ok   org: organization role web-*: new revocation: revokeBefore ${CUTOFF}`,
                PASSED,
            ],
            stderr: "",
        });
    });
});

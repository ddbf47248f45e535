/**
 * The organization layer end to end: the `revocable-roles:organization` section validated, the
 * program's policies and attachments, the offline plan in words, and the guard's in-force rules
 * on real git repositories, in the config and in the plans. The commands on an organization stack
 * are tests/organizationCommands.test.ts.
 */
import * as assert from "assert";
import { Capture, memorySource, repository, environment } from "./helpers";
import { PROJECT_ROOT } from "../cli/project";
import { loadStack } from "../config/loader";
import { readStackConfig } from "../config/stackConfig";
import { planStack } from "../plan/run";
import { Plan } from "../plan/model";
import { readSide } from "../guard/sides";
import { organizationRules } from "../guard/rules/organization";
import { describePlan } from "../revocation/planReport";
import { organizationStack, CUTOFF, NOW, guard, USER, OLD_CUTOFF } from "./organizationHarness";

const WINDOW = "(revoked before 2026-11-27T10:00:00Z, safe to remove after 2026-11-27T23:00:00Z)";

const BASE = organizationStack(["r-ab12"], [{ role: "ci-deployer", cutoff: CUTOFF }]);

async function planOf(text: string): Promise<Plan> {
    return planStack(loadStack(memorySource({ "Pulumi.org.yaml": text }), "org"), PROJECT_ROOT, NOW);
}

async function runGuard(base: string, head: string | undefined) {
    const root = repository({ "Pulumi.org.yaml": base }, { "Pulumi.org.yaml": head });
    const out = new Capture();
    const err = new Capture();
    const code = await guard(["--base", "main"], out, err, environment(environment({ root, now: NOW })));
    return { code, lines: out.text.split("\n").slice(0, -1), stderr: err.text };
}

describe("the organization section", () => {
    it("refuses more revocations than their policy holds, naming it and its size", () => {
        const many = Array.from({ length: 22 }, (_, i) => ({ role: `team-${i}-deployer`, cutoff: CUTOFF }));
        const text = organizationStack(["r-ab12"], many, "").replace("    targets:", "    policyBudget: 1\n    targets:");
        const result = readStackConfig(loadStack(memorySource({ "Pulumi.org.yaml": text }), "org").config, {
            stackFile: "Pulumi.org.yaml",
            now: NOW,
        });
        assert.deepStrictEqual(result.ok ? [] : result.errors, [
            "Pulumi.org.yaml: revocable-roles:organization.revocations: 22 revocations fall into revocable-roles-revocations-1, 5530 characters, more than the 5120 a service control policy holds (a revocation's policy is chosen by a hash of what it revokes, so that no change moves one from policy to policy): remove revocations past their window (cutoff + 13 h), use a name pattern for roles that share a prefix, or raise policyBudget while no organization revocation is in force",
        ]);
    });

    it("is refused beside provider aws-native, and a stack without roles needs it", () => {
        const read = (text: string) => {
            const result = readStackConfig(loadStack(memorySource({ "Pulumi.org.yaml": text }), "org").config, {
                stackFile: "Pulumi.org.yaml",
                now: NOW,
            });
            return result.ok ? [] : result.errors;
        };
        assert.deepStrictEqual(read(BASE.replace("  aws:region", "  revocable-roles:provider: aws-native\n  aws:region")), [
            "Pulumi.org.yaml: revocable-roles:organization: is deployed with the aws provider only, and this stack sets provider: aws-native; move the section to a stack of the management account that uses the aws provider",
        ]);
        assert.deepStrictEqual(read(BASE), []);
        assert.deepStrictEqual(read("config:\n  aws:region: us-east-1\n"), [
            'Pulumi.org.yaml: revocable-roles:roles: defines no roles; add one under "revocable-roles:roles" in Pulumi.org.yaml, for example { app-deployer: { trust: { accounts: ["123456789012"] } } }',
        ]);
    });
});

describe("the organization policies the program deploys", () => {
    it("renders each revocation into the policy of its key, every policy attached to every target, protected while it holds one in force", async () => {
        const plan = await planOf(
            organizationStack(
                ["r-ab12", "ou-ab12-cd34ef56"],
                [
                    { role: "ci-deployer", cutoff: CUTOFF },
                    { user: USER, cutoff: OLD_CUTOFF },
                ],
            ),
        );
        const policy = (n: number) => `organization-revocable-roles-revocations-${n}`;
        // The last policy is registered first (each depends on the one after it); ci-deployer's is the fourth, the user's the second.
        assert.deepStrictEqual(
            plan.resources.map((r) => [r.type, r.name, r.protect]),
            [
                ["revocable-roles:index:OrganizationRevocations", "organization", false],
                ...[4, 3, 2, 1].flatMap((n) => [
                    ["aws:organizations/policy:Policy", policy(n), n === 4],
                    ["aws:organizations/policyAttachment:PolicyAttachment", `${policy(n)}-r-ab12`, n === 4],
                    ["aws:organizations/policyAttachment:PolicyAttachment", `${policy(n)}-ou-ab12-cd34ef56`, n === 4],
                ]),
            ],
        );
        const [, resource, attachment] = plan.resources;
        assert.deepStrictEqual(
            { ...resource.inputs, content: JSON.parse(resource.inputs.content as string) },
            {
                name: "revocable-roles-revocations-4",
                type: "SERVICE_CONTROL_POLICY",
                description: "Denies sessions issued before their cutoff; managed by revocable-roles",
                content: {
                    Version: "2012-10-17",
                    Statement: [
                        {
                            Sid: "RevokeRole0",
                            Effect: "Deny",
                            Action: "*",
                            Resource: "*",
                            Condition: {
                                DateLessThan: { "aws:TokenIssueTime": CUTOFF },
                                ArnLike: { "aws:PrincipalArn": ["arn:*:iam::*:role/ci-deployer", "arn:*:iam::*:role/*/ci-deployer"] },
                            },
                        },
                    ],
                },
            },
        );
        assert.deepStrictEqual(JSON.parse(plan.resources[7].inputs.content as string), {
            Version: "2012-10-17",
            Statement: [
                {
                    Sid: "RevokeIdentityCenterUser0",
                    Effect: "Deny",
                    Action: "*",
                    Resource: "*",
                    Condition: {
                        DateLessThan: { "aws:TokenIssueTime": OLD_CUTOFF },
                        StringEquals: { "identitystore:userId": USER },
                    },
                },
            ],
        });
        assert.deepStrictEqual(attachment.inputs, { policyId: `${policy(4)}-id`, targetId: "r-ab12" });
        assert.deepStrictEqual(plan.details.get(attachment.urn)!.propertyDependencies.policyId, [resource.urn]);
    });

    it("keeps every policy of the budget attached as a placeholder, unprotected, when nothing is revoked, and says so in the plan", async () => {
        const plan = await planOf(organizationStack(["r-ab12"], []));
        const placeholder = "    placeholder: denies no session, kept attached so that a revocation only edits it";
        assert.deepStrictEqual(JSON.parse(plan.resources[1].inputs.content as string).Statement, [
            {
                Sid: "RevocationPlaceholder",
                Effect: "Deny",
                Action: "*",
                Resource: "*",
                Condition: { DateLessThan: { "aws:TokenIssueTime": "2006-01-01T00:00:00Z" } },
            },
        ]);
        assert.deepStrictEqual(describePlan(plan).split("\n"), [
            'Offline plan of stack "org" (project revocable-roles): no AWS call was made.',
            "",
            "organization: 4 service control policies",
            "  revocable-roles-revocations-1: attached to r-ab12",
            placeholder,
            "  revocable-roles-revocations-2: attached to r-ab12",
            placeholder,
            "  revocable-roles-revocations-3: attached to r-ab12",
            placeholder,
            "  revocable-roles-revocations-4: attached to r-ab12",
            placeholder,
            "  limits: service control policies do not apply to the management account or to service-linked roles, and deleting an Identity Center session in the console does not end the role sessions it already issued",
            "",
            "0 roles, 9 resources.",
        ]);
    });
});

describe("npm run guard: organization revocations", () => {
    const FAILED = (n: number) => `${n} change(s) would weaken a revocation since main.`;

    it("fails a revocation removed inside its window, and a target dropped while it is in force", async () => {
        assert.deepStrictEqual(await runGuard(BASE, organizationStack(["ou-ab12-cd34ef56"], [])), {
            code: 1,
            lines: [
                "FAIL org: organization role ci-deployer: revokeBefore 2026-11-27T10:00:00Z removed before it is safe to remove (2026-11-27T23:00:00Z)",
                "FAIL org: organization target r-ab12: is dropped from the targets while organization revocations are in force (role ci-deployer until 2026-11-27T23:00:00Z): Pulumi would detach the revocation policies from it, re-enabling the revoked sessions in its accounts",
                FAILED(2),
            ],
            stderr: "",
        });
    });

    it("fails an earlier cutoff, and the stack file deleted while a revocation is in force", async () => {
        assert.deepStrictEqual(await runGuard(BASE, organizationStack(["r-ab12"], [{ role: "ci-deployer", cutoff: OLD_CUTOFF }])), {
            code: 1,
            lines: [
                "FAIL org: organization role ci-deployer: revokeBefore moved earlier from 2026-11-27T10:00:00Z to 2026-11-26T22:00:00Z, re-enabling sessions issued in between",
                FAILED(1),
            ],
            stderr: "",
        });
        assert.deepStrictEqual((await runGuard(BASE, undefined)).lines, [
            "FAIL org: organization role ci-deployer: revokeBefore 2026-11-27T10:00:00Z removed before it is safe to remove (2026-11-27T23:00:00Z)",
            "FAIL org: organization target r-ab12: is dropped from the targets while organization revocations are in force (role ci-deployer until 2026-11-27T23:00:00Z): Pulumi would detach the revocation policies from it, re-enabling the revoked sessions in its accounts",
            FAILED(2),
        ]);
    });

    it("passes a later cutoff, a new revocation and a removal after the window, listing each", async () => {
        const base = organizationStack(
            ["r-ab12"],
            [
                { role: "ci-deployer", cutoff: CUTOFF },
                { user: USER, cutoff: OLD_CUTOFF },
            ],
        );
        const head = organizationStack(
            ["r-ab12", "ou-ab12-cd34ef56"],
            [
                { role: "ci-deployer", cutoff: "2026-11-27T11:00:00Z" },
                { role: "web-*", cutoff: CUTOFF },
            ],
        );
        assert.deepStrictEqual(await runGuard(base, head), {
            code: 0,
            lines: [
                "ok   org: organization role ci-deployer: revokeBefore moved later from 2026-11-27T10:00:00Z to 2026-11-27T11:00:00Z",
                `ok   org: organization Identity Center user ${USER}: revokeBefore 2026-11-26T22:00:00Z removed after its safe-to-remove time (2026-11-27T11:00:00Z)`,
                "ok   org: organization role web-*: new revocation: revokeBefore 2026-11-27T10:00:00Z",
                "No revocation is weakened since main.",
            ],
            stderr: "",
        });
    });

    it("fails, in the plans, a revocation the head would not deploy on a target, or deploys replaced or unprotected", async () => {
        const source = memorySource({ "Pulumi.org.yaml": BASE });
        const side = await readSide({ source, program: PROJECT_ROOT, project: "revocable-roles" }, "org", NOW);
        const base = side.plan!;
        const [component, policy, attachment] = base.resources;
        // A head whose config still holds the revocation but whose plan (a changed program) loses it three ways.
        const head = (resources: typeof base.resources): Plan => ({ ...base, resources });
        const judge = (plan: Plan) =>
            organizationRules({ stack: "org", base: side, head: { ...side, plan }, now: NOW }).map((f) => `${f.verdict} ${f.message}`);
        assert.deepStrictEqual(judge(head([component, policy])), [
            `fail is no longer deployed on target r-ab12 while it is in force ${WINDOW}`,
        ]);
        assert.deepStrictEqual(judge(head([component, { ...policy, inputs: { ...policy.inputs, type: "TAG_POLICY" } }, attachment])), [
            `fail aws:organizations/policy:Policy organization-revocable-roles-revocations-4 would be replaced while the revocation is in force ${WINDOW}: between the delete and the create no policy denies its sessions on target r-ab12`,
            // Its policyId is the replaced policy's ID: the engine replaces the attachment with it.
            `fail aws:organizations/policyAttachment:PolicyAttachment organization-revocable-roles-revocations-4-r-ab12 would be replaced while the revocation is in force ${WINDOW}: between the delete and the create no policy denies its sessions on target r-ab12`,
            // The replacement is attached before the policy it replaces is detached: five of ours at once.
            "fail would hold 5 revocation policies during the deploy (the 4 it holds until the deploy ends, and 1 new one attached first), more than the policyBudget of 4: a target holds 5 service control policies and one of them must allow actions (FullAWSAccess), so the attachment past the budget can fail, and the deploy with it",
        ]);
        assert.deepStrictEqual(judge(head([component, { ...policy, protect: false }, attachment])), [
            `fail deploys organization-revocable-roles-revocations-4 without protect while the revocation is in force ${WINDOW}: pulumi up would not refuse to delete, replace or detach them`,
        ]);
        const earlier = (policy.inputs.content as string).replace(CUTOFF, OLD_CUTOFF);
        assert.deepStrictEqual(judge(head([component, { ...policy, inputs: { ...policy.inputs, content: earlier } }, attachment])), [
            `fail is deployed on target r-ab12 with the cutoff 2026-11-26T22:00:00Z, earlier than the one in force ${WINDOW}`,
        ]);
        assert.deepStrictEqual(judge(base), []);
    });
});

/**
 * The organization layer end to end: the `revocable-roles:organization` section validated, the
 * program's policies and attachments, the offline plan in words, and the guard's in-force rules
 * on real git repositories, in the config and in the plans.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { Capture, capture, commitFiles, git, memorySource, project, repository, environment } from "./helpers";
import { PROJECT_ROOT } from "../cli/project";
import { CI, PROD, STACKS, arn } from "./leakedFixture";
import { loadStack } from "../config/loader";
import { readStackConfig } from "../config/stackConfig";
import { planStack } from "../plan/run";
import { Plan } from "../plan/model";
import { readSide } from "../guard/sides";
import { organizationRules } from "../guard/rules/organization";
import { deployPlan } from "../revocation/deploy";
import { describePlan } from "../revocation/planReport";
import { commandMain } from "../cli/main";

const revoke = commandMain("revoke");

const revocations = commandMain("revocations");

const guard = commandMain("guard");

const NOW = new Date("2026-11-27T12:00:00Z");
/** In force until 2026-11-27T23:00:00Z. */
const CUTOFF = "2026-11-27T10:00:00Z";
/** Safe to remove since 2026-11-27T11:00:00Z. */
const OLD_CUTOFF = "2026-11-26T22:00:00Z";
const USER = "90676d4c3b-0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d";
const WINDOW = "(revoked before 2026-11-27T10:00:00Z, safe to remove after 2026-11-27T23:00:00Z)";

/** An organization stack file: its targets and `- roleName: …` / `- identityCenterUserId: …` entries. */
function organizationStack(targets: string[], revocations: { role?: string; user?: string; cutoff: string }[], extra = ""): string {
    const entries = revocations.map((r) =>
        r.role !== undefined
            ? `      - roleName: ${r.role}\n        revokeBefore: "${r.cutoff}"\n`
            : `      - identityCenterUserId: "${r.user}"\n        revokeBefore: "${r.cutoff}"\n`,
    );
    const list = entries.length === 0 ? "    revocations: []\n" : `    revocations:\n${entries.join("")}`;
    return `config:\n  aws:region: us-east-1\n${extra}  revocable-roles:organization:\n    targets: ${JSON.stringify(targets)}\n${list}`;
}

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

describe("revoke --org", () => {
    const at = (root: string, argv: string[]) =>
        capture((out, err) => revoke(argv, out, err, environment(environment({ root, now: NOW }))));
    const ORG = `# The management account.
config:
  aws:region: us-east-1
  revocable-roles:organization:
    targets: ["r-ab12"]   # the root
    revocations:
      - roleName: ci-deployer
        revokeBefore: "${OLD_CUTOFF}"
`;
    const fileOf = (root: string) => fs.readFileSync(path.join(root, "Pulumi.org.yaml"), "utf8");

    it("adds role names and users, moves a cutoff later, changes no other byte, and prints the pull request", async () => {
        const root = project({ "Pulumi.org.yaml": ORG });
        const result = await at(root, [
            "--org",
            "--role-name",
            "web-*",
            "--identity-center-user",
            USER,
            "--role-name",
            "ci-deployer",
            "--at",
            CUTOFF,
            "--reason",
            "CI token leaked",
        ]);
        assert.deepStrictEqual({ code: result.code, stderr: result.stderr }, { code: 0, stderr: "" });
        assert.strictEqual(
            fileOf(root),
            ORG.replace(OLD_CUTOFF, CUTOFF) +
                `      - roleName: "web-*"\n        revokeBefore: "${CUTOFF}"\n      - identityCenterUserId: "${USER}"\n        revokeBefore: "${CUTOFF}"\n`,
        );
        assert.deepStrictEqual(result.stdout.split("\n"), [
            `Wrote Pulumi.org.yaml: role web-*, role ci-deployer, Identity Center user ${USER} revoked organization-wide before ${CUTOFF}.`,
            "",
            "Pull request title:",
            `Revoke organization-wide sessions of role web-*, role ci-deployer, Identity Center user ${USER} issued before ${CUTOFF}`,
            "",
            "Pull request body:",
            `## Revoke organization-wide sessions issued before ${CUTOFF}`,
            "",
            "Reason: CI token leaked",
            "",
            "### Organization-wide (Pulumi.org.yaml, service control policies)",
            "",
            "| revocation | cutoff |",
            "| --- | --- |",
            `| role web-* | \`${CUTOFF}\` |`,
            `| role ci-deployer | \`${CUTOFF}\` (was \`${OLD_CUTOFF}\`) |`,
            `| Identity Center user ${USER} | \`${CUTOFF}\` |`,
            "",
            "In every account under the organization stack's targets, each listed role name (in any account, at any path) or Identity Center user is denied every action for sessions issued before the cutoff, once the organization stack deploys.",
            "",
            "**What this layer cannot reach:** service control policies do not apply to the management account or to service-linked roles, and deleting an Identity Center session in the console does not end the role sessions it already issued. Revoke roles of the management account through their own stack (`revoke --stack <name> --role <key>`); end Identity Center users' role sessions with this revocation, not by deleting their sessions.",
            "",
            "**Do not remove** these revocations before `2026-11-27T23:00:00Z` (cutoff + 13 h): until then a session issued before the cutoff may still be alive.",
            "",
        ]);
        // The guard accepts what it wrote.
        const repo = repository({ "Pulumi.org.yaml": ORG }, { "Pulumi.org.yaml": fileOf(root) });
        const verdict = await capture((out, err) =>
            guard(["--base", "main"], out, err, environment(environment({ root: repo, now: NOW }))),
        );
        assert.deepStrictEqual([verdict.code, verdict.stdout.split("\n").at(-2)], [0, "No revocation is weakened since main."]);
    });

    it("appends to a flow list and creates a missing list, in the file's own style", async () => {
        const flow = (list: string) => `config:\n  revocable-roles:organization: { targets: ["r-ab12"]${list} }\n`;
        const root = project({ "Pulumi.org.yaml": flow(', revocations: [{ roleName: a, revokeBefore: "2026-11-27T09:00:00Z" }]') });
        assert.strictEqual((await at(root, ["--org", "--role-name", "b", "--at", CUTOFF])).code, 0);
        assert.strictEqual(
            fileOf(root),
            flow(`, revocations: [{ roleName: a, revokeBefore: "2026-11-27T09:00:00Z" }, { roleName: "b", revokeBefore: "${CUTOFF}" }]`),
        );
        const block = "config:\n  revocable-roles:organization:\n    targets: [r-ab12]\n";
        const bare = project({ "Pulumi.org.yaml": block });
        assert.strictEqual((await at(bare, ["--org", "--identity-center-user", USER, "--at", CUTOFF])).code, 0);
        assert.strictEqual(
            fileOf(bare),
            `${block}    revocations:\n      - identityCenterUserId: "${USER}"\n        revokeBefore: "${CUTOFF}"\n`,
        );
    });

    it("writes nothing for an earlier cutoff, more revocations than their policy holds, or a project without an organization stack", async () => {
        const root = project({ "Pulumi.org.yaml": ORG.replace("targets:", "policyBudget: 1\n    targets:") });
        const before = fileOf(root);
        assert.deepStrictEqual(await at(root, ["--org", "--role-name", "ci-deployer", "--at", "2026-11-26T21:00:00Z"]), {
            code: 1,
            stdout: "",
            stderr: `nothing was written:\nPulumi.org.yaml: revocable-roles:organization: role ci-deployer is already revoked before ${OLD_CUTOFF}; the new cutoff 2026-11-26T21:00:00Z is earlier and would re-enable sessions that revocation denies\n`,
        });
        const names = Array.from({ length: 21 }, (_, i) => ["--role-name", `team-${i}-deployer`]).flat();
        const full = await at(root, ["--org", ...names, "--at", CUTOFF]);
        assert.deepStrictEqual(
            [full.code, full.stderr.split("\n").slice(0, 2)],
            [
                1,
                [
                    "nothing was written: the change would leave Pulumi.org.yaml invalid:",
                    "Pulumi.org.yaml: revocable-roles:organization.revocations: 22 revocations fall into revocable-roles-revocations-1, 5520 characters, more than the 5120 a service control policy holds (a revocation's policy is chosen by a hash of what it revokes, so that no change moves one from policy to policy): remove revocations past their window (cutoff + 13 h), use a name pattern for roles that share a prefix, or raise policyBudget while no organization revocation is in force",
                ],
            ],
        );
        assert.strictEqual(fileOf(root), before);
        const none = project({
            "Pulumi.dev.yaml": 'config:\n  revocable-roles:roles:\n    app:\n      trust:\n        accounts: ["111111111111"]\n',
        });
        assert.deepStrictEqual(await at(none, ["--org", "--role-name", "app", "--at", CUTOFF]), {
            code: 1,
            stdout: "",
            stderr: "no stack file has a revocable-roles:organization section; add one to the stack of the organization's management account (docs/config.md), or name it with --stack\n",
        });
    });

    it("refuses --now, --role and a name that is not one, as usage errors", async () => {
        const root = project({ "Pulumi.org.yaml": ORG });
        const usage = async (argv: string[]) => (await at(root, argv)).stderr.split("\n")[0];
        assert.deepStrictEqual(
            [
                await usage(["--org", "--role-name", "a", "--now"]),
                await usage(["--org", "--role", "a"]),
                await usage(["--org", "--role-name", "*"]),
                await usage(["--org", "--identity-center-user", "alice"]),
                await usage(["--org"]),
            ],
            [
                "--org has no --now: service control policies change when the organization stack deploys; merge and deploy its pull request (role revocations in member accounts can still be applied at once with revoke --stack <name> --role <key> --now)",
                "--org takes --role-name and --identity-center-user, not --role or --all (those revoke a stack's declared roles)",
                '--role-name "*" is not an IAM role name of 1 to 64 characters of A-Za-z0-9+=,.@_-, or a pattern of them with * and ? that is more than wildcards (which would match every role)',
                '--identity-center-user "alice" is not an IAM Identity Center user ID such as 90676d4c3b-0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d',
                "--org needs at least one --role-name or --identity-center-user",
            ],
        );
        assert.strictEqual(fileOf(root), ORG);
    });
});

describe("revoke --leaked with an organization stack", () => {
    it("revokes the reached roles in their stack files and, organization-wide, their names and the leaked role's own", async () => {
        const org = "config:\n  aws:region: us-east-1\n  revocable-roles:organization:\n    targets: [r-ab12]\n    revocations: []\n";
        const root = project({ ...STACKS, "Pulumi.org.yaml": org });
        const result = await capture((out, err) =>
            revoke(["--leaked", arn(PROD, "prod-admin"), "--at", CUTOFF, "--json"], out, err, environment(environment({ root, now: NOW }))),
        );
        assert.strictEqual(result.code, 0, result.stderr);
        const json = JSON.parse(result.stdout) as { written: string[]; organization: unknown; title: string; body: string };
        assert.deepStrictEqual(json.written, ["Pulumi.prod.yaml", "Pulumi.staging.yaml", "Pulumi.org.yaml"]);
        const entry = (name: string) => `{ roleName: "${name}", revokeBefore: "${CUTOFF}" }`;
        assert.strictEqual(
            fs.readFileSync(path.join(root, "Pulumi.org.yaml"), "utf8"),
            org.replace("[]", `[${["prod-admin", "db-admin", "reporting"].map(entry).join(", ")}]`),
        );
        assert.deepStrictEqual(json.organization, {
            file: "Pulumi.org.yaml",
            revocations: ["prod-admin", "db-admin", "reporting"].map((name) => ({ key: `role ${name}`, cutoff: CUTOFF, previous: null })),
        });
        assert.strictEqual(
            json.title,
            `Revoke sessions reachable by ${arn(PROD, "prod-admin")} issued before ${CUTOFF} (3 roles in prod, staging, organization-wide)`,
        );
        assert.ok(
            json.body.includes("### Organization-wide (Pulumi.org.yaml, service control policies)\n\n| revocation | cutoff |"),
            json.body,
        );
        // A leaked role that no stack file declares is still revoked by name in every account.
        const undeclared = await capture((out, err) =>
            revoke(["--leaked", arn(CI, "deployer-v0"), "--at", CUTOFF, "--dry-run", "--json"], out, err, environment({ root, now: NOW })),
        );
        const dry = JSON.parse(undeclared.stdout) as {
            written: string[];
            roles: unknown[];
            organization: { revocations: { key: string }[] };
        };
        assert.deepStrictEqual([dry.written, dry.roles, dry.organization.revocations.map((r) => r.key)], [[], [], ["role deployer-v0"]]);
    });
});

describe("revoke --leaked with an organization section in a stack file it also edits", () => {
    it("writes the roles' cutoffs and the organization entries into that file in one edit", async () => {
        const section = "  revocable-roles:organization:\n    targets: [r-ab12]\n";
        const prod = STACKS["Pulumi.prod.yaml"].replace("  revocable-roles:roles:\n", `${section}  revocable-roles:roles:\n`);
        const root = project({ ...STACKS, "Pulumi.prod.yaml": prod });
        const result = await capture((out, err) =>
            revoke(["--leaked", arn(PROD, "db-admin"), "--at", CUTOFF, "--json"], out, err, environment(environment({ root, now: NOW }))),
        );
        assert.strictEqual(result.code, 0, result.stderr);
        assert.deepStrictEqual((JSON.parse(result.stdout) as { written: string[] }).written, ["Pulumi.prod.yaml", "Pulumi.staging.yaml"]);
        const text = fs.readFileSync(path.join(root, "Pulumi.prod.yaml"), "utf8");
        const cutoff = `      revokeBefore: "${CUTOFF}"\n`;
        const expected = prod
            .replace(
                section,
                `${section}    revocations:\n      - roleName: "db-admin"\n        revokeBefore: "${CUTOFF}"\n      - roleName: "reporting"\n        revokeBefore: "${CUTOFF}"\n`,
            )
            .replace(/( {4}db-admin:\n(?: {6}.*\n| {8,}.*\n)*)/, `$1${cutoff}`);
        assert.strictEqual(text, expected);
    });
});

describe("revocations with an organization stack", () => {
    it("lists organization revocations, and --prune leaves them to be removed by hand, saying so", async () => {
        const org = organizationStack(
            ["r-ab12"],
            [
                { role: "ci-deployer", cutoff: CUTOFF },
                { user: USER, cutoff: OLD_CUTOFF },
            ],
        );
        const root = project({ "Pulumi.org.yaml": org });
        const list = await capture((out, err) => revocations([], out, err, environment({ root, now: NOW })));
        assert.deepStrictEqual(list, {
            code: 0,
            stdout: [
                "stack  role                                                                                     cutoff                state",
                "org    organization-wide: role ci-deployer                                                      2026-11-27T10:00:00Z  in force until 2026-11-27T23:00:00Z",
                `org    organization-wide: Identity Center user ${USER}  2026-11-26T22:00:00Z  removable since 2026-11-27T11:00:00Z`,
                "",
            ].join("\n"),
            stderr: "",
        });
        const prune = await capture((out, err) => revocations(["--prune"], out, err, environment({ root, now: NOW })));
        assert.deepStrictEqual(prune, {
            code: 0,
            stdout: `No revocation is removable yet; nothing was written.\n1 removable organization revocation(s) (Identity Center user ${USER}) are left for you to remove from revocable-roles:organization.revocations.\n`,
            stderr: "",
        });
        assert.strictEqual(fs.readFileSync(path.join(root, "Pulumi.org.yaml"), "utf8"), org);
    });
});

describe("ci deploy with an organization stack", () => {
    it("unprotects an organization policy and its attachment that an update deletes, as it does a role's revocation", async () => {
        const many = Array.from({ length: 22 }, (_, i) => ({ role: `team-${i}-deployer`, cutoff: OLD_CUTOFF }));
        const root = repository({ "Pulumi.org.yaml": organizationStack(["r-ab12"], many) });
        const base = git(root, "rev-parse", "HEAD").trim();
        // Every revocation is past its window: all but one are removed, and a budget of 2 drops the last two policies.
        const pruned = organizationStack(["r-ab12"], many.slice(0, 1)).replace("    targets:", "    policyBudget: 2\n    targets:");
        commitFiles(root, { "Pulumi.org.yaml": pruned }, "prune");
        const plan = await deployPlan("org", base, { root, programRoot: PROJECT_ROOT, now: NOW, variables: {}, debug: false });
        const component = "urn:pulumi:org::revocable-roles::revocable-roles:index:OrganizationRevocations";
        assert.deepStrictEqual(plan.unprotect, [
            `${component}$aws:organizations/policy:Policy::organization-revocable-roles-revocations-4`,
            `${component}$aws:organizations/policyAttachment:PolicyAttachment::organization-revocable-roles-revocations-4-r-ab12`,
            `${component}$aws:organizations/policy:Policy::organization-revocable-roles-revocations-3`,
            `${component}$aws:organizations/policyAttachment:PolicyAttachment::organization-revocable-roles-revocations-3-r-ab12`,
        ]);
    });
});

/**
 * The commands on an organization stack: revoke --org, revoke --leaked (with the organization's
 * section in a stack file it also edits), revocations, and ci deploy.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { capture, commitFiles, git, project, repository, environment } from "./helpers";
import { PROJECT_ROOT } from "../cli/project";
import { CI, PROD, STACKS, arn } from "./leakedFixture";
import { deployPlan } from "../revocation/deploy";
import { commandMain } from "../cli/main";
import { NOW, OLD_CUTOFF, USER, CUTOFF, guard, organizationStack } from "./organizationHarness";

const revoke = commandMain("revoke");

const revocations = commandMain("revocations");

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

/**
 * `npm run plan`: its --json contract, its warnings and its words for people, unknown stacks, help,
 * --diff against a git ref, bad stack files, and --revocation-targets.
 */
import * as assert from "assert";
import { Capture, DEV_STACK, fixture, project, repository, environment } from "./helpers";
import { commandMain } from "../cli/main";

const main = commandMain("plan");

const COMPONENT = "revocable-roles:index:RevocableRole";

async function run(argv: string[], root: string) {
    const out = new Capture();
    const err = new Capture();
    const code = await main(argv, out, err, environment({ root, now: new Date("2026-11-27T12:00:00Z") }));
    return { code, stdout: out.text, stderr: err.text };
}

describe("npm run plan", () => {
    it("prints the --json contract: project, stack and every registration in order with exactly six fields", async () => {
        const { code, stdout, stderr } = await run(["--stack", "dev", "--json"], project({ "Pulumi.dev.yaml": DEV_STACK }));
        assert.deepStrictEqual({ code, stderr }, { code: 0, stderr: "" });
        const result = JSON.parse(stdout);
        assert.deepStrictEqual(Object.keys(result), ["project", "stack", "resources", "roles"]);
        assert.deepStrictEqual([result.project, result.stack, result.resources.length], ["revocable-roles", "dev", 16]);
        for (const resource of result.resources) {
            assert.deepStrictEqual(Object.keys(resource), ["urn", "type", "name", "parent", "inputs", "protect"]);
        }
        assert.deepStrictEqual(result.resources[0], {
            urn: `urn:pulumi:dev::revocable-roles::${COMPONENT}::ci-deployer`,
            type: COMPONENT,
            name: "ci-deployer",
            parent: null,
            inputs: {},
            protect: false,
        });
        // The revoked role and its revocation policy are protected while the revocation is in force; nothing else is.
        assert.deepStrictEqual(
            result.resources.filter((r: { protect: boolean }) => r.protect).map((r: { name: string }) => r.name),
            ["ci-deployer-role", "ci-deployer-revocation"],
        );
        const revocation = result.resources.find((r: { name: string }) => r.name === "ci-deployer-revocation");
        assert.strictEqual(
            revocation.urn,
            `urn:pulumi:dev::revocable-roles::${COMPONENT}$aws:iam/rolePolicy:RolePolicy::ci-deployer-revocation`,
        );
        assert.strictEqual(revocation.parent, result.resources[0].urn);
        assert.deepStrictEqual(result.roles, [
            { key: "ci-deployer", roleName: "ci-deployer", revokedBefore: "2026-11-27T10:15:00Z", reachable: [] },
            { key: "break-glass-admin", roleName: "BreakGlassAdministrator", revokedBefore: null, reachable: [] },
            { key: "app-server", roleName: "app-server", revokedBefore: null, reachable: [] },
            { key: "external-auditor", roleName: "external-auditor", revokedBefore: null, reachable: [] },
        ]);
    });

    it("warns about roles a revoked role's sessions could reach that are not revoked as well, in text and in --json", async () => {
        const account = "123456789012";
        const chain = (revokedB: string) =>
            `config:\n  aws:allowedAccountIds: ["${account}"]\n  revocable-roles:roles:\n` +
            `    role-a:\n      trust:\n        services: [ec2.amazonaws.com]\n      managedPolicyArns: ["arn:aws:iam::aws:policy/AdministratorAccess"]\n      revokeBefore: "2026-11-27T10:00:00Z"\n` +
            `    role-b:\n      trust:\n        accounts: ["${account}"]\n${revokedB}`;
        const root = project({ "Pulumi.dev.yaml": chain("") });
        const text = (await run(["--stack", "dev"], root)).stdout.split("\n");
        // The account is settled by aws:allowedAccountIds: the plan names no placeholder.
        assert.deepStrictEqual(text.slice(0, 2), ['Offline plan of stack "dev" (project revocable-roles): no AWS call was made.', ""]);
        assert.deepStrictEqual(text.slice(6, 9), [
            "  revocation: sessions issued before 2026-11-27T10:00:00Z are denied; safe to remove after 2026-11-27T23:00:00Z",
            "  protected:  the role and its RevokeOlderSessions policy (pulumi up refuses to delete or replace them until then)",
            "  warning:    sessions created from its sessions survive until revoked before 2026-11-27T10:00:00Z too (up to 1 hour): role-a -> role-b",
        ]);
        const json = JSON.parse((await run(["--stack", "dev", "--json"], root)).stdout);
        assert.deepStrictEqual(json.roles[0].reachable, [
            {
                stack: "dev",
                key: "role-b",
                roleName: "role-b",
                chain: ["role-a", "role-b"],
                reasons: [
                    `role-a -> role-b: role-b's trust allows account ${account}, role-a's account; role-a's managed policy AdministratorAccess allows sts:AssumeRole on *`,
                ],
            },
        ]);
        const covered = project({ "Pulumi.dev.yaml": chain('      revokeBefore: "2026-11-27T10:00:00Z"\n') });
        assert.deepStrictEqual(JSON.parse((await run(["--stack", "dev", "--json"], covered)).stdout).roles[0].reachable, []);
    });

    it("warns that a role passed to a service it may start keeps its sessions for as long as what was started runs", async () => {
        const account = "123456789012";
        const text =
            `config:\n  aws:allowedAccountIds: ["${account}"]\n  revocable-roles:roles:\n` +
            `    deployer:\n      trust:\n        accounts: ["${account}"]\n      managedPolicyArns: ["arn:aws:iam::aws:policy/AWSLambda_FullAccess"]\n      revokeBefore: "2026-11-27T10:00:00Z"\n` +
            `    fn:\n      trust:\n        services: [lambda.amazonaws.com]\n`;
        const lines = (await run(["--stack", "dev"], project({ "Pulumi.dev.yaml": text }))).stdout.split("\n");
        assert.deepStrictEqual(
            lines.filter((line) => line.startsWith("  warning:")),
            [
                "  warning:    sessions created from its sessions survive until revoked before 2026-11-27T10:00:00Z too (up to 1 hour; what a passed role's service runs, for as long as it runs): deployer -> fn",
            ],
        );
    });

    it("describes each role for people, with placeholders named as such", async () => {
        const { code, stdout } = await run(["--stack", "dev"], project({ "Pulumi.dev.yaml": DEV_STACK }));
        assert.strictEqual(code, 0);
        assert.deepStrictEqual(stdout.split("\n"), [
            'Offline plan of stack "dev" (project revocable-roles): no AWS call was made.',
            `Account 000000000000 below stands for the deploying account, which this stack's config does not settle (set aws:allowedAccountIds to its one account); partition "aws" is assumed where the region does not settle it.`,
            "",
            "ci-deployer: role /ci-deployer",
            "  trusted by: GitHub Actions acme/infra on refs/heads/main (provider arn:aws:iam::000000000000:oidc-provider/token.actions.githubusercontent.com)",
            "  managed:    arn:aws:iam::aws:policy/ReadOnlyAccess",
            "  inline:     deploy-artifacts",
            "  revocation: sessions issued before 2026-11-27T10:15:00Z are denied; safe to remove after 2026-11-27T23:15:00Z",
            "  protected:  the role and its RevokeOlderSessions policy (pulumi up refuses to delete or replace them until then)",
            "",
            "break-glass-admin: role /emergency/BreakGlassAdministrator",
            "  trusted by: account 111111111111 (MFA required, MFA younger than 900 s)",
            "  managed:    arn:aws:iam::aws:policy/AdministratorAccess",
            "  inline:     none",
            "  revocation: not revoked",
            "",
            "app-server: role /app-server",
            "  trusted by: service ec2.amazonaws.com",
            "  managed:    arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore, arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy",
            "  inline:     read-app-config",
            "  revocation: not revoked",
            "",
            "external-auditor: role /external-auditor",
            "  trusted by: account 222222222222 (ExternalId acme-audit-7f3c9e)",
            "  managed:    arn:aws:iam::aws:policy/SecurityAudit",
            "  inline:     none",
            "  revocation: not revoked",
            "",
            "4 roles, 16 resources.",
            "",
        ]);
    });

    it("lists the stacks that exist when the stack is unknown, and prints nothing on stdout", async () => {
        const root = project({ "Pulumi.dev.yaml": DEV_STACK, "Pulumi.staging.yaml": DEV_STACK });
        assert.deepStrictEqual(await run(["--stack", "qa"], root), {
            code: 1,
            stdout: "",
            stderr: 'unknown stack "qa": there is no Pulumi.qa.yaml; stacks: dev, staging\n',
        });
    });

    it("prints its help on --help, with exit code 0", async () => {
        const { code, stdout, stderr } = await run(["--help"], project({}));
        assert.deepStrictEqual(
            { code, stderr, first: stdout.split("\n")[0] },
            { code: 0, stderr: "", first: "usage: npm run plan -- --stack <name> [--json] [--diff <git-ref> [--revocation-targets]]" },
        );
    });

    it("shows what a change of the stack file would change since a git ref", async () => {
        const root = repository(
            { "Pulumi.review.yaml": fixture("diff", "Pulumi.before.yaml") },
            { "Pulumi.review.yaml": fixture("diff", "Pulumi.after.yaml") },
        );
        const { code, stdout, stderr } = await run(["--stack", "review", "--diff", "main"], root);
        assert.deepStrictEqual({ code, stderr }, { code: 0, stderr: "" });
        assert.strictEqual(
            stdout,
            [
                'Changes to stack "review" since main: 1 to add, 4 to change, 0 to replace, 0 to remove.',
                "",
                "~ aws:iam/role:Role ci-role (protected)",
                '    ~ tags.revocable-roles:revoked-until: "2026-11-27T23:15:00Z" -> "2026-11-28T00:00:00Z"',
                "~ aws:iam/rolePolicy:RolePolicy ci-revocation (protected)",
                '    ~ policy.Statement[0].Condition.DateLessThan.aws:TokenIssueTime: "2026-11-27T10:15:00Z" -> "2026-11-27T11:00:00Z"',
                "~ aws:iam/role:Role app-role (protected)",
                '    + tags: {"revocable-roles:revoked-until":"2026-11-28T00:00:00Z"}',
                "~ aws:iam/rolePolicy:RolePolicy app-policy-read",
                '    + policy.Statement[0].Action[1]: "s3:ListBucket"',
                "+ aws:iam/rolePolicy:RolePolicy app-revocation (protected)",
                '    + name: "RevokeOlderSessions"',
                '    + policy: {"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":["*"],"Resource":["*"],"Condition":{"DateLessThan":{"aws:TokenIssueTime":"2026-11-27T11:00:00Z"}}}]}',
                '    + role: "app"',
                "",
            ].join("\n"),
        );
    });

    it("shows a replaced role as such, and the policies replaced with it", async () => {
        const before = fixture("diff", "Pulumi.before.yaml");
        const root = repository(
            { "Pulumi.review.yaml": before },
            { "Pulumi.review.yaml": before.replace("    app:\n", "    app:\n      path: /apps/\n") },
        );
        const { stdout } = await run(["--stack", "review", "--diff", "main"], root);
        assert.strictEqual(
            stdout,
            [
                'Changes to stack "review" since main: 0 to add, 0 to change, 2 to replace, 0 to remove.',
                "",
                "+- aws:iam/role:Role app-role",
                '    ~ path: "/" -> "/apps/"',
                "+- aws:iam/rolePolicy:RolePolicy app-policy-read",
                "    (replaced with the resource it takes its role from)",
                "",
            ].join("\n"),
        );
    });

    it("reports removed resources in the diff", async () => {
        const root = repository(
            { "Pulumi.review.yaml": fixture("diff", "Pulumi.after.yaml") },
            { "Pulumi.review.yaml": fixture("diff", "Pulumi.before.yaml") },
        );
        const lines = (await run(["--stack", "review", "--diff", "main"], root)).stdout.split("\n");
        assert.deepStrictEqual(
            [lines[0], lines.at(-2)],
            [
                'Changes to stack "review" since main: 0 to add, 4 to change, 0 to replace, 1 to remove.',
                "- aws:iam/rolePolicy:RolePolicy app-revocation (protected)",
            ],
        );
    });

    it("exits 1 with the error lines on stderr and nothing on stdout for a bad stack file", async () => {
        const root = project({ "Pulumi.qa.yaml": fixture("bad", "typo-revokebefore.yaml") });
        assert.deepStrictEqual(await run(["--stack", "qa", "--json"], root), {
            code: 1,
            stdout: "",
            stderr: 'Pulumi.qa.yaml: revocable-roles:roles.app.revokebefore: unknown key "revokebefore"; did you mean "revokeBefore"?\n',
        });
    });
});

describe("npm run plan --revocation-targets", () => {
    const base = fixture("diff", "Pulumi.before.yaml");
    const urn = (name: string) => `urn:pulumi:review::revocable-roles::${COMPONENT}$aws:iam/rolePolicy:RolePolicy::${name}`;
    const roleUrn = (name: string) => `urn:pulumi:review::revocable-roles::${COMPONENT}$aws:iam/role:Role::${name}`;
    const targets = async (head: string) =>
        (
            await run(
                ["--stack", "review", "--diff", "main", "--revocation-targets"],
                repository({ "Pulumi.review.yaml": base }, { "Pulumi.review.yaml": head }),
            )
        ).stdout;
    const revoked = (text: string, key: string, cutoff: string) =>
        text.replace(`    ${key}:\n`, `    ${key}:\n      revokeBefore: "${cutoff}"\n`);

    it("prints the URNs of new and later revocation policies when nothing else changes", async () => {
        const head = revoked(
            base.replace('revokeBefore: "2026-11-27T10:15:00Z"', 'revokeBefore: "2026-11-27T11:00:00Z"'),
            "app",
            "2026-11-27T11:00:00Z",
        );
        // Each with its role, whose revoked-until tag moves with the revocation.
        assert.strictEqual(
            await targets(head),
            `${roleUrn("ci-role")}\n${urn("ci-revocation")}\n${roleUrn("app-role")}\n${urn("app-revocation")}\n`,
        );
    });

    it("prints nothing when anything else changes too", async () => {
        assert.strictEqual(
            await targets(revoked(base, "app", "2026-11-27T11:00:00Z").replace('["s3:GetObject"]', '["s3:GetObject", "s3:ListBucket"]')),
            "",
        );
    });

    it("prints nothing when the revoked role changes anything but its revoked-until tag", async () => {
        const head = revoked(base, "app", "2026-11-27T11:00:00Z").replace("    app:\n", "    app:\n      description: changed\n");
        assert.strictEqual(await targets(head), "");
    });

    it("prints nothing when a cutoff moves earlier", async () => {
        assert.strictEqual(await targets(base.replace('revokeBefore: "2026-11-27T10:15:00Z"', 'revokeBefore: "2026-11-27T10:00:00Z"')), "");
    });

    it("prints nothing when nothing changes", async () => {
        assert.strictEqual(await targets(base), "");
    });

    it("needs --diff", async () => {
        const result = await run(["--stack", "review", "--revocation-targets"], project({}));
        assert.deepStrictEqual(result, {
            code: 2,
            stdout: "",
            stderr: "--revocation-targets needs --diff <git-ref>\nusage: npm run plan -- --stack <name> [--json] [--diff <git-ref> [--revocation-targets]]\n",
        });
    });
});

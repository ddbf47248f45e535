import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { Capture, DEV_STACK, FIXTURES, doc, fixture, loaded, plan, project, promiseOf, repository, shape, environment } from "./helpers";
import { loadProgram, runOffline } from "../plan/recorder";
import { PROJECT_ROOT } from "../cli/project";
import { readStackConfig } from "../config/stackConfig";
import { arnKey } from "../iam/rules";
import * as ts from "typescript";
import { execFileSync } from "child_process";
import { TEMPLATE_PROGRAM_JS } from "../plan/typescript";
import { commandMain } from "../cli/main";
import { describePlan } from "../revocation/planReport";
import { footprint } from "../plan/model";

const main = commandMain("plan");

const COMPONENT = "revocable-roles:index:RevocableRole";

async function run(argv: string[], root: string) {
    const out = new Capture();
    const err = new Capture();
    const code = await main(argv, out, err, environment({ root, now: new Date("2026-11-27T12:00:00Z") }));
    return { code, stdout: out.text, stderr: err.text };
}

describe("the program on the example dev stack", () => {
    it("registers exactly the dev platform's resources", async () => {
        const dev = await plan(DEV_STACK, "dev");
        const managed = (key: string, arn: string) =>
            `aws:iam/rolePolicyAttachment:RolePolicyAttachment ${key}-managed-${arnKey(`arn:aws:iam::aws:policy/${arn}`)}`;
        assert.deepStrictEqual(
            shape(dev.resources),
            [
                `${COMPONENT} ci-deployer`,
                `${COMPONENT} break-glass-admin`,
                `${COMPONENT} app-server`,
                `${COMPONENT} external-auditor`,
                "aws:iam/role:Role ci-deployer-role",
                "aws:iam/role:Role break-glass-admin-role",
                "aws:iam/role:Role app-server-role",
                "aws:iam/role:Role external-auditor-role",
                managed("ci-deployer", "ReadOnlyAccess"),
                managed("break-glass-admin", "AdministratorAccess"),
                managed("app-server", "AmazonSSMManagedInstanceCore"),
                managed("app-server", "CloudWatchAgentServerPolicy"),
                managed("external-auditor", "SecurityAudit"),
                "aws:iam/rolePolicy:RolePolicy ci-deployer-policy-deploy-artifacts",
                "aws:iam/rolePolicy:RolePolicy app-server-policy-read-app-config",
                "aws:iam/rolePolicy:RolePolicy ci-deployer-revocation",
            ].sort(),
        );
        const revocation = dev.resources.find((r) => r.name === "ci-deployer-revocation")!;
        assert.deepStrictEqual(
            { ...revocation.inputs, policy: doc(revocation.inputs.policy) },
            {
                role: "ci-deployer",
                name: "RevokeOlderSessions",
                policy: {
                    Version: "2012-10-17",
                    Statement: [
                        {
                            Effect: "Deny",
                            Action: ["*"],
                            Resource: ["*"],
                            Condition: { DateLessThan: { "aws:TokenIssueTime": "2026-11-27T10:15:00Z" } },
                        },
                    ],
                },
            },
        );
        const admin = dev.resources.find((r) => r.name === "break-glass-admin-role")!;
        assert.strictEqual(admin.inputs.name, "BreakGlassAdministrator");
        assert.deepStrictEqual(doc(admin.inputs.assumeRolePolicy), {
            Version: "2012-10-17",
            Statement: [
                {
                    Sid: "TrustAccounts",
                    Effect: "Allow",
                    Principal: { AWS: ["arn:aws:iam::111111111111:root"] },
                    Action: "sts:AssumeRole",
                    Condition: { Bool: { "aws:MultiFactorAuthPresent": "true" }, NumericLessThan: { "aws:MultiFactorAuthAge": "900" } },
                },
            ],
        });
    });

    it("exports each role's ARN, name and revocation window as the stack output roles", async () => {
        const result = await runOffline(loadProgram(path.join(PROJECT_ROOT, "index.ts")), {
            project: "revocable-roles",
            now: new Date(),
            stack: "dev",
            config: loaded(DEV_STACK, "dev").config,
        });
        assert.strictEqual(result.error, undefined);
        type Roles = Record<
            string,
            { arn: pulumi.Output<string>; name: pulumi.Output<string>; revokedBefore: string | null; safeToRemoveAfter: string | null }
        >;
        const { roles } = result.outputs as { roles: Roles };
        const outputs: Record<string, unknown> = {};
        for (const [key, role] of Object.entries(roles)) {
            outputs[key] = {
                arn: await promiseOf(role.arn),
                name: await promiseOf(role.name),
                revokedBefore: role.revokedBefore,
                safeToRemoveAfter: role.safeToRemoveAfter,
            };
        }
        assert.deepStrictEqual(outputs, {
            "ci-deployer": {
                arn: "arn:aws:iam::000000000000:role/ci-deployer",
                name: "ci-deployer",
                revokedBefore: "2026-11-27T10:15:00Z",
                safeToRemoveAfter: "2026-11-27T23:15:00Z",
            },
            "break-glass-admin": {
                arn: "arn:aws:iam::000000000000:role/emergency/BreakGlassAdministrator",
                name: "BreakGlassAdministrator",
                revokedBefore: null,
                safeToRemoveAfter: null,
            },
            "app-server": {
                arn: "arn:aws:iam::000000000000:role/app-server",
                name: "app-server",
                revokedBefore: null,
                safeToRemoveAfter: null,
            },
            "external-auditor": {
                arn: "arn:aws:iam::000000000000:role/external-auditor",
                name: "external-auditor",
                revokedBefore: null,
                safeToRemoveAfter: null,
            },
        });
    });

    it("uses the later of revokeAllBefore and a role's own cutoff", async () => {
        const text = DEV_STACK.replace("config:\n", 'config:\n  revocable-roles:revokeAllBefore: "2026-11-27T09:00:00Z"\n');
        const cutoffs = (await plan(text, "dev")).resources
            .filter((r) => r.name.endsWith("-revocation"))
            .map((r) => [
                r.name,
                (doc(r.inputs.policy) as { Statement: { Condition: { DateLessThan: Record<string, string> } }[] }).Statement[0].Condition
                    .DateLessThan["aws:TokenIssueTime"],
            ]);
        assert.deepStrictEqual(cutoffs.sort(), [
            ["app-server-revocation", "2026-11-27T09:00:00Z"],
            ["break-glass-admin-revocation", "2026-11-27T09:00:00Z"],
            ["ci-deployer-revocation", "2026-11-27T10:15:00Z"],
            ["external-auditor-revocation", "2026-11-27T09:00:00Z"],
        ]);
    });

    it("knows the account and partition from aws:allowedAccountIds and aws:region, asking the provider nothing", async () => {
        const text = DEV_STACK.replace(
            "  aws:region: eu-west-1\n",
            '  aws:region: cn-north-1\n  aws:allowedAccountIds: ["123456789012"]\n',
        );
        const ci = (await plan(text, "dev")).resources.find((r) => r.name === "ci-deployer-role")!;
        assert.deepStrictEqual((doc(ci.inputs.assumeRolePolicy) as { Statement: { Principal: unknown }[] }).Statement[0].Principal, {
            Federated: "arn:aws-cn:iam::123456789012:oidc-provider/token.actions.githubusercontent.com",
        });
    });

    it("stops with every config error, registering nothing", async () => {
        const text = fixture("bad", "many-errors-at-once.yaml");
        const result = await runOffline(loadProgram(path.join(PROJECT_ROOT, "index.ts")), {
            project: "revocable-roles",
            now: new Date(),
            stack: "fixture",
            config: loaded(text, "fixture").config,
        });
        assert.strictEqual(result.registrations.length, 0);
        const expected = [...text.matchAll(/^# expect: (.*)$/gm)].map((m) => m[1]);
        assert.strictEqual(result.error?.message, ["invalid stack config:", ...expected].join("\n"));
    });
});

describe("instance profiles in a stack file", () => {
    const STACK = [
        "config:",
        "  aws:region: eu-west-1",
        '  aws:allowedAccountIds: ["111111111111"]',
        "  revocable-roles:roles:",
        "    app-server:",
        "      trust:",
        '        services: ["ec2.amazonaws.com"]',
        "      instanceProfile: true",
        "    worker:",
        "      path: /batch/",
        "      trust:",
        '        services: ["ec2.amazonaws.com"]',
        "      instanceProfile: BatchWorkers",
        "    plain:",
        "      trust:",
        '        services: ["ec2.amazonaws.com"]',
        "      instanceProfile: false",
        "",
    ].join("\n");
    const nativeStack = STACK.replace("config:\n", "config:\n  revocable-roles:provider: aws-native\n");

    it("deploys one profile per role that declares one, on both backends, each holding its role", async () => {
        const profiles = async (text: string) =>
            (await plan(text, "dev")).resources
                .filter((r) => r.type.endsWith("nstanceProfile"))
                .map((r) => ({ type: r.type, name: r.name, inputs: r.inputs }));
        assert.deepStrictEqual(await profiles(STACK), [
            {
                type: "aws:iam/instanceProfile:InstanceProfile",
                name: "app-server-instance-profile",
                inputs: { name: "app-server", path: "/", role: "app-server" },
            },
            {
                type: "aws:iam/instanceProfile:InstanceProfile",
                name: "worker-instance-profile",
                inputs: { name: "BatchWorkers", path: "/batch/", role: "worker" },
            },
        ]);
        assert.deepStrictEqual(await profiles(nativeStack), [
            {
                type: "aws-native:iam:InstanceProfile",
                name: "app-server-instance-profile",
                inputs: { instanceProfileName: "app-server", path: "/", roles: ["app-server"] },
            },
            {
                type: "aws-native:iam:InstanceProfile",
                name: "worker-instance-profile",
                inputs: { instanceProfileName: "BatchWorkers", path: "/batch/", roles: ["worker"] },
            },
        ]);
    });

    it("shows each profile in the plan, the same on both backends", async () => {
        const described = describePlan(await plan(STACK, "dev")).split("\n");
        assert.deepStrictEqual(described, [
            'Offline plan of stack "dev" (project revocable-roles): no AWS call was made.',
            "",
            "app-server: role /app-server",
            "  trusted by: service ec2.amazonaws.com",
            "  managed:    none",
            "  inline:     none",
            "  profile:    instance profile /app-server",
            "  revocation: not revoked",
            "",
            "worker: role /batch/worker",
            "  trusted by: service ec2.amazonaws.com",
            "  managed:    none",
            "  inline:     none",
            "  profile:    instance profile /batch/BatchWorkers",
            "  revocation: not revoked",
            "",
            "plain: role /plain",
            "  trusted by: service ec2.amazonaws.com",
            "  managed:    none",
            "  inline:     none",
            "  revocation: not revoked",
            "",
            "3 roles, 8 resources.",
        ]);
        assert.deepStrictEqual(describePlan(await plan(nativeStack, "dev")).split("\n"), described);
    });

    it("is replaced with its role on a new path, and on a new role name when named like the role; a profile of its own name holds the renamed role", async () => {
        const base = await plan(STACK, "dev");
        const change = async (from: string, to: string) => {
            const f = footprint(base, await plan(STACK.replace(from, to), "dev"));
            const names = (urns: string[]) => urns.map((urn) => urn.split("::").pop()).sort();
            return { replaced: names(f.replaced), changed: names(f.changed) };
        };
        assert.deepStrictEqual(await change("      path: /batch/\n", "      path: /jobs/\n"), {
            replaced: ["worker-instance-profile", "worker-role"],
            changed: [],
        });
        assert.deepStrictEqual(await change("    app-server:\n", "    app-server:\n      name: app-servers\n"), {
            replaced: ["app-server-instance-profile", "app-server-role"],
            changed: [],
        });
        assert.deepStrictEqual(await change("    worker:\n", "    worker:\n      name: workers\n"), {
            replaced: ["worker-role"],
            changed: ["worker-instance-profile"],
        });
    });

    it("exports each profile's name with its role", async () => {
        const result = await runOffline(loadProgram(path.join(PROJECT_ROOT, "index.ts")), {
            project: "revocable-roles",
            now: new Date(),
            stack: "dev",
            config: loaded(STACK, "dev").config,
        });
        assert.strictEqual(result.error, undefined);
        const { roles } = result.outputs as { roles: Record<string, { instanceProfile?: string }> };
        assert.deepStrictEqual(Object.fromEntries(Object.entries(roles).map(([key, role]) => [key, role.instanceProfile])), {
            "app-server": "app-server",
            worker: "BatchWorkers",
            plain: undefined,
        });
        assert.deepStrictEqual(Object.keys(roles.plain), ["arn", "name", "revokedBefore", "safeToRemoveAfter"]);
    });
});

describe("the corpus of bad stack files", () => {
    const NOW = new Date("2026-11-27T12:00:00Z");
    for (const file of fs
        .readdirSync(path.join(FIXTURES, "bad"))
        .filter((f) => f.endsWith(".yaml"))
        .sort()) {
        it(`rejects ${file} with exactly its expected errors`, () => {
            const text = fixture("bad", file);
            const expected = [...text.matchAll(/^# expect: (.*)$/gm)].map((m) =>
                m[1].replace("(now is <now>)", "(now is 2026-11-27T12:00:00Z)"),
            );
            assert.notDeepStrictEqual(expected, [], `${file} states no expected error`);
            const result = readStackConfig(loaded(text, "fixture").config, { stackFile: "Pulumi.fixture.yaml", now: NOW });
            assert.deepStrictEqual(result.ok ? [] : result.errors, expected);
        });
    }
});

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

describe("loadProgram, which runs a program as the Pulumi CLI does", () => {
    const counters = globalThis as { programLoads?: number; programCalls?: number };
    afterEach(() => {
        delete counters.programLoads;
        delete counters.programCalls;
    });

    it("calls the function a program exports on every run, its module loaded once, and returns what it resolves to", async () => {
        const root = project({
            "program.js": [
                "globalThis.programLoads = (globalThis.programLoads ?? 0) + 1;",
                "module.exports = async () => ({ call: (globalThis.programCalls = (globalThis.programCalls ?? 0) + 1) });",
            ].join("\n"),
        });
        const run = loadProgram(path.join(root, "program.js"));
        const context = { now: new Date() };
        assert.deepStrictEqual([await run(context), await run(context)], [{ call: 1 }, { call: 2 }]);
        assert.strictEqual(counters.programLoads, 1);
    });

    it("loads afresh on every run a program that registers as its module loads, and returns its exports", () => {
        const root = project({
            "program.js": "exports.load = globalThis.programLoads = (globalThis.programLoads ?? 0) + 1;",
        });
        const run = loadProgram(path.join(root, "program.js"));
        const context = { now: new Date() };
        assert.deepStrictEqual([run(context), run(context)], [{ load: 1 }, { load: 2 }]);
    });
});

describe("the program init writes, planned without compiling it", () => {
    it("is what TypeScript compiles it to, under either target, comments aside", () => {
        const source = fs.readFileSync(path.join(PROJECT_ROOT, "templates", "index.ts"), "utf8");
        const compiled = [ts.ScriptTarget.ES5, ts.ScriptTarget.ES2022].map(
            (target) =>
                ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS, target, removeComments: true } })
                    .outputText,
        );
        assert.deepStrictEqual(compiled, [TEMPLATE_PROGRAM_JS.replace("const ", "var "), TEMPLATE_PROGRAM_JS]);
        // This project's own program is that file, so its plans take the same path.
        assert.strictEqual(fs.readFileSync(path.join(PROJECT_ROOT, "index.ts"), "utf8"), source);
    });

    it("compiles nothing for that program, and compiles any other index.ts with TypeScript", function () {
        this.timeout(20_000);
        const template = fs.readFileSync(path.join(PROJECT_ROOT, "templates", "index.ts"), "utf8");
        const loads = (program: string) => {
            const root = project({ "index.ts": program });
            const modules = path.join(root, "node_modules");
            fs.mkdirSync(modules, { recursive: true });
            fs.symlinkSync(path.join(PROJECT_ROOT, "dist"), path.join(modules, "revocable-roles"), "dir");
            fs.symlinkSync(path.join(PROJECT_ROOT, "node_modules", "typescript"), path.join(modules, "typescript"), "dir");
            // A process of its own: this one compiles .ts files with ts-node already.
            // The JavaScript Node runs for index.ts: the known program's, or TypeScript's output. (@pulumi/pulumi loads
            // TypeScript itself; what the known program saves is its compilation.)
            const script = `const Module = require("module");
const compile = Module.prototype._compile;
let code;
Module.prototype._compile = function (text, file) {
    if (file.endsWith("index.ts")) code = text;
    return compile.call(this, text, file);
};
const { registerTypeScript } = require(${JSON.stringify(path.join(PROJECT_ROOT, "dist", "plan", "typescript.js"))});
registerTypeScript(${JSON.stringify(root)});
const program = require(${JSON.stringify(path.join(root, "index.ts"))});
process.stdout.write(JSON.stringify({ program: typeof program, code }));`;
            return JSON.parse(execFileSync(process.execPath, ["-e", script], { encoding: "utf8" })) as unknown;
        };
        assert.deepStrictEqual(
            [loads(template), loads(`${template}// edited\n`)],
            [
                { program: "function", code: TEMPLATE_PROGRAM_JS },
                {
                    program: "function",
                    code: ts.transpileModule(`${template}// edited\n`, {
                        compilerOptions: { module: ts.ModuleKind.CommonJS },
                        fileName: "index.ts",
                    }).outputText,
                },
            ],
        );
    });
});

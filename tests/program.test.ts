/**
 * The program as the Pulumi CLI runs it, planned offline: the example dev stack, instance profiles in
 * a stack file, and the corpus of bad stack files. `npm run plan` is tests/planCommand.test.ts; how
 * a program is loaded, tests/programLoading.test.ts.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { DEV_STACK, FIXTURES, doc, fixture, loaded, plan, promiseOf, shape } from "./helpers";
import { loadProgram, runOffline } from "../plan/recorder";
import { PROJECT_ROOT } from "../cli/project";
import { readStackConfig } from "../config/stackConfig";
import { arnKey } from "../iam/rules";
import { describePlan } from "../revocation/planReport";
import { footprint } from "../plan/model";

const COMPONENT = "revocable-roles:index:RevocableRole";

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

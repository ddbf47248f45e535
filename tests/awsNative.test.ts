import * as assert from "assert";
import { RevocableRole, RevocableRoleArgs } from "../components";
import { Registration } from "../plan/recorder";
import { Plan } from "../plan/model";
import { DEV_STACK, plan, promiseOf, register, shape } from "./helpers";
import { describePlan } from "../revocation/planReport";

const withProvider = (provider: string) => DEV_STACK.replace("config:\n", `config:\n  revocable-roles:provider: ${provider}\n`);

const doc = (value: unknown) => (typeof value === "string" ? JSON.parse(value) : value);

/** Per role key: its trust document, and its policy documents by policy name, whatever the backend. */
function documents(resources: { type: string; name: string; parent?: string | null; inputs: Record<string, unknown> }[]) {
    const result: Record<string, { trust: unknown; policies: Record<string, unknown> }> = {};
    for (const r of resources) {
        const key =
            String(r.parent ?? "")
                .split("::")
                .pop() ?? "";
        if (r.type === "aws:iam/role:Role" || r.type === "aws-native:iam:Role") {
            result[key] ??= { trust: undefined, policies: {} };
            result[key].trust = doc(r.inputs.assumeRolePolicy ?? r.inputs.assumeRolePolicyDocument);
        }
        if (r.type === "aws:iam/rolePolicy:RolePolicy" || r.type === "aws-native:iam:RolePolicy") {
            result[key] ??= { trust: undefined, policies: {} };
            result[key].policies[String(r.inputs.name ?? r.inputs.policyName)] = doc(r.inputs.policy ?? r.inputs.policyDocument);
        }
    }
    return result;
}

describe("the aws-native backend", () => {
    let classic: Plan;
    let native: Plan;

    before(async () => {
        classic = await plan(withProvider("aws"), "dev");
        native = await plan(withProvider("aws-native"), "dev");
    });

    it("renders the same trust, inline and revocation documents as the aws backend for every dev role", () => {
        const a = documents(classic.resources);
        const b = documents(native.resources);
        assert.deepStrictEqual(Object.keys(b).sort(), ["app-server", "break-glass-admin", "ci-deployer", "external-auditor"]);
        assert.deepStrictEqual(b, a);
        assert.deepStrictEqual(Object.keys(b["ci-deployer"].policies).sort(), ["RevokeOlderSessions", "deploy-artifacts"]);
    });

    it("registers exactly one role per key with its managed policies on it, one policy per inline policy, and the revocation", () => {
        assert.deepStrictEqual(shape(native.resources), [
            "aws-native:iam:Role app-server-role",
            "aws-native:iam:Role break-glass-admin-role",
            "aws-native:iam:Role ci-deployer-role",
            "aws-native:iam:Role external-auditor-role",
            "aws-native:iam:RolePolicy app-server-policy-read-app-config",
            "aws-native:iam:RolePolicy ci-deployer-policy-deploy-artifacts",
            "aws-native:iam:RolePolicy ci-deployer-revocation",
            "revocable-roles:index:RevocableRole app-server",
            "revocable-roles:index:RevocableRole break-glass-admin",
            "revocable-roles:index:RevocableRole ci-deployer",
            "revocable-roles:index:RevocableRole external-auditor",
        ]);
        const role = native.resources.find((r) => r.name === "app-server-role")!;
        assert.deepStrictEqual(Object.keys(role.inputs).sort(), [
            "assumeRolePolicyDocument",
            "description",
            "managedPolicyArns",
            "maxSessionDuration",
            "path",
            "roleName",
        ]);
        assert.deepStrictEqual(role.inputs.managedPolicyArns, [
            "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
            "arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy",
        ]);
        const admin = native.resources.find((r) => r.name === "break-glass-admin-role")!;
        assert.deepStrictEqual(admin.inputs.tags, [
            { key: "team", value: "security" },
            { key: "purpose", value: "break-glass" },
        ]);
        assert.strictEqual(admin.inputs.roleName, "BreakGlassAdministrator");
        assert.deepStrictEqual(native.resources.find((r) => r.name === "ci-deployer-revocation")!.inputs, {
            roleName: "ci-deployer",
            policyName: "RevokeOlderSessions",
            policyDocument: {
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
        });
    });

    it("describes the same platform in the offline plan on both backends", () => {
        const [a, b] = [describePlan(classic), describePlan(native)].map((text) => text.split("\n"));
        assert.deepStrictEqual(b.slice(0, -1), a.slice(0, -1));
        assert.deepStrictEqual([a.at(-1), b.at(-1)], ["4 roles, 16 resources.", "4 roles, 11 resources."]);
    });
});

describe("RevocableRole on aws-native", () => {
    const everyTrust: RevocableRoleArgs = {
        roleName: "all-kinds",
        trust: {
            accounts: ["111111111111"],
            principals: ["arn:aws:iam::111111111111:role/ops"],
            services: ["ec2.amazonaws.com"],
            githubActions: { repositories: ["acme/infra", "acme/app:environment:prod"] },
            oidc: {
                providerArn: "arn:aws:iam::123456789012:oidc-provider/accounts.google.com",
                conditions: { StringEquals: { "accounts.google.com:aud": "x" } },
            },
            saml: { providerArn: "arn:aws:iam::123456789012:saml-provider/Okta" },
            requireMfa: true,
            externalId: "ext-1",
            statements: [{ Effect: "Allow", Principal: { AWS: "arn:aws:iam::333333333333:root" }, Action: "sts:TagSession" }],
        },
        managedPolicyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
        inlinePolicies: { read: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["s3:GetObject"], Resource: ["*"] }] } },
        revokeBefore: "2026-11-27T10:15:00Z",
    };
    const render = (args: RevocableRoleArgs) => register(() => new RevocableRole("r", args));

    it("renders the same documents as the aws backend for every trust kind together", async () => {
        const a = documents(await render(everyTrust));
        const b = documents(await render({ ...everyTrust, backend: "aws-native" }));
        assert.deepStrictEqual(b, a);
        assert.strictEqual((b.r.trust as { Statement: unknown[] }).Statement.length, 7);
    });

    it("changes only the revocation policy when revokeBefore changes", async () => {
        const before = await render({ ...everyTrust, backend: "aws-native" });
        const after = await render({ ...everyTrust, backend: "aws-native", revokeBefore: "2026-11-27T11:00:00Z" });
        const others = (rs: Registration[]) => rs.filter((r) => r.name !== "r-revocation");
        assert.deepStrictEqual(others(after), others(before));
        assert.deepStrictEqual(after.find((r) => r.name === "r-revocation")!.inputs.policyDocument, {
            Version: "2012-10-17",
            Statement: [
                {
                    Effect: "Deny",
                    Action: ["*"],
                    Resource: ["*"],
                    Condition: { DateLessThan: { "aws:TokenIssueTime": "2026-11-27T11:00:00Z" } },
                },
            ],
        });
    });

    it("replaces the role and named policies delete-before-replace, never uses the role's policies property, and names the role through it", async () => {
        const rs = await render({ ...everyTrust, backend: "aws-native" });
        assert.deepStrictEqual(
            rs
                .filter((r) => r.deleteBeforeReplace)
                .map((r) => r.name)
                .sort(),
            ["r-policy-read", "r-revocation", "r-role"],
        );
        const role = rs.find((r) => r.type === "aws-native:iam:Role")!;
        assert.strictEqual(role.inputs.policies, undefined);
        assert.deepStrictEqual(
            rs.filter((r) => r.type === "aws-native:iam:RolePolicy").map((r) => r.propertyDependencies.roleName),
            [[role.urn], [role.urn]],
        );
    });

    it("exposes outputs of the same shape as the aws backend", async () => {
        const outputs = async (backend: "aws" | "aws-native") => {
            let role: RevocableRole | undefined;
            await register(() => {
                role = new RevocableRole("r", { ...everyTrust, backend });
            });
            return { arn: await promiseOf(role!.arn), roleName: await promiseOf(role!.roleName), revocation: role!.revocation };
        };
        const native = await outputs("aws-native");
        assert.deepStrictEqual(native, await outputs("aws"));
        assert.deepStrictEqual(native, {
            arn: "arn:aws:iam::000000000000:role/all-kinds",
            roleName: "all-kinds",
            revocation: { cutoff: "2026-11-27T10:15:00Z", policyName: "RevokeOlderSessions", safeToRemoveAfter: "2026-11-27T23:15:00Z" },
        });
    });

    it("registers the instance profile as AWS::IAM::InstanceProfile, named, on the role's path, holding the role's name Output in Roles", async () => {
        let role: RevocableRole | undefined;
        const rs = await register(() => {
            role = new RevocableRole("r", {
                ...everyTrust,
                path: "/apps/",
                instanceProfile: true,
                instanceProfileName: "AllKinds",
                backend: "aws-native",
            });
        });
        const profiles = rs.filter((r) => r.type === "aws-native:iam:InstanceProfile");
        const roleUrn = rs.find((r) => r.type === "aws-native:iam:Role")!.urn;
        assert.deepStrictEqual(
            profiles.map((r) => ({
                name: r.name,
                inputs: r.inputs,
                dependsOnRole: r.propertyDependencies.roles,
                deleteBeforeReplace: r.deleteBeforeReplace,
            })),
            [
                {
                    name: "r-instance-profile",
                    inputs: { instanceProfileName: "AllKinds", path: "/apps/", roles: ["all-kinds"] },
                    dependsOnRole: [roleUrn],
                    deleteBeforeReplace: true,
                },
            ],
        );
        assert.strictEqual(await promiseOf(role!.instanceProfile!.urn), profiles[0].urn);
        assert.strictEqual(role!.instanceProfileName, "AllKinds");
    });
});

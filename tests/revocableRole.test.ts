import * as assert from "assert";
import { RevocableRole, RevocableRoleArgs } from "../components";
import { runOffline, Registration } from "../cli/offline";
import { arnKey } from "../components/role";
import { byName, promiseOf, register, shape } from "./helpers";


const args: RevocableRoleArgs = {
    roleName: "ci-deployer",
    description: "Deploys",
    trust: { githubActions: { repositories: ["acme/infra:ref:refs/heads/main"] } },
    managedPolicyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess", "arn:aws:iam::aws:policy/AWSCodeArtifactReadOnlyAccess"],
    inlinePolicies: {
        "deploy-artifacts": { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["s3:PutObject"], Resource: ["arn:aws:s3:::acme-artifacts/*"] }] },
    },
    revokeBefore: "2026-11-27T11:15:00+01:00",
};

const COMPONENT = "urn:pulumi:test::revocable-roles::revocable-roles:iam:RevocableRole::ci";

describe("RevocableRole", () => {
    let registrations: Registration[];
    let role: RevocableRole;

    before(async () => {
        registrations = await register(() => {
            role = new RevocableRole("ci", args);
        });
    });

    it("registers exactly the component, the role, one attachment per ARN, one policy per inline policy and the revocation", () => {
        assert.deepStrictEqual(shape(registrations), [
            "aws:iam/role:Role ci-role",
            `aws:iam/rolePolicy:RolePolicy ci-policy-deploy-artifacts`,
            "aws:iam/rolePolicy:RolePolicy ci-revocation",
            `aws:iam/rolePolicyAttachment:RolePolicyAttachment ci-managed-${arnKey("arn:aws:iam::aws:policy/AWSCodeArtifactReadOnlyAccess")}`,
            `aws:iam/rolePolicyAttachment:RolePolicyAttachment ci-managed-${arnKey("arn:aws:iam::aws:policy/ReadOnlyAccess")}`,
            "revocable-roles:iam:RevocableRole ci",
        ].sort());
        assert.strictEqual(registrations[0].urn, COMPONENT);
    });

    it("parents every child to the component", () => {
        assert.deepStrictEqual(
            registrations.filter((r) => r.name !== "ci").map((r) => r.parent),
            Array(5).fill(COMPONENT),
        );
    });

    it("declares the role with its physical name, forced policy detachment and never exclusive policy ownership", () => {
        const inputs = byName(registrations).get("ci-role")!.inputs;
        assert.deepStrictEqual(inputs, {
            name: "ci-deployer",
            path: "/",
            description: "Deploys",
            maxSessionDuration: 3600,
            forceDetachPolicies: true,
            assumeRolePolicy:
                '{"Version":"2012-10-17","Statement":[{"Sid":"TrustGitHubActions","Effect":"Allow","Principal":{"Federated":"arn:aws:iam::000000000000:oidc-provider/token.actions.githubusercontent.com"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com","token.actions.githubusercontent.com:sub":["repo:acme/infra:ref:refs/heads/main"]}}}]}',
        });
    });

    it("renders the revocation policy exactly, under its own name", () => {
        assert.deepStrictEqual(byName(registrations).get("ci-revocation")!.inputs, {
            role: "ci-deployer",
            name: "RevokeOlderSessions",
            policy: '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":["*"],"Resource":["*"],"Condition":{"DateLessThan":{"aws:TokenIssueTime":"2026-11-27T10:15:00Z"}}}]}',
        });
    });

    it("renders inline policies and attachments exactly", () => {
        const named = byName(registrations);
        assert.deepStrictEqual(named.get("ci-policy-deploy-artifacts")!.inputs, {
            role: "ci-deployer",
            name: "deploy-artifacts",
            policy: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:PutObject"],"Resource":["arn:aws:s3:::acme-artifacts/*"]}]}',
        });
        assert.deepStrictEqual(named.get(`ci-managed-${arnKey("arn:aws:iam::aws:policy/ReadOnlyAccess")}`)!.inputs, {
            role: "ci-deployer",
            policyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess",
        });
    });

    it("replaces every named policy delete-before-replace, and nothing else", () => {
        assert.deepStrictEqual(
            registrations.filter((r) => r.deleteBeforeReplace).map((r) => r.name).sort(),
            registrations.filter((r) => r.type.startsWith("aws:iam/rolePolicy")).map((r) => r.name).sort(),
        );
        assert.strictEqual(registrations.filter((r) => r.deleteBeforeReplace).length, 4);
    });

    it("makes every policy and attachment depend on the role, so they are created after it and deleted before it", () => {
        const role = byName(registrations).get("ci-role")!.urn;
        const policies = registrations.filter((r) => r.type.startsWith("aws:iam/rolePolicy"));
        assert.deepStrictEqual(policies.map((r) => r.dependencies), Array(4).fill([role]));
    });

    it("exposes the ARN, the physical name and the revocation window", async () => {
        assert.strictEqual(await promiseOf(role.arn), "arn:aws:iam::000000000000:role/ci-deployer");
        assert.strictEqual(await promiseOf(role.roleName), "ci-deployer");
        assert.deepStrictEqual(role.revocation, { cutoff: "2026-11-27T10:15:00Z", policyName: "RevokeOlderSessions", safeToRemoveAfter: "2026-11-27T23:15:00Z" });
    });
});

describe("RevocableRole across renders", () => {
    const render = (overrides: Partial<RevocableRoleArgs>) => register(() => new RevocableRole("ci", { ...args, ...overrides }));
    const withoutRevocation = (rs: Registration[]) => rs.filter((r) => r.name !== "ci-revocation");

    it("changes only the revocation policy when revokeBefore changes", async () => {
        const before = await render({ revokeBefore: "2026-11-27T10:15:00Z" });
        const after = await render({ revokeBefore: "2026-11-27T11:00:00Z" });
        assert.deepStrictEqual(withoutRevocation(after), withoutRevocation(before));
        assert.notDeepStrictEqual(byName(after).get("ci-revocation")!.inputs, byName(before).get("ci-revocation")!.inputs);
        assert.strictEqual(after.length, before.length);
    });

    it("adds exactly one resource when revokeBefore is set for the first time", async () => {
        const before = await render({ revokeBefore: undefined });
        const after = await render({});
        assert.strictEqual(after.length, before.length + 1);
        assert.deepStrictEqual(withoutRevocation(after), before);
        assert.strictEqual(byName(before).get("ci-revocation"), undefined);
        assert.strictEqual(byName(after).get("ci-revocation")?.type, "aws:iam/rolePolicy:RolePolicy");
    });

    it("keeps every logical name when the managed policy list is reordered", async () => {
        const before = await render({});
        const after = await render({ managedPolicyArns: [...args.managedPolicyArns!].reverse() });
        assert.deepStrictEqual(shape(after), shape(before));
    });

    it("has no revocation output without revokeBefore", async () => {
        let role: RevocableRole | undefined;
        await register(() => {
            role = new RevocableRole("plain", { trust: { services: ["ec2.amazonaws.com"] } });
        });
        assert.strictEqual(role!.revocation, undefined);
        assert.strictEqual(await promiseOf(role!.roleName), "plain");
    });

    it("registers nothing, not even the component, when the arguments are invalid", async () => {
        const run = await runOffline(() => new RevocableRole("ci", { ...args, revokeBefore: "2026-11-27 10:15" }), { project: "revocable-roles", stack: "test", config: {} });
        assert.deepStrictEqual(run.registrations, []);
        assert.strictEqual(
            run.error?.message,
            'role "ci-deployer": revokeBefore: "2026-11-27 10:15" has no time zone; write an ISO-8601 UTC timestamp such as 2026-11-27T10:00:00Z',
        );
    });

    it("asks the provider for nothing when no shortcut needs the account", async () => {
        const rs = await register(() => new RevocableRole("svc", { trust: { services: ["ec2.amazonaws.com"] } }));
        assert.strictEqual(
            byName(rs).get("svc-role")!.inputs.assumeRolePolicy,
            '{"Version":"2012-10-17","Statement":[{"Sid":"TrustServices","Effect":"Allow","Principal":{"Service":["ec2.amazonaws.com"]},"Action":"sts:AssumeRole"}]}',
        );
    });
});

/**
 * RevocableRole, the component: what it registers, and how, for one render of its arguments, with
 * and without an instance profile. What changes across renders is tests/revocableRoleRenders.test.ts.
 */
import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import * as iam from "@pulumi/aws/iam";
import { RevocableRole, RevocableRoleArgs } from "../components";
import { runOffline, Registration } from "../plan/recorder";
import { toPlan } from "../plan/run";
import { previousUrns } from "../plan/model";
import { arnKey } from "../iam/rules";
import { byName, doc, promiseOf, register, shape } from "./helpers";
import { args, revocationDocument } from "./revocableRoleHarness";

const TYPE = "revocable-roles:index:RevocableRole";
const COMPONENT = `urn:pulumi:test::revocable-roles::${TYPE}::ci`;

describe("RevocableRole", () => {
    let registrations: Registration[];
    let role: RevocableRole;

    before(async () => {
        registrations = await register(() => {
            role = new RevocableRole("ci", args);
        });
    });

    it("registers exactly the component, the role, one attachment per ARN, one policy per inline policy and the revocation", () => {
        assert.deepStrictEqual(
            shape(registrations),
            [
                "aws:iam/role:Role ci-role",
                "aws:iam/rolePolicy:RolePolicy ci-policy-deploy-artifacts",
                "aws:iam/rolePolicy:RolePolicy ci-revocation",
                `aws:iam/rolePolicyAttachment:RolePolicyAttachment ci-managed-${arnKey("arn:aws:iam::aws:policy/AWSCodeArtifactReadOnlyAccess")}`,
                `aws:iam/rolePolicyAttachment:RolePolicyAttachment ci-managed-${arnKey("arn:aws:iam::aws:policy/ReadOnlyAccess")}`,
                `${TYPE} ci`,
            ].sort(),
        );
        assert.strictEqual(registrations[0].urn, COMPONENT);
    });

    it("parents every child to the component", () => {
        assert.deepStrictEqual(
            registrations.filter((r) => r.name !== "ci").map((r) => r.parent),
            Array(5).fill(COMPONENT),
        );
    });

    it("keeps the earlier type token as an alias, so existing stacks are not replaced", () => {
        assert.deepStrictEqual(registrations[0].aliases, [{ type: "revocable-roles:iam:RevocableRole" }]);
        const plan = toPlan("revocable-roles", "test", registrations);
        assert.deepStrictEqual(previousUrns(plan)(COMPONENT), ["urn:pulumi:test::revocable-roles::revocable-roles:iam:RevocableRole::ci"]);
        const revocation = byName(registrations).get("ci-revocation")!.urn;
        assert.deepStrictEqual(previousUrns(plan)(revocation), [
            "urn:pulumi:test::revocable-roles::revocable-roles:iam:RevocableRole$aws:iam/rolePolicy:RolePolicy::ci-revocation",
        ]);
    });

    it("declares the role with its physical name, forced policy detachment and never exclusive policy ownership", () => {
        const inputs = byName(registrations).get("ci-role")!.inputs;
        assert.deepStrictEqual(
            { ...inputs, assumeRolePolicy: doc(inputs.assumeRolePolicy) },
            {
                name: "ci-deployer",
                path: "/",
                description: "Deploys",
                maxSessionDuration: 3600,
                forceDetachPolicies: true,
                assumeRolePolicy: {
                    Version: "2012-10-17",
                    Statement: [
                        {
                            Sid: "TrustGitHubActions",
                            Effect: "Allow",
                            Principal: { Federated: "arn:aws:iam::000000000000:oidc-provider/token.actions.githubusercontent.com" },
                            Action: "sts:AssumeRoleWithWebIdentity",
                            Condition: {
                                StringEquals: {
                                    "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
                                    "token.actions.githubusercontent.com:sub": ["repo:acme/infra:ref:refs/heads/main"],
                                },
                            },
                        },
                    ],
                },
            },
        );
    });

    it("renders the revocation policy exactly, under its own name, as the JSON string sent to AWS", () => {
        assert.deepStrictEqual(byName(registrations).get("ci-revocation")!.inputs, {
            role: "ci-deployer",
            name: "RevokeOlderSessions",
            policy: JSON.stringify(revocationDocument("2026-11-27T10:15:00Z")),
        });
    });

    it("renders inline policies and attachments exactly", () => {
        const named = byName(registrations);
        assert.deepStrictEqual(named.get("ci-policy-deploy-artifacts")!.inputs, {
            role: "ci-deployer",
            name: "deploy-artifacts",
            policy: JSON.stringify({
                Version: "2012-10-17",
                Statement: [{ Effect: "Allow", Action: ["s3:PutObject"], Resource: ["arn:aws:s3:::acme-artifacts/*"] }],
            }),
        });
        assert.deepStrictEqual(named.get(`ci-managed-${arnKey("arn:aws:iam::aws:policy/ReadOnlyAccess")}`)!.inputs, {
            role: "ci-deployer",
            policyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess",
        });
    });

    it("replaces the role and every named policy delete-before-replace, and nothing else", () => {
        assert.deepStrictEqual(
            registrations
                .filter((r) => r.deleteBeforeReplace)
                .map((r) => r.name)
                .sort(),
            ["ci-policy-deploy-artifacts", "ci-revocation", "ci-role"],
        );
    });

    it("gives every policy and attachment the role's name as an Output of the role, so a replaced role replaces them too", () => {
        const roleUrn = byName(registrations).get("ci-role")!.urn;
        const children = registrations.filter((r) => r.type.startsWith("aws:iam/rolePolicy"));
        assert.strictEqual(children.length, 4);
        assert.deepStrictEqual(
            children.map((r) => r.propertyDependencies.role),
            Array(4).fill([roleUrn]),
        );
    });

    it("exposes the ARN, the physical name, the revocation window and the resources", async () => {
        assert.strictEqual(await promiseOf(role.arn), "arn:aws:iam::000000000000:role/ci-deployer");
        assert.strictEqual(await promiseOf(role.roleName), "ci-deployer");
        assert.deepStrictEqual(role.revocation, {
            cutoff: "2026-11-27T10:15:00Z",
            policyName: "RevokeOlderSessions",
            safeToRemoveAfter: "2026-11-27T23:15:00Z",
        });
        assert.ok(role.role instanceof iam.Role);
        assert.ok(role.revocationPolicy instanceof iam.RolePolicy);
        // Each getter returns the very resource registered under that name.
        const registered = byName(registrations);
        const attachmentUrns = await Promise.all(Object.values(role.attachments).map((a) => promiseOf(a.urn)));
        assert.deepStrictEqual(
            {
                role: await promiseOf(role.role.urn),
                revocation: await promiseOf(role.revocationPolicy!.urn),
                policy: await promiseOf(role.policies["deploy-artifacts"].urn),
                attachments: attachmentUrns.sort(),
            },
            {
                role: registered.get("ci-role")!.urn,
                revocation: registered.get("ci-revocation")!.urn,
                policy: registered.get("ci-policy-deploy-artifacts")!.urn,
                attachments: registrations
                    .filter((r) => r.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment")
                    .map((r) => r.urn)
                    .sort(),
            },
        );
        assert.deepStrictEqual(Object.keys(role.policies), ["deploy-artifacts"]);
        assert.deepStrictEqual(
            Object.keys(role.attachments).sort(),
            [arnKey("arn:aws:iam::aws:policy/AWSCodeArtifactReadOnlyAccess"), arnKey("arn:aws:iam::aws:policy/ReadOnlyAccess")].sort(),
        );
    });

    it("resolves arn only once every policy and attachment exists: a consumer of arn depends on all of them", async () => {
        const rs = await register(() => {
            const r = new RevocableRole("ci", args);
            new iam.Policy("consumer", { policy: pulumi.interpolate`{"Resource":"${r.arn}"}` });
        });
        const consumer = byName(rs).get("consumer")!;
        const children = rs
            .filter((r) => r.parent === COMPONENT)
            .map((r) => r.urn)
            .sort();
        assert.deepStrictEqual([...consumer.propertyDependencies.policy].sort(), children);
    });
});

describe("RevocableRole with an instance profile", () => {
    const ec2: RevocableRoleArgs = {
        roleName: "app-server",
        path: "/apps/",
        trust: { services: ["ec2.amazonaws.com"] },
        revokeBefore: "2026-11-27T10:15:00Z",
    };
    const PROFILE_TYPE = "aws:iam/instanceProfile:InstanceProfile";

    it("registers one instance profile named like the role, on the role's path, holding the role's name Output, replaced delete-before-replace", async () => {
        let role: RevocableRole | undefined;
        const now = new Date("2026-11-27T12:00:00Z");
        const rs = await register(
            (program) => (role = new RevocableRole("app", { ...ec2, instanceProfile: true }, { now: program.now })),
            "test",
            now,
        );
        assert.deepStrictEqual(shape(rs), [
            `${PROFILE_TYPE} app-instance-profile`,
            "aws:iam/role:Role app-role",
            "aws:iam/rolePolicy:RolePolicy app-revocation",
            `${TYPE} app`,
        ]);
        const named = byName(rs);
        const profile = named.get("app-instance-profile")!;
        assert.deepStrictEqual(
            {
                inputs: profile.inputs,
                dependsOnRole: profile.propertyDependencies.role,
                deleteBeforeReplace: profile.deleteBeforeReplace,
                // Not what holds the revocation: never protected.
                protect: profile.protect,
                parent: profile.parent,
            },
            {
                inputs: { name: "app-server", path: "/apps/", role: "app-server" },
                dependsOnRole: [named.get("app-role")!.urn],
                deleteBeforeReplace: true,
                protect: false,
                parent: "urn:pulumi:test::revocable-roles::revocable-roles:index:RevocableRole::app",
            },
        );
        assert.ok(role!.instanceProfile instanceof iam.InstanceProfile);
        assert.deepStrictEqual(
            { urn: await promiseOf(role!.instanceProfile!.urn), name: role!.instanceProfileName },
            { urn: profile.urn, name: "app-server" },
        );
    });

    it("names the profile instanceProfileName, and registers none without instanceProfile", async () => {
        const named = await register(() => new RevocableRole("app", { ...ec2, instanceProfile: true, instanceProfileName: "AppServers" }));
        assert.deepStrictEqual(byName(named).get("app-instance-profile")!.inputs, {
            name: "AppServers",
            path: "/apps/",
            role: "app-server",
        });
        let plain: RevocableRole | undefined;
        const none = await register(() => (plain = new RevocableRole("app", { ...ec2, instanceProfile: false })));
        assert.deepStrictEqual(
            [none.filter((r) => r.type === PROFILE_TYPE).length, plain!.instanceProfile, plain!.instanceProfileName],
            [0, undefined, undefined],
        );
    });

    it("refuses a profile for a role EC2 cannot assume, and a profile name without a profile, registering nothing", async () => {
        const run = await runOffline(
            () => new RevocableRole("app", { ...ec2, trust: { accounts: ["111111111111"] }, instanceProfile: true }),
            { project: "revocable-roles", now: new Date(), stack: "test", config: {} },
        );
        assert.deepStrictEqual(run.registrations, []);
        assert.strictEqual(
            run.error?.message,
            'role "app-server": instanceProfile: true: an instance profile hands the role to EC2 instances, and the role does not trust ec2.amazonaws.com; add it to trust.services',
        );
        const named = await runOffline(() => new RevocableRole("app", { ...ec2, instanceProfileName: "AppServers" }), {
            project: "revocable-roles",
            now: new Date(),
            stack: "test",
            config: {},
        });
        assert.strictEqual(
            named.error?.message,
            'role "app-server": instanceProfileName: "AppServers" names an instance profile the role does not have; set instanceProfile: true as well',
        );
    });
});

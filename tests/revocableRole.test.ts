import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import * as iam from "@pulumi/aws/iam";
import { RevocableRole, RevocableRoleArgs } from "../components";
import { runOffline, Registration } from "../plan/recorder";
import { toPlan } from "../plan/run";
import { footprint, previousUrns } from "../plan/model";
import { arnKey } from "../iam/rules";
import { byName, doc, promiseOf, register, shape } from "./helpers";

const args: RevocableRoleArgs = {
    roleName: "ci-deployer",
    description: "Deploys",
    trust: { githubActions: { repositories: ["acme/infra:ref:refs/heads/main"] } },
    managedPolicyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess", "arn:aws:iam::aws:policy/AWSCodeArtifactReadOnlyAccess"],
    inlinePolicies: {
        "deploy-artifacts": {
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Action: ["s3:PutObject"], Resource: ["arn:aws:s3:::acme-artifacts/*"] }],
        },
    },
    revokeBefore: "2026-11-27T11:15:00+01:00",
};

const TYPE = "revocable-roles:index:RevocableRole";
const COMPONENT = `urn:pulumi:test::revocable-roles::${TYPE}::ci`;
const revocationDocument = (cutoff: string) => ({
    Version: "2012-10-17",
    Statement: [{ Effect: "Deny", Action: ["*"], Resource: ["*"], Condition: { DateLessThan: { "aws:TokenIssueTime": cutoff } } }],
});

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

describe("RevocableRole across renders", () => {
    const render = (overrides: Partial<RevocableRoleArgs>) => register(() => new RevocableRole("ci", { ...args, ...overrides }));
    const withoutRevocation = (rs: Registration[]) => rs.filter((r) => r.name !== "ci-revocation");
    const comparable = (rs: Registration[]) => rs.map(({ urn, type, name, parent, inputs }) => ({ urn, type, name, parent, inputs }));

    it("changes only the revocation policy when revokeBefore changes", async () => {
        const before = await render({ revokeBefore: "2026-11-27T10:15:00Z" });
        const after = await render({ revokeBefore: "2026-11-27T11:00:00Z" });
        assert.deepStrictEqual(comparable(withoutRevocation(after)), comparable(withoutRevocation(before)));
        assert.deepStrictEqual(doc(byName(after).get("ci-revocation")!.inputs.policy), revocationDocument("2026-11-27T11:00:00Z"));
        assert.strictEqual(after.length, before.length);
    });

    it("adds exactly one resource when revokeBefore is set for the first time", async () => {
        const before = await render({ revokeBefore: undefined });
        const after = await render({});
        assert.strictEqual(after.length, before.length + 1);
        assert.deepStrictEqual(comparable(withoutRevocation(after)), comparable(before));
        assert.strictEqual(byName(after).get("ci-revocation")?.type, "aws:iam/rolePolicy:RolePolicy");
    });

    it("renders a cutoff with a fraction of a second rounded up to the next whole second", async () => {
        const rendered = await render({ revokeBefore: "2026-11-27T10:15:00.001Z" });
        assert.deepStrictEqual(doc(byName(rendered).get("ci-revocation")!.inputs.policy), revocationDocument("2026-11-27T10:15:01Z"));
    });

    it("keeps every logical name when the managed policy list is reordered", async () => {
        assert.deepStrictEqual(shape(await render({ managedPolicyArns: [...args.managedPolicyArns!].reverse() })), shape(await render({})));
    });

    it("has no revocation without revokeBefore", async () => {
        let role: RevocableRole | undefined;
        await register(() => {
            role = new RevocableRole("plain", { trust: { services: ["ec2.amazonaws.com"] } });
        });
        assert.deepStrictEqual([role!.revocation, role!.revocationPolicy], [undefined, undefined]);
        assert.strictEqual(await promiseOf(role!.roleName), "plain");
    });

    it("registers nothing, not even the component, when the arguments are invalid", async () => {
        const run = await runOffline(() => new RevocableRole("ci", { ...args, revokeBefore: "2026-11-27 10:15" }), {
            project: "revocable-roles",
            now: new Date(),
            stack: "test",
            config: {},
        });
        assert.deepStrictEqual(run.registrations, []);
        assert.strictEqual(
            run.error?.message,
            'role "ci-deployer": revokeBefore: "2026-11-27 10:15" has no time zone; write an ISO-8601 UTC timestamp such as 2026-11-27T10:00:00Z',
        );
    });

    it("asks the provider for nothing when no shortcut needs the account", async () => {
        const rs = await register(() => new RevocableRole("svc", { trust: { services: ["ec2.amazonaws.com"] } }));
        assert.deepStrictEqual(doc(byName(rs).get("svc-role")!.inputs.assumeRolePolicy), {
            Version: "2012-10-17",
            Statement: [{ Sid: "TrustServices", Effect: "Allow", Principal: { Service: ["ec2.amazonaws.com"] }, Action: "sts:AssumeRole" }],
        });
    });

    describe("which argument changes replace the role", () => {
        const cases: [string, Partial<RevocableRoleArgs>, { replaced: string[]; changed: string[]; added: string[]; removed: string[] }][] =
            [
                [
                    "roleName",
                    { roleName: "ci-deployer-v2" },
                    {
                        replaced: ["ci-role", "ci-managed-*", "ci-managed-*", "ci-policy-deploy-artifacts", "ci-revocation"],
                        changed: [],
                        added: [],
                        removed: [],
                    },
                ],
                [
                    "path",
                    { path: "/ci/" },
                    {
                        replaced: ["ci-role", "ci-managed-*", "ci-managed-*", "ci-policy-deploy-artifacts", "ci-revocation"],
                        changed: [],
                        added: [],
                        removed: [],
                    },
                ],
                [
                    "backend",
                    { backend: "aws-native" },
                    {
                        replaced: [],
                        changed: [],
                        added: ["ci-role", "ci-policy-deploy-artifacts", "ci-revocation"],
                        removed: ["ci-role", "ci-managed-*", "ci-managed-*", "ci-policy-deploy-artifacts", "ci-revocation"],
                    },
                ],
                ["description", { description: "Deploys the platform" }, { replaced: [], changed: ["ci-role"], added: [], removed: [] }],
                ["maxSessionDuration", { maxSessionDuration: 7200 }, { replaced: [], changed: ["ci-role"], added: [], removed: [] }],
                ["tags", { tags: { team: "platform" } }, { replaced: [], changed: ["ci-role"], added: [], removed: [] }],
                [
                    "permissionsBoundary",
                    { permissionsBoundary: "arn:aws:iam::123456789012:policy/Boundary" },
                    { replaced: [], changed: ["ci-role"], added: [], removed: [] },
                ],
                ["trust", { trust: { accounts: ["111111111111"] } }, { replaced: [], changed: ["ci-role"], added: [], removed: [] }],
                [
                    "revokeBefore",
                    { revokeBefore: "2026-11-27T11:00:00Z" },
                    { replaced: [], changed: ["ci-revocation"], added: [], removed: [] },
                ],
            ];
        for (const [field, change, expected] of cases) {
            it(`${field}: ${expected.replaced.includes("ci-role") ? "replaces the role and every child" : expected.removed.includes("ci-role") ? "deletes the role and creates it again" : "updates in place"}`, async () => {
                const [before, after] = [
                    toPlan("revocable-roles", "test", await render({})),
                    toPlan("revocable-roles", "test", await render(change)),
                ];
                const f = footprint(before, after);
                const names = (urns: string[]) =>
                    urns
                        .map((urn) =>
                            urn
                                .split("::")
                                .pop()!
                                .replace(/managed-[0-9a-f]{8}$/, "managed-*"),
                        )
                        .sort();
                assert.deepStrictEqual(
                    { replaced: names(f.replaced), changed: names(f.changed), added: names(f.added), removed: names(f.removed) },
                    {
                        replaced: [...expected.replaced].sort(),
                        changed: [...expected.changed].sort(),
                        added: [...expected.added].sort(),
                        removed: [...expected.removed].sort(),
                    },
                );
            });
        }
    });
});

describe("RevocableRole protection while a revocation is in force", () => {
    // args.revokeBefore is 2026-11-27T10:15:00Z: in force until 2026-11-27T23:15:00Z.
    const protectedNames = async (now: Date, opts?: pulumi.ComponentResourceOptions, backend: "aws" | "aws-native" = "aws") => {
        const registrations = await register(
            (program) => new RevocableRole("ci", { ...args, backend }, { ...opts, now: program.now }),
            "test",
            now,
        );
        return registrations.filter((r) => r.protect).map((r) => r.name);
    };

    it("protects the role and its revocation policy, and nothing else, until the safe-to-remove time", async () => {
        assert.deepStrictEqual(await protectedNames(new Date("2026-11-27T23:14:59Z")), ["ci-role", "ci-revocation"]);
    });

    it("leaves them to the component's own setting from the safe-to-remove time on, so an ordinary deploy unprotects them", async () => {
        assert.deepStrictEqual(await protectedNames(new Date("2026-11-27T23:15:00Z")), []);
        assert.deepStrictEqual((await protectedNames(new Date("2026-11-27T23:15:00Z"), { protect: true })).length, 6);
    });

    it("protects the same two resources on aws-native", async () => {
        assert.deepStrictEqual(await protectedNames(new Date("2026-11-27T12:00:00Z"), undefined, "aws-native"), [
            "ci-role",
            "ci-revocation",
        ]);
    });

    it("protects nothing of a role that is not revoked", async () => {
        const registrations = await register(
            (program) => new RevocableRole("ci", { ...args, revokeBefore: undefined }, { now: program.now }),
            "test",
            new Date("2026-11-27T12:00:00Z"),
        );
        assert.deepStrictEqual(registrations.filter((r) => r.protect).length, 0);
    });
});

describe("RevocableRole's revoked-until tag, which the organization's lock reads", () => {
    // args.revokeBefore is 2026-11-27T10:15:00Z: in force until 2026-11-27T23:15:00Z.
    const roleTags = async (now: Date, backend: "aws" | "aws-native", tags?: Record<string, string>) => {
        const registrations = await register(
            (program) => new RevocableRole("ci", { ...args, backend, ...(tags === undefined ? {} : { tags }) }, { now: program.now }),
            "test",
            now,
        );
        return byName(registrations).get("ci-role")!.inputs.tags;
    };

    it("tags the role with its safe-to-remove time while the revocation is in force, beside its own tags, on both backends", async () => {
        const now = new Date("2026-11-27T23:14:59Z");
        assert.deepStrictEqual(
            {
                aws: await roleTags(now, "aws", { team: "platform" }),
                awsNative: await roleTags(now, "aws-native", { team: "platform" }),
                untagged: await roleTags(now, "aws"),
            },
            {
                aws: { team: "platform", "revocable-roles:revoked-until": "2026-11-27T23:15:00Z" },
                awsNative: [
                    { key: "team", value: "platform" },
                    { key: "revocable-roles:revoked-until", value: "2026-11-27T23:15:00Z" },
                ],
                untagged: { "revocable-roles:revoked-until": "2026-11-27T23:15:00Z" },
            },
        );
    });

    it("drops the tag from the safe-to-remove time on, so the next deploy unlocks the role", async () => {
        const now = new Date("2026-11-27T23:15:00Z");
        assert.deepStrictEqual(
            { aws: await roleTags(now, "aws", { team: "platform" }), awsNative: await roleTags(now, "aws-native") },
            { aws: { team: "platform" }, awsNative: undefined },
        );
    });

    it("refuses the tag in the role's own tags, and a 50th tag that would leave it no room", () => {
        const fifty = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`t${i}`, "v"]));
        assert.throws(() => new RevocableRole("x", { ...args, tags: { "Revocable-Roles:Revoked-Until": "2099-01-01T00:00:00Z" } }), {
            message:
                'role "ci-deployer": tags: "Revocable-Roles:Revoked-Until" is set by the component while the role\'s revocation is in force (the organization\'s lock reads it); remove it',
        });
        assert.throws(() => new RevocableRole("y", { ...args, tags: fifty }), {
            message: `role "ci-deployer": tags: has 50 tags; keep one of IAM's 50 free for revocable-roles:revoked-until, which the role carries while it is revoked`,
        });
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

/**
 * RevocableRole across renders: what a change of its arguments changes or replaces, and what the
 * clock changes while a revocation is in force (the protection of the role and its revocation, the
 * revoked-until tag the organization's lock reads).
 */
import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { RevocableRole, RevocableRoleArgs } from "../components";
import { runOffline, Registration } from "../plan/recorder";
import { toPlan } from "../plan/run";
import { footprint } from "../plan/model";
import { byName, doc, promiseOf, register, shape } from "./helpers";
import { args, revocationDocument } from "./revocableRoleHarness";

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

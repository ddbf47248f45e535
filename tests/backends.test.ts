/**
 * A backend is one entry of the registry (backends/index.ts): a backend registered by this test,
 * with resource types, classes, input names and invokes of its own, is registered by the
 * component, answered by the offline recorder, read back by the plan's view of its roles, and
 * compared by the footprint that decides replacements, with nothing else added anywhere.
 */
import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { BackendDescription, REPLACING_INPUTS, backendOfType, registerBackend } from "../backends";
import { documentOf } from "../backends/documents";
import { StackConfigRole } from "../components/stackConfigRole";
import { Backend, modelOfValidRole } from "../iam/role";
import { footprint } from "../plan/model";
import { deployedRoles } from "../plan/deployment";
import { toPlan } from "../plan/run";
import { register } from "./helpers";

const TYPES = { role: "test:identity:Role", policy: "test:identity:RolePolicy" };

/** A provider's resource class of a given type token, whose every input is also an output. */
function resourceClass(type: string) {
    return class extends pulumi.CustomResource {
        constructor(name: string, args: Record<string, unknown>, opts?: pulumi.CustomResourceOptions) {
            super(type, name, { ...args, arn: undefined }, opts);
        }
    };
}

const TestRole = resourceClass(TYPES.role);
const TestRolePolicy = resourceClass(TYPES.policy);

/** The test's backend: every field its own, every document JSON text. */
const testBackend: BackendDescription = {
    name: "test-identity" as Backend,
    types: TYPES,
    replacing: { [TYPES.role]: ["label"], [TYPES.policy]: ["owner", "label"] },
    managedOnRole: true,
    documentsAsObjects: false,
    resources: () => ({ Role: TestRole as never, RolePolicy: TestRolePolicy as never }),
    roleNameOutput: (role) => (role as unknown as { label: pulumi.Output<string> }).label,
    account: (needs, opts) =>
        pulumi
            .output(pulumi.runtime.invoke("test:identity:whoAmI", {}, opts))
            .apply((r) => ({ partition: String(r.part), accountId: needs.accountId ? String(r.acct) : "" })),
    invokes: { "test:identity:whoAmI": { part: "aws-cn", acct: "999999999999" } },
    roleInputs: (model, lift, trust) => ({ label: model.roleName, folder: model.path, trustDoc: trust, notes: lift((m) => m.description) }),
    policyInputs: (roleName, policyName, document) => ({ owner: roleName, label: policyName, body: document }),
    read: {
        roleName: (inputs) => String(inputs.label),
        rolePath: (inputs) => String(inputs.folder ?? "/"),
        trust: (inputs) => documentOf(inputs.trustDoc),
        tags: () => ({}),
        managedOnRole: () => [],
        policyName: (inputs) => String(inputs.label),
        policyRole: (inputs) => String(inputs.owner),
        policyDocument: (inputs) => documentOf(inputs.body),
        attachmentArn: () => {
            throw new Error("the test backend has no attachments");
        },
    },
};

describe("a backend is one registry entry", function () {
    this.timeout(30_000);
    before(() => registerBackend(testBackend));

    const model = (revokeBefore?: string) => ({
        ...modelOfValidRole("ci", {
            roleName: "ci-deployer",
            trust: { accounts: ["111111111111"] },
            inlinePolicies: {
                deploy: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["s3:GetObject"], Resource: ["*"] }] },
            },
            ...(revokeBefore === undefined ? {} : { revokeBefore }),
        }),
        backend: testBackend.name,
    });

    const planOf = async (revokeBefore?: string) => {
        const now = new Date("2026-11-27T12:00:00Z");
        const registrations = await register(() => new StackConfigRole("ci", model(revokeBefore), { now }), "test", now);
        return toPlan("revocable-roles", "test", registrations);
    };

    it("registers the entry's resources with its inputs, asking the account through its invoke, answered offline", async () => {
        const plan = await planOf("2026-11-27T10:00:00Z");
        assert.deepStrictEqual(
            plan.resources.map((r) => [r.type, r.name]),
            [
                ["revocable-roles:index:RevocableRole", "ci"],
                [TYPES.role, "ci-role"],
                [TYPES.policy, "ci-policy-deploy"],
                [TYPES.policy, "ci-revocation"],
            ],
        );
        const role = plan.resources.find((r) => r.type === TYPES.role)!;
        assert.deepStrictEqual(
            {
                label: role.inputs.label,
                folder: role.inputs.folder,
                principal: JSON.parse(String(role.inputs.trustDoc)).Statement[0].Principal,
            },
            { label: "ci-deployer", folder: "/", principal: { AWS: ["arn:aws-cn:iam::111111111111:root"] } },
        );
        assert.strictEqual(plan.resources.find((r) => r.name === "ci-revocation")!.inputs.owner, "ci-deployer");
    });

    it("is read back by the plan's view of its roles: the name, path, trust, policies and revocation", async () => {
        const [role] = deployedRoles(await planOf("2026-11-27T10:00:00Z"));
        assert.deepStrictEqual(
            {
                backend: role.backend,
                physicalName: role.physicalName,
                path: role.path,
                inline: role.inlinePolicyNames,
                cutoff: role.revocation?.cutoff.toString(),
                protect: role.revocation?.resource.protect,
            },
            {
                backend: "test-identity",
                physicalName: "ci-deployer",
                path: "/",
                inline: ["deploy"],
                cutoff: "2026-11-27T10:00:00Z",
                protect: true,
            },
        );
        assert.strictEqual(backendOfType(TYPES.policy), testBackend);
    });

    it("replaces what its replacing inputs say: a new label replaces the role and the policy that names it, a new description replaces nothing", async () => {
        const before = await planOf();
        const renamed = structuredClone(before);
        const role = renamed.resources.find((r) => r.type === TYPES.role)!;
        role.inputs = { ...role.inputs, label: "ci-deployer-2" };
        const described = structuredClone(before);
        const same = described.resources.find((r) => r.type === TYPES.role)!;
        same.inputs = { ...same.inputs, notes: "new words" };
        assert.deepStrictEqual(
            {
                replacing: REPLACING_INPUTS[TYPES.role],
                renamed: footprint(before, renamed).replaced,
                described: footprint(before, described).replaced,
            },
            { replacing: ["label"], renamed: [role.urn, renamed.resources.find((r) => r.name === "ci-policy-deploy")!.urn], described: [] },
        );
    });
});

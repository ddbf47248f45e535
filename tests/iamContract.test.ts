/**
 * The IAM API accepts what we render: every role of the dev stack's offline plan is created
 * through the IAM API exactly as the AWS provider would, and read back unchanged.
 */
import * as assert from "assert";
import {
    AttachRolePolicyCommand,
    CreatePolicyCommand,
    CreateRoleCommand,
    GetPolicyCommand,
    GetPolicyVersionCommand,
    GetRoleCommand,
    GetRolePolicyCommand,
    ListAttachedRolePoliciesCommand,
    ListRolePoliciesCommand,
    PutRolePolicyCommand,
} from "@aws-sdk/client-iam";
import { Plan, PlannedResource } from "../plan/model";
import { DEV_STACK, plan as planText } from "./helpers";
import { MOTO_INSTALL_HINT, Moto, startMoto } from "./moto";
import { decodePolicyDocument } from "../iam/policy";
import { assumeRolePatterns, managedPolicyCatalog, policyFacts } from "../iam/managedPolicies";

describe("the IAM API contract (moto_server)", function () {
    this.timeout(60_000);
    let moto: Moto | undefined;
    let plan: Plan;
    let roles: PlannedResource[];
    const of = (type: string, role: PlannedResource) => plan.resources.filter((r) => r.type === type && r.parent === role.parent);

    before(async function () {
        // An account of its own on the shared server: the emergency suite creates roles of the same names in the default one.
        moto = await startMoto("210987654321");
        if (moto === undefined) {
            console.log(`      skipped: ${MOTO_INSTALL_HINT}`);
            this.skip();
        }
        plan = await planText(DEV_STACK, "dev");
        roles = plan.resources.filter((r) => r.type === "aws:iam/role:Role");
        assert.strictEqual(roles.length, 4);
        const iam = moto!.client;
        for (const role of roles) {
            const i = role.inputs as Record<string, string | number | Record<string, string> | undefined>;
            await iam.send(
                new CreateRoleCommand({
                    RoleName: String(i.name),
                    Path: String(i.path),
                    AssumeRolePolicyDocument: String(i.assumeRolePolicy),
                    Description: i.description as string | undefined,
                    MaxSessionDuration: Number(i.maxSessionDuration),
                    PermissionsBoundary: i.permissionsBoundary as string | undefined,
                    Tags: Object.entries((i.tags ?? {}) as Record<string, string>).map(([Key, Value]) => ({ Key, Value })),
                }),
            );
            for (const policy of of("aws:iam/rolePolicy:RolePolicy", role)) {
                await iam.send(
                    new PutRolePolicyCommand({
                        RoleName: String(policy.inputs.role),
                        PolicyName: String(policy.inputs.name),
                        PolicyDocument: String(policy.inputs.policy),
                    }),
                );
            }
            for (const attachment of of("aws:iam/rolePolicyAttachment:RolePolicyAttachment", role)) {
                const arn = String(attachment.inputs.policyArn);
                if (!arn.includes(":iam::aws:policy/")) {
                    const name = arn.split("/").pop()!;
                    await iam.send(
                        new CreatePolicyCommand({
                            PolicyName: name,
                            PolicyDocument: JSON.stringify({
                                Version: "2012-10-17",
                                Statement: [{ Effect: "Allow", Action: "s3:ListAllMyBuckets", Resource: "*" }],
                            }),
                        }),
                    );
                }
                await iam.send(new AttachRolePolicyCommand({ RoleName: String(attachment.inputs.role), PolicyArn: arn }));
            }
        }
    });

    after(async () => {
        await moto?.stop();
    });

    it("reads every trust policy back exactly as sent", async () => {
        for (const role of roles) {
            const got = await moto!.client.send(new GetRoleCommand({ RoleName: String(role.inputs.name) }));
            assert.deepStrictEqual(
                decodePolicyDocument(got.Role?.AssumeRolePolicyDocument ?? ""),
                JSON.parse(String(role.inputs.assumeRolePolicy)),
            );
            assert.strictEqual(got.Role?.Path, role.inputs.path);
            assert.strictEqual(got.Role?.MaxSessionDuration, role.inputs.maxSessionDuration);
        }
    });

    it("reads every inline policy and the revocation back exactly as sent, and no other", async () => {
        let count = 0;
        for (const role of roles) {
            const policies = of("aws:iam/rolePolicy:RolePolicy", role);
            const listed = await moto!.client.send(new ListRolePoliciesCommand({ RoleName: String(role.inputs.name) }));
            assert.deepStrictEqual([...(listed.PolicyNames ?? [])].sort(), policies.map((p) => String(p.inputs.name)).sort());
            for (const policy of policies) {
                const got = await moto!.client.send(
                    new GetRolePolicyCommand({ RoleName: String(policy.inputs.role), PolicyName: String(policy.inputs.name) }),
                );
                assert.deepStrictEqual(decodePolicyDocument(got.PolicyDocument ?? ""), JSON.parse(String(policy.inputs.policy)));
                count++;
            }
        }
        assert.strictEqual(count, 3);
    });

    it("carries the AWS-managed policy documents the containment catalog was built from", async () => {
        const sample = [
            "AdministratorAccess",
            "PowerUserAccess",
            "ReadOnlyAccess",
            "SecurityAudit",
            "AmazonSSMManagedInstanceCore",
            "CloudWatchAgentServerPolicy",
            "AWSServiceRoleForImageBuilder",
            "CloudWatch-CrossAccountAccess",
            "IAMFullAccess",
        ];
        const catalog = managedPolicyCatalog().policies;
        for (const name of sample) {
            const arn = ["AWSServiceRoleForImageBuilder", "CloudWatch-CrossAccountAccess"].includes(name)
                ? `arn:aws:iam::aws:policy/aws-service-role/${name}`
                : `arn:aws:iam::aws:policy/${name}`;
            const policy = await moto!.client.send(new GetPolicyCommand({ PolicyArn: arn }));
            const version = await moto!.client.send(
                new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: policy.Policy?.DefaultVersionId }),
            );
            assert.deepStrictEqual(policyFacts(policy.Policy!.Path!, version.PolicyVersion?.Document ?? ""), catalog[name], name);
        }
        assert.deepStrictEqual(
            sample.map((name) => [catalog[name].path, assumeRolePatterns(catalog[name]).length > 0, catalog[name].rights.length]),
            [
                ["/", true, 1],
                ["/", true, 1],
                ["/", false, 0],
                ["/", false, 0],
                ["/", false, 0],
                ["/", false, 0],
                ["/aws-service-role/", true, 2],
                ["/aws-service-role/", true, 1],
                ["/", false, 1],
            ],
        );
    });

    it("attaches exactly the managed policies of each role", async () => {
        for (const role of roles) {
            const got = await moto!.client.send(new ListAttachedRolePoliciesCommand({ RoleName: String(role.inputs.name) }));
            assert.deepStrictEqual(
                (got.AttachedPolicies ?? []).map((p) => p.PolicyArn).sort(),
                of("aws:iam/rolePolicyAttachment:RolePolicyAttachment", role)
                    .map((a) => a.inputs.policyArn)
                    .sort(),
            );
        }
    });
});

/**
 * `@pulumi/aws` (the Terraform-based provider): a role, one `RolePolicy` per inline policy and one
 * `RolePolicyAttachment` per managed policy, none owned exclusively by the role, and an
 * `InstanceProfile` where the role has one. Replacing inputs are Terraform's ForceNew fields:
 * aws_iam_role's name, name_prefix and path; the policy's and the attachment's role and name or
 * ARN; the instance profile's name, name_prefix and path (its role is updated in place).
 */
import type * as pulumi from "@pulumi/pulumi";
import type { BackendDescription } from ".";
import { PLACEHOLDER_ACCOUNT, PLACEHOLDER_PARTITION } from "../iam/trust";
import { documentOf } from "./documents";

// The provider's modules one by one, when a program first needs them: the same classes, a tenth of
// the type declarations to load; and none at all for the offline readers of plans.
/* eslint-disable @typescript-eslint/no-require-imports -- loaded on first use */
const iam = () => require("@pulumi/aws/iam") as typeof import("@pulumi/aws/iam");
const invokes = () => ({
    ...(require("@pulumi/aws/getCallerIdentity") as typeof import("@pulumi/aws/getCallerIdentity")),
    ...(require("@pulumi/aws/getPartition") as typeof import("@pulumi/aws/getPartition")),
});
const pulumiSdk = () => require("@pulumi/pulumi") as typeof import("@pulumi/pulumi");
/* eslint-enable @typescript-eslint/no-require-imports */

const TYPES = {
    role: "aws:iam/role:Role",
    policy: "aws:iam/rolePolicy:RolePolicy",
    attachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    instanceProfile: "aws:iam/instanceProfile:InstanceProfile",
};

export const aws: BackendDescription = {
    name: "aws",
    types: TYPES,
    replacing: {
        [TYPES.role]: ["name", "namePrefix", "path"],
        [TYPES.policy]: ["name", "namePrefix", "role"],
        [TYPES.attachment]: ["role", "policyArn"],
        [TYPES.instanceProfile]: ["name", "namePrefix", "path"],
    },
    managedOnRole: false,
    documentsAsObjects: false,
    roleInputs: (model, lift, trust) => ({
        name: model.roleName,
        path: model.path,
        description: lift((m) => m.description),
        maxSessionDuration: model.maxSessionDuration,
        permissionsBoundary: lift((m) => m.permissionsBoundary),
        tags: lift((m) => m.tags),
        assumeRolePolicy: trust,
        // A role removed from config must really be deletable, even with a hand-made policy on it.
        forceDetachPolicies: true,
    }),
    resources: () => ({
        Role: iam().Role,
        RolePolicy: iam().RolePolicy,
        Attachment: iam().RolePolicyAttachment,
        InstanceProfile: iam().InstanceProfile,
    }),
    roleNameOutput: (role) => (role as InstanceType<ReturnType<typeof iam>["Role"]>).name,
    account: (needs, opts) => {
        const { getCallerIdentityOutput, getPartitionOutput } = invokes();
        // The partition is asked first, as the component always asked it.
        const partition = getPartitionOutput({}, opts).partition;
        const accountId: pulumi.Input<string> = needs.accountId ? getCallerIdentityOutput({}, opts).accountId : "";
        return pulumiSdk()
            .all([partition, accountId])
            .apply(([partition, id]) => ({ partition, accountId: id }));
    },
    invokes: {
        "aws:index/getCallerIdentity:getCallerIdentity": {
            accountId: PLACEHOLDER_ACCOUNT,
            arn: `arn:aws:iam::${PLACEHOLDER_ACCOUNT}:user/offline-plan`,
            userId: "OFFLINEPLAN",
            id: PLACEHOLDER_ACCOUNT,
        },
        "aws:index/getPartition:getPartition": {
            partition: PLACEHOLDER_PARTITION,
            dnsSuffix: "amazonaws.com",
            reverseDnsSuffix: "com.amazonaws",
            id: PLACEHOLDER_PARTITION,
        },
    },
    policyInputs: (roleName, policyName, document) => ({ role: roleName, name: policyName, policy: document }),
    attachmentInputs: (roleName, policyArn) => ({ role: roleName, policyArn }),
    instanceProfileInputs: (roleName, model) => ({ name: model.instanceProfile!.name, path: model.path, role: roleName }),
    read: {
        roleName: (inputs) => String(inputs.name),
        rolePath: (inputs) => String(inputs.path ?? "/"),
        trust: (inputs) => documentOf(inputs.assumeRolePolicy),
        tags: (inputs) =>
            typeof inputs.tags === "object" && inputs.tags !== null
                ? Object.fromEntries(Object.entries(inputs.tags).map(([key, value]) => [key, String(value)]))
                : {},
        managedOnRole: () => [],
        policyName: (inputs) => String(inputs.name),
        policyRole: (inputs) => String(inputs.role),
        policyDocument: (inputs) => documentOf(inputs.policy),
        attachmentArn: (inputs) => String(inputs.policyArn),
        instanceProfileName: (inputs) => String(inputs.name),
        instanceProfileRole: (inputs) => String(inputs.role),
    },
};

/**
 * `@pulumi/aws-native` (Cloud Control): a role, one `RolePolicy` per inline policy, and an
 * `InstanceProfile` where the role has one. CloudFormation has no attachment resource, so managed
 * policy ARNs sit on the role, sorted so that order never matters. Replacing inputs are
 * CloudFormation's create-only properties: AWS::IAM::Role's RoleName and Path,
 * AWS::IAM::RolePolicy's RoleName and PolicyName, AWS::IAM::InstanceProfile's InstanceProfileName
 * and Path (its Roles are updated in place). Documents are objects, tags a list.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { BackendDescription } from ".";
import { PLACEHOLDER_ACCOUNT, PLACEHOLDER_PARTITION } from "../iam/trust";
import { documentOf } from "./documents";

// The provider's modules when a program first needs them; none at all for the offline readers of plans.
/* eslint-disable @typescript-eslint/no-require-imports -- loaded on first use */
const iam = () => require("@pulumi/aws-native/iam") as typeof import("@pulumi/aws-native/iam");
const invokes = () => ({
    ...(require("@pulumi/aws-native/getAccountId") as typeof import("@pulumi/aws-native/getAccountId")),
    ...(require("@pulumi/aws-native/getPartition") as typeof import("@pulumi/aws-native/getPartition")),
});
const pulumiSdk = () => require("@pulumi/pulumi") as typeof import("@pulumi/pulumi");
/* eslint-enable @typescript-eslint/no-require-imports */

const TYPES = { role: "aws-native:iam:Role", policy: "aws-native:iam:RolePolicy", instanceProfile: "aws-native:iam:InstanceProfile" };

export const awsNative: BackendDescription = {
    name: "aws-native",
    types: TYPES,
    replacing: {
        [TYPES.role]: ["roleName", "path"],
        [TYPES.policy]: ["roleName", "policyName"],
        [TYPES.instanceProfile]: ["instanceProfileName", "path"],
    },
    managedOnRole: true,
    documentsAsObjects: true,
    roleInputs: (model, lift, trust) => ({
        roleName: model.roleName,
        path: model.path,
        description: lift((m) => m.description),
        maxSessionDuration: model.maxSessionDuration,
        permissionsBoundary: lift((m) => m.permissionsBoundary),
        tags: lift((m) => (m.tags === undefined ? undefined : Object.entries(m.tags).map(([key, value]) => ({ key, value })))),
        assumeRolePolicyDocument: trust,
        managedPolicyArns: lift((m) => (m.managed.length > 0 ? m.managed.map((a) => a.arn).sort() : undefined)),
    }),
    // CloudFormation has no attachment resource.
    resources: () => ({ Role: iam().Role, RolePolicy: iam().RolePolicy, InstanceProfile: iam().InstanceProfile }),
    // aws-native types roleName as optional; it is always set here.
    roleNameOutput: (role) => (role as InstanceType<ReturnType<typeof iam>["Role"]>).roleName as pulumi.Output<string>,
    account: (needs, opts) => {
        const { getAccountIdOutput, getPartitionOutput } = invokes();
        // The partition is asked first, as the component always asked it.
        const partition = getPartitionOutput(opts).partition;
        const accountId: pulumi.Input<string> = needs.accountId ? getAccountIdOutput(opts).accountId : "";
        return pulumiSdk()
            .all([partition, accountId])
            .apply(([partition, id]) => ({ partition, accountId: id }));
    },
    invokes: {
        "aws-native:index:getAccountId": { accountId: PLACEHOLDER_ACCOUNT },
        "aws-native:index:getPartition": { partition: PLACEHOLDER_PARTITION, dnsSuffix: "amazonaws.com" },
    },
    policyInputs: (roleName, policyName, document) => ({ roleName, policyName, policyDocument: document }),
    // An instance profile holds at most one role.
    instanceProfileInputs: (roleName, model) => ({ instanceProfileName: model.instanceProfile!.name, path: model.path, roles: [roleName] }),
    read: {
        roleName: (inputs) => String(inputs.roleName),
        rolePath: (inputs) => String(inputs.path ?? "/"),
        trust: (inputs) => documentOf(inputs.assumeRolePolicyDocument),
        tags: (inputs) =>
            Array.isArray(inputs.tags)
                ? Object.fromEntries(
                      (inputs.tags as { key?: unknown; value?: unknown }[]).map((tag) => [String(tag.key), String(tag.value)]),
                  )
                : {},
        managedOnRole: (inputs) => (Array.isArray(inputs.managedPolicyArns) ? inputs.managedPolicyArns.map(String) : []),
        policyName: (inputs) => String(inputs.policyName),
        policyRole: (inputs) => String(inputs.roleName),
        policyDocument: (inputs) => documentOf(inputs.policyDocument),
        attachmentArn: () => {
            throw new Error("aws-native has no attachment resource");
        },
        instanceProfileName: (inputs) => String(inputs.instanceProfileName),
        instanceProfileRole: (inputs) => String((inputs.roles as unknown[] | undefined)?.[0]),
    },
};

/**
 * `@pulumi/aws` (the Terraform-based provider): a role, one `RolePolicy` per inline policy and one
 * `RolePolicyAttachment` per managed policy, none owned exclusively by the role. Replacing inputs
 * are Terraform's ForceNew fields: aws_iam_role's name, name_prefix and path; the policy's and the
 * attachment's role and name or ARN.
 */
import type { BackendDescription } from ".";
import { documentOf } from "./documents";

const TYPES = {
    role: "aws:iam/role:Role",
    policy: "aws:iam/rolePolicy:RolePolicy",
    attachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
};

export const aws: BackendDescription = {
    name: "aws",
    types: TYPES,
    replacing: {
        [TYPES.role]: ["name", "namePrefix", "path"],
        [TYPES.policy]: ["name", "namePrefix", "role"],
        [TYPES.attachment]: ["role", "policyArn"],
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
    policyInputs: (roleName, policyName, document) => ({ role: roleName, name: policyName, policy: document }),
    attachmentInputs: (roleName, policyArn) => ({ role: roleName, policyArn }),
    read: {
        roleName: (inputs) => String(inputs.name),
        rolePath: (inputs) => String(inputs.path ?? "/"),
        trust: (inputs) => documentOf(inputs.assumeRolePolicy),
        managedOnRole: () => [],
        policyName: (inputs) => String(inputs.name),
        policyRole: (inputs) => String(inputs.role),
        policyDocument: (inputs) => documentOf(inputs.policy),
        attachmentArn: (inputs) => String(inputs.policyArn),
    },
};

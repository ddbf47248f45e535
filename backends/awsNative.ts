/**
 * `@pulumi/aws-native` (Cloud Control): a role and one `RolePolicy` per inline policy. CloudFormation
 * has no attachment resource, so managed policy ARNs sit on the role, sorted so that order never
 * matters. Replacing inputs are CloudFormation's create-only properties: AWS::IAM::Role's RoleName
 * and Path, AWS::IAM::RolePolicy's RoleName and PolicyName. Documents are objects, tags a list.
 */
import type { BackendDescription } from ".";
import { documentOf } from "./documents";

const TYPES = { role: "aws-native:iam:Role", policy: "aws-native:iam:RolePolicy" };

export const awsNative: BackendDescription = {
    name: "aws-native",
    types: TYPES,
    replacing: {
        [TYPES.role]: ["roleName", "path"],
        [TYPES.policy]: ["roleName", "policyName"],
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
    policyInputs: (roleName, policyName, document) => ({ roleName, policyName, policyDocument: document }),
    read: {
        roleName: (inputs) => String(inputs.roleName),
        rolePath: (inputs) => String(inputs.path ?? "/"),
        trust: (inputs) => documentOf(inputs.assumeRolePolicyDocument),
        managedOnRole: (inputs) => (Array.isArray(inputs.managedPolicyArns) ? inputs.managedPolicyArns.map(String) : []),
        policyName: (inputs) => String(inputs.policyName),
        policyRole: (inputs) => String(inputs.roleName),
        policyDocument: (inputs) => documentOf(inputs.policyDocument),
        attachmentArn: () => {
            throw new Error("aws-native has no attachment resource");
        },
    },
};

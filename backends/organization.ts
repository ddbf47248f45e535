/**
 * The organization layer's resources in `@pulumi/aws`: a service control policy and its
 * attachments. Replacing inputs are Terraform's ForceNew fields: the policy's type, and the
 * attachment's policy and target.
 */
export const ORGANIZATION_TYPES = {
    policy: "aws:organizations/policy:Policy",
    attachment: "aws:organizations/policyAttachment:PolicyAttachment",
} as const;

export const ORGANIZATION_REPLACING: Readonly<Record<string, readonly string[]>> = {
    [ORGANIZATION_TYPES.policy]: ["type"],
    [ORGANIZATION_TYPES.attachment]: ["policyId", "targetId"],
};

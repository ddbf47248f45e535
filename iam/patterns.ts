/** The forms IAM gives names and ARNs, as regular expressions the rules and the JSON Schema share. */

/** A partition: aws, aws-cn, aws-us-gov, ... */
export const PARTITION: string = "aws(?:-[a-z]+)*";
/** The characters IAM allows in role and policy names. */
export const NAME_CHARS: string = "[A-Za-z0-9+=,.@_-]";
/** A role name: 1 to 64 IAM name characters. */
export const ROLE_NAME: RegExp = new RegExp(`^${NAME_CHARS}{1,64}$`);
/** An instance profile name: 1 to 128 IAM name characters. */
export const INSTANCE_PROFILE_NAME: RegExp = new RegExp(`^${NAME_CHARS}{1,128}$`);
/** An inline policy name: 1 to 128 IAM name characters. */
export const POLICY_NAME: RegExp = new RegExp(`^${NAME_CHARS}{1,128}$`);
/** A 12-digit AWS account ID. */
export const ACCOUNT: RegExp = /^\d{12}$/;
/** An IAM role or user ARN, or an STS assumed-role session ARN. */
export const PRINCIPAL_ARN: RegExp = new RegExp(
    `^arn:${PARTITION}:(?:iam::\\d{12}:(?:role|user)/(?:[\\x21-\\x7e]+/)?[A-Za-z0-9+=,.@_-]{1,64}|sts::\\d{12}:assumed-role/[A-Za-z0-9+=,.@_-]{1,64}/[A-Za-z0-9+=,.@_-]{2,64})$`,
);
/** An IAM role ARN, with an optional path, without a wildcard (`*` and `?` would be patterns where an ARN is compared with ArnLike). */
export const ROLE_ARN: RegExp = new RegExp(
    `^arn:${PARTITION}:iam::\\d{12}:role/(?:[\\x21-\\x29\\x2b-\\x3e\\x40-\\x7e]+/)?${NAME_CHARS}{1,64}$`,
);
/** A managed policy ARN, AWS-managed or customer-managed. */
export const POLICY_ARN: RegExp = new RegExp(
    `^arn:${PARTITION}:iam::(?:\\d{12}|aws):policy/(?:[\\x21-\\x7e]+/)?[A-Za-z0-9+=,.@_-]{1,128}$`,
);
/** An IAM OIDC identity provider ARN. */
export const OIDC_PROVIDER_ARN: RegExp = new RegExp(`^arn:${PARTITION}:iam::\\d{12}:oidc-provider/[A-Za-z0-9.-]+(?:/[\\x21-\\x7e]+)?$`);
/** An IAM SAML identity provider ARN. */
export const SAML_PROVIDER_ARN: RegExp = new RegExp(`^arn:${PARTITION}:iam::\\d{12}:saml-provider/[A-Za-z0-9._-]{1,128}$`);
/** An AWS service principal such as ec2.amazonaws.com. */
export const SERVICE_PRINCIPAL: RegExp = /^[a-z0-9-]+(?:\.[a-z0-9-]+)*\.amazonaws\.com(?:\.cn)?$/;
/** A GitHub repository entry: `owner/repo`, optionally with a `sub` suffix after a colon. */
export const GITHUB_REPOSITORY: RegExp = /^[A-Za-z0-9_.*?-]+\/[A-Za-z0-9_.*?-]+(?::\S+)?$/;
/** An IAM path: `/`, or `/` + up to 510 printable characters + `/`. */
export const IAM_PATH: RegExp = /^(?:\/|\/[\x21-\x7e]{1,510}\/)$/;
/** An sts:ExternalId: 2 to 1224 characters. */
export const EXTERNAL_ID: RegExp = /^[\w+=,.@:/-]{2,1224}$/;

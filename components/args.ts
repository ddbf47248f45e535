/**
 * The component's arguments, in TypeScript and, through the package schema inferred from these
 * interfaces and their comments, in every Pulumi language. Values another resource may provide are
 * `pulumi.Input`s; everything that decides which resources exist, or what they are called, is plain.
 */
import * as pulumi from "@pulumi/pulumi";
import { AccountContext } from "../iam/trust";
import { Backend } from "../iam/role";

/** Trust for GitHub Actions through the account's OIDC provider for `token.actions.githubusercontent.com`. */
export interface GitHubActionsTrust {
    /**
     * `org/repo` (any ref of that repository) or `org/repo:<sub suffix>` such as
     * `acme/infra:ref:refs/heads/main` or `acme/infra:environment:prod`. `*` and `?` are wildcards.
     * At least one is required: without a `sub` condition every repository on GitHub could assume the role.
     */
    repositories: string[];
    /**
     * The OIDC provider's ARN; may be an Input (an `aws.iam.OpenIdConnectProvider`'s `arn`).
     * Default: the deploying account's provider,
     * `arn:<partition>:iam::<account>:oidc-provider/token.actions.githubusercontent.com`.
     */
    providerArn?: pulumi.Input<string>;
    /** The `aud` claim the workflow requests. Default: `sts.amazonaws.com`. */
    audience?: string;
}

/** Trust for any other OIDC identity provider. */
export interface OidcTrust {
    /** The IAM OIDC provider's ARN; may be an Input. */
    providerArn: pulumi.Input<string>;
    /**
     * Conditions on the provider's claims, in IAM's shape: `{ StringEquals: { "<host>:sub": "..." } }`.
     * Required. Each value may be an Input.
     */
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a JSON value or an Input of one, checked at run time
    conditions: { [operator: string]: { [key: string]: any } };
}

/** Trust for a SAML identity provider (console or CLI federation). */
export interface SamlTrust {
    /** The IAM SAML provider's ARN; may be an Input. */
    providerArn: pulumi.Input<string>;
}

/** Who may assume the role. Each principal kind becomes one statement of the trust policy. */
export interface TrustArgs {
    /**
     * 12-digit AWS account IDs whose IAM principals may assume the role (subject to their own
     * permissions); each may be an Input. Example: `["111122223333"]`.
     */
    accounts?: pulumi.Input<string>[];
    /** ARNs of IAM roles or users that may assume the role; each may be an Input (another role's `arn`). */
    principals?: pulumi.Input<string>[];
    /** Service principals. Example: `["ec2.amazonaws.com"]`. */
    services?: string[];
    /** GitHub Actions workflows, through OIDC. */
    githubActions?: GitHubActionsTrust;
    /** Another OIDC identity provider. */
    oidc?: OidcTrust;
    /** A SAML identity provider. */
    saml?: SamlTrust;
    /** The `sts:ExternalId` that `accounts` and `principals` (third parties) must pass; may be an Input. Default: none required. */
    externalId?: pulumi.Input<string>;
    /** Require MFA from `accounts` and `principals`. Default: `false`. */
    requireMfa?: boolean;
    /** With `requireMfa`, the maximum age of the MFA authentication in seconds. Default: no maximum. Example: `900`. */
    mfaMaxAgeSeconds?: number;
    /**
     * Raw AWS trust statements as JSON, appended as written and validated when the program runs:
     * the escape hatch. Plain values only.
     */
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- raw JSON statements, validated at run time
    statements?: any[];
}

/**
 * One statement of an inline policy, in AWS's own JSON shape (`Action: ["s3:GetObject"]`).
 * Lists are always lists here; the stack config also accepts a single string.
 */
export interface PolicyStatementArgs {
    /** A statement ID of letters and digits. */
    Sid?: string;
    /** `"Allow"` or `"Deny"`. */
    Effect: string;
    /** Actions such as `s3:GetObject`; `*` and `?` are wildcards. Exactly one of Action and NotAction. */
    Action?: string[];
    /** Every action except these. */
    NotAction?: string[];
    /** Resource ARNs; each element may be an Input, such as ``pulumi.interpolate`${bucket.arn}/*` ``. */
    Resource?: pulumi.Input<string>[];
    /** Every resource except these; each element may be an Input. */
    NotResource?: pulumi.Input<string>[];
    /**
     * Conditions: `{ "<operator>": { "<key>": value } }`. A value is a string, number, boolean or a
     * list of them, and may be an Input.
     */
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a JSON value or an Input of one, checked at run time
    Condition?: { [operator: string]: { [key: string]: any } };
}

/** An inline policy document in AWS's JSON shape. */
export interface PolicyDocumentArgs {
    /** Always `"2012-10-17"`. */
    Version: string;
    /** An optional document ID. */
    Id?: string;
    /** At least one statement. */
    Statement: PolicyStatementArgs[];
}

/** The arguments of a {@link RevocableRole}. Fields that decide which resources exist, or what they are called, are plain values. */
export interface RevocableRoleArgs {
    /** The physical IAM role name, never auto-suffixed. Plain. Default: the component's name. Example: `ci-deployer`. */
    roleName?: string;
    /** The IAM path; changing it replaces the role. Plain. Default: `/`. Example: `/emergency/`. */
    path?: string;
    /** A description shown in the IAM console; may be an Input. */
    description?: pulumi.Input<string>;
    /** The longest session, in seconds, from 3600 to 43200. Default: `3600`. */
    maxSessionDuration?: number;
    /** The ARN of a managed policy that bounds the role's permissions; may be an Input. */
    permissionsBoundary?: pulumi.Input<string>;
    /** Tags on the role; each value may be an Input. Keys may not start with `aws:`. */
    tags?: { [key: string]: pulumi.Input<string> };
    /** Who may assume the role. At least one principal is required. */
    trust: TrustArgs;
    /**
     * Managed policy ARNs known when the program runs, each its own attachment, named by a hash of
     * the ARN. Plain. At most 20 with `managedPolicies`. Example: `["arn:aws:iam::aws:policy/ReadOnlyAccess"]`.
     */
    managedPolicyArns?: string[];
    /**
     * Managed policies whose ARN may come from another resource (an Input), each its own
     * attachment named by its key (plain, stable under reordering). Example, in TypeScript:
     * `{ audit: auditPolicy.arn }`.
     */
    managedPolicies?: { [key: string]: pulumi.Input<string> };
    /**
     * Inline policies by name (plain), each its own resource; documents may hold Inputs in
     * Resource, NotResource and condition values. The names `RevokeOlderSessions` and
     * `AWSRevokeOlderSessions` are reserved, in any case.
     */
    inlinePolicies?: { [name: string]: PolicyDocumentArgs };
    /**
     * Deny every session issued before this instant: an ISO-8601 timestamp with an explicit zone,
     * at most 5 minutes in the future, rendered in whole seconds rounded up. Plain. Default: not
     * revoked. Example: `2026-11-27T10:15:00Z`.
     */
    revokeBefore?: string;
    /**
     * Give the role an instance profile, which hands it to EC2 instances; its path is the role's,
     * and the role must trust `ec2.amazonaws.com`. Plain. Default: `false`.
     */
    instanceProfile?: boolean;
    /**
     * The instance profile's physical name (1 to 128 characters of `A-Za-z0-9+=,.@_-`), with
     * `instanceProfile: true`. Plain. Default: the role's name.
     */
    instanceProfileName?: string;
    /** The provider package whose resources are registered: `aws` or `aws-native`. Plain. Default: `aws`. */
    backend?: Backend;
    /**
     * The deploying account's partition and ID, for the shortcuts that need them (accounts,
     * GitHub Actions without `providerArn`). Not validated; may be an Input. Default: asked from the
     * provider (`getPartition`, `getCallerIdentity`) by each component that needs it.
     */
    account?: pulumi.Input<AccountContext>;
}

/**
 * Trust policies from typed shortcuts. Principals are a small closed set, each knowing its
 * assume action and its conditions; every kind renders to exactly one statement.
 */
import * as pulumi from "@pulumi/pulumi";
import { ConditionBlock, POLICY_VERSION, PolicyDocument, PolicyStatement } from "./policy";

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

/** A trust with every value known: what the renderer reads. */
export interface KnownTrust {
    accounts?: string[];
    principals?: string[];
    services?: string[];
    githubActions?: { repositories: string[]; providerArn?: string; audience?: string };
    oidc?: { providerArn: string; conditions: ConditionBlock };
    saml?: { providerArn: string };
    externalId?: string;
    requireMfa?: boolean;
    mfaMaxAgeSeconds?: number;
    statements?: PolicyStatement[];
}

/** The deploying account, which some shortcuts need. */
export interface AccountContext {
    /** The AWS partition: `aws`, `aws-cn` or `aws-us-gov`. */
    partition: string;
    /** The 12-digit account ID. */
    accountId: string;
}

/** What a trust needs to know about the deploying account before it can be rendered. */
export function contextNeeded(trust: TrustArgs | KnownTrust): { partition: boolean; accountId: boolean } {
    const defaultGitHubProvider = trust.githubActions !== undefined && trust.githubActions.providerArn === undefined;
    return {
        partition: (trust.accounts?.length ?? 0) > 0 || defaultGitHubProvider,
        accountId: defaultGitHubProvider,
    };
}

/** The OIDC provider host GitHub Actions tokens come from. */
export const GITHUB_OIDC_HOST = "token.actions.githubusercontent.com";

/** The GitHub `sub` claim pattern for a repository entry. */
export function githubSubject(repository: string): string {
    return repository.includes(":") ? `repo:${repository}` : `repo:${repository}:*`;
}

function hasWildcard(value: string): boolean {
    return /[*?]/.test(value);
}

/** SAML's audience is the sign-in endpoint of the provider's partition. */
export function samlAudience(providerArn: string): string {
    const partition = providerArn.split(":")[1];
    switch (partition) {
        case "aws-cn":
            return "https://signin.amazonaws.cn/saml";
        case "aws-us-gov":
            return "https://signin.amazonaws-us-gov.com/saml";
        default:
            return "https://signin.aws.amazon.com/saml";
    }
}

function humanConditions(trust: KnownTrust): ConditionBlock | undefined {
    const condition: ConditionBlock = {};
    if (trust.externalId !== undefined) {
        condition.StringEquals = { "sts:ExternalId": trust.externalId };
    }
    if (trust.requireMfa === true) {
        condition.Bool = { "aws:MultiFactorAuthPresent": "true" };
        if (trust.mfaMaxAgeSeconds !== undefined) {
            condition.NumericLessThan = { "aws:MultiFactorAuthAge": String(trust.mfaMaxAgeSeconds) };
        }
    }
    return Object.keys(condition).length > 0 ? condition : undefined;
}

function statement(sid: string, principal: PolicyStatement["Principal"], action: string, condition?: ConditionBlock): PolicyStatement {
    return condition === undefined
        ? { Sid: sid, Effect: "Allow", Principal: principal, Action: action }
        : { Sid: sid, Effect: "Allow", Principal: principal, Action: action, Condition: condition };
}

function githubStatement(github: NonNullable<KnownTrust["githubActions"]>, context: AccountContext | undefined): PolicyStatement {
    const providerArn =
        github.providerArn ?? `arn:${need(context).partition}:iam::${need(context).accountId}:oidc-provider/${GITHUB_OIDC_HOST}`;
    const subjects = github.repositories.map(githubSubject);
    const aud = { [`${GITHUB_OIDC_HOST}:aud`]: github.audience ?? "sts.amazonaws.com" };
    const sub = { [`${GITHUB_OIDC_HOST}:sub`]: subjects };
    // StringEquals and StringLike on the same key would be ANDed, so all subjects share one operator.
    const condition: ConditionBlock = subjects.some(hasWildcard)
        ? { StringEquals: aud, StringLike: sub }
        : { StringEquals: { ...aud, ...sub } };
    return statement("TrustGitHubActions", { Federated: providerArn }, "sts:AssumeRoleWithWebIdentity", condition);
}

function need(context: AccountContext | undefined): AccountContext {
    if (context === undefined) {
        throw new Error("this trust needs the deploying account's partition and ID (see contextNeeded)");
    }
    return context;
}

/**
 * Renders the trust policy: one statement per principal kind in a fixed order (accounts,
 * principals, services, GitHub Actions, OIDC, SAML), then the raw statements.
 */
export function trustPolicy(trust: KnownTrust, context?: AccountContext): PolicyDocument {
    const statements: PolicyStatement[] = [];
    const human = humanConditions(trust);
    if (trust.accounts !== undefined && trust.accounts.length > 0) {
        const partition = need(context).partition;
        const arns = trust.accounts.map((account) => `arn:${partition}:iam::${account}:root`);
        statements.push(statement("TrustAccounts", { AWS: arns }, "sts:AssumeRole", human));
    }
    if (trust.principals !== undefined && trust.principals.length > 0) {
        statements.push(statement("TrustPrincipals", { AWS: [...trust.principals] }, "sts:AssumeRole", human));
    }
    if (trust.services !== undefined && trust.services.length > 0) {
        statements.push(statement("TrustServices", { Service: [...trust.services] }, "sts:AssumeRole"));
    }
    if (trust.githubActions !== undefined) {
        statements.push(githubStatement(trust.githubActions, context));
    }
    if (trust.oidc !== undefined) {
        statements.push(
            statement("TrustOidc", { Federated: trust.oidc.providerArn }, "sts:AssumeRoleWithWebIdentity", trust.oidc.conditions),
        );
    }
    if (trust.saml !== undefined) {
        const audience = { StringEquals: { "SAML:aud": samlAudience(trust.saml.providerArn) } };
        statements.push(statement("TrustSaml", { Federated: trust.saml.providerArn }, "sts:AssumeRoleWithSAML", audience));
    }
    statements.push(...(trust.statements ?? []));
    return { Version: POLICY_VERSION, Statement: statements };
}

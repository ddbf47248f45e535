/**
 * Trust policies from typed shortcuts. Principals are a small closed set, each knowing its
 * assume action and its conditions; every kind renders to exactly one statement.
 */
import { ConditionBlock, POLICY_VERSION, PolicyDocument, PolicyStatement } from "./policy";

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

/**
 * The one placeholder for the deploying account wherever the stack config does not settle it
 * (`aws:allowedAccountIds` with exactly one account does): offline plans, role ARNs in reports.
 * An all-zero ID, which no AWS account has.
 */
export const PLACEHOLDER_ACCOUNT = "000000000000";
/** The partition offline plans assume where the region does not settle it. */
export const PLACEHOLDER_PARTITION = "aws";

/** The deploying account, which some shortcuts need. */
export interface AccountContext {
    /** The AWS partition: `aws`, `aws-cn` or `aws-us-gov`. */
    partition: string;
    /** The 12-digit account ID. */
    accountId: string;
}

/** What a trust needs to know about the deploying account before it can be rendered. */
export function contextNeeded(trust: KnownTrust): { partition: boolean; accountId: boolean } {
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

function namedPrincipalConditions(trust: KnownTrust): ConditionBlock | undefined {
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
    const principalConditions = namedPrincipalConditions(trust);
    if (trust.accounts !== undefined && trust.accounts.length > 0) {
        const partition = need(context).partition;
        const arns = trust.accounts.map((account) => `arn:${partition}:iam::${account}:root`);
        statements.push(statement("TrustAccounts", { AWS: arns }, "sts:AssumeRole", principalConditions));
    }
    if (trust.principals !== undefined && trust.principals.length > 0) {
        statements.push(statement("TrustPrincipals", { AWS: [...trust.principals] }, "sts:AssumeRole", principalConditions));
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

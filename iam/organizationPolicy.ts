/**
 * Revocation for a whole AWS organization through service control policies: one deny statement
 * per revocation, by role name (any account's role of that name, or a name pattern) or by IAM
 * Identity Center user, packed into as few policies as fit AWS's size limit. Both patterns are
 * AWS's own: `aws:PrincipalArn` with `aws:TokenIssueTime` for roles, and `identitystore:userId`
 * for Identity Center users, whose `AWSReservedSSO_*` roles cannot carry our inline policy.
 *
 * What an SCP cannot reach: the management account, and service-linked roles; an Identity Center
 * session deleted in the console does not end the role sessions it already issued.
 *
 * Pure rendering and reading back: the stack config's `revocable-roles:organization` section
 * (config/organization.ts) decides what is revoked, the program deploys these documents
 * (component/organizationRevocations.ts), and the guard reads them back from plans.
 */
import { PolicyDocument, PolicyStatement, POLICY_VERSION, countedSize } from "./policy";

/** What the organization layer cannot reach, in one sentence for plans, pull requests and docs. */
export const ORGANIZATION_LIMITS =
    "service control policies do not apply to the management account or to service-linked roles, and deleting an Identity Center session in the console does not end the role sessions it already issued";

/** One organization-wide revocation: a role name (or pattern) or an Identity Center user, and its cutoff. */
export type OrganizationRevocation = { roleName: string; revokeBefore: string } | { identityCenterUserId: string; revokeBefore: string };

/** AWS's limit on a service control policy's document, in characters of its minified JSON. */
export const SCP_MAX_CHARACTERS = 5_120;

/** Policies a target (root, OU or account) can hold, and the default share of them for revocations (FullAWSAccess usually takes one). */
export const SCPS_PER_TARGET = 5;
export const DEFAULT_POLICY_BUDGET = 4;

/**
 * The statement of the placeholder policy, attached at all times so that an incident only edits
 * a policy and never has to attach one: it denies sessions issued before 2006, which no session
 * is (AWS STS issued none), and requests without a session carry no aws:TokenIssueTime at all.
 */
export const PLACEHOLDER_STATEMENT: PolicyStatement = {
    Sid: "RevocationPlaceholder",
    Effect: "Deny",
    Action: "*",
    Resource: "*",
    Condition: { DateLessThan: { "aws:TokenIssueTime": "2006-01-01T00:00:00Z" } },
};

/** The deny statement of one revocation; `index` numbers the statement IDs. */
export function revocationStatement(revocation: OrganizationRevocation, index: number): PolicyStatement {
    const before = { "aws:TokenIssueTime": revocation.revokeBefore };
    if ("roleName" in revocation) {
        // A role's ARN carries its path: role/<name> and role/<path>/<name>, in any account and partition.
        const arns = [`arn:*:iam::*:role/${revocation.roleName}`, `arn:*:iam::*:role/*/${revocation.roleName}`];
        return {
            Sid: `RevokeRole${index}`,
            Effect: "Deny",
            Action: "*",
            Resource: "*",
            Condition: { DateLessThan: before, ArnLike: { "aws:PrincipalArn": arns } },
        };
    }
    return {
        Sid: `RevokeIdentityCenterUser${index}`,
        Effect: "Deny",
        Action: "*",
        Resource: "*",
        Condition: { DateLessThan: before, StringEquals: { "identitystore:userId": revocation.identityCenterUserId } },
    };
}

/** A document's size as AWS counts it, never fewer: the UTF-8 bytes of its minified JSON ({@link countedSize}). */
export function scpCharacters(document: PolicyDocument): number {
    return countedSize(document);
}

/**
 * The revocations as service control policies: statements in order, each policy as full as
 * {@link SCP_MAX_CHARACTERS} allows, and always at least one (the placeholder when there is no
 * revocation). Throws when they need more than `budget` policies, naming how many they need.
 */
export function organizationPolicies(revocations: OrganizationRevocation[], budget: number = DEFAULT_POLICY_BUDGET): PolicyDocument[] {
    const statements = revocations.length === 0 ? [PLACEHOLDER_STATEMENT] : revocations.map((r, i) => revocationStatement(r, i));
    const documents: PolicyDocument[] = [];
    let current: PolicyDocument | undefined;
    for (const statement of statements) {
        const grown: PolicyDocument = { Version: POLICY_VERSION, Statement: [...(current?.Statement ?? []), statement] };
        if (current !== undefined && scpCharacters(grown) <= SCP_MAX_CHARACTERS) {
            current.Statement.push(statement);
            continue;
        }
        current = { Version: POLICY_VERSION, Statement: [statement] };
        if (scpCharacters(current) > SCP_MAX_CHARACTERS) {
            throw new Error(`the statement of revocation ${documents.length} alone exceeds ${SCP_MAX_CHARACTERS} characters`);
        }
        documents.push(current);
    }
    if (documents.length > budget) {
        throw new Error(
            `${revocations.length} revocations need ${documents.length} service control policies of at most ${SCP_MAX_CHARACTERS} characters, more than the budget of ${budget} per target (a target holds ${SCPS_PER_TARGET}, FullAWSAccess usually one): remove revocations past their window (cutoff + 13 h), use a name pattern for roles that share a prefix, or raise the budget`,
        );
    }
    return documents;
}

/** What a statement of a revocation policy revokes, read back: its key (see `revocationKey`) and cutoff; undefined for the placeholder and anything else. */
export function revocationOfStatement(statement: PolicyStatement): { key: string; cutoff: string } | undefined {
    const cutoff = statement.Condition?.DateLessThan?.["aws:TokenIssueTime"];
    if (statement.Effect !== "Deny" || typeof cutoff !== "string") return undefined;
    const arns = statement.Condition?.ArnLike?.["aws:PrincipalArn"];
    const first = Array.isArray(arns) ? arns[0] : arns;
    if (typeof first === "string" && first.startsWith("arn:*:iam::*:role/")) {
        return { key: `role ${first.slice("arn:*:iam::*:role/".length)}`, cutoff };
    }
    const user = statement.Condition?.StringEquals?.["identitystore:userId"];
    return typeof user === "string" ? { key: `Identity Center user ${user}`, cutoff } : undefined;
}

/**
 * Revocation for a whole AWS organization through service control policies: one deny statement
 * per revocation, by role name (any account's role of that name, or a name pattern) or by IAM
 * Identity Center user, each in the policy a hash of what it revokes chooses, so that no change
 * moves a revocation in force from one policy to another. Both patterns are
 * AWS's own: `aws:PrincipalArn` with `aws:TokenIssueTime` for roles, and `identitystore:userId`
 * for Identity Center users, whose `AWSReservedSSO_*` roles cannot carry our inline policy.
 *
 * What an SCP cannot reach: the management account, and service-linked roles; an Identity Center
 * session deleted in the console does not end the role sessions it already issued.
 *
 * Pure rendering and reading back: the stack config's `revocable-roles:organization` section
 * (config/organization.ts) decides what is revoked, the program deploys these documents
 * (components/organizationRevocations.ts), and the guard reads them back from plans.
 */
import { createHash } from "crypto";
import { PolicyDocument, PolicyStatement, POLICY_VERSION, REVOKED_UNTIL_TAG, countedSize } from "./policy";
import { Cutoff } from "./cutoff";
import { lockedRoleActions } from "./capabilities";

/** What the organization layer cannot reach, in one sentence for plans, pull requests and docs. */
export const ORGANIZATION_LIMITS =
    "service control policies do not apply to the management account or to service-linked roles, and deleting an Identity Center session in the console does not end the role sessions it already issued";

/** One organization-wide revocation: a role name (or pattern) or an Identity Center user, and its cutoff. */
export type OrganizationRevocation = { roleName: string; revokeBefore: Cutoff } | { identityCenterUserId: string; revokeBefore: Cutoff };

/** AWS's limit on a service control policy's document, in characters of its minified JSON ({@link scpCharacters}). */
export const SCP_MAX_CHARACTERS = 5_120;

/** Policies a target (root, OU or account) can hold. */
export const SCPS_PER_TARGET = 5;

/**
 * The most revocation policies a target can take: every target also needs a policy that allows
 * actions (FullAWSAccess, or the organization's own), since revocation policies only deny.
 */
export const MAX_POLICY_BUDGET: number = SCPS_PER_TARGET - 1;

/** The revocation policies per target by default: every slot a target has beside FullAWSAccess. */
export const DEFAULT_POLICY_BUDGET = 4;

/** The name of the n-th (0-based) revocation policy. */
export function organizationPolicyName(index: number): string {
    return `revocable-roles-revocations-${index + 1}`;
}

/** What a revocation revokes, in words and as its identity across a change: `role ci-deployer`, `Identity Center user 90676d4c3b-…`. */
export function revocationKey(revocation: { roleName?: unknown; identityCenterUserId?: unknown }): string {
    return revocation.roleName !== undefined
        ? `role ${String(revocation.roleName)}`
        : `Identity Center user ${String(revocation.identityCenterUserId)}`;
}

/**
 * The policy (0-based) a revocation belongs in among `budget` policies: the first four bytes of
 * the SHA-256 of its key, modulo the budget. It depends on nothing but the revocation itself, so
 * adding, removing or reordering other revocations never moves it; only a new budget does.
 */
export function policySlot(key: string, budget: number): number {
    return createHash("sha256").update(key).digest().readUInt32BE(0) % budget;
}

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
    const before = { "aws:TokenIssueTime": revocation.revokeBefore.toString() };
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
 * Which revocations each of the `budget` policies holds (indexes into `revocations`), each
 * policy's in the order of their keys: a revocation's policy is its {@link policySlot}.
 */
export function placeRevocations(revocations: OrganizationRevocation[], budget: number): number[][] {
    const slots: number[][] = Array.from({ length: budget }, () => []);
    const keys = revocations.map(revocationKey);
    keys.forEach((key, i) => slots[policySlot(key, budget)].push(i));
    for (const slot of slots) slot.sort((a, b) => (keys[a] < keys[b] ? -1 : keys[a] > keys[b] ? 1 : 0));
    return slots;
}

/**
 * The revocations as `budget` service control policies, every one deployed and attached at all
 * times: each revocation in the policy of its {@link policySlot}, the placeholder in a policy that
 * holds none. Throws when a policy would exceed {@link SCP_MAX_CHARACTERS}, naming it.
 */
export function organizationPolicies(revocations: OrganizationRevocation[], budget: number = DEFAULT_POLICY_BUDGET): PolicyDocument[] {
    return placeRevocations(revocations, budget).map((held, slot) => {
        const statements = held.length === 0 ? [PLACEHOLDER_STATEMENT] : held.map((i, n) => revocationStatement(revocations[i], n));
        const document: PolicyDocument = { Version: POLICY_VERSION, Statement: statements };
        const size = scpCharacters(document);
        if (size > SCP_MAX_CHARACTERS) {
            throw new Error(
                `${held.length} revocations fall into ${organizationPolicyName(slot)}, ${size} characters, more than the ${SCP_MAX_CHARACTERS} a service control policy holds (a revocation's policy is chosen by a hash of what it revokes, so that no change moves one from policy to policy): remove revocations past their window (cutoff + 13 h), use a name pattern for roles that share a prefix, or raise policyBudget while no organization revocation is in force`,
            );
        }
        return document;
    });
}

/** What a statement of a revocation policy revokes, read back: its key (see `revocationKey`) and cutoff; undefined for the placeholder and anything else. */
export function revocationOfStatement(statement: PolicyStatement): { key: string; cutoff: Cutoff } | undefined {
    const cutoff = Cutoff.read(statement.Condition?.DateLessThan?.["aws:TokenIssueTime"]);
    if (statement.Effect !== "Deny" || cutoff === undefined) return undefined;
    const arns = statement.Condition?.ArnLike?.["aws:PrincipalArn"];
    const first = Array.isArray(arns) ? arns[0] : arns;
    if (typeof first === "string" && first.startsWith("arn:*:iam::*:role/")) {
        return { key: `role ${first.slice("arn:*:iam::*:role/".length)}`, cutoff };
    }
    const user = statement.Condition?.StringEquals?.["identitystore:userId"];
    return typeof user === "string" ? { key: `Identity Center user ${user}`, cutoff } : undefined;
}

/** One revocation policy at one side of a change: its name, and the cutoff of each revocation it holds, by key. */
export interface PlacedPolicy {
    name: string;
    revocations: ReadonlyMap<string, Cutoff>;
}

/** A revocation in force before a change that the change takes out of its policy while another policy holds it. */
export interface PolicyMove {
    key: string;
    cutoff: Cutoff;
    from: string;
    to: string[];
}

/**
 * The revocations in force at `now` that a change moves: held by a policy before, and after the
 * change by other policies but not by that one. Pulumi updates policies one at a time, so between
 * the update that drops one and the update that adds it, or for good if the second fails, nothing
 * denies its sessions. (One that no policy holds after the change is not a move: it is removed.)
 */
export function movesInForce(before: readonly PlacedPolicy[], after: readonly PlacedPolicy[], now: Date): PolicyMove[] {
    const moves: PolicyMove[] = [];
    for (const policy of before) {
        for (const [key, cutoff] of policy.revocations) {
            if (!cutoff.inForceAt(now)) continue;
            if (after.find((p) => p.name === policy.name)?.revocations.has(key) === true) continue;
            const to = after.filter((p) => p.revocations.has(key)).map((p) => p.name);
            if (to.length > 0) moves.push({ key, cutoff, from: policy.name, to });
        }
    }
    return moves;
}

/** Why a move fails and what to do instead: keep the budget (the only input that moves a revocation) until the revocation is safe to remove. */
export function moveProblem(move: PolicyMove, budgets: { before?: number; after?: number }): string {
    const safe = move.cutoff.safeToRemoveAfterText;
    const instead =
        budgets.before !== undefined && budgets.after !== undefined && budgets.before !== budgets.after
            ? `keep policyBudget at ${budgets.before} until ${safe}, when it is safe to remove`
            : `leave the revocations in their policies until ${safe}, when it is safe to remove`;
    return `moves from service control policy ${move.from} to ${move.to.join(", ")} while it is in force (revoked before ${move.cutoff}, safe to remove after ${safe}): the deploy updates one policy before the other, and between the two updates, or for good if the second fails, no policy denies its sessions; ${instead}`;
}

/**
 * Why a deploy would leave a target holding more of the layer's policies than it may take, or
 * undefined: at the fullest step the target holds the `held` policies it held before and the
 * `added` new ones, which are created and attached before any policy is updated or removed (make
 * before break). The layer takes `budget` revocation policies, and one more with the lock
 * (`lock`). A change that attaches nothing new never makes a target hold more than it does.
 */
export function budgetProblem(held: number, added: number, budget: number, lock = false): string | undefined {
    const limit = budget + (lock ? 1 : 0);
    if (added === 0 || held + added <= limit) return undefined;
    const what = lock ? "of the layer's service control policies" : "revocation policies";
    const allowed = lock ? `the ${limit} that policyBudget ${budget} and the lock take` : `the policyBudget of ${budget}`;
    const remedy = lock ? "; lower policyBudget in one change and turn the lock on in the next" : "";
    return `would hold ${held + added} ${what} during the deploy (the ${held} it holds until the deploy ends, and ${added} new ${added === 1 ? "one" : "ones"} attached first), more than ${allowed}: a target holds ${SCPS_PER_TARGET} service control policies and one of them must allow actions (FullAWSAccess), so the attachment past the budget can fail, and the deploy with it${remedy}`;
}

/** The name of the lock's service control policy (`lockRevocations: true`). */
export const LOCK_POLICY_NAME = "revocable-roles-lock";

/** The actions that set or remove a tag, or create a role with one: the lock denies them on its tag. */
const TAG_ACTIONS = ["iam:CreateRole", "iam:TagRole", "iam:UntagRole"];

/**
 * The lock: a service control policy that denies, on every role carrying the revoked-until tag
 * (`aws:ResourceTag`), every action that removes or changes a revocation (its inline policies,
 * attachments, boundary, trust, tags, the role itself: {@link lockedRoleActions}), and, on any
 * role, setting or removing that tag (`aws:TagKeys`, so a role cannot be untagged, nor a lock
 * faked on another), to every principal but the deploy roles (`aws:PrincipalArn`), whose deploys
 * write the revocations and remove the tag once the window is over. Throws when the document
 * exceeds {@link SCP_MAX_CHARACTERS}.
 */
export function lockPolicy(deployRoleArns: readonly string[]): PolicyDocument {
    const exceptDeploys = { ArnNotLike: { "aws:PrincipalArn": [...deployRoleArns] } };
    const document: PolicyDocument = {
        Version: POLICY_VERSION,
        Statement: [
            {
                Sid: "LockRevokedRoles",
                Effect: "Deny",
                Action: [...lockedRoleActions()],
                Resource: "*",
                Condition: { Null: { [`aws:ResourceTag/${REVOKED_UNTIL_TAG}`]: "false" }, ...exceptDeploys },
            },
            {
                Sid: "LockRevocationTag",
                Effect: "Deny",
                Action: TAG_ACTIONS,
                Resource: "*",
                Condition: { "ForAnyValue:StringEqualsIgnoreCase": { "aws:TagKeys": [REVOKED_UNTIL_TAG] }, ...exceptDeploys },
            },
        ],
    };
    const size = scpCharacters(document);
    if (size > SCP_MAX_CHARACTERS) {
        throw new Error(
            `the lock with ${deployRoleArns.length} deploy roles is ${size} characters, more than the ${SCP_MAX_CHARACTERS} a service control policy holds: give fewer deployRoleArns (one deploy role per account is enough)`,
        );
    }
    return document;
}

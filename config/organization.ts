/**
 * The `revocable-roles:organization` section of a stack that deploys to the organization's
 * management account: the targets (root, OU or account IDs) the revocation policies are attached
 * to, and the organization-wide revocations, by role name or pattern or by IAM Identity Center
 * user. Validated with the rest of the stack file; rendered by `iam/organizationPolicy.ts`.
 */
import { z } from "zod";
import { Problem, show } from "../iam/problems";
import { ROLE_ARN } from "../iam/patterns";
import { matching, wholeNumber, cutoffSchema, futureCutoffProblems } from "../iam/rules";
import { Cutoff } from "../iam/cutoff";
import { PolicyDocument } from "../iam/policy";
import {
    DEFAULT_POLICY_BUDGET,
    LOCK_POLICY_NAME,
    MAX_POLICY_BUDGET,
    OrganizationRevocation,
    SCPS_PER_TARGET,
    budgetProblem,
    lockPolicy,
    moveProblem,
    movesInForce,
    organizationPolicies,
    organizationPolicyName,
    placeRevocations,
    revocationKey,
} from "../iam/organizationPolicy";

export { organizationPolicyName, revocationKey };

/** A root (`r-ab12`), an organizational unit (`ou-ab12-cd34ef56`) or an account (12 digits). */
export const ORGANIZATION_TARGET: RegExp = /^(?:r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}|\d{12})$/;

/** An IAM role name, or a pattern of one with `*` and `?` (ArnLike's wildcards). */
export const ROLE_NAME_PATTERN: RegExp = /^[A-Za-z0-9+=,.@_*?-]{1,64}$/;

/** An IAM Identity Center (identity store) user ID, as the identity store's API defines it. */
export const IDENTITY_CENTER_USER_ID: RegExp =
    /^(?:[0-9a-f]{10}-)?[A-Fa-f0-9]{8}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{12}$/;

/** The section as written. */
export interface OrganizationSection {
    targets: string[];
    revocations?: { roleName?: string; identityCenterUserId?: string; revokeBefore: string }[];
    policyBudget?: number;
    /** Deploy the lock: a service control policy that denies changing a role carrying the revoked-until tag. */
    lockRevocations?: boolean;
    /** The roles the lock lets change a locked role: the deploy roles. */
    deployRoleArns?: string[];
}

/** One service control policy the program deploys. */
export interface OrganizationPolicyModel {
    /** The policy's name in the organization, and the suffix of its resources' names. */
    name: string;
    document: PolicyDocument;
    /** The revocations it holds (their keys, see {@link revocationKey}). */
    holds: string[];
}

/** Everything the organization section deploys. */
export interface OrganizationModel {
    targets: string[];
    revocations: OrganizationRevocation[];
    /** Every one of the budget's policies, each attached to every target. */
    policies: OrganizationPolicyModel[];
    /** The policies a target may hold (`policyBudget`). */
    budget: number;
    /** The lock (`lockRevocations: true`), attached to every target beside the budget's policies. */
    lock?: OrganizationPolicyModel;
}

const ROLE_OR_USER = "exactly one of roleName (an IAM role name or pattern) or identityCenterUserId";

/** The section's schema; the JSON Schema of the stack file carries it too. */
export function organizationSchema(): z.ZodType {
    schema ??= z.strictObject({
        targets: z
            .array(
                matching(ORGANIZATION_TARGET, "a root, organizational unit or account ID such as r-ab12, ou-ab12-cd34ef56 or 123456789012"),
            )
            .min(1, {
                error: "lists no target; expected the root, OU or account IDs the revocation policies are attached to, such as [r-ab12]",
            }),
        revocations: z
            .array(
                z
                    .strictObject({
                        roleName: matching(
                            ROLE_NAME_PATTERN,
                            "an IAM role name of 1 to 64 characters of A-Za-z0-9+=,.@_-, or a pattern of them with * and ?",
                        ).optional(),
                        identityCenterUserId: matching(
                            IDENTITY_CENTER_USER_ID,
                            "an IAM Identity Center user ID such as 90676d4c3b-0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d",
                        ).optional(),
                        revokeBefore: cutoffSchema,
                    })
                    .superRefine((entry, ctx) => {
                        const named = [entry.roleName, entry.identityCenterUserId].filter((v) => v !== undefined).length;
                        if (named !== 1) {
                            ctx.addIssue({
                                code: "custom",
                                message: `${named === 0 ? "names neither roleName nor identityCenterUserId" : "names both roleName and identityCenterUserId"}; a revocation names ${ROLE_OR_USER}`,
                                input: entry,
                            });
                        }
                    }),
            )
            .optional(),
        policyBudget: wholeNumber(
            1,
            MAX_POLICY_BUDGET,
            `1 to ${MAX_POLICY_BUDGET} policies per target (a target holds ${SCPS_PER_TARGET} service control policies, and one of them must allow actions: FullAWSAccess, or the organization's own)`,
        ).optional(),
        lockRevocations: z.boolean().optional(),
        deployRoleArns: z
            .array(matching(ROLE_ARN, "an IAM role ARN without wildcards, such as arn:aws:iam::111111111111:role/pulumi-deploy"))
            .optional(),
    });
    return schema;
}

let schema: z.ZodType | undefined;

function isMapping(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The rules no schema can say, on the section as written (so they report beside the schema's
 * problems): a cutoff in the future, a role or user or target listed twice, a pattern that names
 * every role, and more revocations than the policy budget holds. Paths start at `organization`.
 */
export function organizationProblems(section: unknown, now: Date): Problem[] {
    if (!isMapping(section)) return [];
    const entries = Array.isArray(section.revocations) ? section.revocations : [];
    const at = (...path: PropertyKey[]) => ["organization", ...path];
    const problems: Problem[] = futureCutoffProblems(
        entries.map((entry, i) => ({
            path: at("revocations", i, "revokeBefore"),
            value: isMapping(entry) ? entry.revokeBefore : undefined,
        })),
        now,
    );
    const seen = new Map<string, number>();
    entries.forEach((entry, i) => {
        if (!isMapping(entry)) return;
        if (typeof entry.roleName === "string" && /^[*?]+$/.test(entry.roleName)) {
            problems.push({
                path: at("revocations", i, "roleName"),
                message: `${show(entry.roleName)} matches every role in every account of the organization, the deploy's own roles included; name the roles, or a pattern with a prefix such as ci-*`,
            });
        }
        const key = typeof entry.roleName === "string" || typeof entry.identityCenterUserId === "string" ? revocationKey(entry) : undefined;
        if (key === undefined) return;
        const first = seen.get(key);
        if (first !== undefined) {
            problems.push({
                path: at("revocations", i),
                message: `revokes ${key} again, already revoked by revocations[${first}]; keep one entry with the latest cutoff`,
            });
        } else seen.set(key, i);
    });
    const targets = Array.isArray(section.targets) ? section.targets : [];
    targets.forEach((target, i) => {
        const first = targets.indexOf(target);
        if (first !== i) problems.push({ path: at("targets", i), message: `${show(target)} is listed twice (targets[${first}])` });
    });
    return [...problems, ...lockProblems(section)];
}

/** The lock's rules: it names the deploy roles it exempts, and it needs a policy slot on every target. */
function lockProblems(section: Record<string, unknown>): Problem[] {
    const at = (...path: PropertyKey[]) => ["organization", ...path];
    const roles = Array.isArray(section.deployRoleArns) ? section.deployRoleArns : [];
    const problems: Problem[] = [];
    roles.forEach((arn, i) => {
        const first = roles.indexOf(arn);
        if (first !== i)
            problems.push({ path: at("deployRoleArns", i), message: `${show(arn)} is listed twice (deployRoleArns[${first}])` });
    });
    if (section.lockRevocations !== true) {
        if (section.deployRoleArns !== undefined) {
            problems.push({
                path: at("deployRoleArns"),
                message: "only applies with lockRevocations: true; remove it, or set lockRevocations: true",
            });
        }
        return problems;
    }
    if (roles.length === 0) {
        problems.push({
            path: at("deployRoleArns"),
            message:
                "lists no deploy role; the lock denies changing a revoked role to every principal but these, so name the role every deploy of a stack with revocable roles runs as (and the scheduled check), such as [arn:aws:iam::111111111111:role/pulumi-deploy]",
        });
    }
    const budget = section.policyBudget ?? DEFAULT_POLICY_BUDGET;
    if (typeof budget === "number" && budget > MAX_POLICY_BUDGET - 1) {
        problems.push({
            path: at("lockRevocations"),
            message: `needs a service control policy of its own on every target, beside FullAWSAccess and the policyBudget's ${budget} revocation policies, and a target holds ${SCPS_PER_TARGET}: set policyBudget to ${MAX_POLICY_BUDGET - 1} or less (change it only while no organization revocation is in force)`,
        });
    }
    return problems;
}

/** The policies of a valid section, or the problem of a policy its revocations would overfill. */
export function organizationModel(section: OrganizationSection): { model?: OrganizationModel; problem?: Problem } {
    const revocations: OrganizationRevocation[] = (section.revocations ?? []).map((entry) => {
        const revokeBefore = Cutoff.read(entry.revokeBefore)!;
        return entry.roleName !== undefined
            ? { roleName: entry.roleName, revokeBefore }
            : { identityCenterUserId: entry.identityCenterUserId!, revokeBefore };
    });
    const budget = section.policyBudget ?? DEFAULT_POLICY_BUDGET;
    let documents: PolicyDocument[];
    try {
        documents = organizationPolicies(revocations, budget);
    } catch (error) {
        return { problem: { path: ["organization", "revocations"], message: (error as Error).message } };
    }
    const placed = placeRevocations(revocations, budget);
    const policies = documents.map((document, i) => ({
        name: organizationPolicyName(i),
        document,
        holds: placed[i].map((r) => revocationKey(revocations[r])),
    }));
    if (section.lockRevocations !== true) return { model: { targets: section.targets, revocations, policies, budget } };
    let lock: PolicyDocument;
    try {
        lock = lockPolicy(section.deployRoleArns ?? []);
    } catch (error) {
        return { problem: { path: ["organization", "deployRoleArns"], message: (error as Error).message } };
    }
    return {
        model: { targets: section.targets, revocations, policies, budget, lock: { name: LOCK_POLICY_NAME, document: lock, holds: [] } },
    };
}

/**
 * What a deploy from `before` (undefined: nothing deployed) to `after` would do that the
 * organization layer refuses: move a revocation in force at `now` from one policy to another, or
 * leave a target holding more policies than the budget at its fullest step. Each problem starts
 * with its subject (`role ci-deployer`, `target r-ab12`).
 */
export function organizationChangeProblems(before: OrganizationModel | undefined, after: OrganizationModel, now: Date): string[] {
    const placed = (model: OrganizationModel) =>
        model.policies.map((policy) => ({
            name: policy.name,
            revocations: new Map(policy.holds.map((key) => [key, model.revocations.find((r) => revocationKey(r) === key)!.revokeBefore])),
        }));
    const problems = movesInForce(before === undefined ? [] : placed(before), placed(after), now).map(
        (move) => `${move.key} ${moveProblem(move, { before: before?.budget, after: after.budget })}`,
    );
    for (const target of after.targets) {
        const held = before?.targets.includes(target) === true ? before.policies.map((p) => p.name) : [];
        const added = after.policies.filter((p) => !held.includes(p.name)).length;
        const problem = budgetProblem(held.length, added, after.budget);
        if (problem !== undefined) problems.push(`target ${target} ${problem}`);
    }
    return problems;
}

/** The revocations of a model in force at `now` (their cutoff + 13 h not reached), by key. */
export function revocationKeysInForce(revocations: OrganizationRevocation[], now: Date): Set<string> {
    return new Set(revocations.filter((r) => r.revokeBefore.inForceAt(now)).map(revocationKey));
}

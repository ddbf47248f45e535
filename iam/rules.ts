/**
 * Validation of everything a role is made of, as zod schemas shared by the component (which
 * validates its arguments) and the stack config (which validates the file). Formats and ranges
 * are zod's own checks, so the generated JSON Schema carries them too; rules that need more than
 * one field, or the clock, run as refinements and as the explicit `now` pass. All problems are
 * collected and reported together; nothing is registered while any remains.
 */
import { createHash } from "crypto";
import { z } from "zod";
import {
    CONSOLE_REVOCATION_POLICY_NAME,
    INLINE_POLICY_QUOTA,
    PolicyDocument,
    REVOCATION_POLICY_NAME,
    REVOCATION_RESERVE,
    REVOKED_UNTIL_TAG,
    quotaSize,
} from "./policy";
import { Problem, problemsOf, show } from "./problems";
import { IAM_PATH, INSTANCE_PROFILE_NAME, POLICY_ARN, POLICY_NAME, ROLE_NAME } from "./patterns";
import { ISO_8601, formatUtc } from "./timestamps";
import { Cutoff } from "./cutoff";
import { awsManagedArnProblem } from "./managedPolicies";
import { refine, matching, wholeNumber, documentSchema } from "./documentRules";
import { trustSchema } from "./trustRules";
export { githubSubjectProblem } from "./trustRules";
export { matching, wholeNumber, DocumentKind, constrainsCaller, documentSchema } from "./documentRules";

/** Options that change what is valid. */
export interface ValidationOptions {
    /** The moment "now" for the future-cutoff rule. */
    now: Date;
    /** The key that holds the physical role name: `roleName` for the component, `name` in stack config. */
    nameKey?: "roleName" | "name";
}

/** Checks a cutoff's form: strict ISO-8601 with a date, a time and a zone, no earlier than 2006. */
export function cutoffFormProblem(value: unknown): string | undefined {
    const parsed = Cutoff.parse(value);
    return parsed.ok ? undefined : `${show(value)} ${parsed.problem}`;
}

/** Checks a cutoff: strict ISO-8601 with zone, no earlier than 2006, and not more than 5 minutes ahead of `now`. */
export function cutoffProblem(value: unknown, now: Date): string | undefined {
    const form = cutoffFormProblem(value);
    if (form !== undefined) return form;
    const parsed = Cutoff.parse(value);
    if (parsed.ok && parsed.cutoff.isFutureAt(now)) {
        return `${show(value)} is in the future (now is ${formatUtc(now)}); a future cutoff would also deny every session issued until then, locking everyone out; use a time no later than now`;
    }
    return undefined;
}

/** A cutoff: an ISO-8601 timestamp with a zone (the `pattern`), that is a real instant. */
export const cutoffSchema: z.ZodType<string> = z
    .string({ error: (issue) => cutoffFormProblem(issue.input) })
    .regex(ISO_8601, { error: (issue) => cutoffFormProblem(issue.input) })
    .superRefine((value, ctx) => {
        // The pattern cannot tell a real date from 2026-02-30; the parser can.
        const message = ISO_8601.test(value) ? cutoffFormProblem(value) : undefined;
        if (message !== undefined) ctx.addIssue({ code: "custom", message, input: value });
    });

/** The backends a role can be registered with. */
export const BACKEND_NAMES = ["aws", "aws-native"] as const;

/** `"aws"` or `"aws-native"`. */
export const backendSchema: z.ZodType<(typeof BACKEND_NAMES)[number]> = z.enum(BACKEND_NAMES, {
    error: (issue) => `${show(issue.input)} is not a provider; expected "aws" or "aws-native"`,
});

/** Whether an inline policy name is one of the revocation policies' names, which IAM compares regardless of case. */
export function isReservedPolicyName(name: string): boolean {
    const lower = name.toLowerCase();
    return lower === REVOCATION_POLICY_NAME.toLowerCase() || lower === CONSOLE_REVOCATION_POLICY_NAME.toLowerCase();
}

const inlinePolicyName = z
    .string()
    .regex(POLICY_NAME, { error: (issue) => `${show(issue.input)} is not a policy name of 1 to 128 characters of A-Za-z0-9+=,.@_-` })
    .superRefine((name, ctx) => {
        if (!isReservedPolicyName(name)) return;
        const exact = name === REVOCATION_POLICY_NAME || name === CONSOLE_REVOCATION_POLICY_NAME;
        ctx.addIssue({
            code: "custom",
            message: `${show(name)} is reserved for revocation policies${exact ? "" : " (IAM policy names ignore case)"}; choose another name`,
            input: name,
        });
    });

const PROFILE_NAME = "an instance profile name of 1 to 128 characters of A-Za-z0-9+=,.@_-";

/**
 * The schema of one role's arguments. The component and the stack config share it; they differ
 * only in the key that holds the physical name.
 */
export function roleSchema(nameKey: "roleName" | "name" = "roleName"): z.ZodType {
    let schema = roleSchemas.get(nameKey);
    if (schema === undefined) {
        schema = buildRoleSchema(nameKey);
        roleSchemas.set(nameKey, schema);
    }
    return schema;
}

/**
 * A tag key as a case-insensitive comparison may see it: each character upper-cased, then lower-cased,
 * without accents. IAM compares tag keys regardless of case, by rules it does not document; a
 * comparison that folds each character both ways (as Java's equalsIgnoreCase does) reads the dotless
 * ı, the long ſ or the Kelvin sign as i, s and k, which toLowerCase() alone does not.
 */
export function foldedTagKey(key: string): string {
    return [...key]
        .map((c) => c.toUpperCase().toLowerCase())
        .join("")
        .normalize("NFKD")
        .replace(/\p{M}/gu, "");
}

// Building a schema costs about 1.5 ms; one per name key serves every role.
const roleSchemas = new Map<string, ReturnType<typeof buildRoleSchema>>();

function buildRoleSchema(nameKey: "roleName" | "name") {
    return z
        .strictObject({
            [nameKey]: matching(ROLE_NAME, "a role name of 1 to 64 characters of A-Za-z0-9+=,.@_-").optional(),
            path: matching(IAM_PATH, 'an IAM path; expected "/" or "/division/team/", at most 512 characters').optional(),
            description: z
                .string()
                .max(1000, { error: (issue) => `is ${String((issue.input as string).length)} characters long; expected at most 1000` })
                .optional(),
            maxSessionDuration: wholeNumber(3600, 43200, "whole seconds from 3600 (1 hour) to 43200 (12 hours)").optional(),
            permissionsBoundary: matching(POLICY_ARN, "a policy ARN such as arn:aws:iam::123456789012:policy/Boundary").optional(),
            tags: refine(z.record(z.string(), z.string()), (tags) => {
                const entries = Object.entries(tags);
                if (entries.length > 50) return `has ${entries.length} tags; IAM allows at most 50`;
                // The component adds the revoked-until tag while a revocation is in force: it must always fit, and be the component's alone.
                if (entries.length === 50)
                    return `has 50 tags; keep one of IAM's 50 free for ${REVOKED_UNTIL_TAG}, which the role carries while it is revoked`;
                const reserved = entries.find(([k]) => foldedTagKey(k) === REVOKED_UNTIL_TAG);
                if (reserved !== undefined) {
                    return `${show(reserved[0])} is set by the component while the role's revocation is in force (the organization's lock reads it); remove it`;
                }
                const bad = entries.find(
                    ([k, v]) => k.length < 1 || k.length > 128 || v.length > 256 || k.toLowerCase().startsWith("aws:"),
                );
                return bad === undefined
                    ? undefined
                    : `${show(bad[0])}: tag keys are 1 to 128 characters, not starting with "aws:", and values at most 256`;
            }).optional(),
            trust: trustSchema(),
            managedPolicyArns: z
                .array(refine(matching(POLICY_ARN, "a policy ARN such as arn:aws:iam::aws:policy/ReadOnlyAccess"), awsManagedArnProblem))
                .max(20, { error: (issue) => `has ${(issue.input as unknown[]).length} policies; IAM attaches at most 20 to a role` })
                .optional(),
            inlinePolicies: z.record(inlinePolicyName, documentSchema("permissions")).optional(),
            revokeBefore: cutoffSchema.optional(),
            // The stack file names the profile in the one field (true, or its name); the component in two, as its schema has no unions.
            ...(nameKey === "roleName"
                ? { instanceProfile: z.boolean().optional(), instanceProfileName: matching(INSTANCE_PROFILE_NAME, PROFILE_NAME).optional() }
                : {
                      instanceProfile: z
                          .union([z.boolean(), matching(INSTANCE_PROFILE_NAME, PROFILE_NAME)], {
                              error: (issue) =>
                                  `${show(issue.input)} is not an instance profile; expected true (named like the role), false, or ${PROFILE_NAME}`,
                          })
                          .optional(),
                  }),
            // The backend is a component argument; a stack picks it for every role with revocable-roles:provider.
            ...(nameKey === "roleName" ? { backend: backendSchema.optional() } : {}),
        })
        .superRefine((role, ctx) => {
            const documents = Object.values((role.inlinePolicies ?? {}) as Record<string, PolicyDocument>);
            const used = documents.reduce((sum, document) => sum + quotaSize(document), 0) + REVOCATION_RESERVE;
            if (used > INLINE_POLICY_QUOTA) {
                ctx.addIssue({
                    code: "custom",
                    path: ["inlinePolicies"],
                    message: `use ${used - REVOCATION_RESERVE} characters, plus ${REVOCATION_RESERVE} kept for the ${REVOCATION_POLICY_NAME} policy, ${used} in all; IAM allows ${INLINE_POLICY_QUOTA} per role (counted as UTF-8 bytes of the minified JSON, so never fewer than IAM counts): move statements into managed policies`,
                    input: role,
                });
            }
            // IAM compares inline policy names regardless of case: the second PutRolePolicy replaces the first.
            const firstByCase = new Map<string, string>();
            for (const name of Object.keys((role.inlinePolicies ?? {}) as Record<string, unknown>)) {
                const first = firstByCase.get(name.toLowerCase());
                if (first === undefined) {
                    firstByCase.set(name.toLowerCase(), name);
                    continue;
                }
                ctx.addIssue({
                    code: "custom",
                    path: ["inlinePolicies", name],
                    message: `${show(name)} and ${show(first)} are one inline policy to IAM, which compares policy names regardless of case: deploying both would replace one with the other; give them names that differ in more than case`,
                    input: name,
                });
            }
            const profile = role.instanceProfile as boolean | string | undefined;
            const declared = profile === true || (typeof profile === "string" && INSTANCE_PROFILE_NAME.test(profile));
            if (declared && !trustsEc2(role.trust as KnownTrustLike)) {
                ctx.addIssue({
                    code: "custom",
                    path: ["instanceProfile"],
                    message: `${show(profile)}: an instance profile hands the role to EC2 instances, and the role does not trust ec2.amazonaws.com; add it to trust.services`,
                    input: profile,
                });
            }
            const profileName = (role as { instanceProfileName?: unknown }).instanceProfileName;
            if (profileName !== undefined && profile !== true) {
                ctx.addIssue({
                    code: "custom",
                    path: ["instanceProfileName"],
                    message: `${show(profileName)} names an instance profile the role does not have; set instanceProfile: true as well`,
                    input: profileName,
                });
            }
            const arns = (role.managedPolicyArns ?? []) as string[];
            const duplicate = arns.find((arn, i) => arns.indexOf(arn) !== i);
            if (duplicate !== undefined) {
                ctx.addIssue({ code: "custom", path: ["managedPolicyArns"], message: `${show(duplicate)} is listed twice`, input: arns });
            }
        });
}

/** The part of a trust that says whether EC2 may assume the role. */
interface KnownTrustLike {
    services?: string[];
    statements?: { Effect?: unknown; Principal?: unknown }[];
}

/** The service principals EC2 assumes roles as, in the commercial and the China partitions. */
const EC2_SERVICES = new Set(["ec2.amazonaws.com", "ec2.amazonaws.com.cn"]);

/** Whether a trust lets EC2 assume the role: through `services`, or a raw statement that allows its service principal. */
export function trustsEc2(trust: KnownTrustLike | undefined): boolean {
    if ((trust?.services ?? []).some((service) => EC2_SERVICES.has(service))) return true;
    return (trust?.statements ?? []).some((statement) => {
        if (statement.Effect !== "Allow" || typeof statement.Principal !== "object" || statement.Principal === null) return false;
        const service = (statement.Principal as { Service?: unknown }).Service;
        return (Array.isArray(service) ? service : [service]).some((s) => typeof s === "string" && EC2_SERVICES.has(s));
    });
}

/** The cutoffs of a role that lie too far in the future at `now`, at their paths. */
export function futureCutoffProblems(cutoffs: { path: PropertyKey[]; value: unknown }[], now: Date): Problem[] {
    return cutoffs.flatMap(({ path, value }) => {
        if (typeof value !== "string" || cutoffFormProblem(value) !== undefined) return [];
        const message = cutoffProblem(value, now);
        return message === undefined ? [] : [{ path, message }];
    });
}

/** A short, stable key for a managed policy ARN: reordering the list renames nothing. */
export function arnKey(arn: string): string {
    return createHash("sha256").update(arn).digest("hex").slice(0, 8);
}

const ATTACHMENT_KEY = /^[A-Za-z0-9_.-]{1,64}$/;

/** Rules across managed policy fields, checked once every ARN is known. */
function managedProblems(args: { managedPolicyArns?: unknown; managedPolicies?: unknown }): Problem[] {
    const problems: Problem[] = [];
    const listed = Array.isArray(args.managedPolicyArns) ? (args.managedPolicyArns as unknown[]) : [];
    const named =
        typeof args.managedPolicies === "object" && args.managedPolicies !== null
            ? Object.entries(args.managedPolicies as Record<string, unknown>)
            : [];
    const hashes = new Set(listed.map((arn) => arnKey(String(arn))));
    for (const [key, arn] of named) {
        if (!ATTACHMENT_KEY.test(key)) {
            problems.push({
                path: ["managedPolicies", key],
                message: `${show(key)} is not an attachment key of 1 to 64 characters of A-Za-z0-9_.-`,
            });
        } else if (hashes.has(key)) {
            problems.push({
                path: ["managedPolicies", key],
                message: `${show(key)} is the key of an ARN in managedPolicyArns; choose another key`,
            });
        }
        if (typeof arn !== "string" || !POLICY_ARN.test(arn)) {
            problems.push({
                path: ["managedPolicies", key],
                message: `${show(arn)} is not a policy ARN such as arn:aws:iam::123456789012:policy/Audit`,
            });
        } else if (listed.includes(arn)) {
            problems.push({ path: ["managedPolicies", key], message: `${show(arn)} is also listed in managedPolicyArns; attach it once` });
        } else {
            const unknown = awsManagedArnProblem(arn);
            if (unknown !== undefined) problems.push({ path: ["managedPolicies", key], message: unknown });
        }
    }
    if (listed.length + named.length > 20) {
        problems.push({
            path: ["managedPolicies"],
            message: `has ${named.length} policies beside ${listed.length} in managedPolicyArns; IAM attaches at most 20 to a role`,
        });
    }
    return problems;
}

/** Validates a role's arguments (all values known) and returns every problem, empty when valid. */
export function roleProblems(args: unknown, now: Date, nameKey: "roleName" | "name" = "roleName"): Problem[] {
    const { managedPolicies, ...rest } = (typeof args === "object" && args !== null ? args : {}) as Record<string, unknown>;
    const schemaProblems = problemsOf(roleSchema(nameKey), rest).problems;
    const revokeBefore = (rest as { revokeBefore?: unknown }).revokeBefore;
    return [
        ...schemaProblems,
        ...futureCutoffProblems([{ path: ["revokeBefore"], value: revokeBefore }], now),
        ...(managedPolicies === undefined ? [] : managedProblems({ managedPolicyArns: rest.managedPolicyArns, managedPolicies })),
    ];
}

/**
 * A role as plain data: its arguments, how they are validated and everything the component
 * registers, decided without any Pulumi runtime so that tests and tools can call it directly.
 */
import { createHash } from "crypto";
import * as pulumi from "@pulumi/pulumi";
import { PolicyDocument, RevocationInfo, revocationInfo, revocationPolicy, serializePolicy } from "./policy";
import { AccountContext, KnownTrust, TrustArgs, contextNeeded, trustPolicy } from "./trust";
import { parseTimestamp } from "./timestamps";
import { POLICY_ARN, Problem, formatPath, futureCutoffProblems, problemsOf, roleSchema } from "./rules";
import { show } from "./timestamps";

/** Which Pulumi AWS provider registers a role's resources. */
export const Backend = {
    /** `@pulumi/aws`: separate attachments, so a policy attached by hand is left alone. */
    Aws: "aws",
    /** `@pulumi/aws-native` (Cloud Control): the role owns its managed policy list. */
    AwsNative: "aws-native",
} as const;
/** `"aws"` or `"aws-native"`. */
export type Backend = (typeof Backend)[keyof typeof Backend];

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
    /** The provider package whose resources are registered: `aws` or `aws-native`. Plain. Default: `aws`. */
    backend?: Backend;
    /**
     * The deploying account's partition and ID, for the shortcuts that need them (accounts,
     * GitHub Actions without `providerArn`). Not validated; may be an Input. Default: asked from the
     * provider (`getPartition`, `getCallerIdentity`) by each component that needs it.
     */
    account?: pulumi.Input<AccountContext>;
}

/** Thrown when a role's arguments are invalid; lists every problem, one per line. */
export class RoleValidationError extends Error {
    constructor(
        readonly roleName: string,
        readonly problems: Problem[],
    ) {
        super(problems.map((p) => `role "${roleName}": ${formatPath(p.path)}: ${p.message}`).join("\n"));
        this.name = "RoleValidationError";
    }
}

/** A managed policy attachment, keyed by the `managedPolicies` key or a short stable hash of its ARN. */
export interface ManagedAttachment {
    arn: string;
    key: string;
}

/** Everything the component registers, as plain data. */
export interface RoleModel {
    roleName: string;
    path: string;
    description?: string;
    maxSessionDuration: number;
    permissionsBoundary?: string;
    tags?: Record<string, string>;
    trust: KnownTrust;
    needs: { partition: boolean; accountId: boolean };
    managed: ManagedAttachment[];
    inlinePolicies: { name: string; policy: string }[];
    revocation?: RevocationInfo & { policy: string };
    backend: Backend;
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

/** The trust policy JSON, given the account context when the trust needs it. */
export function renderTrust(trust: KnownTrust, context?: AccountContext): string {
    return serializePolicy(trustPolicy(trust, context));
}

/** Role arguments with every value known: what the component validates and renders. */
export type KnownRoleArgs = Omit<
    RevocableRoleArgs,
    "description" | "permissionsBoundary" | "tags" | "trust" | "managedPolicies" | "inlinePolicies" | "account"
> & {
    description?: string;
    permissionsBoundary?: string;
    tags?: Record<string, string>;
    trust: KnownTrust;
    managedPolicies?: Record<string, string>;
    inlinePolicies?: Record<string, PolicyDocument>;
};

/**
 * Validates and decides everything about a role whose values are all known. Throws
 * {@link RoleValidationError} with all problems at once, those `found` before (such as an Output
 * where a plain value must be) first; never returns a half-valid model.
 */
export function roleModel(name: string, args: KnownRoleArgs, now: Date, found: Problem[] = []): RoleModel {
    const roleName = args.roleName ?? name;
    const problems = [...found, ...roleProblems({ ...args, roleName }, now)];
    if (problems.length > 0) {
        throw new RoleValidationError(roleName, problems);
    }
    return modelOf(name, args);
}

/** The model of arguments already validated (by {@link roleModel}, or by the stack config for the same `now`). */
export function modelOf(name: string, args: KnownRoleArgs): RoleModel {
    let revocation: RoleModel["revocation"];
    if (args.revokeBefore !== undefined) {
        const parsed = parseTimestamp(args.revokeBefore);
        if (!parsed.ok) throw new Error("unreachable: revokeBefore was validated");
        revocation = { ...revocationInfo(parsed.date), policy: serializePolicy(revocationPolicy(parsed.date)) };
    }
    const arns = [...new Set(args.managedPolicyArns ?? [])];
    return {
        roleName: args.roleName ?? name,
        path: args.path ?? "/",
        description: args.description,
        maxSessionDuration: args.maxSessionDuration ?? 3600,
        permissionsBoundary: args.permissionsBoundary,
        tags: args.tags,
        trust: args.trust,
        needs: contextNeeded(args.trust),
        managed: [
            ...arns.map((arn) => ({ arn, key: arnKey(arn) })),
            ...Object.entries(args.managedPolicies ?? {}).map(([key, arn]) => ({ arn, key })),
        ],
        inlinePolicies: Object.entries(args.inlinePolicies ?? {}).map(([policyName, document]) => ({
            name: policyName,
            policy: serializePolicy(document),
        })),
        revocation,
        backend: args.backend ?? "aws",
    };
}

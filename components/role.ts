/**
 * A role as plain data: everything the component needs to register, decided and validated
 * without any Pulumi runtime, so tests and tools can call it directly.
 */
import { createHash } from "crypto";
import * as pulumi from "@pulumi/pulumi";
import { PolicyDocument, RevocationInfo, revocationInfo, revocationPolicy, serializePolicy } from "./policy";
import { AccountContext, TrustArgs, contextNeeded, trustPolicy } from "./trust";
import { parseTimestamp } from "./timestamps";
import { Problem, ValidationOptions, formatPath, problemsOf, roleSchema } from "./validation";

/** Which Pulumi AWS provider registers the resources. */
export type ProviderKind = "aws" | "aws-native";

/** The arguments of a {@link RevocableRole}. */
export interface RevocableRoleArgs {
    /** The physical IAM role name, never auto-suffixed. @default the component's name */
    roleName?: string;
    /** The IAM path. @default "/" */
    path?: string;
    /** A description shown in the IAM console. @default none */
    description?: string;
    /** The longest session, in seconds, from 3600 to 43200. @default 3600 */
    maxSessionDuration?: number;
    /** The ARN of a managed policy that bounds the role's permissions. @default none */
    permissionsBoundary?: string;
    /** Tags on the role. @default none */
    tags?: Record<string, string>;
    /** Who may assume the role. At least one principal is required. */
    trust: TrustArgs;
    /** Managed policies to attach, each as its own attachment (never exclusively owned). @default none */
    managedPolicyArns?: string[];
    /** Inline policies by name, in AWS's JSON shape, each as its own resource. @default none */
    inlinePolicies?: Record<string, PolicyDocument>;
    /**
     * Deny every session issued before this instant: an ISO-8601 timestamp with an explicit zone
     * (`2026-11-27T10:15:00Z`) or a `Date`. At most 5 minutes in the future. @default not revoked
     */
    revokeBefore?: string | Date;
    /** The provider package whose resources are registered. @default "aws" */
    provider?: ProviderKind;
    /**
     * The deploying account's partition and ID, for the shortcuts that need them (accounts, GitHub
     * Actions without `providerArn`). Not validated; not part of the stack config.
     * @default asked from the provider (`getPartition`, `getCallerIdentity`) by each component that needs it
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

/** A managed policy attachment, keyed by a short stable hash of its ARN. */
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
    trust: TrustArgs;
    needs: { partition: boolean; accountId: boolean };
    managed: ManagedAttachment[];
    inlinePolicies: { name: string; policy: string }[];
    revocation?: RevocationInfo & { policy: string };
    provider: ProviderKind;
}

/** A short, stable key for a managed policy ARN: reordering the list renames nothing. */
export function arnKey(arn: string): string {
    return createHash("sha256").update(arn).digest("hex").slice(0, 8);
}

/** Validates a role's arguments and returns every problem (empty when valid). */
export function roleProblems(args: unknown, options: ValidationOptions = {}): Problem[] {
    return problemsOf(roleSchema(options), args, options.now).problems;
}

/** The trust policy JSON, given the account context when the trust needs it. */
export function renderTrust(trust: TrustArgs, context?: AccountContext): string {
    return serializePolicy(trustPolicy(trust, context));
}

/**
 * Validates and decides everything about a role. Throws {@link RoleValidationError} with all
 * problems at once; never returns a half-valid model.
 */
export function roleModel(name: string, args: RevocableRoleArgs, options: ValidationOptions = {}): RoleModel {
    const roleName = args.roleName ?? name;
    const { account: _account, ...validated } = args;
    const problems = roleProblems({ ...validated, roleName }, { ...options, nameKey: "roleName" });
    if (problems.length > 0) {
        throw new RoleValidationError(roleName, problems);
    }
    let revocation: RoleModel["revocation"];
    if (args.revokeBefore !== undefined) {
        const parsed = parseTimestamp(args.revokeBefore);
        if (!parsed.ok) throw new Error("unreachable: revokeBefore was validated");
        revocation = { ...revocationInfo(parsed.date), policy: serializePolicy(revocationPolicy(parsed.date)) };
    }
    const arns = [...new Set(args.managedPolicyArns ?? [])];
    return {
        roleName,
        path: args.path ?? "/",
        description: args.description,
        maxSessionDuration: args.maxSessionDuration ?? 3600,
        permissionsBoundary: args.permissionsBoundary,
        tags: args.tags,
        trust: args.trust,
        needs: contextNeeded(args.trust),
        managed: arns.map((arn) => ({ arn, key: arnKey(arn) })),
        inlinePolicies: Object.entries(args.inlinePolicies ?? {}).map(([policyName, document]) => ({
            name: policyName,
            policy: serializePolicy(document),
        })),
        revocation,
        provider: args.provider ?? "aws",
    };
}


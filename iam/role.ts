/**
 * A role as plain data: its arguments, how they are validated and everything the component
 * registers, decided without any Pulumi runtime so that tests and tools can call it directly.
 */
import { PolicyDocument, REVOCATION_POLICY_NAME, REVOKED_UNTIL_TAG, revocationPolicy, serializePolicy } from "./policy";
import { AccountContext, KnownTrust, contextNeeded, trustPolicy } from "./trust";
import { Cutoff } from "./cutoff";
import { Problem, formatPath } from "./problems";
import { arnKey, roleProblems } from "./rules";

/** Which Pulumi AWS provider registers a role's resources. */
export const Backend = {
    /** `@pulumi/aws`: separate attachments, so a policy attached by hand is left alone. */
    Aws: "aws",
    /** `@pulumi/aws-native` (Cloud Control): the role owns its managed policy list. */
    AwsNative: "aws-native",
} as const;
/** `"aws"` or `"aws-native"`. */
export type Backend = (typeof Backend)[keyof typeof Backend];

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
    /** The revocation: its cutoff, the inline policy that carries it and that policy's exact JSON. */
    revocation?: { cutoff: Cutoff; policyName: string; policy: string };
    /** The instance profile that hands the role to EC2 instances: its physical name (its path is the role's). */
    instanceProfile?: { name: string };
    backend: Backend;
}

/** The trust policy JSON, given the account context when the trust needs it. */
export function renderTrust(trust: KnownTrust, context?: AccountContext): string {
    return serializePolicy(trustPolicy(trust, context));
}

/** Role arguments with every value known: what the component validates and renders, and what a stack file declares. */
export interface KnownRoleArgs {
    /** The physical IAM role name. Default: the component's name. */
    roleName?: string;
    /** The IAM path. Default: `/`. */
    path?: string;
    description?: string;
    /** Seconds, 3600 to 43200. Default: 3600. */
    maxSessionDuration?: number;
    permissionsBoundary?: string;
    tags?: Record<string, string>;
    trust: KnownTrust;
    managedPolicyArns?: string[];
    managedPolicies?: Record<string, string>;
    inlinePolicies?: Record<string, PolicyDocument>;
    /** An ISO-8601 timestamp with a zone. Default: not revoked. */
    revokeBefore?: string;
    /** Whether the role has an instance profile. Default: `false`. */
    instanceProfile?: boolean;
    /** The instance profile's physical name, with `instanceProfile`. Default: the role's name. */
    instanceProfileName?: string;
    /** Default: `aws`. */
    backend?: Backend;
}

/**
 * Validates and decides everything about a role whose values are all known. Throws
 * {@link RoleValidationError} with all problems at once, those `found` before (such as an Output
 * where a plain value must be) first; never returns a half-valid model.
 */
export function validateRole(name: string, args: KnownRoleArgs, now: Date, found: Problem[] = []): RoleModel {
    const roleName = args.roleName ?? name;
    const problems = [...found, ...roleProblems({ ...args, roleName }, now)];
    if (problems.length > 0) {
        throw new RoleValidationError(roleName, problems);
    }
    return modelOfValidRole(name, args);
}

/** The model of arguments already validated (by {@link validateRole}, or by the stack config for the same `now`). */
export function modelOfValidRole(name: string, args: KnownRoleArgs): RoleModel {
    let revocation: RoleModel["revocation"];
    if (args.revokeBefore !== undefined) {
        const cutoff = Cutoff.read(args.revokeBefore);
        if (cutoff === undefined) throw new Error("unreachable: revokeBefore was validated");
        revocation = { cutoff, policyName: REVOCATION_POLICY_NAME, policy: serializePolicy(revocationPolicy(cutoff)) };
    }
    const arns = [...new Set(args.managedPolicyArns ?? [])];
    const roleName = args.roleName ?? name;
    return {
        roleName,
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
        ...(args.instanceProfile === true ? { instanceProfile: { name: args.instanceProfileName ?? roleName } } : {}),
        backend: args.backend ?? "aws",
    };
}

/**
 * The model as deployed at `now`: while its revocation is in force, the role also carries the tag
 * {@link REVOKED_UNTIL_TAG} with its safe-to-remove time, which the organization's lock reads;
 * afterwards, its own tags only, so the next deploy removes the tag.
 */
export function withRevocationTag(model: RoleModel, now: Date): RoleModel {
    const cutoff = model.revocation?.cutoff;
    if (cutoff === undefined || !cutoff.inForceAt(now)) return model;
    return { ...model, tags: { ...model.tags, [REVOKED_UNTIL_TAG]: cutoff.safeToRemoveAfterText } };
}

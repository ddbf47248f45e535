/**
 * What a plan deploys, role by role: the physical role, its trust, and the revocation policy
 * that really lands on it. The guard, the plan summary and the containment analysis read plans
 * through this one view.
 */
import { Plan, PlannedResource } from "./model";
import { PolicyDocument, REVOCATION_POLICY_NAME } from "../iam/policy";
import { instantOf } from "../iam/timestamps";

/** The role resource types of both backends. */
export const ROLE_TYPES: ReadonlySet<string> = new Set(["aws:iam/role:Role", "aws-native:iam:Role"]);
/** The inline policy resource types of both backends. */
export const POLICY_TYPES: ReadonlySet<string> = new Set(["aws:iam/rolePolicy:RolePolicy", "aws-native:iam:RolePolicy"]);

/** A revocation policy as deployed. */
export interface DeployedRevocation {
    urn: string;
    cutoff: Date;
    resource: PlannedResource;
}

/** One role as a plan deploys it. */
export interface DeployedRole {
    /** The component's name: the role's key in the stack config. */
    key: string;
    /** The component's URN (the parent of the role's resources). */
    component: string;
    urn: string;
    type: string;
    backend: "aws" | "aws-native";
    physicalName: string;
    path: string;
    trust: PolicyDocument;
    inputs: Record<string, unknown>;
    /** The RevokeOlderSessions policy registered on this physical role, if any. */
    revocation?: DeployedRevocation;
}

/** A policy document input: JSON text on the classic provider, an object on aws-native. */
export function documentOf(value: unknown): PolicyDocument {
    return (typeof value === "string" ? JSON.parse(value) : value) as PolicyDocument;
}

/** The cutoff of a revocation policy document, or undefined when it is not one. */
export function cutoffOf(document: PolicyDocument): Date | undefined {
    const statement = document.Statement?.[0];
    return instantOf(statement?.Condition?.DateLessThan?.["aws:TokenIssueTime"]);
}

/** The physical role name an inline policy resource is put on. */
export function policyRole(resource: PlannedResource): string {
    return String(resource.inputs.role ?? resource.inputs.roleName);
}

/** The policy name of an inline policy resource. */
export function policyName(resource: PlannedResource): string {
    return String(resource.inputs.name ?? resource.inputs.policyName);
}

/** The cutoff of a RevokeOlderSessions policy resource; undefined for any other resource. */
export function revocationCutoff(resource: PlannedResource): Date | undefined {
    if (!POLICY_TYPES.has(resource.type) || policyName(resource) !== REVOCATION_POLICY_NAME) return undefined;
    return cutoffOf(documentOf(resource.inputs.policy ?? resource.inputs.policyDocument));
}

/** Every role a plan deploys, in registration order, with the revocation policy put on it. */
export function deployedRoles(plan: Plan): DeployedRole[] {
    const components = new Map(plan.resources.map((r) => [r.urn, r]));
    const revocations = new Map<string, DeployedRevocation>();
    for (const resource of plan.resources) {
        const cutoff = revocationCutoff(resource);
        if (cutoff !== undefined) revocations.set(policyRole(resource).toLowerCase(), { urn: resource.urn, cutoff, resource });
    }
    // Roles register once their trust resolves; list them in their components' order, the config's.
    const order = new Map(plan.resources.map((r, i) => [r.urn, i]));
    const position = (role: PlannedResource) => order.get(role.parent ?? role.urn) ?? 0;
    return plan.resources
        .filter((r) => ROLE_TYPES.has(r.type))
        .sort((a, b) => position(a) - position(b))
        .map((role): DeployedRole => {
            const physicalName = String(role.inputs.name ?? role.inputs.roleName);
            const component = role.parent === null ? undefined : components.get(role.parent);
            return {
                key: component?.name ?? role.name,
                component: role.parent ?? role.urn,
                urn: role.urn,
                type: role.type,
                backend: role.type === "aws-native:iam:Role" ? "aws-native" : "aws",
                physicalName,
                path: String(role.inputs.path ?? "/"),
                trust: documentOf(role.inputs.assumeRolePolicy ?? role.inputs.assumeRolePolicyDocument),
                inputs: role.inputs,
                // IAM names are unique regardless of case: a policy on "VICTIM" lands on "victim".
                revocation: revocations.get(physicalName.toLowerCase()),
            };
        });
}

/**
 * What a plan deploys, role by role: the physical role, its trust, and the revocation policy
 * that really lands on it. The guard, the plan summary and the containment analysis read plans
 * through this one view.
 */
import { Plan, PlannedResource } from "./model";
import { PolicyDocument, REVOCATION_POLICY_NAME } from "../iam/policy";
import { Cutoff } from "../iam/cutoff";
import { Backend } from "../iam/role";
import { ATTACHMENT_TYPES, INSTANCE_PROFILE_TYPES, POLICY_TYPES, ROLE_TYPES, backendOfType } from "../backends";

/** A revocation policy as deployed. */
export interface DeployedRevocation {
    urn: string;
    cutoff: Cutoff;
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
    backend: Backend;
    physicalName: string;
    path: string;
    trust: PolicyDocument;
    inputs: Record<string, unknown>;
    /** The managed policy ARNs the component attaches (or lists on the role), sorted. */
    managedPolicyArns: string[];
    /** The names of the inline policies the component puts on the role, the revocation excluded, in registration order. */
    inlinePolicyNames: string[];
    /** The RevokeOlderSessions policy registered on this physical role, if any. */
    revocation?: DeployedRevocation;
    /** The instance profile the component registers for the role, if any: its physical name. */
    instanceProfile?: string;
}

export { POLICY_TYPES, ROLE_TYPES };

/** The cutoff of a revocation policy document, or undefined when it is not one. */
export function cutoffOf(document: PolicyDocument): Cutoff | undefined {
    const statement = document.Statement?.[0];
    return Cutoff.read(statement?.Condition?.DateLessThan?.["aws:TokenIssueTime"]);
}

/** The physical role name an inline policy resource is put on. */
export function policyRole(resource: PlannedResource): string {
    return backendOfType(resource.type)!.read.policyRole(resource.inputs);
}

/** The policy name of an inline policy resource. */
export function policyName(resource: PlannedResource): string {
    return backendOfType(resource.type)!.read.policyName(resource.inputs);
}

/** The cutoff of a RevokeOlderSessions policy resource; undefined for any other resource. */
export function revocationCutoff(resource: PlannedResource): Cutoff | undefined {
    if (!POLICY_TYPES.has(resource.type) || policyName(resource) !== REVOCATION_POLICY_NAME) return undefined;
    return cutoffOf(backendOfType(resource.type)!.read.policyDocument(resource.inputs));
}

/** Every role a plan deploys, in registration order, with its policies and the revocation policy put on it. */
export function deployedRoles(plan: Plan): DeployedRole[] {
    const components = new Map(plan.resources.map((r) => [r.urn, r]));
    // Each component's children, found once for every role instead of a scan of the plan per role.
    const children = new Map<string, PlannedResource[]>();
    for (const resource of plan.resources) {
        if (resource.parent === null) continue;
        const list = children.get(resource.parent);
        if (list === undefined) children.set(resource.parent, [resource]);
        else list.push(resource);
    }
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
            const backend = backendOfType(role.type)!;
            const physicalName = backend.read.roleName(role.inputs);
            const component = role.parent === null ? undefined : components.get(role.parent);
            const siblings = role.parent === null ? [] : (children.get(role.parent) ?? []);
            const profile = siblings.find((r) => INSTANCE_PROFILE_TYPES.has(r.type));
            return {
                key: component?.name ?? role.name,
                component: role.parent ?? role.urn,
                urn: role.urn,
                type: role.type,
                backend: backend.name,
                physicalName,
                path: backend.read.rolePath(role.inputs),
                trust: backend.read.trust(role.inputs),
                inputs: role.inputs,
                managedPolicyArns: [
                    ...backend.read.managedOnRole(role.inputs),
                    ...siblings.filter((r) => ATTACHMENT_TYPES.has(r.type)).map((r) => backendOfType(r.type)!.read.attachmentArn(r.inputs)),
                ].sort(),
                inlinePolicyNames: siblings
                    .filter((r) => POLICY_TYPES.has(r.type))
                    .map(policyName)
                    .filter((name) => name !== REVOCATION_POLICY_NAME),
                // IAM names are unique regardless of case: a policy on "VICTIM" lands on "victim".
                revocation: revocations.get(physicalName.toLowerCase()),
                ...(profile === undefined
                    ? {}
                    : { instanceProfile: backendOfType(profile.type)!.read.instanceProfileName!(profile.inputs) }),
            };
        });
}

/**
 * What a plan deploys in the organization layer: each service control policy, the revocations
 * its content holds, and the targets it is attached to. Read from the plan's resources, not from
 * the config, so that the guard judges what `pulumi up` would really deploy.
 */
import { Plan, PlannedResource } from "./model";
import { ORGANIZATION_TYPES } from "../backends/organization";
import { documentOf } from "../backends";
import { LOCK_POLICY_NAME, revocationOfStatement } from "../iam/organizationPolicy";
import { Cutoff } from "../iam/cutoff";

/** One service control policy as a plan deploys it. */
export interface DeployedOrganizationPolicy {
    resource: PlannedResource;
    /** The cutoff of each revocation its content holds, by key (`role ci-deployer`, `Identity Center user …`). */
    revocations: Map<string, Cutoff>;
    /** Its attachments, by target ID. */
    attachments: Map<string, PlannedResource>;
}

/** Every organization policy of a plan, the lock included, by URN, with its attachments. */
function deployedPolicies(plan: Plan): Map<string, DeployedOrganizationPolicy> {
    const policies = new Map<string, DeployedOrganizationPolicy>();
    for (const resource of plan.resources) {
        if (resource.type !== ORGANIZATION_TYPES.policy) continue;
        const revocations = new Map<string, Cutoff>();
        for (const statement of documentOf(resource.inputs.content).Statement ?? []) {
            const revocation = revocationOfStatement(statement);
            if (revocation !== undefined) revocations.set(revocation.key, revocation.cutoff);
        }
        policies.set(resource.urn, { resource, revocations, attachments: new Map() });
    }
    for (const resource of plan.resources) {
        if (resource.type !== ORGANIZATION_TYPES.attachment) continue;
        // The attachment's policyId is the policy resource's ID Output: the engine's dependency names the policy.
        for (const urn of plan.details.get(resource.urn)?.propertyDependencies.policyId ?? []) {
            policies.get(urn)?.attachments.set(String(resource.inputs.targetId), resource);
        }
    }
    return policies;
}

const nameOf = (policy: DeployedOrganizationPolicy) => String(policy.resource.inputs.name);

/** The revocation policies of a plan, in the order of their names (`…-1`, `…-2`); none in a stack without an organization section. The lock is not one. */
export function deployedOrganization(plan: Plan): DeployedOrganizationPolicy[] {
    return [...deployedPolicies(plan).values()]
        .filter((policy) => nameOf(policy) !== LOCK_POLICY_NAME)
        .sort((a, b) => nameOf(a).localeCompare(nameOf(b), "en", { numeric: true }));
}

/** The lock a plan deploys (`lockRevocations: true`), with its attachments; undefined when it deploys none. */
export function deployedLock(plan: Plan): DeployedOrganizationPolicy | undefined {
    return [...deployedPolicies(plan).values()].find((policy) => nameOf(policy) === LOCK_POLICY_NAME);
}

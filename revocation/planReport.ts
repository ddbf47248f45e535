/**
 * The offline plan in words for people and as JSON for tools: per role its name, trust in words,
 * policies and revocation state, what a revocation leaves open, and the organization layer.
 */
import { Plan, PlannedResource } from "../plan/model";
import { deployedRoles } from "../plan/deployment";
import { deployedLock, deployedOrganization } from "../plan/organization";
import { documentOf } from "../backends";
import { REVOKED_UNTIL_TAG, asList } from "../iam/policy";
import { ORGANIZATION_LIMITS } from "../iam/organizationPolicy";
import { PLACEHOLDER_ACCOUNT, PLACEHOLDER_PARTITION } from "../iam/trust";
import { describeTrust } from "../analysis/trust";
import { Containment, RepositoryIndex, chainInBrief, chainInWords, containment } from "../analysis/containment";
import { chainOf, RoleFacts } from "../analysis/reachability";

/** What a revoked role's sessions could reach that no equal or later cutoff covers, by role key. */
export type Warnings = ReadonlyMap<string, Containment>;

/** The containment analysis of every revoked role of a plan, from the roles of the whole repository. */
export function containmentOf(plan: Plan, roles: RoleFacts[] | (() => RoleFacts[])): Map<string, Containment> {
    const result = new Map<string, Containment>();
    const revoked = deployedRoles(plan).filter((role) => role.revocation !== undefined);
    // The repository's roles are read only when some role of the plan is revoked.
    if (revoked.length === 0) return result;
    const index = new RepositoryIndex(typeof roles === "function" ? roles() : roles);
    for (const role of revoked) {
        const facts = index.role(plan.stack, role.key);
        if (facts !== undefined) result.set(role.key, containment(facts, index, role.revocation!.cutoff));
    }
    return result;
}

/** The plan for people: per role, its name, trust in words, policies and revocation state, and what a revocation leaves open. */
export function describePlan(plan: Plan, warnings: Warnings = new Map()): string {
    const lines = [`Offline plan of stack "${plan.stack}" (project ${plan.project}): no AWS call was made.`];
    if (JSON.stringify(plan.resources).includes(PLACEHOLDER_ACCOUNT)) {
        lines.push(
            `Account ${PLACEHOLDER_ACCOUNT} below stands for the deploying account, which this stack's config does not settle (set aws:allowedAccountIds to its one account); partition "${PLACEHOLDER_PARTITION}" is assumed where the region does not settle it.`,
        );
    }
    const roles = deployedRoles(plan);
    for (const role of roles) {
        const [managed, inline] = [role.managedPolicyArns, role.inlinePolicyNames];
        lines.push("", `${role.key}: role ${role.path}${role.physicalName}`);
        describeTrust(role.trust).forEach((line, i) => lines.push(`  ${i === 0 ? "trusted by:" : "           "} ${line}`));
        lines.push(`  managed:    ${managed.length > 0 ? managed.join(", ") : "none"}`);
        lines.push(`  inline:     ${inline.length > 0 ? inline.join(", ") : "none"}`);
        if (role.instanceProfile !== undefined) lines.push(`  profile:    instance profile ${role.path}${role.instanceProfile}`);
        if (role.revocation === undefined) {
            lines.push("  revocation: not revoked");
        } else {
            const cutoff = role.revocation.cutoff;
            lines.push(`  revocation: sessions issued before ${cutoff} are denied; safe to remove after ${cutoff.safeToRemoveAfterText}`);
            if (role.revocation.resource.protect) {
                lines.push(
                    "  protected:  the role and its RevokeOlderSessions policy (pulumi up refuses to delete or replace them until then)",
                );
            }
            const analysis = warnings.get(role.key);
            const open = (analysis?.reachable ?? []).filter((r) => !r.covered);
            if (analysis !== undefined && open.length > 0) {
                // A role passed to a service keeps getting sessions for as long as what was started runs.
                const passed = open.some((r) => chainOf(r.reach).some((l) => l.pass !== undefined));
                lines.push(
                    `  warning:    sessions created from its sessions survive until revoked before ${cutoff} too (up to 1 hour${passed ? "; what a passed role's service runs, for as long as it runs" : ""}): ${open.map((r) => chainInBrief(analysis.role, r.reach).path).join("; ")}`,
                );
            }
        }
    }
    lines.push(...describeOrganization(plan));
    lines.push("", `${roles.length} roles, ${plan.resources.length} resources.`);
    return lines.join("\n");
}

/** The organization layer of a plan for people: each policy, its targets, what it revokes, and what it cannot reach. */
function describeOrganization(plan: Plan): string[] {
    const policies = deployedOrganization(plan);
    if (policies.length === 0) return [];
    const lines = ["", `organization: ${policies.length} service control ${policies.length === 1 ? "policy" : "policies"}`];
    for (const policy of policies) {
        const targets = [...policy.attachments.keys()];
        lines.push(
            `  ${String(policy.resource.inputs.name)}: attached to ${targets.length > 0 ? targets.join(", ") : "no target"}${policy.resource.protect ? " (protected)" : ""}`,
        );
        if (policy.revocations.size === 0)
            lines.push("    placeholder: denies no session, kept attached so that a revocation only edits it");
        for (const [key, cutoff] of policy.revocations) {
            lines.push(`    ${key}: sessions issued before ${cutoff} are denied; safe to remove after ${cutoff.safeToRemoveAfterText}`);
        }
    }
    const lock = deployedLock(plan);
    if (lock !== undefined) {
        const exempt = documentOf(lock.resource.inputs.content).Statement?.[0]?.Condition?.ArnNotLike?.["aws:PrincipalArn"];
        lines.push(
            `  ${String(lock.resource.inputs.name)}: attached to ${[...lock.attachments.keys()].join(", ") || "no target"}${lock.resource.protect ? " (protected)" : ""}`,
            `    lock: no principal but ${asList(exempt).join(", ")} may change a role tagged ${REVOKED_UNTIL_TAG} (a role whose revocation is in force)`,
        );
    }
    lines.push(`  limits: ${ORGANIZATION_LIMITS}`);
    return lines;
}

/** A role in the `--json` contract: its revocation, and the reachable roles it leaves open. */
export interface PlannedRoleJson {
    key: string;
    roleName: string;
    revokedBefore: string | null;
    /** For a revoked role, the roles its sessions could reach that no equal or later cutoff covers; empty otherwise. */
    reachable: { stack: string; key: string; roleName: string; chain: string[]; reasons: string[] }[];
}

/** The `--json` contract of a plan: project, stack, resources (six fields each) and roles. */
export function planJson(
    plan: Plan,
    warnings: Warnings = new Map(),
): { project: string; stack: string; resources: PlannedResource[]; roles: PlannedRoleJson[] } {
    return {
        project: plan.project,
        stack: plan.stack,
        resources: plan.resources.map(({ urn, type, name, parent, inputs, protect }) => ({ urn, type, name, parent, inputs, protect })),
        roles: deployedRoles(plan).map((role) => ({
            key: role.key,
            roleName: role.physicalName,
            revokedBefore: role.revocation === undefined ? null : role.revocation.cutoff.toString(),
            reachable: (warnings.get(role.key)?.reachable ?? [])
                .filter((r) => !r.covered)
                .map(({ reach }) => ({
                    stack: reach.role.stack,
                    key: reach.role.key,
                    roleName: reach.role.roleName,
                    chain: [role.key, ...chainOf(reach).map((l) => l.to.key)],
                    reasons: chainInWords(warnings.get(role.key)!.role, reach).reasons,
                })),
        })),
    };
}

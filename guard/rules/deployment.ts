/**
 * What would happen on deploy to each role whose revocation is in force at the base: compared
 * between the two plans the way the Pulumi engine compares a program with its state.
 */
import { isDeepStrictEqual } from "util";
import { stackFileName } from "../../config/loader";
import { Plan, footprint, urnParts } from "../../plan/model";
import { REPLACING_INPUTS } from "../../backends";
import { DeployedRole, deployedRoles } from "../../plan/deployment";
import { trustChanges } from "../../analysis/trust";
import { emptyPlan } from "../../plan/run";
import { show } from "../../iam/problems";
import { Finding, failure, passing, role as roleSubject } from "../findings";
import { StackChange, window } from "../sides";

/** Whether a deployed role's revocation is in force at `now`. */
export function inForce(role: DeployedRole, now: Date): boolean {
    return role.revocation?.cutoff.inForceAt(now) === true;
}

/** The keys of the roles a plan deploys with a revocation in force at `now`. */
export function inForceKeys(plan: Plan, now: Date): string[] {
    return deployedRoles(plan)
        .filter((role) => inForce(role, now))
        .map((role) => role.key);
}

/** Why a revoked role's resources disappear from the head plan: the file, the backend, a rename, or the role itself. */
function removal(stack: string, role: DeployedRole, headRoles: DeployedRole[], headPresent: boolean, when: string): string {
    const iamRole = `IAM role ${role.physicalName}`;
    const namesake = headRoles.find((h) => h.physicalName.toLowerCase() === role.physicalName.toLowerCase());
    if (!headPresent)
        return `removed with ${stackFileName(stack)} while its revocation is in force ${when}: Pulumi would delete ${iamRole} and its revocation`;
    if (namesake !== undefined && namesake.backend !== role.backend) {
        return `the backend switches from ${role.backend} to ${namesake.backend} while the role is revoked ${when}: Pulumi deletes ${iamRole} with its revocation policies (the console's AWSRevokeOlderSessions included) and creates it again`;
    }
    if (namesake !== undefined) {
        const [was, is] = [urnParts(role.urn), urnParts(namesake.urn)];
        const renamed =
            was.project !== is.project
                ? `the project is renamed from ${was.project} to ${is.project}`
                : `its resources are renamed (component ${role.key} to ${namesake.key})`;
        return `${renamed} while the role is revoked ${when}: Pulumi deletes ${iamRole} with its revocation policies and creates it again`;
    }
    return `removed while its revocation is in force ${when}: Pulumi would delete ${iamRole} and its revocation`;
}

/**
 * The deployment rules of one stack: for every role revoked at the base, its removal,
 * replacement, revocation policy, trust and new instance profile at the head. `decided` holds the role keys (and `*`
 * for the whole stack) whose cutoff the config rules already failed, so one change is reported once.
 */
export function deploymentRules(change: StackChange, decided: Set<string>): Finding[] {
    const { stack, now } = change;
    const [base, head, headPresent] = [change.base.plan, change.head.plan, change.head.present];
    // Both plans are needed, or the base's and a deleted file.
    if (base === undefined || (head === undefined && headPresent)) return [];
    const findings: Finding[] = [];
    const after = head ?? emptyPlan(base.project, stack);
    const f = footprint(base, after);
    const headRoles = deployedRoles(after);
    // The head role that is (or, through an alias, was) each base URN: the first in registration order, found by lookup.
    const headRoleOf = new Map<string, DeployedRole>();
    for (const h of headRoles) {
        for (const urn of [h.urn, f.previous.get(h.urn)]) if (urn !== undefined && !headRoleOf.has(urn)) headRoleOf.set(urn, h);
    }
    const replaced = new Set(f.replaced);
    const baseResources = new Map(base.resources.map((r) => [r.urn, r]));
    for (const role of deployedRoles(base).filter((r) => inForce(r, now))) {
        const subject = roleSubject(stack, role.key);
        const fail = (message: string) => findings.push(failure(subject, message));
        const revocation = role.revocation!;
        const when = `(${window(revocation.cutoff)})`;
        const iamRole = `IAM role ${role.physicalName}`;
        const current = headRoleOf.get(role.urn);
        if (current === undefined) {
            fail(removal(stack, role, headRoles, headPresent, when));
            continue;
        }
        if (replaced.has(current.urn)) {
            const prior = baseResources.get(role.urn)!;
            const changes = (REPLACING_INPUTS[current.type] ?? [])
                .filter((input) => !isDeepStrictEqual(prior.inputs[input], current.inputs[input]))
                .map((input) => `${input} ${show(prior.inputs[input])} -> ${show(current.inputs[input])}`);
            fail(
                `${iamRole} would be replaced (${changes.join(", ")}) while it is revoked ${when}: replacing deletes the role with its revocation policies, the console's AWSRevokeOlderSessions included`,
            );
            continue;
        }
        if (!decided.has(role.key) && !decided.has("*")) {
            if (current.revocation === undefined) {
                fail(`no longer deploys RevokeOlderSessions on ${iamRole} while its revocation is in force ${when}`);
                continue;
            }
            if (current.revocation.cutoff.isBefore(revocation.cutoff)) {
                fail(`deploys RevokeOlderSessions with the cutoff ${current.revocation.cutoff}, earlier than the one in force ${when}`);
                continue;
            }
        }
        if (current.revocation !== undefined) {
            const moved = current.revocation.urn !== revocation.urn && f.previous.get(current.revocation.urn) !== revocation.urn;
            if (moved) {
                fail(
                    `its RevokeOlderSessions policy moves to another resource while it is in force ${when}: Pulumi creates the new one, then deletes the old one, which removes the policy from IAM`,
                );
            } else if (replaced.has(current.revocation.urn)) {
                fail(
                    `its RevokeOlderSessions policy would be replaced while it is in force ${when}: between the delete and the create no revocation protects ${iamRole}`,
                );
            }
        }
        const trust = trustChanges(role.trust, current.trust);
        for (const widened of trust.widened) fail(`trust widened while the role is revoked ${when}: ${widened}`);
        // A new instance profile makes EC2 a way in for whoever may pass the role and start an instance, as a widened trust would.
        if (role.instanceProfile === undefined && current.instanceProfile !== undefined) {
            fail(
                `gets the instance profile ${current.instanceProfile} while it is revoked ${when}: whoever may pass ${iamRole} to EC2 and start an instance could then run one with it, whose sessions are issued after the cutoff, as through a widened trust; add it once the revocation is safe to remove`,
            );
        }
        for (const tightened of trust.tightened) findings.push(passing(subject, `trust tightened: ${tightened}`));
    }
    return findings;
}

/**
 * Every role the head deploys with a revocation in force must reach the engine protected, role and
 * revocation policy alike, so that `pulumi up` itself refuses to delete or replace them.
 */
export function protectionRules({ stack, head: side, now }: StackChange): Finding[] {
    const head = side.plan;
    if (head === undefined) return [];
    return deployedRoles(head)
        .filter((role) => inForce(role, now))
        .flatMap((role) => {
            const resource = head.resources.find((r) => r.urn === role.urn)!;
            const unprotected = [resource, role.revocation!.resource].filter((r) => !r.protect).map((r) => r.name);
            return unprotected.length === 0
                ? []
                : [
                      failure(
                          roleSubject(stack, role.key),
                          `deploys ${unprotected.join(" and ")} without protect while the revocation is in force (${window(role.revocation!.cutoff)}): pulumi up would not refuse to delete or replace ${unprotected.length === 1 ? "it" : "them"}`,
                      ),
                  ];
        });
}

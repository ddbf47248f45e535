/**
 * The organization layer's in-force rules. In the config: an organization revocation removed
 * inside its window or moved earlier fails, and so does a target dropped while any is in force.
 * In the plans: every revocation the base deploys in force must be deployed at the head, with a
 * cutoff no earlier, on every target the base attaches it to, by policies and attachments that are
 * neither replaced nor unprotected, in the policy that holds it at the base. At any time, no
 * target may hold more policies than the budget at the fullest step of the deploy.
 */
import { stackFileName } from "../../config/loader";
import { NAMESPACE, OrganizationRevocationsAsWritten } from "../../config/stackConfig";
import { Plan, footprint } from "../../plan/model";
import { emptyPlan } from "../../plan/run";
import { DeployedOrganizationPolicy, deployedLock, deployedOrganization } from "../../plan/organization";
import { Cutoff } from "../../iam/cutoff";
import {
    DEFAULT_POLICY_BUDGET,
    MAX_POLICY_BUDGET,
    PlacedPolicy,
    SCPS_PER_TARGET,
    budgetProblem,
    moveProblem,
    movesInForce,
} from "../../iam/organizationPolicy";
import { REVOKED_UNTIL_TAG } from "../../iam/policy";
import { Finding, failure, file, organization } from "../findings";
import { ConfigRevocation, Side, StackChange, window } from "../sides";
import { compareCutoff } from "./cutoffs";

const NONE: OrganizationRevocationsAsWritten = { targets: [], revocations: new Map() };

/** The organization revocations a plan deploys in force at `now`, by key, with the policy that holds each. */
export function deployedInForce(
    policies: DeployedOrganizationPolicy[],
    now: Date,
): Map<string, { cutoff: Cutoff; policy: DeployedOrganizationPolicy }> {
    const found = new Map<string, { cutoff: Cutoff; policy: DeployedOrganizationPolicy }>();
    for (const policy of policies) {
        for (const [key, cutoff] of policy.revocations) {
            if (cutoff.inForceAt(now) && !found.has(key)) found.set(key, { cutoff, policy });
        }
    }
    return found;
}

/** The config rules: each revocation compared by key, and the targets while any revocation is in force. */
function configRules(
    stack: string,
    before: OrganizationRevocationsAsWritten,
    after: OrganizationRevocationsAsWritten,
    now: Date,
): Finding[] {
    const findings: Finding[] = [];
    for (const [key, cutoff] of before.revocations) {
        findings.push(...compareCutoff(organization(stack, key), "revokeBefore", cutoff, after.revocations.get(key), now));
    }
    for (const [key, cutoff] of after.revocations) {
        if (!before.revocations.has(key)) findings.push(...compareCutoff(organization(stack, key), "revokeBefore", undefined, cutoff, now));
    }
    const held = [...before.revocations].flatMap(([key, value]) => {
        const cutoff = Cutoff.read(value);
        return cutoff?.inForceAt(now) === true ? [`${key} until ${cutoff.safeToRemoveAfterText}`] : [];
    });
    if (held.length === 0) return findings;
    for (const target of before.targets.filter((t) => !after.targets.includes(t))) {
        findings.push(
            failure(
                organization(stack, `target ${String(target)}`),
                `is dropped from the targets while organization revocations are in force (${held.join(", ")}): Pulumi would detach the revocation policies from it, re-enabling the revoked sessions in its accounts`,
            ),
        );
    }
    return findings;
}

/** The plan rules, for what the config rules have not already failed (`decided`: revocation keys and `target <id>`). */
function planRules(change: StackChange, decided: Set<string>): Finding[] {
    const { stack, now } = change;
    const base = change.base.plan;
    if (base === undefined || (change.head.plan === undefined && change.head.present)) return [];
    const head = change.head.plan ?? emptyPlan(base.project, stack);
    const held = deployedInForce(deployedOrganization(base), now);
    if (held.size === 0) return [];
    const headPolicies = deployedOrganization(head);
    const f = footprint(base, head);
    const replaced = new Set(f.replaced);
    const findings: Finding[] = [];
    for (const [key, { cutoff, policy }] of held) {
        if (decided.has(key)) continue;
        const subject = organization(stack, key);
        const when = `(${window(cutoff)})`;
        for (const target of policy.attachments.keys()) {
            if (decided.has(`target ${target}`)) continue;
            // Where the head deploys this revocation on this target, with the latest cutoff among its policies.
            const carriers = headPolicies.filter((p) => p.revocations.has(key) && p.attachments.has(target));
            const latest = Cutoff.latest(...carriers.map((p) => p.revocations.get(key)));
            if (latest === undefined) {
                const how = change.head.present ? "" : ` (removed with ${stackFileName(stack)})`;
                findings.push(failure(subject, `is no longer deployed on target ${target}${how} while it is in force ${when}`));
            } else if (latest.isBefore(cutoff)) {
                findings.push(
                    failure(subject, `is deployed on target ${target} with the cutoff ${latest}, earlier than the one in force ${when}`),
                );
            }
            for (const carrier of carriers) {
                const moving = [carrier.resource, carrier.attachments.get(target)!].filter((r) => replaced.has(r.urn));
                for (const resource of moving) {
                    findings.push(
                        failure(
                            subject,
                            `${resource.type} ${resource.name} would be replaced while the revocation is in force ${when}: between the delete and the create no policy denies its sessions on target ${target}`,
                        ),
                    );
                }
            }
        }
    }
    const budgets = { before: budgetOf(change.base.revocations?.organization), after: budgetOf(change.head.revocations?.organization) };
    for (const move of movesInForce(placed(deployedOrganization(base)), placed(headPolicies), now)) {
        if (!decided.has(move.key)) findings.push(failure(organization(stack, move.key), moveProblem(move, budgets)));
    }
    return findings;
}

/** The policies of a plan as placed: each by its name, with what it holds. */
function placed(policies: DeployedOrganizationPolicy[]): PlacedPolicy[] {
    return policies.map((policy) => ({ name: String(policy.resource.inputs.name), revocations: policy.revocations }));
}

/** The `policyBudget` a side's section writes, when it is a valid one; else undefined. */
function budgetOf(section: OrganizationRevocationsAsWritten | undefined): number | undefined {
    if (section === undefined) return undefined;
    const budget = section.policyBudget ?? DEFAULT_POLICY_BUDGET;
    return typeof budget === "number" && Number.isInteger(budget) ? budget : undefined;
}

/**
 * At any time: at the fullest step of the deploy, a target holds the revocation policies the base
 * attaches to it and the head's new attachments (added, or replaced: the engine creates the
 * replacement first), which must fit the head's budget. Judged when the base's plan is known.
 */
function budgetRules({ stack, base, head }: StackChange): Finding[] {
    if (head.plan === undefined || (base.present && base.plan === undefined)) return [];
    const before: Plan = base.plan ?? emptyPlan(head.plan.project, stack);
    const budget = budgetOf(head.revocations?.organization);
    if (budget === undefined) return [];
    const f = footprint(before, head.plan);
    const fresh = new Set([...f.added, ...f.replaced]);
    const attached = (policies: DeployedOrganizationPolicy[], target: string) =>
        policies.flatMap((p) => (p.attachments.has(target) ? [p.attachments.get(target)!] : []));
    // The lock takes a slot of its own on every target, beside the revocation policies.
    const layer = (plan: Plan) => [...deployedOrganization(plan), ...[deployedLock(plan)].filter((p) => p !== undefined)];
    const basePolicies = layer(before);
    const headPolicies = layer(head.plan);
    const lock = deployedLock(head.plan) !== undefined;
    const targets = [...new Set(headPolicies.flatMap((p) => [...p.attachments.keys()]))];
    return targets.flatMap((target) => {
        const added = attached(headPolicies, target).filter((r) => fresh.has(r.urn)).length;
        const problem = budgetProblem(attached(basePolicies, target).length, added, budget, lock);
        return problem === undefined ? [] : [failure(organization(stack, `target ${target}`), problem)];
    });
}

/** Every policy and attachment the head deploys holding a revocation in force must be protected, so that `pulumi up` refuses to delete, replace or detach it. */
function protectionRules({ stack, head, now }: StackChange): Finding[] {
    if (head.plan === undefined) return [];
    const findings: Finding[] = [];
    for (const [key, { cutoff, policy }] of deployedInForce(deployedOrganization(head.plan), now)) {
        const unprotected = [policy.resource, ...policy.attachments.values()].filter((r) => !r.protect).map((r) => r.name);
        if (unprotected.length > 0) {
            findings.push(
                failure(
                    organization(stack, key),
                    `deploys ${unprotected.join(", ")} without protect while the revocation is in force (${window(cutoff)}): pulumi up would not refuse to delete, replace or detach them`,
                ),
            );
        }
    }
    return findings;
}

/** The organization rules of one changed stack. */
export function organizationRules(change: StackChange): Finding[] {
    const [base, head] = [change.base.revocations, change.head.revocations];
    // A head the loader refuses is judged by that refusal alone; a deleted head holds nothing.
    const comparable = base !== undefined && head !== undefined && (!change.head.present || change.head.loaded !== undefined);
    const config = comparable ? configRules(change.stack, base.organization ?? NONE, head.organization ?? NONE, change.now) : [];
    const decided = new Set(
        config.flatMap(({ verdict, subject }) => (verdict === "fail" && subject.kind === "organization" ? [subject.what] : [])),
    );
    return [...config, ...planRules(change, decided), ...protectionRules(change), ...budgetRules(change)];
}

/** The revocations in force, in words: up to three, and how many more. */
function heldWords(held: readonly ConfigRevocation[]): string {
    const words = held.slice(0, 3).map((r) => `${r.stack}: ${r.key} until ${r.cutoff.safeToRemoveAfterText}`);
    return held.length > 3 ? `${words.join(", ")} and ${held.length - 3} more` : words.join(", ");
}

/**
 * The lock (`lockRevocations: true`) guards the role revocations of every stack, which carry its
 * tag: while any revocation of the repository is in force (`held`, read from the base), a change
 * may not turn it off, exempt another principal from it, stop exempting a deploy role, nor, in the plans, stop attaching it to a
 * target it is attached to, or replace it or an attachment (between the delete and the create,
 * nothing would lock the roles).
 */
export function lockRules(change: StackChange, held: readonly ConfigRevocation[]): Finding[] {
    if (held.length === 0) return [];
    const subject = organization(change.stack, "lock");
    const inForce = `while revocations are in force (${heldWords(held)})`;
    const before = change.base.revocations?.organization;
    const after = change.head.revocations?.organization;
    const comparable = change.head.revocations !== undefined && (!change.head.present || change.head.loaded !== undefined);
    if (comparable && before?.lock === true) {
        if (after?.lock !== true) {
            const how = change.head.present ? "lockRevocations is turned off" : `is removed with ${stackFileName(change.stack)}`;
            return [
                failure(
                    subject,
                    `${how} ${inForce}: any principal of a member account allowed to change IAM roles could then remove a revocation again; turn it off once they are safe to remove`,
                ),
            ];
        }
        const exempt = new Set(before.deployRoleArns ?? []);
        const kept = new Set(after.deployRoleArns ?? []);
        const added = (after.deployRoleArns ?? []).filter((arn) => !exempt.has(arn));
        // A deploy role dropped is denied tagging the roles it revokes: stacks without revocable-roles:ci deploy as a role the guard cannot see, so any may be theirs.
        const dropped = (before.deployRoleArns ?? []).filter((arn) => !kept.has(arn));
        if (added.length > 0 || dropped.length > 0) {
            return [
                ...added.map((arn) =>
                    failure(
                        subject,
                        `deployRoleArns adds ${String(arn)} ${inForce}: the lock would let it change the revoked roles; add it once they are safe to remove`,
                    ),
                ),
                ...dropped.map((arn) =>
                    failure(
                        subject,
                        `deployRoleArns drops ${String(arn)} ${inForce}: the lock would deny it tagging a role ${REVOKED_UNTIL_TAG}, so a deploy or an hourly check that runs as it (a stack's deployRoleArn, or the repository's AWS_DEPLOY_ROLE_ARN, which the guard cannot see) could deploy no later revocation, nor remove one once its window is over; drop it once they are safe to remove`,
                    ),
                ),
            ];
        }
    }
    const base = change.base.plan;
    const lock = base === undefined ? undefined : deployedLock(base);
    if (base === undefined || lock === undefined || (change.head.plan === undefined && change.head.present)) return [];
    const head = change.head.plan ?? emptyPlan(base.project, change.stack);
    const headLock = deployedLock(head);
    const replaced = new Set(footprint(base, head).replaced);
    const findings: Finding[] = [];
    if (headLock !== undefined && replaced.has(headLock.resource.urn)) {
        findings.push(
            failure(
                subject,
                `${headLock.resource.type} ${headLock.resource.name} would be replaced ${inForce}: between the delete and the create nothing locks the revoked roles`,
            ),
        );
    }
    for (const target of lock.attachments.keys()) {
        const attachment = headLock?.attachments.get(target);
        if (attachment === undefined) findings.push(failure(subject, `is no longer attached to target ${target} ${inForce}`));
        else if (replaced.has(attachment.urn)) {
            findings.push(
                failure(
                    subject,
                    `${attachment.type} ${attachment.name} would be replaced ${inForce}: between the delete and the create nothing locks the revoked roles on target ${target}`,
                ),
            );
        }
    }
    return findings;
}

/**
 * At any time: with the organization's lock on, every stack's own deploy role
 * (`revocable-roles:ci.deployRoleArn`) is one it exempts. The lock denies every other principal
 * setting the tag `revocable-roles:revoked-until`, which the component puts on each role it
 * revokes, so a stack whose deploy role it does not exempt could deploy no revocation at all. A
 * stack of roles that names no deploy role (it deploys with the repository-wide one, which the
 * guard cannot see) fails too: fail closed.
 */
export function lockExemptionRules(sides: ReadonlyMap<string, Side>): Finding[] {
    const locks = [...sides].flatMap(([stack, side]) => {
        const section = side.revocations?.organization;
        return section?.lock === true ? [{ stack, exempt: new Set((section.deployRoleArns ?? []).map(String)) }] : [];
    });
    if (locks.length === 0) return [];
    return [...sides].flatMap(([stack, side]) => {
        const deployRole = side.ci?.deployRoleArn;
        if (deployRole === undefined) {
            // Its roles carry the tag once revoked; with no deploy role named, nothing shows that the lock lets their deploy tag them.
            if ((side.roles ?? []).length === 0) return [];
            return locks.map(({ stack: organizationStack }) =>
                failure(
                    file(stackFileName(stack), stack),
                    `names no deploy role (${NAMESPACE}:ci.deployRoleArn) while the organization's lock is on (${NAMESPACE}:organization in ${stackFileName(organizationStack)}): the lock denies every principal but its deployRoleArns tagging a role ${REVOKED_UNTIL_TAG}, and the guard cannot tell that it exempts the role this stack deploys with, so no revocation of this stack might deploy; declare ${NAMESPACE}:ci with the deploy role, and list it in deployRoleArns`,
                ),
            );
        }
        return locks
            .filter(({ exempt }) => !exempt.has(deployRole))
            .map(({ stack: organizationStack }) =>
                failure(
                    file(stackFileName(stack), stack),
                    `${NAMESPACE}:ci.deployRoleArn ${deployRole} is not among the lock's deployRoleArns (${NAMESPACE}:organization in ${stackFileName(organizationStack)}): the lock denies every other principal tagging a role ${REVOKED_UNTIL_TAG}, so no revocation of this stack could deploy; add it to deployRoleArns`,
                ),
            );
    });
}

/**
 * At any time: the organization stacks that attach to one target (a root, OU or account) together
 * fit it. Each stack's own budget is checked alone (budgetRules); two stacks whose sections name
 * the same target would attach, together, more than the slots beside FullAWSAccess, and the
 * deploy that attaches past the limit fails, and with it that stack's revocations. Reported on the
 * later stack of `order` (the caller lists untouched stacks first).
 */
export function sharedTargetRules(sides: ReadonlyMap<string, Side>, order: readonly string[]): Finding[] {
    const attached = new Map<string, { stack: string; slots: number }[]>();
    const findings: Finding[] = [];
    for (const stack of order) {
        const section = sides.get(stack)?.revocations?.organization;
        const budget = budgetOf(section);
        if (section === undefined || budget === undefined) continue;
        const slots = budget + (section.lock === true ? 1 : 0);
        for (const target of new Set(section.targets.map(String))) {
            const before = attached.get(target) ?? [];
            const total = before.reduce((sum, b) => sum + b.slots, slots);
            if (before.length > 0 && total > MAX_POLICY_BUDGET) {
                findings.push(
                    failure(
                        organization(stack, `target ${target}`),
                        `is also a target of ${before.map((b) => `${b.stack} (${b.slots} ${b.slots === 1 ? "policy" : "policies"})`).join(", ")}: with this stack's ${slots}, the organization stacks would attach ${total} of the layer's service control policies to it, and a target holds ${SCPS_PER_TARGET}, one of which must allow actions (FullAWSAccess): the deploy that attaches past the limit fails, and with it that stack's revocations; attach each target from one stack, or lower the budgets to ${MAX_POLICY_BUDGET} policies in all`,
                    ),
                );
            }
            attached.set(target, [...before, { stack, slots }]);
        }
    }
    return findings;
}

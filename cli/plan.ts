/**
 * The offline plan: runs the real program against a stack's configuration under Pulumi's mock
 * runtime and shows what it would deploy, as text for people, as JSON for tools, or as a diff
 * against the same stack at a git ref.
 */
import { CliError, EXIT_CODES_HELP, Writer, fail, parseFlags, runAsProcess, useFastStackTraces, UsageError } from "./io";
import { loadStack, stackFileName } from "../config/loader";
import { directorySource, gitSource } from "../config/sources";
import { Plan, PlannedResource, footprint } from "../plan/model";
import { diffPlans, revocationTargets } from "../plan/diff";
import { deployedRoles } from "../plan/deployment";
import { deployedOrganization } from "../plan/organization";
import { ORGANIZATION_LIMITS } from "../iam/organizationPolicy";
import { describeTrust } from "../analysis/trust";
import {
    Containment,
    RepositoryIndex,
    RepositoryRole,
    chainInBrief,
    chainInWords,
    containment,
    repositoryRoles,
} from "../analysis/containment";
import { chainOf } from "../analysis/reachability";
import { PLACEHOLDER_ACCOUNT, PLACEHOLDER_PARTITION } from "../iam/trust";

/** What a revoked role's sessions could reach that no equal or later cutoff covers, by role key. */
export type Warnings = ReadonlyMap<string, Containment>;

/** The containment analysis of every revoked role of a plan, from the roles of the whole repository. */
export function containmentOf(plan: Plan, roles: RepositoryRole[] | (() => RepositoryRole[])): Map<string, Containment> {
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
                lines.push(
                    `  warning:    sessions created from its sessions survive until revoked before ${cutoff} too (up to 1 hour): ${open.map((r) => chainInBrief(analysis.role, r.reach).path).join("; ")}`,
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

const USAGE = "usage: npm run plan -- --stack <name> [--json] [--diff <git-ref> [--revocation-targets]]";
const HELP = `${USAGE}

Runs the program offline against Pulumi.<name>.yaml (no AWS call, no Pulumi CLI) and prints what
it would deploy.

  --stack <name>          the stack to plan
  --json                  the plan as JSON: {"project", "stack", "resources": [{urn, type, name, parent, inputs, protect}],
                          "roles": [{key, roleName, revokedBefore, reachable}]}
  --diff <git-ref>        what changes since the same stack at a git ref: + add, ~ change, +- replace, - remove
  --revocation-targets    with --diff: the URNs of the changed revocation policies, one per line, when every
                          change is a revocation policy added or moved to a later cutoff; nothing otherwise

${EXIT_CODES_HELP}`;

/** Where the plan command reads from (the project root, a directory with Pulumi.yaml), and when it runs. */
export interface PlanEnvironment {
    root: string;
    programRoot: string;
    now: Date;
}

/** The command line: returns the exit code; writes results to stdout and errors to stderr only. */
export async function main(argv: string[], out: Writer, err: Writer, env: PlanEnvironment): Promise<number> {
    try {
        const values = parseFlags(argv, {
            stack: { type: "string" },
            json: { type: "boolean" },
            diff: { type: "string" },
            "revocation-targets": { type: "boolean" },
        });
        if (values === undefined) {
            out.write(HELP);
            return 0;
        }
        if (values.stack === undefined) throw new UsageError("--stack is required");
        if (values["revocation-targets"] === true && values.diff === undefined)
            throw new UsageError("--revocation-targets needs --diff <git-ref>");
        const stack = values.stack;
        const source = directorySource(env.root);
        // The program's runtime (the Pulumi SDK and the providers) is loaded only when a plan runs.
        const { planAt, planStack } = await import("../plan/run");
        const plan = await planStack(loadStack(source, stack), env.programRoot, env.now);
        if (values.diff === undefined) {
            const warnings = containmentOf(plan, () => repositoryRoles(source, env.now).roles);
            out.write(`${values.json === true ? JSON.stringify(planJson(plan, warnings)) : describePlan(plan, warnings)}\n`);
            return 0;
        }
        const before = await planAt(gitSource(env.root, values.diff), stack, env.programRoot, env.now).catch((error: Error) => {
            throw new CliError(`${stackFileName(stack)} at ${values.diff}: ${error.message}`);
        });
        const f = footprint(before, plan);
        if (values["revocation-targets"] === true) {
            const targets = revocationTargets(before, plan, f);
            out.write(targets.map((urn) => `${urn}\n`).join(""));
        } else if (values.json === true) {
            out.write(`${JSON.stringify({ before: planJson(before), after: planJson(plan) })}\n`);
        } else {
            out.write(`${diffPlans(before, plan, values.diff, f)}\n`);
        }
        return 0;
    } catch (error) {
        return fail(error, err, USAGE);
    }
}
/** The command as a process runs it: the project folder it is started in, its program, the real clock. */
export function run(argv: string[]): Promise<number> {
    useFastStackTraces();
    return main(argv, process.stdout, process.stderr, { root: process.cwd(), programRoot: process.cwd(), now: new Date() });
}

if (require.main === module) runAsProcess(run);

/**
 * The offline plan: runs the real program against a stack's configuration under Pulumi's mock
 * runtime and shows what it would deploy, as text for people, as JSON for tools, or as a diff
 * against the same stack at a git ref.
 */
import * as path from "path";
import { PLACEHOLDER_ACCOUNT, PLACEHOLDER_PARTITION, Registration, loadProgram, runOffline, useFastStackTraces } from "../plan/recorder";
import { CliError, Writer, fail, parseFlags, runAsProcess, UsageError } from "./io";
import { PROJECT_ROOT } from "./project";
import { LoadedStack, loadProject, loadStack, stackFileName } from "../config/loader";
import { ProjectSource, directorySource, gitSource } from "../config/sources";
import { CONFIG_ERROR_HEADER } from "../config/stackConfig";
import { Footprint, Plan, PlannedResource, RegistrationDetails, footprint } from "../plan/model";
import { POLICY_TYPES, deployedRoles, policyName, revocationCutoff } from "../plan/deployment";
import { describeTrust } from "../analysis/trust";
import { Containment, RepositoryRole, containment, repositoryRoles } from "../analysis/containment";
import { REVOCATION_POLICY_NAME, asList } from "../iam/policy";
import { formatUtc, safeToRemoveAfter } from "../iam/timestamps";
import { formatPath } from "../iam/problems";

/**
 * Plans a loaded stack by running the program in `programRoot` (this checkout's, unless a base's
 * own code must run), as of `now` (default: the real clock), which decides what is in force.
 */
export async function planStack(loaded: LoadedStack, programRoot = PROJECT_ROOT, now?: Date): Promise<Plan> {
    const run = await runOffline(loadProgram(path.join(programRoot, "index.ts")), {
        project: loaded.project.name,
        stack: loaded.stack,
        config: loaded.config,
        now,
    });
    if (run.error !== undefined) {
        // Config errors: the lines themselves, one per problem, without the program's header; any other failure in one line.
        const message = run.error.message;
        throw new CliError(
            message.startsWith(`${CONFIG_ERROR_HEADER}\n`) ? message.slice(CONFIG_ERROR_HEADER.length + 1) : message.split("\n")[0],
        );
    }
    return toPlan(loaded.project.name, loaded.stack, run.registrations);
}

/** A plan from recorded registrations. */
export function toPlan(project: string, stack: string, registrations: Registration[]): Plan {
    const details = new Map<string, RegistrationDetails>();
    const resources = registrations.map((r): PlannedResource => {
        details.set(r.urn, {
            deleteBeforeReplace: r.deleteBeforeReplace,
            propertyDependencies: r.propertyDependencies,
            aliases: r.aliases,
        });
        return { urn: r.urn, type: r.type, name: r.name, parent: r.parent ?? null, inputs: r.inputs, protect: r.protect };
    });
    return { project, stack, resources, details };
}

/** An empty plan: the stack as it is before its stack file exists. */
export function emptyPlan(project: string, stack: string): Plan {
    return { project, stack, resources: [], details: new Map() };
}

/** What a revoked role's sessions could reach that no equal or later cutoff covers, by role key. */
export type Warnings = ReadonlyMap<string, Containment>;

/** The containment analysis of every revoked role of a plan, from the roles of the whole repository. */
export function containmentOf(plan: Plan, roles: RepositoryRole[]): Map<string, Containment> {
    const result = new Map<string, Containment>();
    for (const role of deployedRoles(plan)) {
        const facts = roles.find((r) => r.stack === plan.stack && r.key === role.key);
        if (role.revocation !== undefined && facts !== undefined) result.set(role.key, containment(facts, roles, role.revocation.cutoff));
    }
    return result;
}

/** The plan for people: per role, its name, trust in words, policies and revocation state, and what a revocation leaves open. */
export function describePlan(plan: Plan, warnings: Warnings = new Map()): string {
    const lines = [
        `Offline plan of stack "${plan.stack}" (project ${plan.project}): no AWS call was made.`,
        `Account ${PLACEHOLDER_ACCOUNT} and partition "${PLACEHOLDER_PARTITION}" below are placeholders for the deploying account.`,
    ];
    const roles = deployedRoles(plan);
    for (const role of roles) {
        const children = plan.resources.filter((r) => r.parent === role.component);
        const managed = [
            ...asList(role.inputs.managedPolicyArns),
            ...children
                .filter((r) => r.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment")
                .map((r) => String(r.inputs.policyArn)),
        ].sort();
        const inline = children
            .filter((r) => POLICY_TYPES.has(r.type))
            .map(policyName)
            .filter((name) => name !== REVOCATION_POLICY_NAME);
        lines.push("", `${role.key}: role ${role.path}${role.physicalName}`);
        describeTrust(role.trust).forEach((line, i) => lines.push(`  ${i === 0 ? "trusted by:" : "           "} ${line}`));
        lines.push(`  managed:    ${managed.length > 0 ? managed.join(", ") : "none"}`);
        lines.push(`  inline:     ${inline.length > 0 ? inline.join(", ") : "none"}`);
        if (role.revocation === undefined) {
            lines.push("  revocation: not revoked");
        } else {
            const cutoff = role.revocation.cutoff;
            lines.push(
                `  revocation: sessions issued before ${formatUtc(cutoff)} are denied; safe to remove after ${formatUtc(safeToRemoveAfter(cutoff))}`,
            );
            if (role.revocation.resource.protect) {
                lines.push(
                    "  protected:  the role and its RevokeOlderSessions policy (pulumi up refuses to delete or replace them until then)",
                );
            }
            const open = (warnings.get(role.key)?.reachable ?? []).filter((r) => !r.covered);
            if (open.length > 0) {
                lines.push(
                    `  warning:    sessions created from its sessions survive until revoked before ${formatUtc(cutoff)} too (up to 1 hour): ${open.map((r) => r.path).join("; ")}`,
                );
            }
        }
    }
    lines.push("", `${roles.length} roles, ${plan.resources.length} resources.`);
    return lines.join("\n");
}

function parsed(value: unknown): unknown {
    if (typeof value === "string" && /^\s*[{[]/.test(value)) {
        try {
            return JSON.parse(value);
        } catch {
            return value;
        }
    }
    return value;
}

/** Structural differences between two values, one line each, with JSON documents compared as data. */
export function structuralDiff(before: unknown, after: unknown, at: PropertyKey[] = []): string[] {
    const a = parsed(before);
    const b = parsed(after);
    if (JSON.stringify(a) === JSON.stringify(b)) return [];
    const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null;
    if (isObject(a) && isObject(b) && Array.isArray(a) === Array.isArray(b)) {
        const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
        return keys.flatMap((key) => structuralDiff(a[key], b[key], [...at, Array.isArray(a) ? Number(key) : key]));
    }
    const where = formatPath(at);
    if (a === undefined) return [`+ ${where}: ${JSON.stringify(b)}`];
    if (b === undefined) return [`- ${where}: ${JSON.stringify(a)}`];
    return [`~ ${where}: ${JSON.stringify(a)} -> ${JSON.stringify(b)}`];
}

/** What changes from one plan to another: resources added, updated, replaced (`+-`) and removed, with their differences. */
export function diffPlans(before: Plan, after: Plan, ref: string, f: Footprint = footprint(before, after)): string {
    const [added, changed, replaced] = [new Set(f.added), new Set(f.changed), new Set(f.replaced)];
    const old = new Map(before.resources.map((r) => [r.urn, r]));
    const label = (r: PlannedResource) => `${r.type} ${r.name}${r.protect ? " (protected)" : ""}`;
    const indent = (lines: string[]) => lines.map((l) => `    ${l}`);
    const lines: string[] = [];
    for (const resource of after.resources) {
        const prior = old.get(f.previous.get(resource.urn) ?? resource.urn);
        if (added.has(resource.urn)) lines.push(`+ ${label(resource)}`, ...indent(structuralDiff({}, resource.inputs)));
        if (changed.has(resource.urn)) lines.push(`~ ${label(resource)}`, ...indent(structuralDiff(prior!.inputs, resource.inputs)));
        if (replaced.has(resource.urn)) {
            const differences = structuralDiff(prior!.inputs, resource.inputs);
            lines.push(
                `+- ${label(resource)}`,
                ...indent(differences.length > 0 ? differences : ["(replaced with the resource it takes its role from)"]),
            );
        }
    }
    lines.push(...f.removed.map((urn) => `- ${label(old.get(urn)!)}`));
    const header = `Changes to stack "${after.stack}" since ${ref}: ${f.added.length} to add, ${f.changed.length} to change, ${f.replaced.length} to replace, ${f.removed.length} to remove.`;
    return [header, ...(lines.length > 0 ? ["", ...lines] : [])].join("\n");
}

/**
 * The URNs to deploy with `pulumi up --target` when every change between the plans is a
 * revocation policy added, or changed to a later cutoff, on a role that already exists; empty
 * when anything else changes (or nothing does), so that everything else deploys in full.
 */
export function revocationTargets(before: Plan, after: Plan, f: Footprint = footprint(before, after)): string[] {
    if (f.replaced.length > 0 || f.removed.length > 0) return [];
    const old = new Map(before.resources.map((r) => [r.urn, r]));
    const changed = new Set([...f.added, ...f.changed]);
    const targets = after.resources.filter((r) => changed.has(r.urn));
    for (const resource of targets) {
        const cutoff = revocationCutoff(resource);
        if (cutoff === undefined) return [];
        const prior = old.get(f.previous.get(resource.urn) ?? resource.urn);
        const was = prior === undefined ? undefined : revocationCutoff(prior);
        if (prior !== undefined && (was === undefined || cutoff <= was)) return [];
    }
    return targets.map((r) => r.urn);
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
            revokedBefore: role.revocation === undefined ? null : formatUtc(role.revocation.cutoff),
            reachable: (warnings.get(role.key)?.reachable ?? [])
                .filter((r) => !r.covered)
                .map(({ reach, reasons }) => ({
                    stack: reach.role.stack,
                    key: reach.role.key,
                    roleName: reach.role.roleName,
                    chain: [role.key, ...reach.chain.map((l) => l.to.key)],
                    reasons,
                })),
        })),
    };
}

const USAGE = "usage: npm run plan -- --stack <name> [--json] [--diff <git-ref> [--revocation-targets]]";
const HELP = `${USAGE}

Runs the program offline against Pulumi.<name>.yaml (no AWS call, no Pulumi CLI) and prints what
it would deploy.

  --stack <name>          the stack to plan
  --json                  the plan as JSON: {"project", "stack", "resources": [{urn, type, name, parent, inputs}],
                          "roles": [{key, roleName, revokedBefore, reachable}]}
  --diff <git-ref>        what changes since the same stack at a git ref: + add, ~ change, +- replace, - remove
  --revocation-targets    with --diff: the URNs of the changed revocation policies, one per line, when every
                          change is a revocation policy added or moved to a later cutoff; nothing otherwise
`;

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
        const plan = await planStack(loadStack(source, stack), env.programRoot, env.now);
        if (values.diff === undefined) {
            const warnings = containmentOf(plan, repositoryRoles(source, env.now).roles);
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

/** The plan of a stack in another source (a git ref), or an empty plan when the stack file does not exist there. */
export async function planAt(source: ProjectSource, stack: string, programRoot: string, now?: Date): Promise<Plan> {
    if (!source.entries().has(stackFileName(stack))) return emptyPlan(loadProject(source).name, stack);
    return planStack(loadStack(source, stack), programRoot, now);
}

if (require.main === module) {
    useFastStackTraces();
    runAsProcess((argv) => main(argv, process.stdout, process.stderr, { root: process.cwd(), programRoot: PROJECT_ROOT, now: new Date() }));
}

/**
 * `npm run guard`: compares what `pulumi up` would deploy at a base git ref with what it would
 * deploy from the working tree, and fails when a change would weaken a revocation in force.
 * Meant for pull requests, before anything deploys; see docs/guard.md for the rules.
 */
import * as fs from "fs";
import * as path from "path";
import { isDeepStrictEqual } from "util";
import { UsageError, Writer, fail, parseFlags, runAsProcess } from "./io";
import { PROJECT_ROOT, changedFiles, changesProgram, checkoutAt } from "./project";
import { emptyPlan, planStack } from "./plan";
import { useFastStackTraces } from "./offline";
import {
    ConfigSourceError,
    LoadedStack,
    PROJECT_FILE,
    Project,
    lenientConfig,
    loadProject,
    loadStack,
    scanStacks,
    stackFileName,
} from "../config/loader";
import { ProjectSource, directorySource, gitSource } from "../config/sources";
import { NAMESPACE, Revocations, effectiveCutoff, readStackConfig, revocationsOf } from "../config/stackConfig";
import { accountFromConfig } from "../config/account";
import { Plan, footprint, REPLACING_INPUTS, urnParts } from "../analysis/plan";
import { DeployedRole, deployedRoles } from "../analysis/deployment";
import { trustChanges } from "../analysis/trust";
import { formatUtc, instantOf, safeToRemoveAfter, show } from "../components/timestamps";

/** One finding: a weakening (fail) or a change that is fine (pass). */
export interface Finding {
    stack: string;
    subject: string;
    verdict: "fail" | "pass";
    message: string;
}

/** Where the guard reads from and when it runs. */
export interface GuardEnvironment {
    /** The repository folder holding Pulumi.yaml and the stack files. */
    root: string;
    /** The program to plan the working tree with (its index.ts); the base's own program is used when the program changed. */
    programRoot: string;
    now: Date;
}

/** Project file keys that change nothing the CLI deploys. */
const DESCRIPTIVE_PROJECT_KEYS = new Set(["description", "author", "website", "license", "template"]);

/** One stack at one side of the change: what the guard reads and plans. */
export interface Side {
    present: boolean;
    text?: string;
    loaded?: LoadedStack;
    revocations: Revocations;
    plan?: Plan;
    /** Why it could not be loaded, validated or planned. */
    problems: string[];
}

const NONE: Revocations = { roles: new Map() };

/** Reads and plans one stack from one side of the change, as the guard judges it. */
export async function readSide(source: ProjectSource, stack: string, program: string, now: Date, project: string): Promise<Side> {
    const file = stackFileName(stack);
    if (!source.entries().has(file)) return { present: false, revocations: NONE, problems: [] };
    const text = source.entries().get(file) === "file" ? source.read(file) : undefined;
    let loaded: LoadedStack;
    try {
        loaded = loadStack(source, stack);
    } catch (error) {
        const problems = loadProblems(error);
        return { present: true, text, revocations: text === undefined ? NONE : revocationsOf(lenientConfig(project, text)), problems };
    }
    const revocations = revocationsOf(loaded.config);
    const validation = readStackConfig(loaded.config, { stackFile: file, now });
    if (!validation.ok) return { present: true, text, loaded, revocations, problems: validation.errors };
    try {
        return { present: true, text, loaded, revocations, plan: await planStack(loaded, program), problems: [] };
    } catch (error) {
        return { present: true, text, loaded, revocations, problems: (error as Error).message.split("\n") };
    }
}

function window(cutoff: Date): string {
    return `revoked before ${formatUtc(cutoff)}, safe to remove after ${formatUtc(safeToRemoveAfter(cutoff))}`;
}

/** Compares one cutoff field across the change. */
function compareCutoff(stack: string, subject: string, field: string, before: unknown, after: unknown, now: Date): Finding[] {
    const finding = (verdict: Finding["verdict"], message: string): Finding[] => [{ stack, subject, verdict, message }];
    const old = instantOf(before);
    const cur = instantOf(after);
    if (old !== undefined && cur !== undefined) {
        if (cur < old) {
            return finding(
                "fail",
                `${field} moved earlier from ${formatUtc(old)} to ${formatUtc(cur)}, re-enabling sessions issued in between`,
            );
        }
        return cur > old ? finding("pass", `${field} moved later from ${formatUtc(old)} to ${formatUtc(cur)}`) : [];
    }
    if (old !== undefined && after === undefined) {
        const safe = safeToRemoveAfter(old);
        return now < safe
            ? finding("fail", `${field} ${formatUtc(old)} removed before it is safe to remove (${formatUtc(safe)})`)
            : finding("pass", `${field} ${formatUtc(old)} removed after its safe-to-remove time (${formatUtc(safe)})`);
    }
    return cur !== undefined && old === undefined ? finding("pass", `new revocation: ${field} ${formatUtc(cur)}`) : [];
}

/** The cutoffs written in the config, compared key by key (a malformed new value is the validation's to report). */
function configRules(stack: string, base: Revocations, head: Revocations, headPresent: boolean, now: Date): Finding[] {
    // A deleted stack file is judged by what it deployed, below.
    if (!headPresent) return [];
    const findings = compareCutoff(stack, "stack", `${NAMESPACE}:revokeAllBefore`, base.revokeAllBefore, head.revokeAllBefore, now);
    for (const [key, current] of head.roles) {
        findings.push(...compareCutoff(stack, `role ${key}`, "revokeBefore", base.roles.get(key)?.revokeBefore, current.revokeBefore, now));
    }
    return findings;
}

/** Roles whose revocation is in force at `now`, by the config when no plan is available. */
function inForceByConfig(side: Side, now: Date): { key: string; name: string; cutoff: Date }[] {
    return [...side.revocations.roles].flatMap(([key, role]) => {
        const cutoff = effectiveCutoff(role.revokeBefore, side.revocations.revokeAllBefore);
        return cutoff !== undefined && now < safeToRemoveAfter(cutoff)
            ? [{ key, name: typeof role.name === "string" ? role.name : key, cutoff }]
            : [];
    });
}

function inForce(role: DeployedRole, now: Date): boolean {
    return role.revocation !== undefined && now < safeToRemoveAfter(role.revocation.cutoff);
}

/** The keys of the roles a plan deploys with a revocation in force at `now`. */
function inForceKeys(plan: Plan, now: Date): string[] {
    return deployedRoles(plan)
        .filter((role) => inForce(role, now))
        .map((role) => role.key);
}

/** What would happen on deploy to each role revoked at the base. */
function deploymentRules(
    stack: string,
    base: Plan,
    head: Plan | undefined,
    headPresent: boolean,
    now: Date,
    decided: Set<string>,
): Finding[] {
    const findings: Finding[] = [];
    const file = stackFileName(stack);
    const after = head ?? emptyPlan(base.project, stack);
    const f = footprint(base, after);
    const headRoles = deployedRoles(after);
    const replaced = new Set(f.replaced);
    const baseResources = new Map(base.resources.map((r) => [r.urn, r]));
    for (const role of deployedRoles(base).filter((r) => inForce(r, now))) {
        const subject = `role ${role.key}`;
        const fail = (message: string) => findings.push({ stack, subject, verdict: "fail", message });
        const revocation = role.revocation!;
        const when = `(${window(revocation.cutoff)})`;
        const iamRole = `IAM role ${role.physicalName}`;
        const current = headRoles.find((h) => h.urn === role.urn || f.previous.get(h.urn) === role.urn);
        if (current === undefined) {
            const namesake = headRoles.find((h) => h.physicalName.toLowerCase() === role.physicalName.toLowerCase());
            if (!headPresent)
                fail(`removed with ${file} while its revocation is in force ${when}: Pulumi would delete ${iamRole} and its revocation`);
            else if (namesake !== undefined && namesake.backend !== role.backend) {
                fail(
                    `the backend switches from ${role.backend} to ${namesake.backend} while the role is revoked ${when}: Pulumi deletes ${iamRole} with its revocation policies (the console's AWSRevokeOlderSessions included) and creates it again`,
                );
            } else if (namesake !== undefined) {
                const [was, is] = [urnParts(role.urn), urnParts(namesake.urn)];
                const renamed =
                    was.project !== is.project
                        ? `the project is renamed from ${was.project} to ${is.project}`
                        : `its resources are renamed (component ${role.key} to ${namesake.key})`;
                fail(
                    `${renamed} while the role is revoked ${when}: Pulumi deletes ${iamRole} with its revocation policies and creates it again`,
                );
            } else fail(`removed while its revocation is in force ${when}: Pulumi would delete ${iamRole} and its revocation`);
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
        if (!decided.has(subject) && !decided.has("stack")) {
            if (current.revocation === undefined) {
                fail(`no longer deploys RevokeOlderSessions on ${iamRole} while its revocation is in force ${when}`);
                continue;
            }
            if (current.revocation.cutoff < revocation.cutoff) {
                fail(
                    `deploys RevokeOlderSessions with the cutoff ${formatUtc(current.revocation.cutoff)}, earlier than the one in force ${when}`,
                );
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
        for (const tightened of trust.tightened)
            findings.push({ stack, subject, verdict: "pass", message: `trust tightened: ${tightened}` });
    }
    return findings;
}

/** Provider and other config outside this project's namespace, compared while the stack holds a revocation in force. */
function providerConfigRules(stack: string, base: Side, head: Side, revoked: string[]): Finding[] {
    if (revoked.length === 0 || base.loaded === undefined || head.loaded === undefined) return [];
    const foreign = (config: Record<string, string>) =>
        Object.fromEntries(Object.entries(config).filter(([key]) => !key.startsWith(`${NAMESPACE}:`)));
    const [before, after] = [foreign(base.loaded.config), foreign(head.loaded.config)];
    return [...new Set([...Object.keys(before), ...Object.keys(after)])]
        .sort()
        .filter((key) => before[key] !== after[key])
        .map((key) => ({
            stack,
            subject: stackFileName(stack),
            verdict: "fail" as const,
            message: `${key} changes from ${show(before[key])} to ${show(after[key])} while ${revoked.join(", ")} ${revoked.length === 1 ? "is" : "are"} revoked: provider configuration decides where and how every resource of the stack deploys, and the offline plan cannot see what it replaces`,
        }));
}

async function guardStack(
    stack: string,
    sources: { base: ProjectSource; head: ProjectSource },
    programs: { base: string; head: string },
    env: GuardEnvironment,
    projects: { base: string; head: string },
): Promise<{ findings: Finding[]; revoked: string[] }> {
    const file = stackFileName(stack);
    const base = await readSide(sources.base, stack, programs.base, env.now, projects.base);
    const head = await readSide(sources.head, stack, programs.head, env.now, projects.head);
    const findings: Finding[] = head.problems.map((problem) => ({
        stack,
        subject: file,
        verdict: "fail" as const,
        message: problem.startsWith(`${file}: `) ? problem.slice(file.length + 2) : problem,
    }));
    if (base.present && base.problems.length > 0) {
        findings.push({
            stack,
            subject: file,
            verdict: "pass",
            message: `at the base it could not be planned (${base.problems[0]}); its revocations are compared from the config alone`,
        });
    }
    // A head the loader refuses is judged by that refusal alone: what it would deploy is not defined.
    const unreadable = head.present && head.loaded === undefined;
    const config = unreadable ? [] : configRules(stack, base.revocations, head.revocations, head.present, env.now);
    findings.push(...config);
    const decided = new Set(config.filter((f) => f.verdict === "fail").map((f) => f.subject));
    let revoked: string[];
    if (base.plan !== undefined && (head.plan !== undefined || !head.present)) {
        findings.push(...deploymentRules(stack, base.plan, head.plan, head.present, env.now, decided));
        revoked = inForceKeys(base.plan, env.now);
    } else {
        // Without both plans, protect what the config says is in force: a revoked role must stay.
        const roles = inForceByConfig(base, env.now);
        revoked = roles.map((r) => r.key);
        for (const role of unreadable ? [] : roles) {
            if (head.present && head.revocations.roles.has(role.key)) continue;
            findings.push({
                stack,
                subject: `role ${role.key}`,
                verdict: "fail",
                message: `removed${head.present ? "" : ` with ${file}`} while its revocation is in force (${window(role.cutoff)})`,
            });
        }
    }
    findings.push(...providerConfigRules(stack, base, head, revoked));
    return { findings, revoked };
}

/** The lines of a loader error: every problem of a refused source, or the message. */
function loadProblems(error: unknown): string[] {
    return error instanceof ConfigSourceError ? error.problems : [(error as Error).message];
}

function projectOf(source: ProjectSource): { project?: Project; problems: string[] } {
    try {
        return { project: loadProject(source), problems: [] };
    } catch (error) {
        return { problems: loadProblems(error) };
    }
}

/** Every finding across the stack files at `base` and in the working tree. */
export async function guard(base: string, env: GuardEnvironment): Promise<Finding[]> {
    const sources = { base: gitSource(env.root, base), head: directorySource(env.root) };
    sources.base.entries(); // an unknown ref stops here, before any finding
    const findings: Finding[] = [];
    const [baseProject, headProject] = [projectOf(sources.base), projectOf(sources.head)];
    for (const problem of headProject.problems)
        findings.push({ stack: "project", subject: PROJECT_FILE, verdict: "fail", message: problem.replace(/^Pulumi\.yaml: /, "") });
    const [baseScan, headScan] = [scanStacks(sources.base), scanStacks(sources.head)];
    const stacks = [...new Set([...baseScan.stacks, ...headScan.stacks])].sort();
    for (const problem of headScan.problems) {
        const [file, ...rest] = problem.split(": ");
        // A stack guarded below reports its own file's problem.
        if (stacks.some((stack) => file === stackFileName(stack))) continue;
        findings.push({ stack: "project", subject: file, verdict: "fail", message: rest.join(": ") });
    }
    const changedProgram = changedFiles(env.root, base).filter(changesProgram);
    const checkout = changedProgram.length > 0 ? checkoutAt(env.root, base, path.join(env.programRoot, "node_modules")) : undefined;
    const programs = { base: checkout ?? env.programRoot, head: env.programRoot };
    const [baseData, headData] = [baseProject.project?.data, headProject.project?.data];
    const projects = { base: baseProject.project?.name ?? NAMESPACE, head: headProject.project?.name ?? NAMESPACE };
    const revoked: string[] = [];
    const changed = new Set<string>();
    try {
        for (const stack of stacks) {
            const file = stackFileName(stack);
            const same =
                checkout === undefined &&
                isDeepStrictEqual(baseData, headData) &&
                baseScan.stacks.includes(stack) &&
                headScan.stacks.includes(stack) &&
                sources.base.read(file) === sources.head.read(file);
            if (same) continue;
            const result = await guardStack(stack, sources, programs, env, projects);
            findings.push(...result.findings);
            revoked.push(...result.revoked.map((key) => `${stack}/${key}`));
            changed.add(stack);
        }
        if (baseData !== undefined && headData !== undefined) {
            const keys = [...new Set([...Object.keys(baseData), ...Object.keys(headData)])]
                .filter((key) => !DESCRIPTIVE_PROJECT_KEYS.has(key) && !isDeepStrictEqual(baseData[key], headData[key]))
                .sort();
            const everyRevoked =
                revoked.length > 0
                    ? revoked
                    : await revokedInUnchangedStacks(baseScan.stacks, sources.base, programs.base, env, projects.base, keys.length > 0);
            if (keys.length > 0 && everyRevoked.length > 0) {
                findings.push({
                    stack: "project",
                    subject: PROJECT_FILE,
                    verdict: "fail",
                    message: `changes ${keys.join(", ")} while revocations are in force (${everyRevoked.join(", ")}): these fields decide what and where the Pulumi CLI deploys; make this change once every revocation is safe to remove`,
                });
            }
        }
    } finally {
        if (checkout !== undefined) fs.rmSync(checkout, { recursive: true, force: true });
    }
    // Stacks this change did not touch come first: a duplicate is reported on the stack that introduces it.
    const order = [...headScan.stacks.filter((s) => !changed.has(s)), ...headScan.stacks.filter((s) => changed.has(s))];
    findings.push(
        ...duplicateNames(
            order.flatMap((stack) => loadable(sources.head, stack)),
            env.now,
        ),
    );
    return findings;
}

/** A stack as loaded, or nothing when the loader refuses it (its own findings say why). */
function loadable(source: ProjectSource, stack: string): LoadedStack[] {
    try {
        return [loadStack(source, stack)];
    } catch {
        return [];
    }
}

/** The revoked roles of stacks the change did not touch, needed only when the project file changed. */
async function revokedInUnchangedStacks(
    stacks: string[],
    source: ProjectSource,
    program: string,
    env: GuardEnvironment,
    project: string,
    needed: boolean,
): Promise<string[]> {
    if (!needed) return [];
    const revoked: string[] = [];
    for (const stack of stacks) {
        const side = await readSide(source, stack, program, env.now, project);
        const roles = side.plan !== undefined ? inForceKeys(side.plan, env.now) : inForceByConfig(side, env.now).map((r) => r.key);
        revoked.push(...roles.map((key) => `${stack}/${key}`));
    }
    return revoked;
}

/** Roles of different stacks that deploy to the same known account under one IAM name (IAM ignores case). */
function duplicateNames(stacks: LoadedStack[], now: Date): Finding[] {
    const seen = new Map<string, string>();
    const findings: Finding[] = [];
    for (const loaded of stacks) {
        const read = readStackConfig(loaded.config, { stackFile: loaded.file, now });
        if (!read.ok) continue;
        const account = accountFromConfig(loaded.config, read.config.provider ?? "aws").accountId;
        if (account === undefined) continue;
        for (const { key, args } of read.roles) {
            const name = String(args.roleName ?? key);
            const id = `${account}/${name.toLowerCase()}`;
            const first = seen.get(id);
            if (first !== undefined && !first.startsWith(`${loaded.stack}/`)) {
                findings.push({
                    stack: loaded.stack,
                    subject: `role ${key}`,
                    verdict: "fail",
                    message: `IAM role ${name} is also declared by ${first} in account ${account}; IAM role names are unique per account regardless of case, so one stack would take over or fail on the other's role`,
                });
            } else if (first === undefined) seen.set(id, `${loaded.stack}/${key}`);
        }
    }
    return findings;
}

/** Failures, then passes, each in the order found. */
function failuresFirst(findings: Finding[]): Finding[] {
    return [...findings.filter((f) => f.verdict === "fail"), ...findings.filter((f) => f.verdict === "pass")];
}

/** The findings for a terminal or a CI log: one line each, failures first. */
export function formatText(findings: Finding[], base: string): string {
    const failed = findings.filter((f) => f.verdict === "fail");
    const lines = failuresFirst(findings).map((f) => `${f.verdict === "fail" ? "FAIL" : "ok  "} ${f.stack}: ${f.subject}: ${f.message}`);
    const summary =
        failed.length > 0
            ? `${failed.length} change(s) would weaken a revocation since ${base}.`
            : `No revocation is weakened since ${base}.`;
    return [...lines, summary].join("\n");
}

/** The findings as a pull-request comment. */
export function formatMarkdown(findings: Finding[], base: string): string {
    const failed = findings.filter((f) => f.verdict === "fail").length;
    const lines = [
        "## Revocation guard",
        "",
        failed > 0
            ? `**${failed} change(s) would weaken a revocation** since \`${base}\`. Fix them before merging.`
            : `No revocation is weakened since \`${base}\`.`,
    ];
    if (findings.length > 0) {
        const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");
        lines.push("", "| | stack | subject | finding |", "| --- | --- | --- | --- |");
        for (const f of failuresFirst(findings)) {
            lines.push(`| ${f.verdict === "fail" ? "❌" : "✅"} | \`${f.stack}\` | ${cell(f.subject)} | ${cell(f.message)} |`);
        }
    }
    return lines.join("\n");
}

const USAGE = "usage: npm run guard -- --base <git-ref> [--format text|markdown]";
const HELP = `${USAGE}

Plans every stack at <git-ref> and in the working tree, offline, and exits 1 when a change would
weaken a revocation in force: a cutoff moved earlier or removed inside its 13-hour window, a
revoked role or its revocation policy deleted or replaced, its trust widened, provider or
project configuration changed, or configuration the Pulumi CLI would read that this tool does
not model. New revocations, later cutoffs and tightened trust pass and are listed.
`;

/** The command line; returns the exit code (1 when anything would weaken a revocation). */
export async function main(argv: string[], out: Writer, err: Writer, env: GuardEnvironment): Promise<number> {
    try {
        const values = parseFlags(argv, { base: { type: "string" }, format: { type: "string" } });
        if (values === undefined) {
            out.write(HELP);
            return 0;
        }
        if (values.base === undefined) throw new UsageError("--base is required");
        const format = values.format ?? "text";
        if (format !== "text" && format !== "markdown") throw new UsageError(`--format "${format}" is not text or markdown`);
        const findings = await guard(values.base, env);
        out.write(`${format === "markdown" ? formatMarkdown(findings, values.base) : formatText(findings, values.base)}\n`);
        return findings.some((f) => f.verdict === "fail") ? 1 : 0;
    } catch (error) {
        return fail(error, err, USAGE);
    }
}

if (require.main === module) {
    useFastStackTraces();
    runAsProcess((argv) => main(argv, process.stdout, process.stderr, { root: process.cwd(), programRoot: PROJECT_ROOT, now: new Date() }));
}

/**
 * The revocation guard: compares what `pulumi up` would deploy at a base commit with what it
 * would deploy at the head, and finds every change that would weaken a revocation in force, or
 * that it cannot judge. Read docs/guard.md for the rules and what the guard trusts.
 *
 * As the trusted judge (`headProgram: "base"`), it runs from a checkout of the base and reads the
 * head from git objects only: the head's stack files and project file are data, planned with the
 * base's program; nothing of the head is executed, required or used as configuration.
 */
import { isDeepStrictEqual } from "util";
import * as fs from "fs";
import * as path from "path";
import { PROJECT_FILE, Project, loadProject, loadStack, packageJsonProblems, scanStacks, stackFileName } from "../config/loader";
import { ProjectSource, directorySource, git, gitSource } from "../config/sources";
import { NAMESPACE } from "../config/stackConfig";
import { changedPaths, changesProgram, checkoutAt, removeTemporaryFolder } from "../config/repository";
import { Finding, failure, file } from "./findings";
import { Side, SideOf, StackChange, betweenSides, inForceByConfig, loadProblems, readConfig, readSide } from "./sides";
import { readabilityRules } from "./rules/readability";
import { cutoffRules } from "./rules/cutoffs";
import { deploymentRules, protectionRules } from "./rules/deployment";
import { providerConfigRules } from "./rules/provider";
import { duplicateNameRules, environmentRules } from "./rules/names";
import { pathRules } from "./rules/paths";
import { AttributesFile, attributeRules } from "./rules/attributes";
import { lockExemptionRules, lockRules, organizationRules, sharedTargetRules } from "./rules/organization";
import { RevokedInOrganization, RevokedRole, UndoSides, undoRules } from "./rules/undo";
import { accountFromConfig } from "../config/account";
import { configValue } from "../config/stackConfig";

export type { Finding, Subject } from "./findings";

/** What the guard judges, from where, and when. */
export interface GuardOptions {
    /** The project folder (Pulumi.yaml and the stack files) inside a git repository. */
    root: string;
    /** The folder of the program the guard trusts: its index.ts and node_modules. */
    programRoot: string;
    now: Date;
    /** The base commit (what was reviewed and merged, or what was deployed last). */
    base: string;
    /** The head commit; the working tree of `root` when absent. */
    head?: string;
    /**
     * Which program plans the head: `base`, the trusted judge's (the head's own code never runs;
     * `programRoot` is a checkout of the base), or `own`, when `programRoot` is the head itself
     * (the working tree, or the commit about to be deployed) and the base is planned with its own
     * code from a temporary copy when the program changed.
     */
    headProgram: "base" | "own";
}

function projectOf(source: ProjectSource): { project?: Project; problems: string[] } {
    try {
        return { project: loadProject(source), problems: [] };
    } catch (error) {
        return { problems: loadProblems(error) };
    }
}

/** A file's text for comparison, or undefined when it cannot be read (its own findings say why). */
function textOrNothing(source: ProjectSource, name: string): string | undefined {
    try {
        return source.entries().get(name) === "file" ? source.read(name) : undefined;
    } catch {
        return undefined;
    }
}

/** Loads a stack, or nothing when the loader refuses it (its own findings say why). */
function loadable(source: ProjectSource, stack: string) {
    try {
        return [loadStack(source, stack)];
    } catch {
        return [];
    }
}

/** One changed stack judged: its findings, and its two sides for the rules that look across stacks. */
interface StackVerdict {
    findings: Finding[];
    change: StackChange;
}

/** How {@link inForceByConfig} names an organization revocation: `organization: role ci-deployer`. */
const ORGANIZATION_KEY = "organization: ";

/** The account a stack deploys to, when its config settles it. */
function accountOf(side: Side | undefined): string | undefined {
    const config = side?.loaded?.config;
    if (config === undefined) return undefined;
    const provider = configValue(config[`${NAMESPACE}:provider`] ?? "null");
    return accountFromConfig(config, typeof provider === "string" ? provider : "aws").accountId;
}

/** The changed `.gitattributes` files that exist at the head, with their text (from git's objects for a head ref). */
function changedAttributes(root: string, changed: string[], head: string | undefined): AttributesFile[] {
    return changed
        .filter((changedPath) => path.posix.basename(changedPath) === ".gitattributes")
        .flatMap((changedPath) => {
            try {
                const text =
                    head === undefined
                        ? fs.readFileSync(path.join(root, changedPath), "utf8")
                        : git(root, ["show", `${head}:./${changedPath}`]);
                return [{ path: changedPath, text }];
            } catch {
                // Deleted at the head: it rewrites nothing any more.
                return [];
            }
        });
}

/** Judges one stack whose file, program or project changed. */
async function guardStack(stack: string, sides: { base: SideOf; head: SideOf }, now: Date, baseConfig?: Side): Promise<StackVerdict> {
    const base = await readSide(sides.base, stack, now, baseConfig);
    betweenSides(base);
    const change: StackChange = { stack, base, head: await readSide(sides.head, stack, now), now };
    const cutoffs = cutoffRules(change);
    // A cutoff the config rules already failed is reported once, not again as a deployment.
    const decided = new Set(cutoffs.filter((f) => f.verdict === "fail").map((f) => (f.subject.kind === "role" ? f.subject.key : "*")));
    const findings = [
        ...readabilityRules(change),
        ...cutoffs,
        ...deploymentRules(change, decided),
        ...protectionRules(change),
        ...providerConfigRules(change),
        ...organizationRules(change),
    ];
    return { findings, change };
}

/** Every finding of the change from `options.base` to the head. */
export async function judge(options: GuardOptions): Promise<Finding[]> {
    const { root, now } = options;
    const sources = {
        base: gitSource(root, options.base),
        head: options.head === undefined ? directorySource(root) : gitSource(root, options.head),
    };
    // An unknown ref stops here, before any finding.
    sources.base.entries();
    sources.head.entries();
    const findings: Finding[] = [];
    const [baseProject, headProject] = [projectOf(sources.base), projectOf(sources.head)];
    for (const problem of headProject.problems) findings.push(failure(file(PROJECT_FILE), problem.replace(/^Pulumi\.yaml: /, "")));
    const pinned = headProject.project?.data.main !== undefined;
    for (const problem of packageJsonProblems(sources.head, pinned))
        findings.push(failure(file("package.json"), problem.replace(/^package\.json: /, "")));
    const [baseScan, headScan] = [scanStacks(sources.base), scanStacks(sources.head)];
    const stacks = [...new Set([...baseScan.stacks, ...headScan.stacks])].sort();
    for (const problem of headScan.problems) {
        const [name, ...rest] = problem.split(": ");
        // A stack guarded below reports its own file's problem.
        if (!stacks.some((stack) => name === stackFileName(stack))) findings.push(failure(file(name), rest.join(": ")));
    }
    const projects = { base: baseProject.project?.name ?? NAMESPACE, head: headProject.project?.name ?? NAMESPACE };

    // What the base holds in force, in every stack: it decides whether anything but stack files may change.
    const configs = new Map(baseScan.stacks.map((stack) => [stack, readConfig(sources.base, stack, now, projects.base)]));
    const held = [...configs].flatMap(([stack, side]) =>
        side.revocations === undefined ? [] : inForceByConfig(stack, side.revocations, now),
    );
    const unreadable = [...configs].filter(([, side]) => side.revocations === undefined).map(([stack]) => stackFileName(stack));
    const changed = changedPaths(root, options.base, options.head);
    findings.push(...pathRules(changed, held, unreadable));
    findings.push(...attributeRules(changedAttributes(root, changed, options.head)));

    const programChanged = options.headProgram === "own" && changed.some(changesProgram);
    const checkout = programChanged ? checkoutAt(root, options.base, path.join(options.programRoot, "node_modules")) : undefined;
    const programs = { base: checkout ?? options.programRoot, head: options.programRoot };
    const [baseData, headData] = [baseProject.project?.data, headProject.project?.data];
    const verdicts = new Map<string, StackVerdict>();
    try {
        for (const stack of stacks) {
            const stackFile = stackFileName(stack);
            const same =
                !programChanged &&
                isDeepStrictEqual(baseData, headData) &&
                baseScan.stacks.includes(stack) &&
                headScan.stacks.includes(stack) &&
                textOrNothing(sources.base, stackFile) === textOrNothing(sources.head, stackFile);
            if (same) continue;
            const verdict = await guardStack(
                stack,
                {
                    base: { source: sources.base, program: programs.base, project: projects.base },
                    head: { source: sources.head, program: programs.head, project: projects.head },
                },
                now,
                configs.get(stack),
            );
            findings.push(...verdict.findings);
            verdicts.set(stack, verdict);
        }
    } finally {
        if (checkout !== undefined) removeTemporaryFolder(checkout);
    }
    // The organization's lock guards every stack's revocations: judged against all that the base holds in force.
    for (const verdict of verdicts.values()) findings.push(...lockRules(verdict.change, held));
    // Every stack as the head holds it: the changed ones' heads, the others as the base reads them.
    const heads = new Map(
        headScan.stacks.flatMap((stack) => {
            const side = verdicts.get(stack)?.change.head ?? configs.get(stack);
            return side === undefined ? [] : [[stack, side] as const];
        }),
    );
    findings.push(...lockExemptionRules(heads));

    // The means to undo a revocation, handed to a role of any stack, directly or in hops: every
    // role of every stack at both sides (an unchanged stack's roles are the same at both).
    const byKey = <T extends { key: string }>(roles: T[] | undefined) => {
        const found = new Map<string, T>();
        for (const role of roles ?? []) if (!found.has(role.key)) found.set(role.key, role);
        return found;
    };
    const baseRoles = new Map([...configs].map(([stack, side]) => [stack, byKey(side.roles)]));
    const revoked: RevokedRole[] = held.flatMap((r) => {
        const facts = baseRoles.get(r.stack)?.get(r.key);
        return facts === undefined ? [] : [{ facts, cutoff: r.cutoff }];
    });
    const organizations: RevokedInOrganization[] = held.flatMap((r) => {
        if (!r.key.startsWith(ORGANIZATION_KEY)) return [];
        const account = accountOf(configs.get(r.stack));
        return [
            { stack: r.stack, key: r.key.slice(ORGANIZATION_KEY.length), cutoff: r.cutoff, ...(account === undefined ? {} : { account }) },
        ];
    });
    const headRoles = headScan.stacks.flatMap((stack) => (verdicts.get(stack)?.change.head ?? configs.get(stack))?.roles ?? []);
    const sides: UndoSides = {
        base: baseScan.stacks.flatMap((stack) => configs.get(stack)?.roles ?? []),
        head: headRoles,
        changed: new Set(verdicts.keys()),
    };
    findings.push(...undoRules(revoked, organizations, sides));

    // Stacks this change did not touch come first: a duplicate is reported on the stack that introduces it.
    const order = [...headScan.stacks.filter((s) => !verdicts.has(s)), ...headScan.stacks.filter((s) => verdicts.has(s))];
    findings.push(
        ...duplicateNameRules(
            order.flatMap((stack) => loadable(sources.head, stack)),
            now,
        ),
    );
    findings.push(...environmentRules(order));
    findings.push(...sharedTargetRules(heads, order));
    return findings;
}

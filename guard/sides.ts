/**
 * The two sides of a change, as the guard reads them: each stack file loaded, validated and
 * planned offline at the base and at the head, and the revocations each side's config holds.
 */
import * as YAML from "yaml";
import { ConfigSourceError, LoadedStack, loadStack, stackFileName } from "../config/loader";
import { ProjectSource } from "../config/sources";
import {
    NAMESPACE,
    Revocations,
    configValue,
    effectiveCutoff,
    latestCutoff,
    organizationRevocationsOf,
    readStackConfig,
    revocationsOf,
} from "../config/stackConfig";
import { accountFromConfig } from "../config/account";
import type { CiRoles } from "../config/ciRoles";
import { YAML_1_1 } from "../config/yamlReadings";
import { Plan } from "../plan/model";
import { RoleFacts, roleFacts } from "../analysis/reachability";
import { planStack } from "../plan/run";
import { collectGarbage } from "../plan/recorder";
import { Cutoff } from "../iam/cutoff";

/** One stack at one side of the change. */
export interface Side {
    present: boolean;
    text?: string;
    loaded?: LoadedStack;
    /** The revocations the config holds; undefined when the file cannot be read at all, even leniently. */
    revocations?: Revocations;
    /** The roles, when the config is valid: what reachability and the undo analysis read. */
    roles?: RoleFacts[];
    /** The stack's own CI roles (`revocable-roles:ci`), when the config is valid and declares them. */
    ci?: CiRoles;
    plan?: Plan;
    /** Why it could not be loaded, validated or planned. */
    problems: string[];
}

const NONE: Revocations = { roles: new Map() };

/** The lines of a loader error: every problem of a refused source, or the message. */
export function loadProblems(error: unknown): string[] {
    return error instanceof ConfigSourceError ? error.problems : [(error as Error).message];
}

/** The text of a stack file, or undefined when it is not a regular file or not valid UTF-8. */
function textOf(source: ProjectSource, file: string): string | undefined {
    if (source.entries().get(file) !== "file") return undefined;
    try {
        return source.read(file);
    } catch {
        return undefined;
    }
}

/** A stack's config read as far as it can be without planning: loaded, its revocations, its valid roles. */
export function readConfig(source: ProjectSource, stack: string, now: Date, project: string): Side {
    const file = stackFileName(stack);
    if (!source.entries().has(file)) return { present: false, revocations: NONE, problems: [] };
    const text = textOf(source, file);
    let loaded: LoadedStack;
    try {
        loaded = loadStack(source, stack);
    } catch (error) {
        const revocations = text === undefined ? undefined : lenientRevocations(project, text);
        return { present: true, text, revocations, problems: loadProblems(error) };
    }
    const revocations = revocationsOf(loaded.config);
    const read = readStackConfig(loaded.config, { stackFile: file, now });
    if (!read.ok) return { present: true, text, loaded, revocations, problems: read.errors };
    const account = accountFromConfig(loaded.config, read.config.provider ?? "aws");
    const roles = read.roles.map(({ key, model }) => roleFacts(stack, key, model, account));
    return {
        present: true,
        text,
        loaded,
        revocations,
        roles,
        ...(read.config.ci === undefined ? {} : { ci: read.config.ci }),
        problems: [],
    };
}

function isMapping(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The revocations a stack file the loader refuses might hold, read leniently and over-approximately:
 * the file is read both as YAML 1.2 and as YAML 1.1 (what the Pulumi CLI reads); every key the CLI
 * could read as this namespace's counts (un-namespaced, a namespace differing in case, the legacy
 * `revocable-roles:config:roles`); a key or role written twice counts every time; merge keys are
 * expanded; and where spellings disagree the latest cutoff wins. Undefined when the text is YAML in
 * neither reading. Only to protect what such a base may hold; never to plan.
 */
export function lenientRevocations(project: string, text: string): Revocations | undefined {
    const documents = [{}, YAML_1_1]
        .map((options) => YAML.parseDocument(text, { ...options, merge: true, uniqueKeys: false }))
        .filter((document) => document.errors.length === 0);
    if (documents.length === 0) return undefined;
    const ours = (key: string) => {
        const parts = (key.includes(":") ? key : `${project}:${key}`).split(":");
        // ns:name, and ns:config:name, the CLI's legacy spelling of ns:name.
        const name = parts.length === 3 && parts[1].toLowerCase() === "config" ? parts[2] : parts.slice(1).join(":");
        const namespace = parts[0].toLowerCase();
        return namespace === NAMESPACE || namespace === project.toLowerCase() ? name : undefined;
    };
    const result: Revocations = { roles: new Map() };
    for (const document of documents) {
        const read = (value: unknown): unknown => {
            const plain = YAML.isAlias(value) ? value.resolve(document)?.toJS(document) : YAML.isNode(value) ? value.toJS(document) : value;
            return typeof plain === "string" ? configValue(plain) : plain;
        };
        /** Every key and value of a mapping, a key written twice as often as it is written, merge keys expanded. */
        const entries = (value: unknown): [string, unknown][] => {
            if (YAML.isAlias(value)) return entries(value.resolve(document));
            if (YAML.isMap(value)) {
                return value.items.flatMap((pair): [string, unknown][] => {
                    const key = YAML.isScalar(pair.key) ? pair.key.value : pair.key;
                    if (key === "<<" || typeof key === "symbol") {
                        return YAML.isSeq(pair.value) ? pair.value.items.flatMap(entries) : entries(pair.value);
                    }
                    return [[String(key), pair.value]];
                });
            }
            if (YAML.isNode(value) || typeof value === "string") {
                const plain = read(value);
                return isMapping(plain) ? Object.entries(plain) : [];
            }
            return isMapping(value) ? Object.entries(value) : [];
        };
        const config = entries(document.contents).flatMap(([key, value]) => (key === "config" ? entries(value) : []));
        for (const [key, raw] of config) {
            const name = ours(key);
            if (name === "revokeAllBefore") result.revokeAllBefore = latestCutoff(result.revokeAllBefore, read(raw));
            if (name === "organization") {
                const organization = organizationRevocationsOf(read(raw));
                if (organization !== undefined) result.organization = mergeOrganization(result.organization, organization);
            }
            if (name !== "roles") continue;
            for (const [roleKey, role] of entries(raw)) {
                const fields = entries(role);
                const known = result.roles.get(roleKey);
                let revokeBefore = known?.revokeBefore;
                for (const [field, value] of fields) if (field === "revokeBefore") revokeBefore = latestCutoff(revokeBefore, read(value));
                const name = fields.filter(([field]) => field === "name").map(([, value]) => read(value));
                result.roles.set(roleKey, { name: name.at(-1) ?? known?.name, revokeBefore });
            }
        }
    }
    return result;
}

/** Two spellings of the organization section together: every target, and per revocation the latest cutoff. */
function mergeOrganization(
    a: Revocations["organization"],
    b: NonNullable<Revocations["organization"]>,
): NonNullable<Revocations["organization"]> {
    if (a === undefined) return b;
    const revocations = new Map(a.revocations);
    for (const [key, cutoff] of b.revocations) revocations.set(key, latestCutoff(revocations.get(key), cutoff));
    // The lock over-approximated as what protects most: on if either reading turns it on, exempting only whom both exempt.
    const lock = a.lock === true || b.lock === true ? { lock: true } : {};
    const roles =
        a.deployRoleArns === undefined || b.deployRoleArns === undefined
            ? (a.deployRoleArns ?? b.deployRoleArns)
            : a.deployRoleArns.filter((arn) => b.deployRoleArns!.includes(arn));
    return {
        targets: [...new Set([...a.targets, ...b.targets])],
        revocations,
        ...lock,
        ...(roles === undefined ? {} : { deployRoleArns: roles }),
    };
}

/** Where one side of the change is read from: its files, the program that plans them, and its project's name. */
export interface SideOf {
    source: ProjectSource;
    program: string;
    project: string;
}

/** One stack across the change: what the rules judge. */
export interface StackChange {
    stack: string;
    base: Side;
    head: Side;
    now: Date;
}

/** Plans of more resources than this leave enough garbage to be worth a collection between the sides. */
const LARGE_PLAN = 5_000;

/**
 * Between the two sides' program runs: a large base run leaves hundreds of MiB of garbage,
 * collected now so that the head's run does not pile onto it (at 10,000 roles the peak drops by
 * about a fifth). A small one is not worth a full collection of the process.
 */
export function betweenSides(base: Side): void {
    if ((base.plan?.resources.length ?? 0) > LARGE_PLAN) collectGarbage();
}

/** Reads and plans one stack from one side of the change, as of `now`; `known` is its config when already read. */
export async function readSide(side: SideOf, stack: string, now: Date, known?: Side): Promise<Side> {
    const read = known ?? readConfig(side.source, stack, now, side.project);
    if (read.loaded === undefined || read.problems.length > 0) return read;
    try {
        return { ...read, plan: await planStack(read.loaded, side.program, now) };
    } catch (error) {
        return { ...read, problems: (error as Error).message.split("\n") };
    }
}

/** A revocation the config holds, in force at the guard's `now`. */
export interface ConfigRevocation {
    stack: string;
    key: string;
    cutoff: Cutoff;
}

/** The revocations a side's config holds that are in force at `now` (cutoff + 13 h not reached). */
export function inForceByConfig(stack: string, revocations: Revocations, now: Date): ConfigRevocation[] {
    const found = [...revocations.roles].flatMap(([key, role]) => {
        const cutoff = effectiveCutoff(role.revokeBefore, revocations.revokeAllBefore);
        return cutoff?.inForceAt(now) === true ? [{ stack, key, cutoff }] : [];
    });
    // A stack-wide cutoff in a file whose roles cannot be listed still protects the stack.
    const all = effectiveCutoff(undefined, revocations.revokeAllBefore);
    if (found.length === 0 && all?.inForceAt(now) === true) found.push({ stack, key: "revokeAllBefore", cutoff: all });
    for (const [key, revokeBefore] of revocations.organization?.revocations ?? []) {
        const cutoff = Cutoff.read(revokeBefore);
        if (cutoff?.inForceAt(now) === true) found.push({ stack, key: `organization: ${key}`, cutoff });
    }
    return found;
}

/** The revocation window in words: `revoked before T, safe to remove after T + 13 h`. */
export function window(cutoff: Cutoff): string {
    return `revoked before ${cutoff}, safe to remove after ${cutoff.safeToRemoveAfterText}`;
}

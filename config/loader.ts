/**
 * The one reader of a project's configuration files, for the plan, the guard and revoke.
 *
 * It finds the project file and the stack files the way the Pulumi CLI does and hands back the
 * config exactly as the CLI passes it to a program (namespaced keys, strings as written, every
 * other value as JSON), which the program and the tools then interpret with the same function
 * (`readStackConfig`). Whatever the CLI would read that this module does not fully model is
 * refused with an error naming the file and the key, never ignored: a reviewer must be able to
 * trust that the offline plan is what `pulumi up` deploys.
 */
import * as YAML from "yaml";
import { NAMESPACE } from "./stackConfig";
import { EntryKind, ProjectSource } from "./sources";
import { readPlainYaml } from "./plainYaml";
import { characterProblem } from "./bytes";
import { UNQUOTED_DATE } from "./goYamlV3";
import { UserFacingError } from "../iam/errors";
import { stackFileName } from "./files";
import { ConfigSourceError, parse, mapping, readText } from "./pulumiYaml";
import { stackConfigValue, cliValue, credentialProblem, stackKeyProblem, ConfigKeys, holdsSecret, valueProblems } from "./configKeys";
import { Project, loadProject } from "./project";
export type { Project } from "./project";
export { loadProject, PROGRAM_FILE, packageJsonProblems } from "./project";
export { isCredentialKey, displayConfigValue, parseConfigKey } from "./configKeys";
export { ConfigSourceError, enclosingRole, readText } from "./pulumiYaml";

// Named in config/files.ts; the loader's callers find them here too.
export { PROJECT_FILE, stackFileName } from "./files";

/** One stack's configuration, as the Pulumi CLI hands it to the program. */
export interface LoadedStack {
    project: Project;
    stack: string;
    file: string;
    text: string;
    /** Namespaced keys as the CLI reads them (`ns:name`); strings as written, every other value as JSON (project-level config included). */
    config: Record<string, string>;
    /** The stack file's other top-level keys (`secretsprovider`, `encryptedkey`, `encryptionsalt`), as written: they decide how the deploy decrypts and reads the stack. */
    settings: Record<string, string>;
}

const STACK_FILE = /^Pulumi\.(.+)\.(yaml|yml|json)$/;

/** The stacks that have a well-formed stack file in the source, and a problem line for every other Pulumi stack file. */
export function scanStacks(source: ProjectSource): { stacks: string[]; problems: string[] } {
    const problems: string[] = [];
    const stacks: string[] = [];
    for (const [name, kind] of source.entries()) {
        const match = STACK_FILE.exec(name);
        if (match === null) continue;
        const problem = stackFileProblem(name, kind);
        if (problem !== undefined) problems.push(problem);
        else stacks.push(match[1]);
    }
    return { stacks: stacks.sort(), problems: problems.sort() };
}

/** The stacks that have a stack file in the source, sorted; any malformed Pulumi stack file is refused. */
export function listStacks(source: ProjectSource): string[] {
    const { stacks, problems } = scanStacks(source);
    if (problems.length > 0) throw new ConfigSourceError(problems);
    return stacks;
}

function stackFileProblem(name: string, kind: EntryKind | undefined): string | undefined {
    const match = STACK_FILE.exec(name);
    if (match === null) return undefined;
    if (match[2] !== "yaml") {
        return `${name}: only Pulumi.<stack>.yaml stack files are supported; rename it to Pulumi.${match[1]}.yaml or remove it`;
    }
    if (match[1].endsWith(".deploy")) {
        return `${name}: Pulumi Deployments settings can run commands and set the environment of a deploy, which this tool does not model; remove it`;
    }
    if (kind !== "file") {
        return `${name}: is a ${kind ?? "missing file"}; stack files must be regular files (a symlink could make the CLI read another file than the one reviewed)`;
    }
    return undefined;
}

/** The stack file's problems as a source entry (not its content), or undefined. */
export function stackEntryProblems(source: ProjectSource, stack: string): string[] {
    const entries = source.entries();
    const problems: string[] = [];
    for (const ext of ["yml", "json"]) {
        const variant = `Pulumi.${stack}.${ext}`;
        if (entries.has(variant)) problems.push(stackFileProblem(variant, entries.get(variant))!);
    }
    const file = stackFileName(stack);
    if (entries.has(file)) {
        const problem = stackFileProblem(file, entries.get(file));
        if (problem !== undefined) problems.push(problem);
    }
    return problems;
}

/** Thrown when a stack has no stack file: names the stacks that exist. */
export class UnknownStackError extends UserFacingError {
    constructor(
        readonly stack: string,
        readonly stacks: string[],
    ) {
        super(`unknown stack "${stack}": there is no ${stackFileName(stack)}; stacks: ${stacks.length > 0 ? stacks.join(", ") : "none"}`);
        this.name = "UnknownStackError";
    }
}

/**
 * Loads one stack: the project file, then the stack file, checked as the CLI would read them.
 * `text` replaces the stack file's content (an edit not yet written). Throws
 * {@link ConfigSourceError} with every problem, or {@link UnknownStackError}.
 */
export function loadStack(source: ProjectSource, stack: string, text?: string): LoadedStack {
    const project = loadProject(source);
    const file = stackFileName(stack);
    const entryProblems = stackEntryProblems(source, stack);
    if (entryProblems.length > 0) throw new ConfigSourceError(entryProblems);
    if (text === undefined && !source.entries().has(file)) {
        throw new UnknownStackError(stack, scanStacks(source).stacks);
    }
    const content = text ?? readText(source, file);
    const read = readStackFile(file, content, project.name);
    return { project, stack, file, text: content, config: { ...project.config, ...read.config }, settings: read.settings };
}

/** A stack file as the CLI reads it: its `config:` (keys as the CLI reads them) and its other top-level keys. */
export interface StackFile {
    config: Record<string, string>;
    settings: Record<string, string>;
}

/** A stack file as the CLI reads it, after refusing what this tool does not model. Throws {@link ConfigSourceError}. */
export function readStackFile(file: string, text: string, project: string = NAMESPACE): StackFile {
    const problem = characterProblem(file, text);
    if (problem !== undefined) throw new ConfigSourceError([problem]);
    return plainStackFile(file, text, project) ?? parsedStackFile(file, text, project);
}

/** The `config:` of a stack file as the CLI passes it, after refusing what this tool does not model. */
export function stackConfig(file: string, text: string, project: string = NAMESPACE): Record<string, string> {
    return readStackFile(file, text, project).config;
}

/**
 * The `config:` of a stack file in the plain block style, read without the full YAML parser;
 * undefined when the file is in another style or holds anything the full reader would refuse,
 * which then reads it and names each problem. Equal to that reader's result whenever defined.
 */
export function plainStackConfig(file: string, text: string, project: string = NAMESPACE): Record<string, string> | undefined {
    return plainStackFile(file, text, project)?.config;
}

/** {@link readStackFile} for a file in the plain block style; undefined for any other file, or one the full reader would refuse. */
function plainStackFile(file: string, text: string, project: string): StackFile | undefined {
    // An unquoted date is refused by the full reader, which names it.
    if (UNQUOTED_DATE.test(text)) return undefined;
    const data = readPlainYaml(text);
    if (!mapping(data) || Object.keys(data).some((key) => stackKeyProblem(file, key) !== undefined)) return undefined;
    const config = data.config ?? {};
    if (!mapping(config)) return undefined;
    const result: Record<string, string> = {};
    const keys = new ConfigKeys(file);
    for (const [written, value] of Object.entries(config)) {
        const read = keys.read(written, 0, project);
        if ("problem" in read) return undefined;
        const key = read.key;
        if (key.startsWith(`${NAMESPACE}:`) && holdsSecret(value)) return undefined;
        if (credentialProblem(file, key, value) !== undefined) return undefined;
        result[key] = stackConfigValue(value);
    }
    if (Object.entries(data).some(([key, value]) => key !== "config" && typeof value !== "string")) return undefined;
    return { config: result, settings: settingsOf(data) };
}

/** The top-level keys of a stack file other than `config`, as written. */
function settingsOf(data: Record<string, unknown>): Record<string, string> {
    return Object.fromEntries(
        Object.entries(data)
            .filter(([key]) => key !== "config")
            .map(([key, value]) => [key, cliValue(value)]),
    );
}

/** The `config:` of a stack file read with the full YAML parser, every problem named. */
export function parsedStackConfig(file: string, text: string, project: string = NAMESPACE): Record<string, string> {
    return parsedStackFile(file, text, project).config;
}

/** {@link readStackFile} with the full YAML parser, every problem named. */
function parsedStackFile(file: string, text: string, project: string): StackFile {
    const parsed = parse(file, text);
    if (parsed.problems.length > 0) throw new ConfigSourceError(parsed.problems);
    const problems: string[] = [];
    const root = parsed.document.contents;
    if (root !== null && !YAML.isMap(root)) throw new ConfigSourceError([`${file}: expected a mapping with a config key`]);
    const settings: Record<string, string> = {};
    for (const pair of root?.items ?? []) {
        const key = String(YAML.isScalar(pair.key) ? pair.key.value : pair.key);
        const problem = stackKeyProblem(file, key);
        if (problem !== undefined) problems.push(problem);
        else if (key !== "config") {
            const value: unknown = YAML.isNode(pair.value) ? pair.value.toJSON() : null;
            // The CLI decodes these keys into strings: it refuses a list or a mapping, and reads a number as its re-written text.
            if (typeof value !== "string") {
                problems.push(
                    `${file}: ${key}: ${JSON.stringify(value)} is not a string; the Pulumi CLI reads ${key} as text, refusing a list or a mapping and reading a number or a boolean otherwise than this tool; quote it, or remove the key`,
                );
            } else settings[key] = value;
        }
    }
    const config = parsed.document.get("config", true);
    if (config !== undefined && config !== null && !YAML.isMap(config)) {
        problems.push(`${file}: config: expected a mapping of namespaced keys such as ${NAMESPACE}:roles`);
    }
    const result: Record<string, string> = {};
    const keys = new ConfigKeys(file);
    for (const pair of YAML.isMap(config) ? config.items : []) {
        const read = keys.read(String(YAML.isScalar(pair.key) ? pair.key.value : pair.key), parsed.lineOf(pair.key as YAML.Node), project);
        if ("problem" in read) {
            problems.push(read.problem);
            continue;
        }
        const key = read.key;
        const node = pair.value as YAML.Node | null;
        if (key.startsWith(`${NAMESPACE}:`) && node !== null) problems.push(...valueProblems(file, key, node));
        const value = node === null ? null : (node.toJSON() as unknown);
        const credential = credentialProblem(file, key, value);
        if (credential !== undefined) problems.push(credential);
        result[key] = stackConfigValue(value);
    }
    if (problems.length > 0) throw new ConfigSourceError(problems);
    return { config: result, settings };
}

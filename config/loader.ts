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
import { UNQUOTED_DATE, compose, readingProblems, tokenize } from "./yamlReadings";
import { UserFacingError } from "../iam/errors";

/** The only project file this project supports. */
export const PROJECT_FILE = "Pulumi.yaml";

/** The stack file of a stack. */
export function stackFileName(stack: string): string {
    return `Pulumi.${stack}.yaml`;
}

/** Every problem that stops the configuration from being read, one line each: `<file>: <where>: <message>`. */
export class ConfigSourceError extends UserFacingError {
    constructor(readonly problems: string[]) {
        super(problems.join("\n"));
        this.name = "ConfigSourceError";
    }
}

/** The project file, read and checked. */
export interface Project {
    name: string;
    text: string;
    /** The project file as data. */
    data: Record<string, unknown>;
    /** Project-level config of other namespaces (such as `aws:region`), as the CLI passes it. */
    config: Record<string, string>;
}

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

const PROJECT_KEYS = new Set([
    "name",
    "runtime",
    "description",
    "author",
    "website",
    "license",
    "backend",
    "options",
    "template",
    "config",
]);
/** Project file keys that change what or how the CLI deploys in ways the offline plan cannot model. */
const UNMODELLED_PROJECT_KEYS: Record<string, string> = {
    stackConfigDir: "moves the stack files; keep them next to Pulumi.yaml",
    plugins: "replaces provider plugins with local builds the offline plan cannot see",
    packages: "adds packages the offline plan does not load",
};
const STACK_KEYS = new Set(["config", "secretsprovider", "encryptedkey", "encryptionsalt"]);

const STACK_FILE = /^Pulumi\.(.+)\.(yaml|yml|json)$/;
const PROJECT_VARIANT = /^Pulumi\.(yml|json)$/;

/** How deep a line is indented; -1 for a blank or comment line. */
function indentOf(line: string): number {
    return /^\s*(?:#.*)?$/.test(line) ? -1 : line.length - line.trimStart().length;
}

/** The key of the role whose block holds line `index` (0-based) of a stack file, if the roles are in block style. */
export function enclosingRole(text: string, index: number): string | undefined {
    const lines = text.split(/\r?\n|\r/);
    const rolesAt = lines.findIndex((line) => /^\s*revocable-roles:roles:\s*(?:#.*)?$/.test(line));
    if (rolesAt < 0 || rolesAt >= index) return undefined;
    const rolesIndent = indentOf(lines[rolesAt]);
    const roleIndent = lines
        .slice(rolesAt + 1)
        .map(indentOf)
        .find((n) => n >= 0);
    if (roleIndent === undefined || roleIndent <= rolesIndent) return undefined;
    for (let i = Math.min(index, lines.length - 1); i > rolesAt; i--) {
        const indent = indentOf(lines[i]);
        if (indent < 0 || indent > roleIndent) continue;
        if (indent < roleIndent) return undefined;
        return /^\s*("(?:[^"\\]|\\.)*"|'[^']*'|[^\s:#'"][^:#]*?)\s*:/.exec(lines[i])?.[1].replace(/^["']|["']$/g, "");
    }
    return undefined;
}

/** A YAML parser error in one line: where, in which role, and what to fix, without the parser's excerpt. */
function yamlErrorInWords(file: string, text: string, error: YAML.YAMLError): string {
    const line = error.linePos?.[0].line;
    const role = line === undefined ? undefined : enclosingRole(text, line - 1);
    const where = `${line === undefined ? "" : ` line ${line}`}${role === undefined ? "" : `, in role ${JSON.stringify(role)}`}`;
    const message = error.message
        .split("\n")[0]
        .replace(/ at line \d+, column \d+:?$/, "")
        .replace(/:$/, "");
    const hint =
        error.code === "BAD_INDENT" && line !== undefined && message.startsWith("All mapping items")
            ? `; check the indentation of ${JSON.stringify(text.split(/\r?\n|\r/)[line - 1])}: every key of a mapping starts at the same column, with spaces`
            : "";
    return `${file}:${where}: is not valid YAML: ${message}${hint}`;
}

interface Parsed {
    document: YAML.Document.Parsed;
    problems: string[];
    /** The line of a node, 1-based. */
    lineOf: (node: YAML.Node) => number;
}

/**
 * Parses YAML the way both the CLI's reader (Go) and this one (JavaScript) agree on, and
 * refuses the features where they could disagree: merge keys, aliases, explicit tags.
 */
function parse(file: string, text: string): Parsed {
    const source = tokenize(text);
    const lines = source.lines;
    const document = compose(source);
    const problems = [...document.errors, ...document.warnings].map((error) =>
        error.code === "MULTIPLE_DOCS"
            ? `${file}: line ${error.linePos?.[0].line}: a second YAML document (---) is not supported; the Pulumi CLI reads only the first, so remove it`
            : yamlErrorInWords(file, text, error),
    );
    const lineOf = (node: YAML.Node) => lines.linePos(node.range?.[0] ?? 0).line;
    if (problems.length > 0) return { document, problems, lineOf };
    const at = (node: YAML.Node) => `line ${lineOf(node)}`;
    YAML.visit(document, {
        Alias(_, node) {
            problems.push(
                `${file}: ${at(node)}: YAML alias *${node.source} is not supported; the Pulumi CLI and this tool could read it differently, so write the value out`,
            );
        },
        Pair(_, pair) {
            if (YAML.isScalar(pair.key) && pair.key.value === "__proto__") {
                problems.push(
                    `${file}: ${at(pair.key)}: the key "__proto__" is not supported: JavaScript readers drop it or turn it into a prototype, so the tools would not see what the Pulumi CLI reads; rename it`,
                );
            }
            if (YAML.isScalar(pair.key) && pair.key.value === "<<") {
                problems.push(
                    `${file}: ${at(pair.key)}: YAML merge key "<<" is not supported; the Pulumi CLI merges it and this tool does not, so write the keys out`,
                );
            }
        },
        Node(_, node) {
            // Parsed nodes carry a tag only when one is written in the source.
            if (node.tag !== undefined) {
                problems.push(`${file}: ${at(node)}: YAML tag ${node.tag} is not supported; write the value without a tag`);
            }
        },
    });
    problems.push(...readingProblems(file, source, document));
    return { document, problems, lineOf };
}

function mapping(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Reads and checks the project file. Throws {@link ConfigSourceError} with every problem. */
export function loadProject(source: ProjectSource): Project {
    const entries = source.entries();
    const problems: string[] = [];
    for (const [name, kind] of entries) {
        if (PROJECT_VARIANT.test(name)) {
            problems.push(
                `${name}: only a ${PROJECT_FILE} project file is supported; the Pulumi CLI may read ${name} instead, so remove it`,
            );
        } else if (name === PROJECT_FILE && kind !== "file") {
            problems.push(`${PROJECT_FILE}: is a ${kind}; the project file must be a regular file`);
        }
    }
    if (!entries.has(PROJECT_FILE)) {
        problems.push(`${PROJECT_FILE}: not found in ${source.label}`);
    }
    if (problems.length > 0) throw new ConfigSourceError(problems);
    const text = readText(source, PROJECT_FILE);
    const parsed = parse(PROJECT_FILE, text);
    if (parsed.problems.length > 0) throw new ConfigSourceError(parsed.problems);
    const data = parsed.document.toJS() as unknown;
    if (!mapping(data)) throw new ConfigSourceError([`${PROJECT_FILE}: expected a mapping with name and runtime`]);
    for (const key of Object.keys(data)) {
        if (key === "main") {
            // Pinning the program to index.ts is what the tools plan; anything else is another program.
            if (data.main !== PROGRAM_FILE && data.main !== `./${PROGRAM_FILE}`) {
                problems.push(
                    `${PROJECT_FILE}: main: ${JSON.stringify(data.main)} is not supported: it points the CLI at another program; the offline plan runs ${PROGRAM_FILE}`,
                );
            }
        } else if (key in UNMODELLED_PROJECT_KEYS) {
            problems.push(`${PROJECT_FILE}: ${key}: is not supported: it ${UNMODELLED_PROJECT_KEYS[key]}`);
        } else if (!PROJECT_KEYS.has(key)) {
            problems.push(`${PROJECT_FILE}: ${key}: is not a project file key this tool models; remove it`);
        }
    }
    if (typeof data.name !== "string" || data.name === "") problems.push(`${PROJECT_FILE}: name: is required; expected the project name`);
    const runtime = mapping(data.runtime) ? data.runtime.name : data.runtime;
    if (runtime !== "nodejs") problems.push(`${PROJECT_FILE}: runtime: ${JSON.stringify(runtime)} is not supported; expected nodejs`);
    problems.push(...runtimeOptionProblems(mapping(data.runtime) ? data.runtime.options : undefined));
    const config: Record<string, string> = {};
    if (data.config !== undefined) {
        const node = parsed.document.get("config", true);
        if (!mapping(data.config) || !YAML.isMap(node)) {
            problems.push(`${PROJECT_FILE}: config: expected a mapping of namespaced keys`);
        } else {
            const keys = new ConfigKeys(PROJECT_FILE);
            for (const pair of node.items) {
                const key = String(YAML.isScalar(pair.key) ? pair.key.value : pair.key);
                const namespace = key.includes(":") ? key.slice(0, key.indexOf(":")) : undefined;
                if (namespace === undefined || namespace.toLowerCase() === NAMESPACE) {
                    problems.push(
                        `${PROJECT_FILE}: config.${key}: project-level config ${namespace === undefined ? "without a namespace belongs to the project's own namespace and " : "of the " + NAMESPACE + " namespace "}applies to every stack, which this tool does not model; set it in each Pulumi.<stack>.yaml`,
                    );
                    continue;
                }
                const read = keys.read(key, parsed.lineOf(pair.key as YAML.Node), data.name as string);
                if ("problem" in read) {
                    problems.push(read.problem);
                    continue;
                }
                // Short form `key: value`, or a declaration `{ value | default, type, description, secret }`.
                const declared = YAML.isNode(pair.value) ? (pair.value.toJS(parsed.document) as unknown) : null;
                const value = mapping(declared) ? (declared.value ?? declared.default) : declared;
                const credential = credentialProblem(PROJECT_FILE, read.key, value);
                if (credential !== undefined) problems.push(credential.replace(`${PROJECT_FILE}: `, `${PROJECT_FILE}: config.`));
                if (value !== undefined) config[read.key] = cliValue(value);
            }
        }
    }
    if (problems.length > 0) throw new ConfigSourceError(problems);
    return { name: data.name as string, text, data, config };
}

/**
 * Runtime options change how the Pulumi CLI starts the program: `nodeargs` can preload code the
 * tools never run, `tsconfig` compiles it with other settings, `typescript: false` stops the CLI
 * from compiling index.ts at all. Only the options the tools run the program with are accepted.
 */
function runtimeOptionProblems(options: unknown): string[] {
    if (options === undefined || options === null) return [];
    if (!mapping(options)) return [`${PROJECT_FILE}: runtime.options: expected a mapping`];
    return Object.entries(options).flatMap(([key, value]) => {
        if (key === "packagemanager") return [];
        if (key === "typescript") {
            return value === true
                ? []
                : [
                      `${PROJECT_FILE}: runtime.options.typescript: ${JSON.stringify(value)} is not supported; the program is index.ts, so it must be true`,
                  ];
        }
        return [
            `${PROJECT_FILE}: runtime.options.${key}: is not supported: it changes how the Pulumi CLI starts the program, which the offline tools cannot model; remove it`,
        ];
    });
}

/** The file the Pulumi CLI's Node.js host runs: always this, so that the CLI deploys what the tools plan. */
export const PROGRAM_FILE = "index.ts";

/**
 * What is wrong with a project's package.json, as the Pulumi CLI's Node.js host reads it to find
 * the program (`exports`, then `main`, then the folder's index file; `type: "module"` loads it as
 * an ES module): anything but index.ts, loaded as CommonJS, is a program the tools never ran. When
 * `Pulumi.yaml` pins `main: index.ts` (`programPinned`), the host runs that file whatever
 * package.json's `exports` and `main` say, and only `type` matters.
 */
export function packageJsonProblems(source: ProjectSource, programPinned = false): string[] {
    const file = "package.json";
    const kind = source.entries().get(file);
    if (kind === undefined) {
        return [
            `${file}: not found; the Pulumi CLI would look for one in the folders above and could run another program; add one with "main": "${PROGRAM_FILE}"`,
        ];
    }
    if (kind !== "file") return [`${file}: is a ${kind}; it must be a regular file`];
    let data: unknown;
    try {
        data = JSON.parse(source.read(file));
    } catch {
        return [`${file}: is not valid JSON; fix it so that the program's entry point can be read`];
    }
    if (!mapping(data)) return [`${file}: expected a JSON object`];
    const problems: string[] = [];
    const runs = (what: string) => `${file}: ${what}; the Pulumi CLI would run that instead of ${PROGRAM_FILE}, the program the tools plan`;
    if (programPinned) {
        // Pulumi.yaml's main decides the program.
    } else if (data.exports !== undefined) {
        problems.push(runs(`exports ${JSON.stringify(data.exports)} sets the program's entry point`));
    } else if (data.main === undefined) {
        problems.push(
            `${file}: main: is not set; the Pulumi CLI would run index.js in place of ${PROGRAM_FILE} if one existed; set "main": "${PROGRAM_FILE}"`,
        );
    } else if (data.main !== PROGRAM_FILE && data.main !== `./${PROGRAM_FILE}`) {
        problems.push(runs(`main ${JSON.stringify(data.main)} points elsewhere`));
    }
    if (data.type !== undefined && data.type !== "commonjs") {
        problems.push(
            `${file}: type: ${JSON.stringify(data.type)} makes the Pulumi CLI load the program as an ES module, which the tools do not; remove it`,
        );
    }
    return problems;
}

/**
 * A stack file's config value as the Pulumi CLI passes it to a program: a key without a value
 * (null, `~`, or nothing) as the empty string, as the CLI does ("currently treated as an empty
 * string"), everything else as {@link cliValue}.
 */
function stackConfigValue(value: unknown): string {
    return value === null ? "" : cliValue(value);
}

/** A config value as the Pulumi CLI passes it to a program: strings as written, everything else as JSON. */
function cliValue(value: unknown): string {
    return typeof value === "string" ? value : JSON.stringify(value);
}

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

const CANONICAL_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?$/;

/** A Pulumi file's text: strict UTF-8, every character read alike by the Pulumi CLI and this tool. Throws {@link ConfigSourceError}. */
export function readText(source: ProjectSource, file: string): string {
    let text: string;
    try {
        text = source.read(file);
    } catch (error) {
        throw new ConfigSourceError([(error as Error).message]);
    }
    const problem = characterProblem(file, text);
    if (problem !== undefined) throw new ConfigSourceError([problem]);
    return text;
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

/** Provider settings that hold credentials: Pulumi keeps them encrypted, and no tool of this project prints them. */
const CREDENTIAL_KEYS = new Set(["accessKey", "secretKey", "token"]);

/** Whether a config key holds a credential (`aws:secretKey`, `aws-native:token`, ...). */
export function isCredentialKey(key: string): boolean {
    const colon = key.indexOf(":");
    return colon > 0 && CREDENTIAL_KEYS.has(key.slice(colon + 1));
}

/** A credential written in plain text is readable by everyone with the repository, and would be printed by tools that show config. */
function credentialProblem(file: string, key: string, value: unknown): string | undefined {
    if (!isCredentialKey(key) || value === null || value === undefined || holdsSecret(value)) return undefined;
    return `${file}: ${key}: is a credential in plain text, readable by anyone with the repository; store it encrypted with pulumi config set --secret ${key}, or better, give the deploy a role through OIDC or a profile`;
}

/** How a tool may show a config value as the CLI passes it: credentials and secure values never in the clear. */
export function displayConfigValue(key: string, raw: string | undefined): string | undefined {
    if (raw === undefined) return undefined;
    if (isCredentialKey(key)) return "[secret]";
    try {
        return holdsSecret(JSON.parse(raw)) ? "[secret]" : raw;
    } catch {
        return raw;
    }
}

/** What is wrong with a top-level key of a stack file, if anything. */
function stackKeyProblem(file: string, key: string): string | undefined {
    if (key === "environment") {
        return `${file}: environment: Pulumi ESC environments add config this tool cannot see; set the values in ${file} instead`;
    }
    return STACK_KEYS.has(key) ? undefined : `${file}: ${key}: is not a stack file key the Pulumi CLI reads; remove it`;
}

/** A config key as the Pulumi CLI's `config.ParseKey` reads it, or the CLI's reason to refuse it. */
export function parseConfigKey(key: string): { namespace: string; name: string; legacy: boolean } | { refused: string } {
    const parts = key.split(":");
    // `<namespace>:<name>`, or the legacy `<namespace>:config:<name>`, which is the same key.
    if (parts.length === 2) return { namespace: parts[0], name: parts[1], legacy: false };
    if (parts.length === 3 && parts[1] === "config") return { namespace: parts[0], name: parts[2], legacy: true };
    return { refused: `could not parse ${key} as a configuration key (configuration keys should be of the form \`<namespace>:<name>\`)` };
}

/**
 * The keys of one `config:` block, read as the Pulumi CLI reads them: each key must carry an
 * unambiguous namespace, and two spellings of one key (`aws:allowedAccountIds` and the legacy
 * `aws:config:allowedAccountIds`) are a duplicate, since the CLI keeps only one of them. The CLI
 * gives a key without a namespace the project's name, which is this namespace only in a project
 * named revocable-roles; elsewhere the program would never read it.
 */
class ConfigKeys {
    private readonly seen = new Map<string, { written: string; line: number }>();

    constructor(private readonly file: string) {}

    /** The key the CLI reads for `written` (on `line`), or why it is refused. */
    read(written: string, line: number, project: string): { key: string } | { problem: string } {
        const { file } = this;
        const at = `${file}: line ${line}`;
        if (!written.includes(":")) {
            const why =
                project === NAMESPACE
                    ? "and beside the namespaced key which one wins is not defined"
                    : `which the program never reads: it reads ${NAMESPACE}:* only`;
            return {
                problem: `${file}: ${written}: has no namespace; the Pulumi CLI reads it as ${project}:${written}, ${why}; write it as ${NAMESPACE}:${written}`,
            };
        }
        const parsed = parseConfigKey(written);
        if ("refused" in parsed) {
            return {
                problem: `${at}: config key ${written} is refused by the Pulumi CLI: ${parsed.refused}; write it as <namespace>:<name>`,
            };
        }
        const { namespace, name } = parsed;
        if (namespace === "" || name === "") {
            return {
                problem: `${at}: config key ${written} has an empty ${namespace === "" ? "namespace" : "name"}, which no program reads; write it as <namespace>:<name>`,
            };
        }
        if (namespace !== NAMESPACE && namespace.toLowerCase() === NAMESPACE) {
            return {
                problem: `${file}: ${written}: namespace "${namespace}" differs from "${NAMESPACE}" only in case; write ${NAMESPACE}:${name}`,
            };
        }
        const key = `${namespace}:${name}`;
        const first = this.seen.get(key);
        if (first !== undefined) {
            return {
                problem: `${at}: ${written} is the key ${key}, already set on line ${first.line}${first.written === key ? "" : ` as ${first.written}`}; the Pulumi CLI keeps only one of the two, so the tools could read the other; write it once, as ${key}`,
            };
        }
        this.seen.set(key, { written, line });
        if (parsed.legacy && namespace === NAMESPACE) {
            return {
                problem: `${at}: ${written} is the legacy spelling of ${key}, which the Pulumi CLI reads as the same key; the tools read and edit this namespace's keys in the short form only; write it as ${key}`,
            };
        }
        return { key };
    }
}

/** Whether a value is, or holds, a `secure:` secret. */
function holdsSecret(value: unknown): boolean {
    if (Array.isArray(value)) return value.some(holdsSecret);
    if (!mapping(value)) return false;
    const keys = Object.keys(value);
    return (keys.length === 1 && keys[0] === "secure") || Object.values(value).some(holdsSecret);
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

/** Values of this project's namespace that the CLI and this tool could read differently. */
function valueProblems(file: string, key: string, node: YAML.Node): string[] {
    const problems: string[] = [];
    const visit = (current: unknown, at: string) => {
        if (YAML.isMap(current)) {
            const keys = current.items.map((p) => (YAML.isScalar(p.key) ? p.key.value : undefined));
            if (keys.length === 1 && keys[0] === "secure") {
                problems.push(
                    `${file}: ${at}: is a secret (secure:); the offline plan cannot decrypt it and nothing in this namespace is secret, so write the value in plain text`,
                );
                return;
            }
            for (const pair of current.items) {
                const name = YAML.isScalar(pair.key) ? String(pair.key.value) : "?";
                visit(pair.value, `${at}.${name}`);
            }
        } else if (YAML.isSeq(current)) {
            current.items.forEach((item, i) => visit(item, `${at}[${i}]`));
        } else if (YAML.isScalar(current) && current.type === "PLAIN") {
            const source = current.source ?? "";
            if (typeof current.value === "number" && !CANONICAL_NUMBER.test(source)) {
                problems.push(
                    /^\d{12}$/.test(source)
                        ? `${file}: ${at}: ${source} is read as a number, and its leading zero may be dropped; an account ID is a string: quote it, as "${source}"`
                        : `${file}: ${at}: number ${source} may be read differently by the Pulumi CLI; write it in plain decimal, or quote it if it is an ID`,
                );
            } else if (typeof current.value === "boolean" && source !== "true" && source !== "false") {
                problems.push(`${file}: ${at}: ${source} may be read differently by the Pulumi CLI; write true or false`);
            }
        }
    };
    visit(node, key);
    return problems;
}

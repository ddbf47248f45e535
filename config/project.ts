/**
 * The project file (Pulumi.yaml) and the program it names, read as the Pulumi CLI reads them:
 * its keys, its runtime and options, its project-level config, and the package.json that decides
 * which file the CLI runs. Whatever would make the CLI run or read something the offline tools do
 * not is refused, naming the file and the key.
 */
import * as YAML from "yaml";
import { NAMESPACE } from "./stackConfig";
import { ProjectSource } from "./sources";
import { PROJECT_FILE } from "./files";
import { ConfigSourceError, parse, mapping, readText } from "./pulumiYaml";
import { cliValue, credentialProblem, ConfigKeys } from "./configKeys";

/** The project file, read and checked. */
export interface Project {
    name: string;
    text: string;
    /** The project file as data. */
    data: Record<string, unknown>;
    /** Project-level config of other namespaces (such as `aws:region`), as the CLI passes it. */
    config: Record<string, string>;
}

export const PROJECT_KEYS: ReadonlySet<string> = new Set([
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
export const UNMODELLED_PROJECT_KEYS: Record<string, string> = {
    stackConfigDir: "moves the stack files; keep them next to Pulumi.yaml",
    plugins: "replaces provider plugins with local builds the offline plan cannot see",
    packages: "adds packages the offline plan does not load",
};

export const PROJECT_VARIANT: RegExp = /^Pulumi\.(yml|json)$/;

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
export function runtimeOptionProblems(options: unknown): string[] {
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

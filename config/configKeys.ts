/**
 * The keys and values of a Pulumi config block as the Pulumi CLI reads them: namespaces and the
 * legacy spelling, credentials and secure values (never shown in the clear), and the values the
 * CLI would read differently from this tool, refused. Used by the config loader (loader.ts) for
 * the project file and the stack files alike.
 */
import * as YAML from "yaml";
import { NAMESPACE } from "./stackConfig";
import { mapping } from "./pulumiYaml";

export const STACK_KEYS: ReadonlySet<string> = new Set(["config", "secretsprovider", "encryptedkey", "encryptionsalt"]);

/**
 * A stack file's config value as the Pulumi CLI passes it to a program: a key without a value
 * (null, `~`, or nothing) as the empty string, as the CLI does ("currently treated as an empty
 * string"), everything else as {@link cliValue}.
 */
export function stackConfigValue(value: unknown): string {
    return value === null ? "" : cliValue(value);
}

/** A config value as the Pulumi CLI passes it to a program: strings as written, everything else as JSON. */
export function cliValue(value: unknown): string {
    return typeof value === "string" ? value : JSON.stringify(value);
}

export const CANONICAL_NUMBER: RegExp = /^-?(?:0|[1-9]\d*)(?:\.\d+)?$/;

/** Provider settings that hold credentials: Pulumi keeps them encrypted, and no tool of this project prints them. */
export const CREDENTIAL_KEYS: ReadonlySet<string> = new Set(["accessKey", "secretKey", "token"]);

/** Whether a config key holds a credential (`aws:secretKey`, `aws-native:token`, ...). */
export function isCredentialKey(key: string): boolean {
    const colon = key.indexOf(":");
    return colon > 0 && CREDENTIAL_KEYS.has(key.slice(colon + 1));
}

/** A credential written in plain text is readable by everyone with the repository, and would be printed by tools that show config. */
export function credentialProblem(file: string, key: string, value: unknown): string | undefined {
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
export function stackKeyProblem(file: string, key: string): string | undefined {
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
export class ConfigKeys {
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
export function holdsSecret(value: unknown): boolean {
    if (Array.isArray(value)) return value.some(holdsSecret);
    if (!mapping(value)) return false;
    const keys = Object.keys(value);
    return (keys.length === 1 && keys[0] === "secure") || Object.values(value).some(holdsSecret);
}

/** Values of this project's namespace that the CLI and this tool could read differently. */
export function valueProblems(file: string, key: string, node: YAML.Node): string[] {
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

/**
 * Reading a Pulumi file as the Pulumi CLI and this tool both read it: its text strictly decoded,
 * its YAML parsed with the features where the two readers could disagree refused, and every
 * problem named by file, line and role. The base of the config loader (loader.ts).
 */
import * as YAML from "yaml";
import { ProjectSource } from "./sources";
import { characterProblem } from "./bytes";
import { compose, readingProblems, tokenize } from "./yamlReadings";
import { UserFacingError } from "../iam/errors";

/** Every problem that stops the configuration from being read, one line each: `<file>: <where>: <message>`. */
export class ConfigSourceError extends UserFacingError {
    constructor(readonly problems: string[]) {
        super(problems.join("\n"));
        this.name = "ConfigSourceError";
    }
}

/** How deep a line is indented; -1 for a blank or comment line. */
export function indentOf(line: string): number {
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
export function yamlErrorInWords(file: string, text: string, error: YAML.YAMLError): string {
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

export interface Parsed {
    document: YAML.Document.Parsed;
    problems: string[];
    /** The line of a node, 1-based. */
    lineOf: (node: YAML.Node) => number;
}

/**
 * Parses YAML the way both the CLI's reader (Go) and this one (JavaScript) agree on, and
 * refuses the features where they could disagree: merge keys, aliases, explicit tags.
 */
export function parse(file: string, text: string): Parsed {
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

export function mapping(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

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

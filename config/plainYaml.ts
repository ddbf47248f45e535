/**
 * A reader for the plain block style most stack files are written in, and nothing else: mappings
 * and sequences by indentation, one key or item per line, single-line scalars, one-line sequences
 * of double-quoted strings, and comment lines. For every text it accepts it returns what the
 * `yaml` package would (a test compares the two on every fixture and on thousands of edits of
 * them); for anything else it returns undefined, and the loader reads the file with the full
 * parser, which also names any problem.
 *
 * It exists for speed: reading the benchmark's 1,000-role stack file (415 kB) with its config,
 * the full readers (YAML 1.2 and YAML 1.1) take about 0.2 s, this reader 10 ms. It stands aside on
 * any plain string that YAML 1.1 or go-yaml reads as something else, which the full reader refuses.
 */
import { plainStringReadsAlike } from "./yamlReadings";

interface Line {
    indent: number;
    /** Starts with "- ": a sequence item. */
    item: boolean;
    /** The key of a `key: value` or `key:` line. */
    key?: string;
    /** The scalar of the line, when it has one; NESTED when the value is the block below. */
    value: unknown;
}

const NESTED = Symbol("nested");

class NotPlain extends Error {}

const fail = (): never => {
    throw new NotPlain();
};

/** Printable ASCII and line feeds only: no tabs, carriage returns, byte order marks or other characters with rules of their own. */
const PLAIN_TEXT = /^[\n -~]*$/;
/** A key: a plain scalar that resolves to a string, without spaces or flow indicators. */
const KEY = /^[A-Za-z_][A-Za-z0-9_./:@$-]*$/;
/** A plain scalar's first character: none of YAML's indicators. */
const PLAIN_START = /^[A-Za-z0-9_/$(]/;
/** `[]`, or double-quoted strings without escapes between brackets, separated by a comma and a space. */
const FLOW_SEQUENCE = /^\[(?:"[^"\\]*"(?:, "[^"\\]*")*)?\]$/;
/** YAML 1.2 core schema: the plain scalars that resolve to something other than a string. */
const NULL = /^(?:~|[Nn]ull|NULL)?$/;
const BOOL = /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/;
const INT = /^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$/;
const FLOAT = /^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;

/** A scalar as the core schema resolves it, or a failure for anything outside the plain style. */
function scalar(text: string): unknown {
    // Quoted without escapes: the text between the quotes.
    const quoted = /^"([^"\\]*)"$/.exec(text) ?? /^'([^']*)'$/.exec(text);
    if (quoted) return quoted[1];
    if (FLOW_SEQUENCE.test(text)) return text === "[]" ? [] : text.slice(2, -2).split('", "');
    // Plain: no indicator first, no ": " that would make it a mapping, and no quotes anywhere, to keep it simple.
    if (!PLAIN_START.test(text) || text.includes(": ") || text.endsWith(":") || /["']/.test(text)) fail();
    if (text === "true" || text === "false") return text === "true";
    if (/^(?:0|[1-9][0-9]{0,14})$/.test(text)) return Number(text);
    if (NULL.test(text) || BOOL.test(text) || INT.test(text) || FLOAT.test(text)) fail();
    // A string to YAML 1.2 that YAML 1.1 or go-yaml reads otherwise (yes, 0777, 1_000): the full reader refuses it by line.
    if (!plainStringReadsAlike(text)) fail();
    return text;
}

function lineOf(text: string): Line {
    const indent = text.length - text.trimStart().length;
    let rest = text.slice(indent);
    const item = rest.startsWith("- ");
    if (item) rest = rest.slice(2);
    // The first ": " ends a key; a value holding another is refused by scalar().
    const colon = rest.endsWith(":") && !rest.includes(": ") ? rest.length - 1 : rest.indexOf(": ");
    if (colon < 0) return item ? { indent, item, value: scalar(rest) } : fail();
    const key = rest.slice(0, colon);
    // Keys that resolve to other types, or that JavaScript objects treat specially, go to the full parser.
    if (!KEY.test(key) || key.endsWith(":") || NULL.test(key) || BOOL.test(key) || !plainStringReadsAlike(key) || key === "__proto__")
        fail();
    const value = colon === rest.length - 1 ? NESTED : scalar(rest.slice(colon + 2));
    return { indent, item, key, value };
}

class Reader {
    private at = 0;

    constructor(private readonly lines: Line[]) {}

    document(): unknown {
        if (this.lines.length === 0 || this.lines[0].indent !== 0) fail();
        const value = this.node(0);
        if (this.at !== this.lines.length) fail();
        return value;
    }

    private node(indent: number): unknown {
        return this.lines[this.at].item ? this.sequence(indent) : this.mapping(indent);
    }

    private mapping(indent: number): Record<string, unknown> {
        const result: Record<string, unknown> = {};
        for (let line = this.lines[this.at]; line?.indent === indent && !line.item; line = this.lines[this.at]) {
            if (Object.hasOwn(result, line.key!)) fail();
            this.at++;
            result[line.key!] = line.value === NESTED ? this.block(indent) : line.value;
        }
        // Anything at this indentation or deeper that did not continue the mapping: the full parser decides.
        if ((this.lines[this.at]?.indent ?? -1) >= indent) fail();
        return result;
    }

    /** The value of a `key:` line at `indent`: the deeper block below it, or a sequence at the key's own indentation. */
    private block(indent: number): unknown {
        const next = this.lines[this.at];
        if (next === undefined || next.indent < indent || (next.indent === indent && !next.item)) fail();
        return next.indent === indent ? this.sequence(indent) : this.node(next.indent);
    }

    private sequence(indent: number): unknown[] {
        const result: unknown[] = [];
        for (let line = this.lines[this.at]; line?.indent === indent && line.item; line = this.lines[this.at]) {
            if (line.key === undefined) {
                this.at++;
                result.push(line.value);
                if ((this.lines[this.at]?.indent ?? -1) > indent) fail();
            } else {
                // "- key: value" opens a mapping whose keys sit two columns in.
                this.lines[this.at] = { ...line, indent: indent + 2, item: false };
                result.push(this.mapping(indent + 2));
            }
        }
        if ((this.lines[this.at]?.indent ?? -1) > indent) fail();
        return result;
    }
}

/** The document, when the text is in the plain block style; undefined otherwise. */
export function readPlainYaml(text: string): unknown {
    if (!PLAIN_TEXT.test(text)) return undefined;
    try {
        const lines: Line[] = [];
        for (const raw of text.split("\n")) {
            const content = raw.trimStart();
            if (content === "" || content.startsWith("#")) continue;
            // Trailing spaces, a comment after a value, or a key too long for YAML (1,024 characters): the full parser decides.
            if (raw.endsWith(" ") || content.includes("#") || raw.length > 1000) fail();
            lines.push(lineOf(raw));
        }
        return new Reader(lines).document();
    } catch (error) {
        if (error instanceof NotPlain) return undefined;
        throw error;
    }
}

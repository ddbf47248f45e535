/**
 * One reading of every Pulumi file, or none. The Pulumi CLI reads stack and project files with
 * go-yaml v2, a YAML 1.1 reader: `on`, `yes` and `n` are booleans to it, `0777` is 511, `1_000`
 * is 1000, and a key that is not a string makes it refuse the whole file ("expected only string
 * keys"). This project reads YAML 1.2 (the `yaml` package's core schema). So every file is read a
 * second time as YAML 1.1, and every plain scalar is also resolved as go-yaml v2 resolves it
 * (`goYamlScalar`); wherever the readings differ in any key or value, anywhere in the document,
 * the file is refused with the line, both readings and the fix (usually: quote it). Directives
 * (`%YAML`, `%TAG`) and keys that are not plain strings (`? [a, b]`, `{a: 1}: b`) are refused too.
 *
 * Timestamps are the one YAML 1.1 type kept as text: go-yaml v2 decodes an unquoted timestamp into
 * an `interface{}` as its source text ("for backward compatibility", decode.go), and the CLI reads
 * config through `interface{}` and strings, so `revokeBefore: 2026-11-27T10:15:00Z` is the string
 * `2026-11-27T10:15:00Z` to every reader.
 */
import * as YAML from "yaml";
import { goYamlV3Problems } from "./goYamlV3";

const TIMESTAMP = "tag:yaml.org,2002:timestamp";

/** The YAML 1.1 reading: the `yaml` package's YAML 1.1 schema, timestamps kept as their text (as go-yaml v2 hands them over). */
export const YAML_1_1: YAML.DocumentOptions & YAML.ParseOptions & YAML.SchemaOptions = {
    version: "1.1",
    customTags: (tags) => tags.filter((tag) => typeof tag === "string" || tag.tag !== TIMESTAMP),
    // The YAML 1.2 reading already refuses duplicate keys; comparing every key with every other again costs seconds at 10,000 roles.
    uniqueKeys: false,
};

/** The plain-scalar tests of the YAML 1.1 reading: a plain scalar any of them matches is not a string there. */
const YAML_1_1_TESTS: RegExp[] = new YAML.Schema({ schema: "yaml-1.1", customTags: YAML_1_1.customTags }).tags.flatMap((tag) =>
    "test" in tag && tag.test !== undefined && tag.tag !== "tag:yaml.org,2002:str" ? [tag.test] : [],
);

/** How go-yaml v2 resolves a plain scalar (resolve.go): its kind, and its value where it has one. */
export type GoScalar =
    | { kind: "str" }
    | { kind: "timestamp" }
    | { kind: "null" }
    | { kind: "bool"; value: boolean }
    | { kind: "int"; value: bigint }
    | { kind: "float"; value: number };

const STR: GoScalar = { kind: "str" };

/** go-yaml v2's table of exact spellings (its merge key `<<` is decided elsewhere, and refused by the loader). */
const GO_EXACT = new Map<string, GoScalar>([
    ...["y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"].map((s): [string, GoScalar] => [
        s,
        { kind: "bool", value: true },
    ]),
    ...["n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"].map((s): [string, GoScalar] => [
        s,
        { kind: "bool", value: false },
    ]),
    ...["", "~", "null", "Null", "NULL"].map((s): [string, GoScalar] => [s, { kind: "null" }]),
    ...[".nan", ".NaN", ".NAN"].map((s): [string, GoScalar] => [s, { kind: "float", value: NaN }]),
    ...[".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"].map((s): [string, GoScalar] => [s, { kind: "float", value: Infinity }]),
    ...["-.inf", "-.Inf", "-.INF"].map((s): [string, GoScalar] => [s, { kind: "float", value: -Infinity }]),
]);

/** go-yaml v2's first-character hint: only these can resolve to anything but a string. */
const GO_HINT = /^[-+0-9yYnNtTfFoO~.]/;
/** go-yaml v2's `yamlStyleFloat`. */
const GO_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
/** What Go's `strconv.ParseFloat` accepts of a text starting with "." (no underscores without a base prefix). */
const GO_DOT_FLOAT = /^\.[0-9]+([eE][-+]?[0-9]+)?$/;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

/** Go's `strconv.ParseInt(s, 0, 64)`, falling back to `ParseUint(s, 0, 64)` as go-yaml does: the value, or undefined. */
function goParseInt(text: string): bigint | undefined {
    const match = /^([-+]?)(0[bB][01]+|0[oO][0-7]+|0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.exec(text);
    if (match === null) return undefined;
    const [, sign, digits] = match;
    // A leading zero is octal to Go (0777 is 511); BigInt reads 0o, 0x and 0b itself.
    const magnitude = /^0[0-7]+$/.test(digits) ? BigInt(`0o${digits.slice(1)}`) : BigInt(digits.toLowerCase());
    const value = sign === "-" ? -magnitude : magnitude;
    if (value >= INT64_MIN && value <= INT64_MAX) return value;
    // ParseUint takes no sign.
    return sign === "" && value <= UINT64_MAX ? value : undefined;
}

/** Go's `strconv.ParseFloat(s, 64)` on the texts go-yaml hands it: undefined when it fails (out of range included). */
function goParseFloat(text: string): number | undefined {
    const value = Number(text);
    return Number.isFinite(value) ? value : undefined;
}

/**
 * A plain scalar as go-yaml v2 resolves it (resolve.go): exact spellings first, then, for a text
 * starting with a digit or a sign, a timestamp, an integer of any Go base with underscores removed
 * (`0X1F`, `-_1`, `0777`), or a float. Timestamps are reported as such; go-yaml hands them over as
 * their text, and a text that is not a timestamp but starts like one (four digits and a dash) is
 * never an integer or a float either, so the timestamp formats need no model here.
 */
export function goYamlScalar(text: string): GoScalar {
    if (text !== "" && !GO_HINT.test(text)) return STR;
    const exact = GO_EXACT.get(text);
    if (exact !== undefined) return exact;
    const first = text[0];
    if (/[yYnNtTfFoO~]/.test(first)) return STR;
    if (first === ".") {
        const value = GO_DOT_FLOAT.test(text) ? goParseFloat(text) : undefined;
        return value === undefined ? STR : { kind: "float", value };
    }
    if (/^[0-9]{4}-/.test(text)) return { kind: "timestamp" };
    const plain = text.replaceAll("_", "");
    const int = goParseInt(plain);
    if (int !== undefined) return { kind: "int", value: int };
    const float = GO_FLOAT.test(plain) ? goParseFloat(plain) : undefined;
    return float === undefined ? STR : { kind: "float", value: float };
}

/** Characters a plain scalar can start with and be anything but a string in YAML 1.1 or to go-yaml. */
const HINT = /^[-+0-9yYnNtTfFoO~.<]/;

/**
 * Whether a plain scalar that YAML 1.2 reads as a string is a string to every reader: YAML 1.1
 * (timestamps kept as text) and go-yaml v2. The plain-style reader uses it to stand aside where
 * the full reader would refuse the file.
 */
export function plainStringReadsAlike(text: string): boolean {
    if (text !== "" && !HINT.test(text)) return true;
    // The forms that start with a letter are words of at most five letters (false, null); a date
    // (four digits and a dash) is a timestamp to YAML 1.1 and go-yaml, which both keep as text.
    if ((text.length > 5 && /^[a-zA-Z]/.test(text)) || /^[0-9]{4}-/.test(text)) return true;
    if (YAML_1_1_TESTS.some((test) => test.test(text))) return false;
    const go = goYamlScalar(text);
    return go.kind === "str" || go.kind === "timestamp";
}

/** A value in words, for a message. */
function describe(value: unknown): string {
    if (typeof value === "string") return `the string ${JSON.stringify(value)}`;
    if (value === null || value === undefined) return "null";
    if (typeof value === "boolean") return `the boolean ${value}`;
    return `the number ${String(value)}`;
}

/** go-yaml's resolution as the value it hands over. */
function goValue(go: GoScalar, text: string): unknown {
    switch (go.kind) {
        case "str":
        case "timestamp":
            return text;
        case "null":
            return null;
        case "int":
        case "float":
        case "bool":
            return go.value;
    }
}

function sameValue(a: unknown, b: unknown): boolean {
    if (typeof a === "bigint" || typeof b === "bigint") {
        return (
            (typeof a === "number" || typeof a === "bigint") && (typeof b === "number" || typeof b === "bigint") && Number(a) === Number(b)
        );
    }
    if (typeof a === "number" && typeof b === "number") return a === b || (Number.isNaN(a) && Number.isNaN(b));
    return a === b;
}

/** Where the readings of one plain scalar differ: the other reading's value and how to name it, or undefined. */
function otherReading(scalar: YAML.Scalar, other: YAML.Scalar | undefined): { value: unknown; reader: string } | undefined {
    if (other === undefined || !sameValue(scalar.value, other.value)) return { value: other?.value, reader: "in YAML 1.1" };
    if (scalar.type !== "PLAIN") return undefined;
    const text = scalar.source ?? "";
    const go = goValue(goYamlScalar(text), text);
    return sameValue(scalar.value, go) ? undefined : { value: go, reader: "to go-yaml, the Pulumi CLI's YAML reader," };
}

/** What to write instead, for a value the readers disagree on. */
function alternative(values: unknown[]): string {
    if (values.some((v) => typeof v === "boolean")) return "true or false";
    if (values.some((v) => typeof v === "number" || typeof v === "bigint")) return "the number in plain decimal";
    return "null";
}

const NOT_A_STRING_KEY =
    'the Pulumi CLI refuses a file with a key that is not a string ("expected only string keys"), so nothing of this stack could deploy';

/** A YAML text's tokens, read once and composed into a document once per reading. */
export interface YamlText {
    text: string;
    tokens: YAML.CST.Token[];
    lines: YAML.LineCounter;
}

/** Reads a text into tokens, counting its lines. */
export function tokenize(text: string): YamlText {
    const lines = new YAML.LineCounter();
    return { text, tokens: [...new YAML.Parser(lines.addNewLine).parse(text)], lines };
}

/**
 * The first document of a text, as `YAML.parseDocument` composes it (a second document is the
 * error MULTIPLE_DOCS), every error and warning placed by line and column.
 */
export function compose(
    { text, tokens, lines }: YamlText,
    options: YAML.DocumentOptions & YAML.ParseOptions & YAML.SchemaOptions = {},
): YAML.Document.Parsed {
    let document: YAML.Document.Parsed | undefined;
    for (const next of new YAML.Composer(options).compose(tokens, true, text.length)) {
        if (document === undefined) document = next;
        else {
            document.errors.push(
                new YAML.YAMLParseError(
                    [next.range[0], next.range[1]],
                    "MULTIPLE_DOCS",
                    "Source contains multiple documents; please use YAML.parseAllDocuments()",
                ),
            );
            break;
        }
    }
    for (const error of [...document!.errors, ...document!.warnings])
        error.linePos ??= [lines.linePos(error.pos[0]), lines.linePos(error.pos[1])];
    return document!;
}

/**
 * Every place where the readers of a Pulumi file could disagree, one line each:
 * `<file>: line N: <construct> ...; <fix>`. `document` is the file composed as YAML 1.2, without errors.
 */
export function readingProblems(file: string, source: YamlText, document: YAML.Document.Parsed): string[] {
    const { text, lines } = source;
    const problems: string[] = [];
    const at = (offset: number) => `${file}: line ${lines.linePos(offset).line}`;
    const sourceOf = (node: YAML.Node) => text.slice(node.range![0], node.range![1]).trim();
    for (const token of source.tokens) {
        if (token.type === "directive") {
            problems.push(
                `${at(token.offset)}: the YAML directive ${token.source.trim()} is not supported: it changes how YAML readers read the file, and the Pulumi CLI's reader (go-yaml, which refuses %YAML other than 1.1) and this tool's treat it differently; remove it`,
            );
        }
    }
    // With a directive, both readings follow it and compare equal: nothing more to learn.
    if (problems.length > 0) return problems;
    const older = compose(source, YAML_1_1);
    if (older.errors.length > 0) {
        return older.errors.map(
            (error) => `${at(error.pos[0])}: YAML 1.1, which the Pulumi CLI reads, refuses it: ${error.message.split("\n")[0]}`,
        );
    }
    const key = (node: unknown, other: unknown) => {
        if (node === null || !YAML.isScalar(node)) {
            const what = YAML.isSeq(node) ? "a sequence" : YAML.isMap(node) ? "a mapping" : "not a plain key";
            const where = YAML.isNode(node) ? at(node.range![0]) : `${file}`;
            problems.push(
                `${where}: the key ${YAML.isNode(node) ? sourceOf(node) : "?"} is ${what}; ${NOT_A_STRING_KEY}, and this tool would read it as text; write a plain key`,
            );
            return;
        }
        // A merge key is refused as such (the loader's own rule).
        if (node.value === "<<" && node.type === "PLAIN") return;
        const differs = otherReading(node, YAML.isScalar(other) ? other : undefined);
        if (typeof node.value === "string" && differs === undefined) return;
        const source = sourceOf(node);
        const readings =
            differs === undefined
                ? `${describe(node.value)} in every YAML reading, not a string`
                : `${describe(differs.value)} ${differs.reader} and ${describe(node.value)} in YAML 1.2`;
        problems.push(
            `${at(node.range![0])}: the key ${source === "" ? "(empty)" : source} is ${readings}; ${NOT_A_STRING_KEY}; quote it: ${JSON.stringify(source)}`,
        );
    };
    const value = (node: YAML.Scalar, other: unknown) => {
        const differs = otherReading(node, YAML.isScalar(other) ? other : undefined);
        const source = sourceOf(node);
        const quoted = JSON.stringify(source);
        if (differs !== undefined) {
            problems.push(
                `${at(node.range![0])}: ${source === "" ? "an empty value" : source} is ${describe(differs.value)} ${differs.reader} and ${describe(node.value)} in YAML 1.2, so the Pulumi CLI and this tool could read it differently; quote it (${quoted}) if it is text, or write ${alternative([differs.value, node.value])}`,
            );
        } else if (typeof node.value === "number" && !Number.isFinite(node.value)) {
            problems.push(
                `${at(node.range![0])}: ${source} is ${describe(node.value)}, which JSON cannot carry, so the Pulumi CLI and this tool would hand the program different values; quote it (${quoted}) if it is text`,
            );
        } else if (typeof node.value === "number" && Number.isInteger(node.value) && !Number.isSafeInteger(node.value)) {
            problems.push(
                `${at(node.range![0])}: ${source} is a number too large for this tool to read exactly (above 2^53); quote it (${quoted}) if it is an ID`,
            );
        }
    };
    const visit = (node: unknown, other: unknown) => {
        if (YAML.isMap(node)) {
            const others = YAML.isMap(other) ? other.items : [];
            node.items.forEach((pair, i) => {
                key(pair.key, others[i]?.key);
                visit(pair.value, others[i]?.value);
            });
        } else if (YAML.isSeq(node)) {
            const others = YAML.isSeq(other) ? other.items : [];
            node.items.forEach((item, i) => visit(item, others[i]));
        } else if (YAML.isScalar(node)) {
            value(node, other);
        }
    };
    visit(document.contents, older.contents);
    problems.push(...goYamlV3Problems(file, source, document));
    return problems;
}

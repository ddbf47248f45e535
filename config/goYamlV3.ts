/**
 * The Pulumi CLI's own reading of a YAML file, as far as it differs from every reading in
 * yamlReadings.ts: go-yaml v3 and its second reading (decode, write back, decode), and go-yaml's
 * scanner. Everything it would read otherwise, or refuse, is refused here by line with the fix.
 */
import * as YAML from "yaml";
import type { YamlText } from "./yamlReadings";

/**
 * A plain scalar that go-yaml v3 reads as a timestamp (`parseTimestamp`: four digits, a dash, a
 * month and a day, then nothing, or a time after `T`, `t` or spaces), matched generously.
 */
export const GO_TIMESTAMP: RegExp = /^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:$|[Tt \t])/;

/** Where an unquoted date may start in a stack file written in the plain block style: after a key's `: `, a list's `- `, or as a key. */
export const UNQUOTED_DATE: RegExp = /(?:^[ ]*(?:- )?|: )[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:$|[Tt :])/m;

/** The escapes of a double-quoted scalar's source that go-yaml refuses: `\/`, and code points that are surrogates or beyond U+10FFFF. */
function refusedEscape(raw: string): string | undefined {
    for (let i = 0; i < raw.length; i++) {
        if (raw[i] !== "\\") continue;
        const next = raw[i + 1];
        if (next === "/") return "\\/";
        const width = next === "x" ? 2 : next === "u" ? 4 : next === "U" ? 8 : 0;
        if (width > 0) {
            const hex = raw.slice(i + 2, i + 2 + width);
            const code = /^[0-9a-fA-F]+$/.test(hex) ? parseInt(hex, 16) : NaN;
            if ((code >= 0xd800 && code <= 0xdfff) || code > 0x10ffff) return raw.slice(i, i + 2 + width);
        }
        i++;
    }
    return undefined;
}

const GO_YAML = "the Pulumi CLI's YAML reader (go-yaml)";
const REFUSES_ALL = "so nothing of this stack could deploy";

/**
 * What the Pulumi CLI's YAML reader reads otherwise than every reading above, or refuses. Since
 * Pulumi 3.49 the CLI reads stack and project files with go-yaml v3, and reads them twice: it
 * decodes the file, writes what it decoded back as YAML, and decodes that (LoadProjectStackBytes).
 * So an unquoted timestamp becomes a Go time and reaches the program as Go's rendering of it
 * (`2026-11-27 10:15:00 +0000 UTC`), a string that starts with whitespace and holds a line break
 * loses its leading line breaks or makes the second reading fail, and go-yaml's scanner (shared by
 * v2 and v3) differs from YAML 1.2 on anchor names, escapes, tabs, flow collections and long keys.
 * Each such construct is refused by line, with the fix.
 */
export function goYamlV3Problems(file: string, source: YamlText, document: YAML.Document.Parsed): string[] {
    const { text, lines } = source;
    const problems: string[] = [];
    const at = (offset: number) => `${file}: line ${lines.linePos(offset).line}`;
    const raw = (node: YAML.Node) => text.slice(node.range![0], node.range![1]);
    const scalars: { range: [number, number]; quoted: boolean }[] = [];
    const scalar = (node: YAML.Scalar, isKey: boolean, flow: boolean) => {
        const what = isKey ? `the key ${raw(node).trim()}` : raw(node).trim();
        scalars.push({ range: [node.range![0], node.range![1]], quoted: node.type === "QUOTE_DOUBLE" || node.type === "QUOTE_SINGLE" });
        if (node.type === "QUOTE_DOUBLE") {
            const escape = refusedEscape(raw(node));
            if (escape !== undefined) {
                problems.push(
                    `${at(node.range![0])}: the escape ${escape} in a double-quoted string is refused by ${GO_YAML}, ${REFUSES_ALL}; write the character itself, or another escape`,
                );
            }
        }
        if (node.type === "PLAIN") {
            const plain = node.source ?? "";
            if (GO_TIMESTAMP.test(plain)) {
                problems.push(
                    `${at(node.range![0])}: ${what} is a timestamp to the Pulumi CLI's YAML reader (go-yaml v3), which hands the program Go's rendering of it (such as "2026-11-27 10:15:00 +0000 UTC" for 2026-11-27T10:15:00Z), not the text; quote it: ${JSON.stringify(plain)}`,
                );
            }
            if (flow && (plain.includes("?") || plain.startsWith(":") || plain.endsWith(":"))) {
                problems.push(
                    `${at(node.range![0])}: ${what} in a flow collection ([...] or {...}) is read otherwise by ${GO_YAML}, which ends a plain scalar at ? and reads a : at its start or end as an indicator; quote it: ${JSON.stringify(plain)}`,
                );
            }
        }
        if (typeof node.value === "string" && /[\n\r]/.test(node.value) && /^[ \t\n\r]/.test(node.value)) {
            problems.push(
                `${at(node.range![0])}: ${isKey ? "a key" : "a string"} that starts with a space, tab or line break and holds a line break does not survive the Pulumi CLI's reading: it decodes the file with go-yaml v3, writes it back and decodes it again, which drops leading line breaks or refuses the result; remove the leading whitespace`,
            );
        }
        if (isKey && typeof node.value === "string" && node.value.length > 1024) {
            problems.push(
                `${at(node.range![0])}: a key of ${node.value.length} characters is longer than the 1,024 that ${GO_YAML} reads as a key; shorten it`,
            );
        }
    };
    const visit = (node: unknown, isKey: boolean, flow: boolean) => {
        if (YAML.isNode(node) && node.anchor !== undefined && !/^[A-Za-z0-9_-]+$/.test(node.anchor)) {
            problems.push(
                `${at(node.range![0])}: YAML anchor &${node.anchor} is not supported; ${GO_YAML} allows only letters, digits, _ and - in anchor names and reads other characters as part of the value; remove it`,
            );
        }
        if (YAML.isMap(node)) {
            for (const pair of node.items) {
                const empty = pair.value === null || (YAML.isScalar(pair.value) && pair.value.type === "PLAIN" && pair.value.source === "");
                if ((node.flow === true || flow) && empty && YAML.isScalar(pair.key)) {
                    problems.push(
                        `${at(pair.key.range![0])}: the key ${raw(pair.key).trim()} in a flow mapping has no value, which ${GO_YAML} reads otherwise (an x: before a , or } is the text "x:" to it); write the value: null or ""`,
                    );
                }
                visit(pair.key, true, node.flow === true || flow);
                visit(pair.value, false, node.flow === true || flow);
            }
        } else if (YAML.isSeq(node)) {
            for (const item of node.items) {
                visit(item, false, node.flow === true || flow);
            }
        } else if (YAML.isScalar(node)) {
            scalar(node, isKey, flow);
        }
    };
    visit(document.contents, false, false);
    // Tabs: go-yaml refuses them in indentation (comment and blank lines included) and after - and ?,
    // and reads them elsewhere unlike YAML 1.2; only a quoted string or a comment may hold one.
    scalars.sort((a, b) => a.range[0] - b.range[0]);
    const within = (offset: number) => {
        let low = 0;
        let high = scalars.length - 1;
        while (low <= high) {
            const middle = (low + high) >> 1;
            const [start, end] = scalars[middle].range;
            if (offset < start) high = middle - 1;
            else if (offset >= end) low = middle + 1;
            else return scalars[middle];
        }
        return undefined;
    };
    for (let i = text.indexOf("\t"); i !== -1; i = text.indexOf("\t", i + 1)) {
        if (within(i)?.quoted === true) continue;
        const lineStart = text.lastIndexOf("\n", i) + 1;
        let comment = false;
        for (let j = text.indexOf("#", lineStart); j !== -1 && j < i; j = text.indexOf("#", j + 1)) {
            if (within(j) === undefined && (j === lineStart || /[ \t]/.test(text[j - 1]))) {
                comment = true;
                break;
            }
        }
        if (comment) {
            // Every later tab of the line is in the comment too: one look per line keeps this linear.
            const lineEnd = text.indexOf("\n", i);
            if (lineEnd === -1) break;
            i = lineEnd;
            continue;
        }
        const position = lines.linePos(i);
        problems.push(
            `${file}: line ${position.line}, column ${position.col}: a tab outside a quoted string or a comment; ${GO_YAML} refuses tabs in indentation (on comment and blank lines too) and after - and ?, and reads them elsewhere otherwise than this tool; use spaces`,
        );
        break;
    }
    return problems;
}

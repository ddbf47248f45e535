/**
 * Adding npm scripts to a package.json that exists, as a person would: the scripts it lacks are
 * written into its text where they belong (at the end of `scripts`, or a new `scripts` at the end
 * of the object), in the file's own indentation and line endings; every other byte stays as it
 * was. The result is checked by parsing it: it must be the old object with those scripts added
 * and nothing else, or nothing is written.
 */
import { isDeepStrictEqual } from "util";

/** What adding scripts to a package.json's text comes to. */
export interface ScriptsAdded {
    /** The new text; undefined when nothing is added or the file cannot be edited (`problem`). */
    text?: string;
    /** The scripts added, in the order given. */
    added: string[];
    /** Scripts the file already has under the same name with another command: left as they are. */
    different: { name: string; command: string }[];
    /** Why the file was left alone, when it was. */
    problem?: string;
}

/** A member of a JSON object in a text: its key and where its value starts and ends. */
interface Member {
    key: string;
    keyStart: number;
    valueStart: number;
    valueEnd: number;
}

const WHITESPACE = new Set([" ", "\t", "\n", "\r"]);

function skipWhitespace(text: string, at: number): number {
    while (at < text.length && WHITESPACE.has(text[at])) at++;
    return at;
}

/** Where the string starting at `at` (a quote) ends, after its closing quote. */
function endOfString(text: string, at: number): number {
    for (let i = at + 1; i < text.length; i++) {
        if (text[i] === "\\") i++;
        else if (text[i] === '"') return i + 1;
    }
    return text.length;
}

/** Where the value starting at `at` ends; the text is valid JSON (it was parsed first). */
function endOfValue(text: string, at: number): number {
    const first = text[at];
    if (first === '"') return endOfString(text, at);
    if (first === "{" || first === "[") {
        let depth = 0;
        for (let i = at; i < text.length; i++) {
            const c = text[i];
            if (c === '"') i = endOfString(text, i) - 1;
            else if (c === "{" || c === "[") depth++;
            else if (c === "}" || c === "]") {
                depth--;
                if (depth === 0) return i + 1;
            }
        }
        return text.length;
    }
    let i = at;
    while (i < text.length && !WHITESPACE.has(text[i]) && text[i] !== "," && text[i] !== "}" && text[i] !== "]") i++;
    return i;
}

/** The members of the object whose `{` is at `open`, and where its `}` is. */
function objectMembers(text: string, open: number): { members: Member[]; close: number } {
    const members: Member[] = [];
    let at = skipWhitespace(text, open + 1);
    if (text[at] === "}") return { members, close: at };
    for (;;) {
        const keyEnd = endOfString(text, at);
        const key = JSON.parse(text.slice(at, keyEnd)) as string;
        const valueStart = skipWhitespace(text, skipWhitespace(text, keyEnd) + 1);
        const valueEnd = endOfValue(text, valueStart);
        members.push({ key, keyStart: at, valueStart, valueEnd });
        at = skipWhitespace(text, valueEnd);
        if (text[at] !== ",") return { members, close: at };
        at = skipWhitespace(text, at + 1);
    }
}

/** The whitespace that starts the line `at` is on, up to `at`. */
function indentBefore(text: string, at: number): string {
    const lineStart = text.lastIndexOf("\n", at - 1) + 1;
    const indent = text.slice(lineStart, at);
    return /^[ \t]*$/.test(indent) ? indent : "";
}

/** The indentation of the first member alone at the start of its line, or `fallback`. */
function memberIndent(text: string, members: Member[], fallback: string): string {
    return members.map((m) => indentBefore(text, m.keyStart)).find((indent) => indent !== "") ?? fallback;
}

function isObject(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Adds to a package.json's text each of `scripts` whose name it does not have yet. A script of the
 * same name that runs something else is kept and reported; a file that is not one JSON object, or
 * whose `scripts` is not an object, is left alone with the reason.
 */
export function addScripts(original: string, scripts: Readonly<Record<string, string>>): ScriptsAdded {
    const bom = original.startsWith("\uFEFF") ? "\uFEFF" : "";
    const text = original.slice(bom.length);
    let parsed: unknown;
    try {
        parsed = JSON.parse(text);
    } catch (error) {
        return { added: [], different: [], problem: `it is not JSON (${(error as Error).message})` };
    }
    if (!isObject(parsed)) return { added: [], different: [], problem: "it is not a JSON object" };
    const existing = parsed.scripts;
    if (existing !== undefined && !isObject(existing)) return { added: [], different: [], problem: '"scripts" is not an object' };
    const have = existing ?? {};
    const added = Object.keys(scripts).filter((name) => !Object.hasOwn(have, name));
    const different = Object.keys(scripts)
        .filter((name) => Object.hasOwn(have, name) && have[name] !== scripts[name])
        .map((name) => ({ name, command: String(have[name]) }));
    if (added.length === 0) return { added, different };

    const eol = text.includes("\r\n") ? "\r\n" : "\n";
    const open = skipWhitespace(text, 0);
    const top = objectMembers(text, open);
    const named = top.members.filter((m) => m.key === "scripts");
    if (named.length > 1) return { added: [], different, problem: '"scripts" is written twice' };
    const multiline = text.slice(open, top.close).includes("\n");
    const entry = (name: string) => `${JSON.stringify(name)}:${multiline ? " " : ""}${JSON.stringify(scripts[name])}`;
    // The file's own indentation: its first member's, else npm's two spaces; a nested member's is twice that.
    const outer = memberIndent(text, top.members, "  ");
    const entries = (indent: string) => added.map((name) => (multiline ? `${eol}${indent}${entry(name)}` : entry(name))).join(",");
    let edited: string;
    if (named.length === 1) {
        const { members, close } = objectMembers(text, named[0].valueStart);
        if (members.length > 0) {
            const last = members.at(-1)!.valueEnd;
            edited = `${text.slice(0, last)},${entries(memberIndent(text, members, outer + outer))}${text.slice(last)}`;
        } else {
            const body = `${entries(outer + outer)}${multiline ? `${eol}${outer}` : ""}`;
            edited = `${text.slice(0, named[0].valueStart + 1)}${body}${text.slice(close)}`;
        }
    } else {
        const member = multiline ? `${eol}${outer}"scripts": {${entries(outer + outer)}${eol}${outer}}` : `"scripts":{${entries("")}}`;
        if (top.members.length > 0) {
            const last = top.members.at(-1)!.valueEnd;
            edited = `${text.slice(0, last)},${member}${text.slice(last)}`;
        } else {
            edited = `${text.slice(0, open + 1)}${member}${multiline ? eol : ""}${text.slice(top.close)}`;
        }
    }
    // The edit must be exactly the scripts added: anything else, and the file is left as it was.
    const expected = { ...parsed, scripts: { ...have, ...Object.fromEntries(added.map((name) => [name, scripts[name]])) } };
    let result: unknown;
    try {
        result = JSON.parse(edited);
    } catch {
        result = undefined;
    }
    if (!isDeepStrictEqual(result, expected)) {
        return { added: [], different, problem: "its text could not be edited without changing more than the scripts" };
    }
    return { text: `${bom}${edited}`, added, different };
}

/**
 * GitHub's CODEOWNERS, read as GitHub reads it, for the two-person override of the freeze: who
 * owns a path is the owners of the last line whose pattern matches it.
 *
 * Patterns follow gitignore's rules as GitHub applies them: a leading `/` anchors a pattern at
 * the repository's root, and so does a `/` in its middle; a pattern of one segment (`*.ts`,
 * `docs/`) matches at any depth; a trailing `/` matches what is below a directory, never a file
 * of that name; `*` matches within a segment, `?` one character of it, `**` any number of
 * segments; a lone `*` as the last segment matches one segment and nothing below it (`docs/*`
 * owns `docs/a.md`, not `docs/a/b.md`), any other last segment also what is below it.
 *
 * GitHub skips a line it cannot read; a line skipped here but read there, or the other way
 * round, would name other owners than GitHub's. So what GitHub documents as unsupported or leaves
 * undocumented (`!`, `[ ]`, `\` escapes, `#` after the pattern, `***`, a `/` alone, a byte order
 * mark, control characters and whitespace other than spaces and tabs, which JavaScript's `trim()`
 * strips and other readers keep) is refused with the line, never guessed. Patterns are matched
 * segment by segment with the project's linear wildcard matcher, never compiled into a regular
 * expression.
 */
import { wildcardCovers } from "../iam/wildcard";
import { show } from "../iam/problems";

/** Where GitHub looks for the file, in its order: the first that exists is the one it reads. */
export const CODEOWNERS_FILES: readonly string[] = [".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"];

/** GitHub ignores a CODEOWNERS file larger than this (3 MB). */
export const CODEOWNERS_MAX_BYTES: number = 3 * 1024 * 1024;

/** An owner as a CODEOWNERS line names it. */
export type Owner = { kind: "user"; login: string } | { kind: "team"; org: string; slug: string } | { kind: "email"; address: string };

/** One line of the file that assigns owners (none: the paths it matches have no owner). */
export interface OwnerRule {
    /** The line's number, from 1. */
    line: number;
    pattern: string;
    owners: Owner[];
    /** The pattern as segments to match, `**` for any number of them. */
    segments: string[];
}

/** The file read: its rules in order, or the problems that make it unreadable as a whole. */
export interface Codeowners {
    /** The file's path in the repository, as messages name it. */
    file: string;
    rules: OwnerRule[];
    problems: string[];
}

// Fixed expressions over one token each, never built from the file's text.
const USER = /^@([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))$/;
const TEAM = /^@([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))\/([A-Za-z0-9][A-Za-z0-9._-]*)$/;
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
/** Control characters (a tab aside) and whitespace other than a space or a tab: readers split and trim them differently. */
// eslint-disable-next-line no-control-regex -- the control characters are what it finds
const ODD_CHARACTER = /[\u0000-\u0008\u000A-\u001F\u007F-\u009F\u00A0\u1680\u180E\u2000-\u200B\u2028\u2029\u202F\u205F\u3000\uFEFF]/;

/** An owner token, or undefined when it is none of `@user`, `@org/team` or an email address. */
function ownerOf(token: string): Owner | undefined {
    const team = TEAM.exec(token);
    if (team !== null) return { kind: "team", org: team[1], slug: team[2] };
    const user = USER.exec(token);
    if (user !== null) return { kind: "user", login: user[1] };
    return EMAIL.test(token) ? { kind: "email", address: token } : undefined;
}

/** How an owner is written: `@alice`, `@acme/platform`, `ops@example.com`. */
export function ownerText(owner: Owner): string {
    switch (owner.kind) {
        case "user":
            return `@${owner.login}`;
        case "team":
            return `@${owner.org}/${owner.slug}`;
        case "email":
            return owner.address;
    }
}

/** A pattern as the segments to match (see the module's comment), or why it is refused. */
function segmentsOf(pattern: string): string[] | string {
    if (pattern.startsWith("!")) return "negation (!) is not supported in CODEOWNERS";
    if (/[[\]]/.test(pattern)) return "character ranges ([ ]) are not supported in CODEOWNERS";
    if (pattern.includes("\\")) return "GitHub does not document how it reads a backslash in a pattern";
    if (pattern.includes("***")) return "three consecutive asterisks match nothing GitHub documents";
    let segments = pattern.split("/");
    const anchored = segments[0] === "";
    if (anchored) segments = segments.slice(1);
    // One segment (with or without a trailing slash) matches at any depth, as if it began with **/.
    else if ((segments.length === 1 || (segments.length === 2 && segments[1] === "")) && segments[0] !== "**")
        segments = ["**", ...segments];
    if (segments.length > 1 && segments[segments.length - 1] === "") segments[segments.length - 1] = "**";
    if (segments.some((segment, i) => segment === "" && i < segments.length - 1)) return "it has an empty segment (//)";
    if (segments.length === 1 && segments[0] === "") return "a / alone names no path GitHub documents";
    return segments;
}

/** Reads a CODEOWNERS file's text (`file` names it in messages). */
export function parseCodeowners(file: string, text: string): Codeowners {
    const rules: OwnerRule[] = [];
    const problems: string[] = [];
    if (Buffer.byteLength(text, "utf8") > CODEOWNERS_MAX_BYTES) {
        return { file, rules, problems: [`${file} is larger than 3 MB, and GitHub ignores it`] };
    }
    if (text.startsWith("\uFEFF")) {
        return {
            file,
            rules,
            problems: [
                `${file}: line 1: starts with a byte order mark (U+FEFF), which GitHub does not document reading; save the file without it`,
            ],
        };
    }
    text.split(/\r?\n/).forEach((raw, index) => {
        const line = index + 1;
        // JavaScript's trim() and GitHub's reader may not agree on other whitespace or control characters.
        const odd = ODD_CHARACTER.exec(raw);
        if (odd !== null) {
            const code = `U+${odd[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`;
            problems.push(
                `${file}: line ${line}: holds the character ${code}, a control character or whitespace other than a space or a tab, which GitHub may read otherwise than this tool; remove it`,
            );
            return;
        }
        const trimmed = raw.trim();
        if (trimmed === "" || trimmed.startsWith("#")) return;
        const [pattern, ...tokens] = trimmed.split(/[ \t]+/);
        const at = `${file}: line ${line}`;
        const segments = segmentsOf(pattern);
        if (typeof segments === "string") {
            problems.push(`${at}: the pattern ${show(pattern)} is refused: ${segments}`);
            return;
        }
        const comment = tokens.findIndex((token) => token.startsWith("#"));
        if (comment !== -1) {
            problems.push(
                `${at}: ${show(tokens[comment])} after the pattern: GitHub does not document comments after a pattern; put the comment on a line of its own`,
            );
            return;
        }
        const owners: Owner[] = [];
        for (const token of tokens) {
            const owner = ownerOf(token);
            if (owner === undefined) {
                problems.push(`${at}: ${show(token)} is not an owner GitHub reads (@user, @org/team or an email address)`);
                return;
            }
            owners.push(owner);
        }
        rules.push({ line, pattern, owners, segments });
    });
    return { file, rules, problems };
}

/**
 * Whether pattern segments match a path's segments: a `**` matches any number of segments (at the
 * end, at least one), a lone `*` one segment, a last segment other than `*` also what is below
 * it. Memoised over the two positions, so the work is at most their product.
 */
function segmentsMatch(pattern: readonly string[], path: readonly string[]): boolean {
    const memo = new Map<number, boolean>();
    const last = pattern.length - 1;
    const at = (i: number, j: number): boolean => {
        const key = i * (path.length + 1) + j;
        const known = memo.get(key);
        if (known !== undefined) return known;
        let result: boolean;
        if (i > last) result = j === path.length;
        else if (pattern[i] === "**") {
            // At the end it needs something below; elsewhere it may be nothing at all.
            result = i === last ? j < path.length : at(i + 1, j) || (j < path.length && at(i, j + 1));
        } else if (j >= path.length || !wildcardCovers(pattern[i], path[j])) result = false;
        else if (i === last) result = pattern[i] === "*" ? j === path.length - 1 : true;
        else result = at(i + 1, j + 1);
        memo.set(key, result);
        return result;
    };
    return pattern.length > 0 && at(0, 0);
}

/** Whether a rule's pattern matches a path of the repository (relative to its root, `/`-separated). */
export function ruleMatches(rule: Pick<OwnerRule, "segments">, path: string): boolean {
    return segmentsMatch(rule.segments, path.split("/"));
}

/** The rule that decides a path's owners: the last that matches it; undefined when none does. */
export function ownerRule(codeowners: Codeowners, path: string): OwnerRule | undefined {
    for (let i = codeowners.rules.length - 1; i >= 0; i--) if (ruleMatches(codeowners.rules[i], path)) return codeowners.rules[i];
    return undefined;
}

/**
 * Byte-preserving edits of a stack file: the yaml package's Document API finds the exact source
 * range of a node, and only those bytes change. Comments, key order, quoting, blank lines and
 * line endings elsewhere stay as they were; the result is re-parsed to prove that only the
 * intended value moved.
 */
import { isDeepStrictEqual } from "util";
import * as YAML from "yaml";
import { NAMESPACE } from "../config/stackConfig";
import { RevocationError } from "./errors";

const ROLES_KEY = `${NAMESPACE}:roles`;
const ALL_KEY = `${NAMESPACE}:revokeAllBefore`;

/**
 * Parses a stack file that the loader has already read and validated (duplicate keys included),
 * so the parser's own check for unique keys, which compares every key of a mapping with every
 * other, is skipped: at 10,000 roles it would cost seconds.
 */
function parse(text: string): YAML.Document.Parsed {
    const doc = YAML.parseDocument(text, { uniqueKeys: false });
    if (doc.errors.length > 0) {
        throw new RevocationError(`is not valid YAML: ${doc.errors[0].message.split("\n")[0].replace(/:$/, "")}`);
    }
    return doc;
}

/** The file's own line ending, so that an added line matches its neighbours. */
function newline(text: string): string {
    return text.includes("\r\n") ? "\r\n" : "\n";
}

function lineStart(text: string, offset: number): number {
    return text.lastIndexOf("\n", offset - 1) + 1;
}

/** Where a new line can go right after a block node's last content line. */
function afterLastLine(text: string, end: number): number {
    let last = end;
    while (last > 0 && /\s/.test(text[last - 1])) last--;
    const newline = text.indexOf("\n", last);
    return newline === -1 ? text.length : newline + 1;
}

function splice(text: string, start: number, end: number, insert: string): string {
    return text.slice(0, start) + insert + text.slice(end);
}

function map(node: unknown, what: string): YAML.YAMLMap {
    if (YAML.isScalar(node) && typeof node.value === "string") {
        throw new RevocationError(
            `${what} is a JSON string (what pulumi config set writes without --path); revoke edits YAML mappings only: rewrite it as a YAML mapping (pulumi config set --path writes one)`,
        );
    }
    if (!YAML.isMap(node)) throw new RevocationError(`${what} is not a mapping`);
    return node;
}

function pairOf(mapping: YAML.YAMLMap, key: string): YAML.Pair | undefined {
    return mapping.items.find((pair) => YAML.isScalar(pair.key) && pair.key.value === key);
}

/** A replacement of the bytes from `start` to `end`. */
interface Edit {
    start: number;
    end: number;
    insert: string;
}

/** Applies edits of distinct places at once, in one pass over the text. */
function applyEdits(text: string, edits: Edit[]): string {
    const parts: string[] = [];
    let at = 0;
    for (const { start, end, insert } of [...edits].sort((a, b) => a.start - b.start)) {
        parts.push(text.slice(at, start), insert);
        at = end;
    }
    parts.push(text.slice(at));
    return parts.join("");
}

/** The edit that sets `key: "value"` in a mapping: replaces the value's bytes, or adds one line (or flow entry). */
function scalarEdit(text: string, mapping: YAML.YAMLMap, key: string, value: string): Edit {
    const quoted = JSON.stringify(value);
    const existing = pairOf(mapping, key);
    if (existing !== undefined) {
        const node = existing.value as YAML.Node | null;
        if (node === null || node.range === undefined || node.range === null) {
            const keyEnd = (existing.key as YAML.Node).range![1];
            const colon = text.indexOf(":", keyEnd);
            return { start: colon + 1, end: colon + 1, insert: ` ${quoted}` };
        }
        return { start: node.range[0], end: node.range[1], insert: quoted };
    }
    if (mapping.flow) {
        const close = text.lastIndexOf("}", mapping.range![1]);
        const empty = mapping.items.length === 0;
        return { start: close, end: close, insert: `${empty ? "" : ", "}${key}: ${quoted}` };
    }
    const first = mapping.items[0]?.key as YAML.Node | undefined;
    if (first?.range == null) throw new RevocationError("cannot place a key in an empty block mapping");
    const indent = " ".repeat(first.range[0] - lineStart(text, first.range[0]));
    const at = afterLastLine(text, mapping.range![1]);
    const eol = newline(text);
    const prefix = at === text.length && !text.endsWith("\n") ? eol : "";
    return { start: at, end: at, insert: `${prefix}${indent}${key}: ${quoted}${eol}` };
}

/** Sets `key: "value"` in a mapping. */
function setScalar(text: string, mapping: YAML.YAMLMap, key: string, value: string): string {
    return applyEdits(text, [scalarEdit(text, mapping, key, value)]);
}

function verified(before: string | YAML.Document.Parsed, after: string, change: (config: Record<string, unknown>) => void): string {
    const expected = (typeof before === "string" ? parse(before) : before).toJS() as { config: Record<string, unknown> };
    change(expected.config);
    if (!isDeepStrictEqual(parse(after).toJS(), expected)) {
        throw new RevocationError("internal error: the edit would change more than the cutoff; nothing was written");
    }
    return after;
}

function configMap(doc: YAML.Document.Parsed): YAML.YAMLMap {
    return map(doc.get("config", true), "config");
}

/** Sets a role's `revokeBefore`. */
export function setRoleCutoff(text: string, roleKey: string, cutoff: string): string {
    return setRoleCutoffs(text, new Map([[roleKey, cutoff]]));
}

/**
 * Sets the `revokeBefore` of many roles in one edit: the file is parsed once, every change is
 * placed from that one parse, and the result is verified once, so a thousand roles cost about as
 * much as one.
 */
export function setRoleCutoffs(text: string, cutoffs: ReadonlyMap<string, string>): string {
    if (cutoffs.size === 0) return text;
    const doc = parse(text);
    const roles = map(configMap(doc).get(ROLES_KEY, true), ROLES_KEY);
    const byKey = rolePairs(roles);
    const edits = [...cutoffs].map(([key, cutoff]) =>
        scalarEdit(text, map(byKey.get(key)?.value, `role "${key}"`), "revokeBefore", cutoff),
    );
    return verified(doc, applyEdits(text, edits), (config) => {
        const all = config[ROLES_KEY] as Record<string, Record<string, unknown>>;
        for (const [key, cutoff] of cutoffs) all[key].revokeBefore = cutoff;
    });
}

/** Sets the stack's `revokeAllBefore`, placed just above the roles (and the comments that lead them). */
export function setStackCutoff(text: string, cutoff: string): string {
    const doc = parse(text);
    const config = configMap(doc);
    let after: string;
    const rolesPair = pairOf(config, ROLES_KEY);
    if (pairOf(config, ALL_KEY) !== undefined || config.flow || rolesPair === undefined) {
        after = setScalar(text, config, ALL_KEY, cutoff);
    } else {
        const keyStart = (rolesPair.key as YAML.Node).range![0];
        let at = lineStart(text, keyStart);
        const indent = " ".repeat(keyStart - at);
        // Keep the comment block that introduces the roles attached to them.
        for (
            let previous = lineStart(text, at - 1);
            at > 0 && /^\s*#/.test(text.slice(previous, at));
            previous = lineStart(text, previous - 1)
        ) {
            at = previous;
        }
        after = splice(text, at, at, `${indent}${ALL_KEY}: ${JSON.stringify(cutoff)}${newline(text)}`);
    }
    return verified(text, after, (c) => {
        c[ALL_KEY] = cutoff;
    });
}

/** The edit that removes `key` and its one-line value from a mapping: its whole line in block style, the entry and its comma in flow style. */
function removalEdit(text: string, mapping: YAML.YAMLMap, key: string): Edit | undefined {
    const pair = pairOf(mapping, key);
    if (pair === undefined) return undefined;
    const keyStart = (pair.key as YAML.Node).range![0];
    const node = pair.value as YAML.Node | null;
    const valueEnd = node?.range?.[1] ?? text.indexOf(":", (pair.key as YAML.Node).range![1]) + 1;
    if (mapping.flow) {
        const before = text.slice(0, keyStart).match(/,\s*$/);
        if (before !== null) return { start: keyStart - before[0].length, end: valueEnd, insert: "" };
        const after = text.slice(valueEnd).match(/^\s*,\s*/);
        return { start: keyStart, end: valueEnd + (after?.[0].length ?? 0), insert: "" };
    }
    if (text.slice(valueEnd, afterLastLine(text, valueEnd)).trim().replace(/^#.*$/, "") !== "") {
        throw new RevocationError(`cannot remove ${key}: its value spans more than one line`);
    }
    return { start: lineStart(text, keyStart), end: afterLastLine(text, valueEnd), insert: "" };
}

/** Removes `key` and its one-line value from a mapping. */
function removeScalar(text: string, mapping: YAML.YAMLMap, key: string): string {
    const edit = removalEdit(text, mapping, key);
    return edit === undefined ? text : applyEdits(text, [edit]);
}

/** Removes the `revokeBefore` of roles, changing no other byte: one parse, one edit, one verification for any number. */
export function removeRoleCutoffs(text: string, roleKeys: readonly string[]): string {
    if (roleKeys.length === 0) return text;
    const doc = parse(text);
    const roles = map(configMap(doc).get(ROLES_KEY, true), ROLES_KEY);
    const byKey = rolePairs(roles);
    const edits = roleKeys.flatMap((key) => removalEdit(text, map(byKey.get(key)?.value, `role "${key}"`), "revokeBefore") ?? []);
    return verified(doc, applyEdits(text, edits), (config) => {
        const all = config[ROLES_KEY] as Record<string, Record<string, unknown>>;
        for (const key of roleKeys) delete all[key].revokeBefore;
    });
}

/** The roles' pairs by key, found once. */
function rolePairs(roles: YAML.YAMLMap): Map<unknown, YAML.Pair> {
    const byKey = new Map<unknown, YAML.Pair>();
    for (const pair of roles.items) if (YAML.isScalar(pair.key) && !byKey.has(pair.key.value)) byKey.set(pair.key.value, pair);
    return byKey;
}

/** Removes the stack's `revokeAllBefore`, changing no other byte. */
export function removeStackCutoff(text: string): string {
    const doc = parse(text);
    return verified(text, removeScalar(text, configMap(doc), ALL_KEY), (config) => {
        delete config[ALL_KEY];
    });
}

const ORGANIZATION_KEY = `${NAMESPACE}:organization`;

/** One organization revocation to set: a role name (or pattern) or an Identity Center user, and its cutoff. */
export type OrganizationEntry = { roleName: string; revokeBefore: string } | { identityCenterUserId: string; revokeBefore: string };

/** The entry's identifying field, as the file writes it. */
function entryField(entry: OrganizationEntry): [string, string] {
    return "roleName" in entry ? ["roleName", entry.roleName] : ["identityCenterUserId", entry.identityCenterUserId];
}

/**
 * Sets organization revocations in the `revocable-roles:organization` section: an entry of the
 * same role name or user gets the new `revokeBefore` in place; the others are appended to
 * `revocations` (created when absent), in the style of the list (block or flow). One parse, one
 * verification; no other byte changes.
 */
export function setOrganizationCutoffs(text: string, entries: readonly OrganizationEntry[]): string {
    if (entries.length === 0) return text;
    const doc = parse(text);
    const section = map(configMap(doc).get(ORGANIZATION_KEY, true), ORGANIZATION_KEY);
    const listNode = section.get("revocations", true) as unknown;
    if (listNode !== undefined && listNode !== null && !YAML.isSeq(listNode)) {
        throw new RevocationError(`${ORGANIZATION_KEY}.revocations is not a list`);
    }
    const list = YAML.isSeq(listNode) ? listNode : undefined;
    const existing = new Map<string, YAML.YAMLMap>();
    for (const item of list?.items ?? []) {
        if (!YAML.isMap(item)) continue;
        for (const field of ["roleName", "identityCenterUserId"]) {
            const value = item.get(field);
            if (typeof value === "string" && !existing.has(`${field}:${value}`)) existing.set(`${field}:${value}`, item);
        }
    }
    const edits: Edit[] = [];
    const appended: OrganizationEntry[] = [];
    for (const entry of entries) {
        const found = existing.get(entryField(entry).join(":"));
        if (found !== undefined) edits.push(scalarEdit(text, found, "revokeBefore", entry.revokeBefore));
        else appended.push(entry);
    }
    if (appended.length > 0) edits.push(appendEdit(text, section, list, appended));
    return verified(doc, applyEdits(text, edits), (config) => {
        const organization = config[ORGANIZATION_KEY] as { revocations?: Record<string, unknown>[] };
        const revocations = (organization.revocations ??= []);
        for (const entry of entries) {
            const [field, value] = entryField(entry);
            const item = revocations.find((r) => r[field] === value);
            if (item !== undefined) item.revokeBefore = entry.revokeBefore;
            else revocations.push({ [field]: value, revokeBefore: entry.revokeBefore });
        }
    });
}

/** The edit that appends entries to the revocations list, or adds the list to the section. */
function appendEdit(text: string, section: YAML.YAMLMap, list: YAML.YAMLSeq | undefined, entries: OrganizationEntry[]): Edit {
    const eol = newline(text);
    const flowItem = (e: OrganizationEntry) => {
        const [field, value] = entryField(e);
        return `{ ${field}: ${JSON.stringify(value)}, revokeBefore: ${JSON.stringify(e.revokeBefore)} }`;
    };
    const blockItems = (indent: string) =>
        entries
            .map((e) => {
                const [field, value] = entryField(e);
                return `${indent}- ${field}: ${JSON.stringify(value)}${eol}${indent}  revokeBefore: ${JSON.stringify(e.revokeBefore)}${eol}`;
            })
            .join("");
    if (list !== undefined && list.flow) {
        const close = text.lastIndexOf("]", list.range![1]);
        return { start: close, end: close, insert: `${list.items.length === 0 ? "" : ", "}${entries.map(flowItem).join(", ")}` };
    }
    if (list !== undefined && list.items.length > 0) {
        const dash = list.range![0];
        const at = afterLastLine(text, list.range![1]);
        const prefix = at === text.length && !text.endsWith("\n") ? eol : "";
        return { start: at, end: at, insert: prefix + blockItems(" ".repeat(dash - lineStart(text, dash))) };
    }
    if (section.flow) {
        const close = text.lastIndexOf("}", section.range![1]);
        return {
            start: close,
            end: close,
            insert: `${section.items.length === 0 ? "" : ", "}revocations: [${entries.map(flowItem).join(", ")}]`,
        };
    }
    // A block section without a list (or with an empty block one): a new `revocations:` key after its last line.
    const first = section.items[0]?.key as YAML.Node | undefined;
    if (first?.range == null) throw new RevocationError(`cannot place revocations in an empty ${ORGANIZATION_KEY}`);
    const indent = " ".repeat(first.range[0] - lineStart(text, first.range[0]));
    const pair = section.items.find((p) => YAML.isScalar(p.key) && p.key.value === "revocations");
    if (pair !== undefined) {
        // `revocations:` with nothing after it: replace the key's line.
        const keyStart = (pair.key as YAML.Node).range![0];
        const lineEnd = afterLastLine(text, text.indexOf(":", (pair.key as YAML.Node).range![1]) + 1);
        return { start: lineStart(text, keyStart), end: lineEnd, insert: `${indent}revocations:${eol}${blockItems(`${indent}  `)}` };
    }
    const at = afterLastLine(text, section.range![1]);
    const prefix = at === text.length && !text.endsWith("\n") ? eol : "";
    return { start: at, end: at, insert: `${prefix}${indent}revocations:${eol}${blockItems(`${indent}  `)}` };
}

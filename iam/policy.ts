/**
 * IAM policy documents as plain typed data, and the one place they are serialized.
 */
import { Cutoff } from "./cutoff";

/** A string or a list of strings, as IAM accepts in `Action`, `Resource` and condition values. */
export type OneOrMany = string | string[];

/** A condition value: IAM accepts strings, numbers and booleans, alone or in a list. */
export type ConditionValue = string | number | boolean | (string | number | boolean)[];

/** `{ "<operator>": { "<condition key>": value } }`, for example `{ "Bool": { "aws:SecureTransport": "true" } }`. */
export type ConditionBlock = Record<string, Record<string, ConditionValue>>;

/** A principal element: `"*"` or `{ "AWS" | "Service" | "Federated" | "CanonicalUser": ... }`. */
export type Principal = "*" | Partial<Record<"AWS" | "Service" | "Federated" | "CanonicalUser", OneOrMany>>;

/** One statement, in AWS's own JSON shape so that statements can be pasted from AWS docs. */
export interface PolicyStatement {
    Sid?: string;
    Effect: "Allow" | "Deny";
    Principal?: Principal;
    NotPrincipal?: Principal;
    Action?: OneOrMany;
    NotAction?: OneOrMany;
    Resource?: OneOrMany;
    NotResource?: OneOrMany;
    Condition?: ConditionBlock;
}

/** A policy document in AWS's JSON shape. */
export interface PolicyDocument {
    Version: "2012-10-17";
    Id?: string;
    Statement: PolicyStatement[];
}

/** The version every document must use; the 2008 version lacks policy variables. */
export const POLICY_VERSION = "2012-10-17";

/**
 * The inline policy name of this project's revocation. Deliberately not the console's
 * `AWSRevokeOlderSessions`: PutRolePolicy overwrites by name, and a console revocation made
 * during an incident must never be overwritten with an older cutoff.
 */
export const REVOCATION_POLICY_NAME = "RevokeOlderSessions";

/** The name the IAM console's "Revoke active sessions" button writes. */
export const CONSOLE_REVOCATION_POLICY_NAME = "AWSRevokeOlderSessions";

/**
 * The tag a role carries while its revocation is in force: its safe-to-remove time (cutoff + 13 h).
 * The organization's lock (`lockRevocations`) denies changing a role that carries it.
 */
export const REVOKED_UNTIL_TAG = "revocable-roles:revoked-until";

/** All inline policies of one role share this many characters ({@link quotaSize}). */
export const INLINE_POLICY_QUOTA = 10_240;

/**
 * The deny-older-sessions policy: every action of every session issued before `cutoff` is
 * denied, at the cutoff as rendered (whole seconds, rounded up: {@link Cutoff}).
 */
export function revocationPolicy(cutoff: Cutoff): PolicyDocument {
    return {
        Version: POLICY_VERSION,
        Statement: [
            {
                Effect: "Deny",
                Action: ["*"],
                Resource: ["*"],
                Condition: { DateLessThan: { "aws:TokenIssueTime": cutoff.toString() } },
            },
        ],
    };
}

/** What a revocation means, as the component and the tools report it. */
export interface RevocationInfo {
    /** The cutoff, UTC, ending in `Z`. */
    cutoff: string;
    /** The inline policy that carries it. */
    policyName: string;
    /** Cutoff + 13 h: from then on no session issued before the cutoff can still be alive. */
    safeToRemoveAfter: string;
}

/** Describes a revocation with the given cutoff, as the component reports it: its cutoff and safe-to-remove time as text. */
export function revocationInfo(cutoff: Cutoff): RevocationInfo {
    return { cutoff: cutoff.toString(), policyName: REVOCATION_POLICY_NAME, safeToRemoveAfter: cutoff.safeToRemoveAfterText };
}

const DOCUMENT_KEYS = ["Version", "Id", "Statement"] as const;
const STATEMENT_KEYS = [
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
] as const;

function ordered<T extends object>(value: T, keys: readonly string[]): T {
    const source = value as Record<string, unknown>;
    const result: Record<string, unknown> = {};
    for (const key of keys) {
        if (source[key] !== undefined) {
            result[key] = source[key];
        }
    }
    return result as T;
}

/** A document with its keys in AWS's conventional order, so the same document always serializes the same. */
export function canonicalPolicy(document: PolicyDocument): PolicyDocument {
    const result = ordered(document, DOCUMENT_KEYS);
    result.Statement = document.Statement.map((statement) => ordered(statement, STATEMENT_KEYS));
    return result;
}

/** The exact JSON string sent to AWS for a document. */
export function serializePolicy(document: PolicyDocument): string {
    return JSON.stringify(canonicalPolicy(document));
}

/** An action as IAM writes it: `service:Action` (wildcards `*` and `?` allowed) or `*` alone. */
export const ACTION_PATTERN: RegExp = /^(?:\*|[a-z0-9-]+:[A-Za-z0-9*?]+)$/;

/** A string-or-list value (`Action`, `Principal.AWS`, condition values) as a list. */
export function asList(value: unknown): string[] {
    return value === undefined ? [] : Array.isArray(value) ? value.map(String) : [String(value)];
}

/** A document as IAM returns it from Get* calls: URL-encoded (RFC 3986), or plain from some endpoints. */
export function decodePolicyDocument(text: string): PolicyDocument {
    return JSON.parse(/^%7b/i.test(text) ? decodeURIComponent(text) : text) as PolicyDocument;
}

/**
 * The characters AWS counts for a JSON value, never fewer: the UTF-8 bytes of its minified JSON,
 * each character counted as long as any writer on the way to AWS may send it. The aws provider
 * re-marshals documents with Go's encoding/json, which writes `<`, `>`, `&`, U+2028, U+2029 and
 * control characters as six-character escapes (`\u0026`); a quote, a backslash, a line feed,
 * a carriage return and a tab take two. Whitespace inside strings counts (IAM may not count it:
 * over-counting only ever refuses, never lets a revocation fail). Whether AWS counts a non-ASCII
 * character as one character or as its bytes is not documented: it counts its UTF-8 bytes.
 */
export function countedSize(value: unknown): number {
    const text = JSON.stringify(value);
    // Printable ASCII without an escape or a character Go's encoder escapes: its length is its size.
    if (!/[^\x20-\x25\x27-\x3b\x3d\x3f-\x5b\x5d-\x7e]/.test(text)) return text.length;
    return sizeOf(JSON.parse(text) as unknown);
}

function sizeOf(value: unknown): number {
    if (typeof value === "string") return stringSize(value);
    if (Array.isArray(value)) return value.reduce((sum: number, item) => sum + sizeOf(item), 2 + Math.max(value.length - 1, 0));
    if (typeof value === "object" && value !== null) {
        const entries = Object.entries(value);
        return entries.reduce((sum, [key, item]) => sum + stringSize(key) + 1 + sizeOf(item), 2 + Math.max(entries.length - 1, 0));
    }
    return JSON.stringify(value).length;
}

function stringSize(text: string): number {
    let size = 2;
    for (const character of text) {
        const code = character.codePointAt(0)!;
        if (code === 0x22 || code === 0x5c || code === 0x0a || code === 0x0d || code === 0x09) size += 2;
        else if (code < 0x20 || code === 0x3c || code === 0x3e || code === 0x26 || code === 0x2028 || code === 0x2029) size += 6;
        else if (code < 0x80) size += 1;
        else if (code < 0x800) size += 2;
        // A lone surrogate: JSON.stringify writes it as a six-character escape.
        else if (code >= 0xd800 && code <= 0xdfff) size += 6;
        else size += code < 0x10000 ? 3 : 4;
    }
    return size;
}

/** The characters a document counts against the inline policy quota, as AWS counts them and never fewer ({@link countedSize}). */
export function quotaSize(document: PolicyDocument): number {
    return countedSize(document);
}

/**
 * Room every role keeps for its revocation policy, revoked or not, so that revoking during an
 * incident can never fail on the quota. Every rendered cutoff has the same length.
 */
export const REVOCATION_RESERVE: number = quotaSize(revocationPolicy(Cutoff.of(new Date(Date.UTC(2000, 0, 1)))));

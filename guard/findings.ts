/**
 * What the guard reports: findings about a typed subject (a role, a whole stack, a file, a set of
 * changed paths), each a failure (the change weakens a revocation, or cannot be judged) or a pass
 * (a change that is fine and worth listing).
 */

/** What a finding is about. */
export type Subject =
    | { kind: "role"; stack: string; key: string }
    | { kind: "stack"; stack: string }
    /** The organization layer of an organization stack: a revocation (`role ci-deployer`) or a target (`target r-ab12`). */
    | { kind: "organization"; stack: string; what: string }
    | { kind: "file"; file: string; stack?: string }
    | { kind: "paths"; paths: string[] };

/** One finding: a weakening or an unjudgeable change (fail), or a change that is fine (pass). */
export interface Finding {
    subject: Subject;
    verdict: "fail" | "pass";
    message: string;
}

/** A failing finding. */
export function failure(subject: Subject, message: string): Finding {
    return { subject, verdict: "fail", message };
}

/** A passing finding. */
export function passing(subject: Subject, message: string): Finding {
    return { subject, verdict: "pass", message };
}

/** Subject constructors, so rules read as sentences. */
export const role = (stack: string, key: string): Subject => ({ kind: "role", stack, key });
export const wholeStack = (stack: string): Subject => ({ kind: "stack", stack });
export const organization = (stack: string, what: string): Subject => ({ kind: "organization", stack, what });
export const file = (name: string, stack?: string): Subject =>
    stack === undefined ? { kind: "file", file: name } : { kind: "file", file: name, stack };

/** The scope a finding is printed under: its stack, or `project` for what concerns every stack. */
export function scopeOf(subject: Subject): string {
    return subject.kind === "paths" || (subject.kind === "file" && subject.stack === undefined) ? "project" : subject.stack!;
}

/** How many changed paths a finding names before it counts the rest. */
const SHOWN_PATHS = 10;

/** The subject in words: `role victim`, `stack`, `Pulumi.dev.yaml`, `index.ts, package.json`. */
export function subjectText(subject: Subject): string {
    switch (subject.kind) {
        case "role":
            return `role ${subject.key}`;
        case "stack":
            return "stack";
        case "organization":
            return `organization ${subject.what}`;
        case "file":
            return subject.file;
        case "paths": {
            const shown = subject.paths.slice(0, SHOWN_PATHS).join(", ");
            const more = subject.paths.length - SHOWN_PATHS;
            return more > 0 ? `${shown} and ${more} more` : shown;
        }
    }
}

/** Failures, then passes, each in the order found. */
export function failuresFirst(findings: Finding[]): Finding[] {
    return [...findings.filter((f) => f.verdict === "fail"), ...findings.filter((f) => f.verdict === "pass")];
}

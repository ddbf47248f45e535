/**
 * Problems with an input, and the words for them: where (a path of keys and indexes) and what,
 * with zod's issues turned into messages that name the bad value and the expected form.
 */
import { z } from "zod";
import { didYouMean } from "./suggest";

/** One thing wrong with an input: where (a path of keys and indexes) and what. */
export interface Problem {
    path: PropertyKey[];
    message: string;
}

/** `a.b[0]["x.y"]`: the path notation used in every error message. */
export function formatPath(path: readonly PropertyKey[]): string {
    let out = "";
    for (const part of path) {
        if (typeof part === "number") {
            out += `[${part}]`;
        } else if (/^[A-Za-z0-9_+=,@:-]+$/.test(String(part))) {
            out += out === "" ? String(part) : `.${String(part)}`;
        } else {
            out += `[${JSON.stringify(String(part))}]`;
        }
    }
    return out;
}

/** Describes a value for an error message: strings quoted, everything else as JSON. */
export function show(value: unknown): string {
    if (value instanceof Date) {
        return Number.isNaN(value.getTime()) ? "Invalid Date" : `Date ${value.toISOString()}`;
    }
    if (value === undefined) {
        return "undefined";
    }
    const json = JSON.stringify(value);
    return json.length > 80 ? `${json.slice(0, 77)}...` : json;
}
const KEY_MESSAGE_SEPARATOR = "\u0000";

export function describeType(value: unknown): string {
    if (value === null) return "null";
    if (Array.isArray(value)) return "a list";
    if (value instanceof Date) return "a Date";
    switch (typeof value) {
        case "string":
            return "a string";
        case "number":
            return "a number";
        case "boolean":
            return "a boolean";
        case "object":
            return "a mapping";
        default:
            return typeof value;
    }
}

const EXPECTED: Record<string, string> = {
    string: "a string",
    number: "a number",
    int: "a whole number",
    boolean: "true or false",
    array: "a list",
    object: "a mapping",
    record: "a mapping",
    date: "a Date",
};

/** Turns zod's issues into messages that name the bad value and the expected form. */
function errorMessage(issue: z.core.$ZodRawIssue): string | undefined {
    switch (issue.code) {
        case "invalid_type": {
            const expected = EXPECTED[issue.expected] ?? issue.expected;
            if (issue.input === undefined) return `is required; expected ${expected}`;
            // YAML reads an unquoted account ID or external ID as a number.
            if (issue.expected === "string" && (typeof issue.input === "number" || typeof issue.input === "boolean")) {
                return `${show(issue.input)} is ${describeType(issue.input)}; expected a string: quote it, as "${String(issue.input)}"`;
            }
            return `${show(issue.input)} is ${describeType(issue.input)}; expected ${expected}`;
        }
        case "unrecognized_keys": {
            const shape = (issue.inst as { _zod?: { def?: { shape?: object } } } | undefined)?._zod?.def?.shape;
            const known = shape === undefined ? [] : Object.keys(shape);
            return issue.keys.map((key) => `unknown key "${key}"${didYouMean(key, known)}`).join(KEY_MESSAGE_SEPARATOR);
        }
        case "invalid_value":
            return `${show(issue.input)} is not allowed; expected ${issue.values.map((v) => JSON.stringify(v)).join(" or ")}`;
        case "too_small":
            return issue.origin === "array" || issue.origin === "string"
                ? "must not be empty"
                : `${show(issue.input)} is below the minimum ${String(issue.minimum)}`;
        default:
            return undefined;
    }
}

/** Runs a schema and returns every problem, with unknown keys reported one per key at their own path. */
export function problemsOf<T>(schema: z.ZodType<T>, value: unknown): { data?: T; problems: Problem[] } {
    const result = schema.safeParse(value, { error: errorMessage });
    if (result.success) {
        return { data: result.data, problems: [] };
    }
    const problems: Problem[] = [];
    for (const issue of result.error.issues) {
        if (issue.code === "unrecognized_keys") {
            const messages = issue.message.split(KEY_MESSAGE_SEPARATOR);
            issue.keys.forEach((key, i) => problems.push({ path: [...issue.path, key], message: messages[i] }));
        } else if (issue.code === "invalid_key") {
            // A record key that failed its own checks: report the key's problem, not zod's summary.
            for (const inner of issue.issues) problems.push({ path: issue.path, message: inner.message });
        } else {
            problems.push({ path: issue.path, message: issue.message });
        }
    }
    return { problems };
}

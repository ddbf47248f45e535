/**
 * IAM's wildcards (`*` any run of characters, `?` exactly one), matched without regular
 * expressions. Patterns are written by whoever opens a pull request, so the matcher's cost must
 * not depend on how they are written: a backtracking regular expression of `****…****-scratch-1`
 * spends minutes on one 90-character ARN. Here consecutive stars collapse, the pattern's first
 * segment is matched as a prefix and its last as a suffix, and every segment between stars at its
 * leftmost occurrence after the previous one: each star is passed once, never retried, so the
 * time grows with the pattern's length plus the value's length times its longest segment with a
 * `?`, and never with the number of stars.
 *
 * The value may itself be a pattern: a `*` in the pattern covers any run of the value, stars
 * included, while a `?` covers one character of the value but never its `*` (which may stand for
 * many). So `sts:Assume*` covers `sts:Assume*ole` and `sts:Assume?ole` does not.
 */

/** A pattern split at its stars, ready to be matched against many values. */
interface Compiled {
    /** The text before the first star (the whole pattern when it has none). */
    first: string;
    /** The text after the last star; undefined when the pattern has no star. */
    last?: string;
    /** The non-empty segments between stars, in order. */
    middle: string[];
}

/** Lower case, one UTF-16 unit at a time, so that lengths and positions never change. */
export function foldCase(text: string): string {
    // eslint-disable-next-line no-control-regex
    if (/^[\x00-\x7f]*$/.test(text)) return text.toLowerCase();
    let folded = "";
    for (let i = 0; i < text.length; i++) {
        const unit = text[i];
        const lower = unit.toLowerCase();
        folded += lower.length === 1 ? lower : unit;
    }
    return folded;
}

function compile(pattern: string): Compiled {
    const parts = pattern.split("*");
    if (parts.length === 1) return { first: pattern, middle: [] };
    return { first: parts[0], last: parts[parts.length - 1], middle: parts.slice(1, -1).filter((part) => part !== "") };
}

/** Whether `segment` (literal characters and `?`) matches `value` at `at`. */
function matchesAt(segment: string, value: string, at: number): boolean {
    for (let i = 0; i < segment.length; i++) {
        const wanted = segment.charCodeAt(i);
        const found = value.charCodeAt(at + i);
        if (wanted === QUESTION ? found === STAR : wanted !== found) return false;
    }
    return true;
}

const STAR = "*".charCodeAt(0);
const QUESTION = "?".charCodeAt(0);

/** The leftmost position in [from, end - segment.length] where `segment` matches `value`, or -1. */
function leftmost(segment: string, value: string, from: number, end: number): number {
    if (!segment.includes("?")) {
        const found = value.indexOf(segment, from);
        return found !== -1 && found + segment.length <= end ? found : -1;
    }
    for (let at = from; at + segment.length <= end; at++) if (matchesAt(segment, value, at)) return at;
    return -1;
}

function matches(pattern: Compiled, value: string): boolean {
    const { first, last, middle } = pattern;
    if (last === undefined) return value.length === first.length && matchesAt(first, value, 0);
    if (value.length < first.length + last.length) return false;
    if (!matchesAt(first, value, 0) || !matchesAt(last, value, value.length - last.length)) return false;
    const end = value.length - last.length;
    let position = first.length;
    for (const segment of middle) {
        const found = leftmost(segment, value, position, end);
        if (found === -1) return false;
        position = found + segment.length;
    }
    return true;
}

/** Compiled patterns, by case flag and pattern: the analyses test the same few patterns against every role. */
const compiled = [new Map<string, Compiled>(), new Map<string, Compiled>()];

/**
 * Whether an IAM wildcard pattern (`*`, `?`) covers a value, which may itself be a pattern;
 * `ignoreCase` as IAM compares action names.
 */
export function wildcardCovers(pattern: string, value: string, ignoreCase = false): boolean {
    if (!ignoreCase && !pattern.includes("*") && !pattern.includes("?")) return pattern === value;
    const cache = compiled[ignoreCase ? 1 : 0];
    let found = cache.get(pattern);
    if (found === undefined) {
        if (cache.size > 10_000) cache.clear();
        found = compile(ignoreCase ? foldCase(pattern) : pattern);
        cache.set(pattern, found);
    }
    return matches(found, ignoreCase ? foldCase(value) : value);
}

/** Whether a text holds a wildcard (`*` or `?`). */
export function hasWildcard(text: string): boolean {
    return text.includes("*") || text.includes("?");
}

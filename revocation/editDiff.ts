/**
 * A stack file's edit as a unified diff, for the person who must make it by hand: when `--now`
 * applied a revocation in IAM but could not write the file (its lock held by another run, a
 * read-only checkout, a full disk), the edit is printed so that `git apply` (or a careful hand)
 * makes exactly the change the pull request records.
 */

/** Lines of a text, each with its own line ending, so that a diff of them puts every byte back. */
function linesOf(text: string): string[] {
    return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

type Op = { kind: " " | "-" | "+"; line: string };

/** How far ahead to look for the line that resynchronises the two texts. */
const LOOKAHEAD = 200;

/**
 * The operations from `a` to `b`, found greedily: equal lines are kept, a run of added lines is
 * found by looking ahead in `b` for the next line of `a` (and removed lines the other way), and
 * anything else is a changed line. Every line of `a` is kept or removed and every line of `b` kept
 * or added, in order, so the operations always make `b` from `a`; revoke's edits (lines added,
 * lines changed in place) come out as small as they are.
 */
function operations(a: string[], b: string[]): Op[] {
    const ops: Op[] = [];
    let i = 0;
    let j = 0;
    const find = (line: string, within: string[], from: number) => {
        for (let k = from; k < Math.min(within.length, from + LOOKAHEAD); k++) if (within[k] === line) return k;
        return -1;
    };
    while (i < a.length || j < b.length) {
        if (i < a.length && j < b.length && a[i] === b[j]) {
            ops.push({ kind: " ", line: a[i++] });
            j++;
            continue;
        }
        const added = i < a.length ? find(a[i], b, j) : b.length;
        const removed = j < b.length ? find(b[j], a, i) : a.length;
        if (added !== -1 && (removed === -1 || added - j <= removed - i)) {
            while (j < added) ops.push({ kind: "+", line: b[j++] });
        } else if (removed !== -1) {
            while (i < removed) ops.push({ kind: "-", line: a[i++] });
        } else {
            if (i < a.length) ops.push({ kind: "-", line: a[i++] });
            if (j < b.length) ops.push({ kind: "+", line: b[j++] });
        }
    }
    return ops;
}

/** A line of a diff: its text without its line ending, and git's marker when it has none. */
function diffLine(op: Op): string[] {
    const body = op.kind + op.line.replace(/\n$/, "");
    return op.line.endsWith("\n") ? [body] : [body, "\\ No newline at end of file"];
}

/** The diff's hunks, with `context` lines around each change. */
function hunks(ops: Op[], context: number): string[] {
    const out: string[] = [];
    const changed = ops.flatMap((op, index) => (op.kind === " " ? [] : [index]));
    let k = 0;
    while (k < changed.length) {
        const start = Math.max(0, changed[k] - context);
        let end = changed[k];
        // A change within twice the context of the last one joins its hunk.
        while (k + 1 < changed.length && changed[k + 1] - end <= 2 * context) end = changed[++k];
        end = Math.min(ops.length - 1, end + context);
        k++;
        const before = ops.slice(0, start);
        const oldStart = before.filter((op) => op.kind !== "+").length + 1;
        const newStart = before.filter((op) => op.kind !== "-").length + 1;
        const slice = ops.slice(start, end + 1);
        const oldCount = slice.filter((op) => op.kind !== "+").length;
        const newCount = slice.filter((op) => op.kind !== "-").length;
        out.push(`@@ -${oldCount === 0 ? oldStart - 1 : oldStart},${oldCount} +${newCount === 0 ? newStart - 1 : newStart},${newCount} @@`);
        out.push(...slice.flatMap(diffLine));
    }
    return out;
}

/**
 * The edit from `before` to `after` of the file `name` (relative to the project folder) as a
 * unified diff that `git apply` takes, with three lines of context; empty when nothing changes.
 */
export function unifiedDiff(name: string, before: string, after: string): string {
    if (before === after) return "";
    const ops = operations(linesOf(before), linesOf(after));
    return [`--- a/${name}`, `+++ b/${name}`, ...hunks(ops, 3)].join("\n") + "\n";
}

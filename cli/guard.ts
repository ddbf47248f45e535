/**
 * `npm run guard`: compares every stack file at a base git ref with the working tree and fails
 * when a change would weaken a revocation. Meant for pull requests, before anything deploys.
 */
import { parseArgs } from "util";
import { NAMESPACE, effectiveCutoff, readStackConfig } from "../config/stackConfig";
import { formatUtc, instantOf, safeToRemoveAfter } from "../components/timestamps";
import { CliError, errorText, PROJECT_ROOT, listStacks, programConfig, readStackFile, stackFileAt, stackFileName, stacksAt, verifyRef } from "./project";
import { Revocations, readRevocations } from "./stackEdit";
import { Writer } from "./plan";

/** One finding: a weakening (fail) or a change that is fine (pass). */
export interface Finding {
    stack: string;
    subject: string;
    verdict: "fail" | "pass";
    message: string;
}

/** Compares one cutoff field across the change. */
function compareCutoff(stack: string, subject: string, field: string, before: unknown, after: unknown, now: Date): Finding[] {
    const old = instantOf(before);
    const cur = instantOf(after);
    if (old !== undefined && cur !== undefined) {
        if (cur < old) return [{ stack, subject, verdict: "fail", message: `${field} moved earlier from ${formatUtc(old)} to ${formatUtc(cur)}, re-enabling sessions issued in between` }];
        if (cur > old) return [{ stack, subject, verdict: "pass", message: `${field} moved later from ${formatUtc(old)} to ${formatUtc(cur)}` }];
        return [];
    }
    if (old !== undefined) {
        const safe = safeToRemoveAfter(old);
        return now < safe
            ? [{ stack, subject, verdict: "fail", message: `${field} ${formatUtc(old)} removed before it is safe to remove (${formatUtc(safe)})` }]
            : [{ stack, subject, verdict: "pass", message: `${field} ${formatUtc(old)} removed after its safe-to-remove time (${formatUtc(safe)})` }];
    }
    if (cur !== undefined) return [{ stack, subject, verdict: "pass", message: `new revocation: ${field} ${formatUtc(cur)}` }];
    return [];
}

const EMPTY: Revocations = { roles: new Map() };

/** Every finding for one stack file, from its text at the base (undefined: new file) and now (undefined: deleted). */
export function guardStack(stack: string, base: string | undefined, head: string | undefined, now: Date): Finding[] {
    const file = stackFileName(stack);
    const findings: Finding[] = [];
    let before = EMPTY;
    if (base !== undefined) {
        try {
            before = readRevocations(base);
        } catch {
            before = EMPTY; // an unreadable base cannot be weakened further; the new file is still checked
        }
    }
    let after = EMPTY;
    if (head !== undefined) {
        try {
            after = readRevocations(head);
        } catch (error) {
            return [{ stack, subject: file, verdict: "fail", message: `no longer parses: ${(error as Error).message}` }];
        }
        const validation = readStackConfig(programConfig(head, file), { stackFile: file, now });
        if (!validation.ok) {
            findings.push(...validation.errors.map((message) => ({ stack, subject: file, verdict: "fail" as const, message: message.slice(file.length + 2) })));
        }
    }
    findings.push(...compareCutoff(stack, "stack", `${NAMESPACE}:revokeAllBefore`, before.revokeAllBefore, after.revokeAllBefore, now));
    for (const key of new Set([...before.roles.keys(), ...after.roles.keys()])) {
        const subject = `role ${key}`;
        const old = before.roles.get(key);
        const cur = after.roles.get(key);
        const oldCutoff = effectiveCutoff(old?.revokeBefore, before.revokeAllBefore);
        const active = oldCutoff !== undefined && now < safeToRemoveAfter(oldCutoff);
        const window = oldCutoff === undefined ? "" : `revoked before ${formatUtc(oldCutoff)}, safe to remove after ${formatUtc(safeToRemoveAfter(oldCutoff))}`;
        if (old !== undefined && cur === undefined) {
            if (active) findings.push({ stack, subject, verdict: "fail", message: `removed while its revocation is in force (${window})` });
            continue;
        }
        if (old !== undefined && cur !== undefined && (old.name ?? key) !== (cur.name ?? key) && active) {
            findings.push({ stack, subject, verdict: "fail", message: `physical name changed from ${String(old.name ?? key)} to ${String(cur.name ?? key)} while revoked (${window})` });
        }
        findings.push(...compareCutoff(stack, subject, "revokeBefore", old?.revokeBefore, cur?.revokeBefore, now));
    }
    return findings;
}

/** Every finding across the stack files at `base` and in the working tree. */
export function guard(base: string, root: string, now: Date): Finding[] {
    verifyRef(base, root);
    const baseStacks = stacksAt(base, root);
    const headStacks = listStacks(root);
    return [...new Set([...baseStacks, ...headStacks])].sort().flatMap((stack) =>
        guardStack(
            stack,
            baseStacks.includes(stack) ? stackFileAt(base, stack, root) : undefined,
            headStacks.includes(stack) ? readStackFile(stack, root) : undefined,
            now,
        ),
    );
}

/** The findings for a terminal or a CI log: one line each, failures first. */
export function formatText(findings: Finding[], base: string): string {
    const failed = findings.filter((f) => f.verdict === "fail");
    const lines = [...failed, ...findings.filter((f) => f.verdict === "pass")].map((f) => `${f.verdict === "fail" ? "FAIL" : "ok  "} ${f.stack}: ${f.subject}: ${f.message}`);
    const summary = failed.length > 0 ? `${failed.length} change(s) would weaken a revocation since ${base}.` : `No revocation is weakened since ${base}.`;
    return [...lines, summary].join("\n");
}

/** The findings as a pull-request comment. */
export function formatMarkdown(findings: Finding[], base: string): string {
    const failed = findings.filter((f) => f.verdict === "fail").length;
    const lines = [
        "## Revocation guard",
        "",
        failed > 0 ? `**${failed} change(s) would weaken a revocation** since \`${base}\`. Fix them before merging.` : `No revocation is weakened since \`${base}\`.`,
    ];
    if (findings.length > 0) {
        const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");
        lines.push("", "| | stack | subject | finding |", "| --- | --- | --- | --- |");
        for (const f of findings) lines.push(`| ${f.verdict === "fail" ? "❌" : "✅"} | \`${f.stack}\` | ${cell(f.subject)} | ${cell(f.message)} |`);
    }
    return lines.join("\n");
}

const USAGE = "usage: npm run guard -- --base <git-ref> [--format text|markdown]";

/** The command line; returns the exit code (1 when anything would weaken a revocation). */
export async function main(argv: string[], out: Writer = process.stdout, err: Writer = process.stderr, root = PROJECT_ROOT, now = new Date()): Promise<number> {
    try {
        const { values } = parseArgs({ args: argv, options: { base: { type: "string" }, format: { type: "string" } }, strict: true });
        if (values.base === undefined) throw new CliError(`--base is required\n${USAGE}`);
        const format = values.format ?? "text";
        if (format !== "text" && format !== "markdown") throw new CliError(`--format "${format}" is not text or markdown\n${USAGE}`);
        const findings = guard(values.base, root, now);
        out.write(`${format === "markdown" ? formatMarkdown(findings, values.base) : formatText(findings, values.base)}\n`);
        return findings.some((f) => f.verdict === "fail") ? 1 : 0;
    } catch (error) {
        err.write(`${errorText(error, USAGE)}\n`);
        return 1;
    }
}

if (require.main === module) {
    main(process.argv.slice(2)).then((code) => process.exit(code));
}

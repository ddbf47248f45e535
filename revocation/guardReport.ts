/**
 * The guard's findings for people: one line each for a terminal or a CI log, and a table for a
 * pull-request comment (a summary naming the artifact when they are too many), failures first.
 */
import type { Finding } from "../guard";
import { failuresFirst, scopeOf, subjectText } from "../guard/findings";

/** The findings for a terminal or a CI log: one line each, failures first. */
export function formatText(findings: Finding[], base: string): string {
    const failed = findings.filter((f) => f.verdict === "fail");
    const lines = failuresFirst(findings).map(
        (f) => `${f.verdict === "fail" ? "FAIL" : "ok  "} ${scopeOf(f.subject)}: ${subjectText(f.subject)}: ${f.message}`,
    );
    const summary =
        failed.length > 0
            ? `${failed.length} change(s) would weaken a revocation since ${base}.`
            : `No revocation is weakened since ${base}.`;
    return [...lines, summary].join("\n");
}

/** How many findings a summarised comment lists; failures come first. */
const SUMMARY_FINDINGS = 100;

/**
 * The findings as a pull-request comment; with `artifact`, a summary that lists the first
 * findings (failures first) and names the artifact holding them all.
 */
export function formatMarkdown(findings: Finding[], base: string, artifact?: string): string {
    const failed = findings.filter((f) => f.verdict === "fail").length;
    const lines = [
        "## Revocation guard",
        "",
        failed > 0
            ? `**${failed} change(s) would weaken a revocation** since \`${base}\`. Fix them before merging.`
            : `No revocation is weakened since \`${base}\`.`,
    ];
    if (findings.length > 0) {
        const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");
        const listed = failuresFirst(findings).slice(0, artifact === undefined ? undefined : SUMMARY_FINDINGS);
        if (artifact !== undefined) {
            lines.push(
                "",
                `> ${findings.length} findings are too many for a comment: the first ${listed.length} are below, failures first; all of them are in the artifact \`${artifact}\` of this workflow run.`,
            );
        }
        lines.push("", "| | stack | subject | finding |", "| --- | --- | --- | --- |");
        for (const f of listed) {
            lines.push(
                `| ${f.verdict === "fail" ? "❌" : "✅"} | \`${scopeOf(f.subject)}\` | ${cell(subjectText(f.subject))} | ${cell(f.message)} |`,
            );
        }
    }
    return lines.join("\n");
}

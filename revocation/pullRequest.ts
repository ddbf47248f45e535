/**
 * The pull request that records a revocation of roles, as GitHub takes it (the full body, or a
 * summary that names the full report when it is over GitHub's limit), and revoke's `--json`
 * object. Pure text from the decision and what the emergency path did.
 */
import * as path from "path";
import { ListLimits, containmentMarkdown } from "../analysis/containment";
import { REVOCATION_POLICY_NAME } from "../iam/policy";
import { EmergencyResult, EmergencyTarget, appliedCount, resultTable } from "../apply/emergency";
import { Decision } from "./decide";
import { fitForGitHub, writeFullReport } from "./github";
import { RerunFlags, stackRerun } from "./nextCommands";

/** What the emergency path did: per role, and the IAM endpoint the calls went to, with who chose it. */
export interface Applied {
    results: EmergencyResult[];
    endpoint: string;
}

/** How many roles a summarised body names in its table, and lists with their analysis. */
const SUMMARY_LIMITS: ListLimits & { table: number } = { table: 50, roles: 10, perRole: 20 };

/** The pull request that records a revocation; with `limits`, listing only that much in full. */
export function pullRequest(
    decision: Decision,
    reason: string | undefined,
    applied?: Applied,
    limits?: ListLimits & { table: number; note: string },
    rerun: RerunFlags = { credentials: [] },
): { title: string; body: string } {
    const { stack, targets, all, cutoff } = decision;
    const safe = cutoff.safeToRemoveAfterText;
    // A title names at most five roles: GitHub cuts titles at 256 characters.
    const named = targets.slice(0, 5).map((r) => r.key);
    const subject = all
        ? `every role of ${stack}`
        : `${named.join(", ")}${targets.length > named.length ? ` and ${targets.length - named.length} more roles` : ""} (${stack})`;
    const role = (t: EmergencyTarget) => {
        const notes = [`IAM role \`${t.roleName}\``];
        if (!t.cutoff.equals(cutoff)) notes.push(`keeps its own later cutoff \`${t.cutoff}\``);
        const from = decision.chained.get(t.key);
        if (from !== undefined) notes.push(`reachable from \`${from}\``);
        return `\`${t.key}\` (${notes.join(", ")})`;
    };
    const lines = [
        `## Revoke role sessions issued before ${cutoff}`,
        "",
        "| | |",
        "| --- | --- |",
        `| Stack | \`${stack}\` |`,
        `| Roles | ${all ? "all roles of the stack (`revokeAllBefore`): " : ""}${targets
            .slice(0, limits?.table)
            .map(role)
            .join(", ")}${limits !== undefined && targets.length > limits.table ? `, and ${targets.length - limits.table} more` : ""} |`,
        `| Cutoff | \`${cutoff}\` |`,
        `| Reason | ${reason ?? "not given"} |`,
        `| Safe to remove after | \`${safe}\` (cutoff + 13 h) |`,
        "",
        "### What this change does",
        `Puts the inline policy \`${REVOCATION_POLICY_NAME}\` on each role: every action of every session issued before the cutoff is denied. ` +
            "Identities the role still trusts can assume it again and get working credentials.",
        "",
        "**If the trust itself was abused** (a repository, account or provider that should not be trusted), tighten `trust` in this same change: the deny does nothing against someone who can still assume the role.",
        "",
        `**Do not remove** this revocation before \`${safe}\`: until then a session issued before the cutoff may still be alive.`,
        "",
        containmentMarkdown(decision.containment, decision.followUps, limits),
    ];
    if (limits !== undefined) lines.splice(2, 0, `> ${limits.note}`, "");
    if (applied !== undefined) {
        const emergency = applied.results;
        const failed = emergency.filter((r) => r.outcome === "failed");
        const count = appliedCount(emergency);
        const heading = {
            all: "Already applied (emergency path)",
            some: "Partly applied (emergency path)",
            none: "Not applied (the emergency path failed)",
        }[count];
        const summary = {
            all: `Applied at once through the IAM API to all ${emergency.length} roles with \`npm run revoke -- --now\` (or found already applied); \`pulumi up\` adopts the identical policy.`,
            some: `Applied at once through the IAM API to ${emergency.length - failed.length} of ${emergency.length} roles with \`npm run revoke -- --now\`. **Not applied** to ${failed.map((f) => `\`${f.target.key}\``).join(", ")}: those roles are revoked only when this pull request deploys, unless \`--now\` is rerun after fixing the cause.`,
            none: `The IAM API applied this revocation to **none** of the ${emergency.length} roles: nothing is revoked until this pull request deploys, unless \`--now\` is rerun after fixing the cause.`,
        }[count];
        const table = limits === undefined ? emergency : emergency.filter((r) => r.outcome === "failed").slice(0, limits.table);
        lines.push("", `### ${heading}`, summary);
        if (failed.length > 0) {
            // The same cutoff, endpoint and credentials: a rerun applies exactly what this pull request records.
            const keys = all ? "all" : failed.map((f) => f.target.key);
            lines.push(
                "",
                "Rerun for the roles not applied, once the cause is fixed:",
                "",
                "```",
                stackRerun(stack, keys, cutoff, rerun),
                "```",
            );
        }
        lines.push("", "```", resultTable(table), "```");
        if (table.length < emergency.length)
            lines.push(`Only the roles not applied are listed (at most ${limits!.table}); the full report lists every role.`);
        lines.push("", `IAM endpoint: ${applied.endpoint}.`);
    }
    return { title: `Revoke sessions of ${subject} issued before ${cutoff}`, body: lines.join("\n") };
}

/**
 * The pull request as it can be posted: the full body when it fits GitHub's limit, else a summary
 * (the first roles in full, the rest counted) that names the full report, written to `reportFile`.
 */
export function postablePullRequest(
    decision: Decision,
    reason: string | undefined,
    applied: Applied | undefined,
    reportFile: string,
    rerun: RerunFlags = { credentials: [] },
): { title: string; body: string; reportFile?: string } {
    const full = pullRequest(decision, reason, applied, undefined, rerun);
    const note = `This body is a summary: it lists the first roles of ${decision.targets.length}. The full report is in \`${path.basename(reportFile)}\`, written by revoke beside this body: attach it to the pull request.`;
    const fitted = fitForGitHub(full.body, () => pullRequest(decision, reason, applied, { ...SUMMARY_LIMITS, note }, rerun).body);
    if (!fitted.summarised) return full;
    return { title: full.title, body: fitted.text, reportFile: writeFullReport(reportFile, full.body) };
}

/** The `--json` contract of revoke. */
export interface RevokeJson {
    file: string;
    written: boolean;
    cutoff: string;
    roles: { key: string; roleName: string; cutoff: string; reachableFrom?: string }[];
    title: string;
    body: string;
    /** With --now: per role, what the IAM API did; null without --now. */
    applied: { key: string; roleName: string; outcome: EmergencyResult["outcome"]; detail: string }[] | null;
    endpoint: string | null;
    /** The full report when the body is a summary (over GitHub's 65,536 characters); null otherwise. */
    reportFile: string | null;
    /** With --now, when the stack file could not be written: why, and the edit to make by hand; null otherwise. */
    notRecorded: { file: string; reason: string; edit: string } | null;
    /** With --now: per account, the AWS CLI line that reads back each role's cutoff; empty otherwise. */
    checks: string[];
}

/** The `--json` object of a revocation: the decision, its pull request, and what `--now` applied. */
export function revokeJson(
    decision: Decision,
    pr: { title: string; body: string; reportFile?: string },
    applied?: Applied,
    after: Pick<RevokeJson, "notRecorded" | "checks"> = { notRecorded: null, checks: [] },
): RevokeJson {
    const emergency = applied?.results;
    return {
        reportFile: pr.reportFile ?? null,
        file: decision.file,
        written: decision.changed,
        cutoff: decision.cutoff.toString(),
        roles: decision.targets.map((t) => ({
            key: t.key,
            roleName: t.roleName,
            cutoff: t.cutoff.toString(),
            ...(decision.chained.has(t.key) ? { reachableFrom: decision.chained.get(t.key) } : {}),
        })),
        title: pr.title,
        body: pr.body,
        applied: emergency?.map((r) => ({ key: r.target.key, roleName: r.target.roleName, outcome: r.outcome, detail: r.detail })) ?? null,
        endpoint: applied?.endpoint ?? null,
        ...after,
    };
}

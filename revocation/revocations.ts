/**
 * Every revocation the stack files hold, each in force (until its safe-to-remove time) or
 * removable, and the prune: the removable ones removed with the same byte-preserving edit as
 * revoke, and the pull request that records it.
 */
import * as path from "path";
import { LoadedStack, loadStack, scanStacks } from "../config/loader";
import { directorySource } from "../config/sources";
import { NAMESPACE, readStackConfig, revocationsOf } from "../config/stackConfig";
import { stackFileName } from "../config/files";
import { Cutoff } from "../iam/cutoff";
import { RevocationContext } from "./context";
import { RevocationError } from "./errors";
import { fitForGitHub, writeFullReport } from "./github";
import { removeRoleCutoffs, removeStackCutoff } from "./stackEdit";
import { StackFileLock, lockStackFile, replaceStackFile } from "./stackFile";

/** One revocation a stack file holds. */
export interface RevocationRow {
    stack: string;
    /** The role's key, or undefined for the stack-wide `revokeAllBefore` and organization revocations. */
    role?: string;
    /** An organization-wide revocation's key (`role ci-deployer`, `Identity Center user …`), in an organization stack. */
    organization?: string;
    cutoff: string;
    safeToRemoveAfter: string;
    state: "in force" | "removable";
}

/** Every revocation of the valid stack files at `now`, by stack then role; the files that are not valid are refused, every problem named. */
export function listRevocations(stacks: LoadedStack[], now: Date): RevocationRow[] {
    const problems = stacks.flatMap((loaded) => {
        const read = readStackConfig(loaded.config, { stackFile: loaded.file, now });
        return read.ok ? [] : read.errors;
    });
    if (problems.length > 0) throw new RevocationError(`stack files that are not valid; fix them first:\n${problems.join("\n")}`);
    return stacks.flatMap((loaded) => {
        const { revokeAllBefore, roles, organization } = revocationsOf(loaded.config);
        const fields: [{ role?: string; organization?: string }, unknown][] = [
            [{}, revokeAllBefore],
            ...[...roles].map(([role, r]): [{ role: string }, unknown] => [{ role }, r.revokeBefore]),
            ...[...(organization?.revocations ?? [])].map(([key, cutoff]): [{ organization: string }, unknown] => [
                { organization: key },
                cutoff,
            ]),
        ];
        return fields.flatMap(([subject, value]) => {
            const cutoff = Cutoff.read(value);
            if (cutoff === undefined) return [];
            const row: RevocationRow = {
                stack: loaded.stack,
                ...subject,
                cutoff: cutoff.toString(),
                safeToRemoveAfter: cutoff.safeToRemoveAfterText,
                state: cutoff.inForceAt(now) ? "in force" : "removable",
            };
            return [row];
        });
    });
}

/** The rows as a table for a terminal. */
export function revocationTable(rows: RevocationRow[]): string {
    if (rows.length === 0) return "No stack file holds a revocation.";
    const cells = [
        ["stack", "role", "cutoff", "state"],
        ...rows.map((r) => [
            r.stack,
            r.organization !== undefined ? `organization-wide: ${r.organization}` : (r.role ?? `all roles (${NAMESPACE}:revokeAllBefore)`),
            r.cutoff,
            r.state === "in force" ? `in force until ${r.safeToRemoveAfter}` : `removable since ${r.safeToRemoveAfter}`,
        ]),
    ];
    const widths = [0, 1, 2].map((column) => Math.max(...cells.map((row) => row[column].length)));
    return cells.map((row) => row.map((cell, i) => (i < 3 ? cell.padEnd(widths[i]) : cell)).join("  ")).join("\n");
}

/** The pull request that records a prune; with `listed`, a summary whose table lists only that many. */
export function prunePullRequest(
    pruned: RevocationRow[],
    reason: string | undefined,
    listed?: { rows: number; note: string },
): { title: string; body: string } {
    const stacks = [...new Set(pruned.map((r) => r.stack))];
    const rows = pruned.slice(0, listed?.rows);
    const lines = [
        "## Remove revocations that are safe to remove",
        "",
        "Every revocation below is past its safe-to-remove time (cutoff + 13 h): no session issued before its cutoff can still be alive.",
        `Reason: ${reason ?? "housekeeping: revocations past their window"}`,
        "",
        ...(listed === undefined ? [] : [`> ${listed.note}`, ""]),
        "| stack | role | cutoff | safe to remove since |",
        "| --- | --- | --- | --- |",
        ...rows.map(
            (r) =>
                `| \`${r.stack}\` | ${r.role === undefined ? "all roles (`revokeAllBefore`)" : `\`${r.role}\``} | \`${r.cutoff}\` | \`${r.safeToRemoveAfter}\` |`,
        ),
        "",
        "The revocation guard passes this change. The deploy clears the `protect` flag of each revocation policy it deletes (it was protected while in force) before `pulumi up`.",
    ];
    if (rows.length < pruned.length) lines.splice(lines.length - 2, 0, `| ... | ${pruned.length - rows.length} more | | |`);
    const named = stacks.slice(0, 5).join(", ") + (stacks.length > 5 ? ` and ${stacks.length - 5} more stacks` : "");
    return { title: `Remove ${pruned.length} revocation(s) past their window (${named})`, body: lines.join("\n") };
}

/** The revocations of every stack file of the project, read as they are. */
export function revocationsOfProject(context: Pick<RevocationContext, "root" | "now">): RevocationRow[] {
    const source = directorySource(context.root);
    return listRevocations(
        scanStacks(source).stacks.map((stack) => loadStack(source, stack)),
        context.now,
    );
}

/** What a prune did. */
export interface Pruned {
    /** The revocations removed. */
    pruned: RevocationRow[];
    /** Removable organization revocations, left to remove by hand (entries of a list). */
    byHand: RevocationRow[];
    /** The stack files written. */
    files: string[];
    pullRequest: { title: string; body: string };
    /** The full report, when the body is a summary. */
    reportFile?: string;
}

/**
 * Removes every removable revocation of the role and stack cutoffs (organization revocations are
 * entries of a list, removed by hand), every file locked before it is read and every edit decided
 * and verified before the first file is written; `reportFile` (default in the temporary folder)
 * takes the full report when the pull request's body must be a summary.
 */
export async function prune(context: RevocationContext, reason: string | undefined, reportFile?: string): Promise<Pruned> {
    const source = directorySource(context.root);
    const stacks = scanStacks(source).stacks;
    const locks: StackFileLock[] = [];
    try {
        for (const stack of stacks) locks.push(await lockStackFile(path.join(context.root, stackFileName(stack)), { time: context.time }));
        const loaded = stacks.map((stack) => loadStack(source, stack));
        const rows = listRevocations(loaded, context.now);
        const pruned = rows.filter((r) => r.state === "removable" && r.organization === undefined);
        const byHand = rows.filter((r) => r.state === "removable" && r.organization !== undefined);
        if (pruned.length === 0) return { pruned, byHand, files: [], pullRequest: { title: "", body: "" } };
        const edits = loaded.flatMap((stack) => {
            const mine = pruned.filter((r) => r.stack === stack.stack);
            if (mine.length === 0) return [];
            // The roles' cutoffs in one edit of one parse, then the stack's own.
            const withoutRoles = removeRoleCutoffs(
                stack.text,
                mine.flatMap((r) => (r.role === undefined ? [] : [r.role])),
            );
            return [{ stack, text: mine.some((r) => r.role === undefined) ? removeStackCutoff(withoutRoles) : withoutRoles }];
        });
        for (const { stack, text } of edits) replaceStackFile(path.join(context.root, stack.file), stack.text, text);
        const full = prunePullRequest(pruned, reason);
        const report = path.resolve(context.root, reportFile ?? path.join(context.temporaryFolder, "revocable-roles-prune.md"));
        const note = `This body is a summary: the table lists the first 200 of ${pruned.length} revocations removed; all of them are in \`${path.basename(report)}\`, written beside this body: attach it to the pull request.`;
        const fitted = fitForGitHub(full.body, () => prunePullRequest(pruned, reason, { rows: 200, note }).body);
        if (fitted.summarised) writeFullReport(report, full.body);
        return {
            pruned,
            byHand,
            files: edits.map((e) => e.stack.file),
            pullRequest: { title: full.title, body: fitted.text },
            ...(fitted.summarised ? { reportFile: report } : {}),
        };
    } finally {
        for (const lock of locks) lock.release();
    }
}

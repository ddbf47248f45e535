/**
 * `revocable-roles revocations`: every revocation the stack files hold, each in force (until its
 * safe-to-remove time) or removable; `--prune` removes the removable ones, with the same
 * byte-preserving edit as revoke, and prints the pull request that records it.
 */
import * as os from "os";
import * as path from "path";
import { CliError, EXIT_CODES_HELP, Writer, fail, parseFlags, runAsProcess } from "./io";
import { removeRoleCutoffs, removeStackCutoff } from "./stackEdit";
import { fitForGitHub, writeFullReport } from "./github";
import { lockStackFile, replaceStackFile } from "./stackFile";
import { LoadedStack, loadStack, scanStacks, stackFileName } from "../config/loader";
import { directorySource } from "../config/sources";
import { NAMESPACE, readStackConfig, revocationsOf } from "../config/stackConfig";
import { Cutoff } from "../iam/cutoff";

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
    if (problems.length > 0) throw new CliError(`stack files that are not valid; fix them first:\n${problems.join("\n")}`);
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

const USAGE = "usage: revocable-roles revocations [--json] [--prune [--reason <text>] [--report-file <path>]]";
const HELP = `${USAGE}

Lists every revocation of every stack file (Pulumi.<stack>.yaml) of the project: the stack, the
role (or all roles, for revokeAllBefore, or an organization-wide revocation), the cutoff, and
whether it is in force (until cutoff + 13 h) or removable. --prune leaves organization-wide
revocations for you to remove from the list by hand.

  --json             the list as JSON: [{stack, role?, organization?, cutoff, safeToRemoveAfter, state}]
  --prune            remove the removable ones from the stack files (changing no other byte) and
                     print the pull request to open
  --reason <text>    with --prune: why, for the pull request
  --report-file <p>  with --prune: where the full report goes when the body is over GitHub's
                     65,536 characters and is summarised; default a file in the temporary folder

${EXIT_CODES_HELP}`;

/** Where the command runs, and when. */
export interface RevocationsEnvironment {
    root: string;
    now: Date;
}

/** The command line; returns the exit code. */
export async function main(argv: string[], out: Writer, err: Writer, env: RevocationsEnvironment): Promise<number> {
    const locks: { release(): void }[] = [];
    try {
        const values = parseFlags(argv, {
            json: { type: "boolean" },
            prune: { type: "boolean" },
            reason: { type: "string" },
            "report-file": { type: "string" },
        });
        if (values === undefined) {
            out.write(HELP);
            return 0;
        }
        const source = directorySource(env.root);
        const stacks = scanStacks(source).stacks;
        // With --prune, every stack file is locked before it is read, as revoke does.
        if (values.prune === true) for (const stack of stacks) locks.push(await lockStackFile(path.join(env.root, stackFileName(stack))));
        const loaded = stacks.map((stack) => loadStack(source, stack));
        const rows = listRevocations(loaded, env.now);
        if (values.prune !== true) {
            out.write(values.json === true ? `${JSON.stringify(rows)}\n` : `${revocationTable(rows)}\n`);
            return 0;
        }
        // Organization revocations are entries of a list, removed by hand: prune edits only role cutoffs.
        const pruned = rows.filter((r) => r.state === "removable" && r.organization === undefined);
        const byHand = rows.filter((r) => r.state === "removable" && r.organization !== undefined);
        const handNote =
            byHand.length === 0
                ? ""
                : `${byHand.length} removable organization revocation(s) (${byHand.map((r) => r.organization).join(", ")}) are left for you to remove from ${NAMESPACE}:organization.revocations.\n`;
        if (pruned.length === 0) {
            out.write(`No revocation is removable yet; nothing was written.\n${handNote}`);
            return 0;
        }
        // Every edit is decided (and verified) before the first file is written.
        const edits = loaded.flatMap((stack) => {
            const mine = pruned.filter((r) => r.stack === stack.stack);
            if (mine.length === 0) return [];
            // The roles' cutoffs in one edit of one parse, then the stack's own.
            const roles = mine.flatMap((r) => (r.role === undefined ? [] : [r.role]));
            const withoutRoles = removeRoleCutoffs(stack.text, roles);
            const text = mine.some((r) => r.role === undefined) ? removeStackCutoff(withoutRoles) : withoutRoles;
            return [{ stack, text }];
        });
        for (const { stack, text } of edits) replaceStackFile(path.join(env.root, stack.file), stack.text, text);
        const full = prunePullRequest(pruned, values.reason);
        const reportFile = path.resolve(env.root, values["report-file"] ?? path.join(os.tmpdir(), "revocable-roles-prune.md"));
        const note = `This body is a summary: the table lists the first 200 of ${pruned.length} revocations removed; all of them are in \`${path.basename(reportFile)}\`, written beside this body: attach it to the pull request.`;
        const fitted = fitForGitHub(full.body, () => prunePullRequest(pruned, values.reason, { rows: 200, note }).body);
        const pr = { title: full.title, body: fitted.text };
        if (fitted.summarised) writeFullReport(reportFile, full.body);
        if (values.json === true) {
            out.write(
                `${JSON.stringify({ pruned, files: edits.map((e) => e.stack.file), title: pr.title, body: pr.body, reportFile: fitted.summarised ? reportFile : null })}\n`,
            );
        } else {
            out.write(`Removed ${pruned.length} revocation(s) from ${edits.map((e) => e.stack.file).join(", ")}.\n${handNote}\n`);
            out.write(`Pull request title:\n${pr.title}\n\nPull request body:\n${pr.body}\n`);
            if (fitted.summarised)
                out.write(`\nThe body is a summary (GitHub takes at most 65,536 characters); the full report is in ${reportFile}.\n`);
        }
        return 0;
    } catch (error) {
        return fail(error, err, USAGE);
    } finally {
        for (const lock of locks) lock.release();
    }
}

/** The command as a process runs it: in the project folder it is started in, with the real clock. */
export function run(argv: string[]): Promise<number> {
    return main(argv, process.stdout, process.stderr, { root: process.cwd(), now: new Date() });
}

if (require.main === module) runAsProcess(run);

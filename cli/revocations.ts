/**
 * `revocable-roles revocations`: every revocation the stack files hold, each in force (until its
 * safe-to-remove time) or removable; `--prune` removes the removable ones and prints the pull
 * request that records it (the work is revocation/revocations.ts's).
 */
import { NAMESPACE } from "../config/stackConfig";
import { prune, revocationTable, revocationsOfProject } from "../revocation/revocations";
import { Command, Main, command, mainOf } from "./command";
import { printPullRequest } from "./flags";

export const revocations: Command = command({
    usage: "usage: revocable-roles revocations [--json] [--prune [--reason <text>] [--report-file <path>]]",
    description:
        "Lists every revocation of every stack file (Pulumi.<stack>.yaml) of the project: the stack, the\nrole (or all roles, for revokeAllBefore, or an organization-wide revocation), the cutoff, and\nwhether it is in force (until cutoff + 13 h) or removable. --prune leaves organization-wide\nrevocations for you to remove from the list by hand.",
    flags: {
        json: { type: "boolean", description: "the list as JSON: [{stack, role?, organization?, cutoff, safeToRemoveAfter, state}]" },
        prune: {
            type: "boolean",
            description: "remove the removable ones from the stack files (changing no other byte) and print the pull request to open",
        },
        reason: { type: "string", value: "<text>", description: "with --prune: why, for the pull request" },
        "report-file": {
            type: "string",
            value: "<p>",
            description:
                "with --prune: where the full report goes when the body is over GitHub's 65,536 characters and is summarised; default a file in the temporary folder",
        },
    },
    async run(values, { out }, env) {
        if (values.prune !== true) {
            const rows = revocationsOfProject(env);
            out.write(values.json === true ? `${JSON.stringify(rows)}\n` : `${revocationTable(rows)}\n`);
            return 0;
        }
        const done = await prune(env, values.reason, values["report-file"]);
        const handNote =
            done.byHand.length === 0
                ? ""
                : `${done.byHand.length} removable organization revocation(s) (${done.byHand.map((r) => r.organization).join(", ")}) are left for you to remove from ${NAMESPACE}:organization.revocations.\n`;
        if (done.pruned.length === 0) {
            out.write(`No revocation is removable yet; nothing was written.\n${handNote}`);
            return 0;
        }
        const pr = done.pullRequest;
        if (values.json === true) {
            out.write(
                `${JSON.stringify({ pruned: done.pruned, files: done.files, title: pr.title, body: pr.body, reportFile: done.reportFile ?? null })}\n`,
            );
            return 0;
        }
        out.write(`Removed ${done.pruned.length} revocation(s) from ${done.files.join(", ")}.\n${handNote}\n`);
        printPullRequest(out, pr, undefined, done.reportFile);
        return 0;
    },
});

/** The command line, as tests call it. */
export const main: Main = mainOf(revocations);

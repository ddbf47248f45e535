/**
 * `revocable-roles revocations`: every revocation the stack files hold, each in force (until its
 * safe-to-remove time) or removable; `--prune` removes the removable ones and prints the pull
 * request that records it (the work is revocation/revocations.ts's).
 */
import { NAMESPACE } from "../config/stackConfig";
import { prune, revocationTable, revocationsOfProject } from "../revocation/revocations";
import { CommandIO, Values } from "./command";
import type { RevocationsFlags } from "./commands";
import { Environment } from "./environment";
import { printPullRequest } from "./output";

/** `revocations`: the list, or the prune and its pull request. */
export async function run(values: Values<RevocationsFlags>, { out }: CommandIO, env: Environment): Promise<number> {
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
}

/**
 * What several commands do alike with what they are given and what they print: the emergency
 * path's options from its flags, the pull request printed, the failures of the emergency path
 * named on stderr, and what an interrupted revoke says.
 */
import { show } from "../iam/problems";
import { EmergencyResult } from "../apply/emergency";
import { EmergencyOptions } from "../revocation/applyNow";
import { UsageError, Writer } from "./io";

/** What a person reading an interrupted revoke needs: the stack files were written before the first IAM call. */
export const INTERRUPTED: string =
    "\nInterrupted. Every stack file revoke writes is written before any IAM call and records the revocation: open its pull request, and run the same revoke --now again to apply what was not applied (a rerun counts roles already revoked as applied).\n";

/** The emergency path's deadline when none is given: two minutes. */
export const DEFAULT_DEADLINE_SECONDS = 120;

/** The emergency path's options from its flags, checked: `--endpoint-url` and `--deadline` only with `--now`. */
export function emergencyOptions(values: { now?: boolean; "endpoint-url"?: string; deadline?: string }): EmergencyOptions | undefined {
    if (values["endpoint-url"] !== undefined && values.now !== true) throw new UsageError("--endpoint-url only applies with --now");
    if (values.deadline !== undefined && values.now !== true) throw new UsageError("--deadline only applies with --now");
    const endpoint = values["endpoint-url"];
    if (endpoint !== undefined && !/^https?:\/\/[^\s/]+/.test(endpoint)) {
        throw new UsageError(`--endpoint-url ${show(endpoint)} is not an http(s) URL such as http://127.0.0.1:5000`);
    }
    const deadline = Number(values.deadline ?? DEFAULT_DEADLINE_SECONDS);
    if (values.deadline !== undefined && (!/^\d+(?:\.\d+)?$/.test(values.deadline) || deadline <= 0)) {
        throw new UsageError(`--deadline ${show(values.deadline)} is not a number of seconds above 0, such as 120`);
    }
    if (values.now !== true) return undefined;
    return { ...(endpoint === undefined ? {} : { endpointUrl: endpoint }), deadlineMs: deadline * 1000 };
}

/** Prints a pull request to open: its title and body, and where else its body and full report are. */
export function printPullRequest(out: Writer, pr: { title: string; body: string }, bodyFile?: string, reportFile?: string): void {
    out.write(`Pull request title:\n${pr.title}\n\nPull request body:\n${pr.body}\n`);
    if (bodyFile !== undefined) out.write(`\nThe body is also in ${bodyFile}.\n`);
    if (reportFile !== undefined)
        out.write(`\nThe body is a summary (GitHub takes at most 65,536 characters); the full report is in ${reportFile}.\n`);
}

/** Names on stderr the roles the emergency path did not revoke (with their account when given); returns how many. */
export function reportFailures(err: Writer, results: { account?: string; result: EmergencyResult }[]): number {
    const failed = results.filter(({ result }) => result.outcome === "failed");
    if (failed.length > 0) {
        err.write(
            `${failed.length} of ${results.length} roles were NOT revoked through the API:\n${failed.map(({ account, result: r }) => `${account === undefined ? "" : `${account} `}${r.target.key} (${r.target.roleName}): ${r.detail}`).join("\n")}\n`,
        );
    }
    return failed.length;
}

/**
 * `revocable-roles revoke`: writes a revocation into a stack file (and, with --now, applies it at
 * once through the IAM API), then prints a ready pull request. `--leaked` and `--org` are its
 * variants (revokeLeaked.ts, revokeOrganization.ts); the work is revocation/revokeRoles.ts's.
 */
import { RevokeRolesRequest, revokeRoles } from "../revocation/revokeRoles";
import { revokeJson } from "../revocation/pullRequest";
import { stackRerun } from "../revocation/nextCommands";
import { CommandIO, Values } from "./command";
import type { RevokeFlags } from "./commands";
import { Environment } from "./environment";
import { appliedTable, emergencyOptions, emergencyRun, movedCutoffs, notRecordedBanner, printPullRequest, reportFailures } from "./output";
import { UsageError } from "./io";

/** What the command was asked to do, from its flags. */
export function requestOf(values: Values<RevokeFlags>): RevokeRolesRequest {
    const roles = [...new Set(values.role ?? [])];
    if (values.stack === undefined) throw new UsageError("--stack is required");
    if (roles.length > 0 === (values.all === true)) throw new UsageError("give either --role (one or more) or --all");
    const now = emergencyOptions(values);
    return {
        stack: values.stack,
        roles,
        all: values.all === true,
        at: values.at,
        reason: values.reason,
        withChained: values["with-chained"] === true,
        ...(now === undefined ? {} : { now }),
        bodyFile: values["body-file"],
        reportFile: values["report-file"],
    };
}

/** `revoke --stack`: the stack file written, the policies applied with --now, the pull request printed. */
export async function run(values: Values<RevokeFlags>, io: CommandIO, env: Environment): Promise<number> {
    const { out, err } = io;
    const request = requestOf(values);
    // With --json, the one object is all stdout carries; progress goes to stderr. With --now, an
    // interruption stops the calls and the command reports what was applied.
    const run = emergencyRun(io, request.now, values.json === true);
    const { say, stop } = run;
    const outcome = await revokeRoles(request, env, {
        recorded: (decision, notRecorded) => {
            if (notRecorded !== undefined) say(notRecordedBanner(new Map([[decision.file, notRecorded]]), stop?.aborted !== true));
            else {
                say(
                    decision.changed
                        ? `Wrote ${decision.file}: ${decision.subject} revoked before ${decision.cutoff}.\n`
                        : `${decision.file} already records this revocation; nothing to write.\n`,
                );
                run.written();
            }
            say(`${movedCutoffs([decision])}\n`);
        },
        endpoint: (endpoint) => say(`IAM endpoint: ${endpoint}\n`),
        waiting: run.waiting,
        tick: run.tick,
        applied: (results, { account, credentials }) =>
            say(`${account === undefined ? "" : `Account ${account} (${credentials}):\n`}${appliedTable(results)}\n\n`),
    });
    const pr = outcome.pullRequest;
    if (values.json === true) {
        out.write(
            `${JSON.stringify(revokeJson(outcome.decision, pr, outcome.applied, { notRecorded: outcome.notRecorded ?? null, checks: outcome.checks }))}\n`,
        );
    } else printPullRequest(out, pr, request.bodyFile, pr.reportFile);
    const results = outcome.applied?.results ?? [];
    const failed = reportFailures(
        err,
        results.map((result) => ({ result })),
    );
    if (outcome.unrecorded.length > 0) err.write(`${outcome.unrecorded.join("\n")}\n`);
    const notRecorded = run.finish(outcome.notRecorded === undefined ? [] : [outcome.notRecorded], outcome.checks);
    if (stop?.aborted === true) {
        const left = results.filter((r) => r.outcome === "failed").map((r) => r.target.key);
        err.write(
            `Interrupted (${String(stop.reason)}): ${results.length - left.length} of ${results.length} roles were applied; ${left.length === 0 ? "none is left" : `not applied: ${left.join(", ")}`}.${
                left.length === 0
                    ? ""
                    : ` Apply the rest with the same cutoff: ${stackRerun(
                          request.stack,
                          request.all ? "all" : left,
                          outcome.decision.cutoff,
                          {
                              ...(request.now?.endpointUrl === undefined ? {} : { endpointUrl: request.now.endpointUrl }),
                              credentials: outcome.account?.flags ?? [],
                          },
                      )}`
            }\n`,
        );
    }
    return failed > 0 || outcome.unrecorded.length > 0 || notRecorded > 0 ? 1 : 0;
}

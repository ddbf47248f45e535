/**
 * `revocable-roles revoke`: writes a revocation into a stack file (and, with --now, applies it at
 * once through the IAM API), then prints a ready pull request. `--leaked` and `--org` are its
 * variants (revokeLeaked.ts, revokeOrganization.ts); the work is revocation/revokeRoles.ts's.
 */
import { RevokeRolesRequest, revokeRoles } from "../revocation/revokeRoles";
import { revokeJson } from "../revocation/pullRequest";
import { resultTable } from "../apply/emergency";
import { CommandIO, Values } from "./command";
import type { RevokeFlags } from "./commands";
import { Environment } from "./environment";
import { INTERRUPTED, emergencyOptions, printPullRequest, reportFailures } from "./output";
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
export async function run(values: Values<RevokeFlags>, { out, err, onInterrupt }: CommandIO, env: Environment): Promise<number> {
    const request = requestOf(values);
    // With --json, the one object is all stdout carries; progress goes nowhere.
    const say = (text: string) => (values.json === true ? undefined : out.write(text));
    onInterrupt(INTERRUPTED);
    const outcome = await revokeRoles(request, env, {
        recorded: (decision) =>
            say(
                decision.changed
                    ? `Wrote ${decision.file}: ${decision.subject} revoked before ${decision.cutoff}.\n\n`
                    : `${decision.file} already records this revocation; nothing to write.\n\n`,
            ),
        endpoint: (endpoint) => say(`IAM endpoint: ${endpoint}\n`),
        applied: (results) => say(`${resultTable(results)}\n\n`),
    });
    const pr = outcome.pullRequest;
    if (values.json === true) out.write(`${JSON.stringify(revokeJson(outcome.decision, pr, outcome.applied))}\n`);
    else printPullRequest(out, pr, request.bodyFile, pr.reportFile);
    const failed = reportFailures(
        err,
        (outcome.applied?.results ?? []).map((result) => ({ result })),
    );
    if (outcome.unrecorded.length > 0) err.write(`${outcome.unrecorded.join("\n")}\n`);
    return failed > 0 || outcome.unrecorded.length > 0 ? 1 : 0;
}

/**
 * `revoke --leaked <source>`: the command line of revocation by what leaked (the work is
 * revocation/revokeLeaked.ts's): its flags, what it prints as it goes, the `--json` object, and
 * the exit code.
 */
import { LeakedSource, parseLeakedSource } from "../analysis/leaked";
import { roleArn } from "../analysis/reachability";
import { stackFileName } from "../config/files";
import { credentialFlags, leakedRerun } from "../revocation/nextCommands";
import { LeakChange, LeakedOutcome, LeakedRequest, revokeLeaked as revokeWhatLeaked } from "../revocation/revokeLeaked";
import { CommandIO, Values } from "./command";
import type { LeakedFlags } from "./commands";
import { Environment } from "./environment";
import { appliedTable, emergencyOptions, emergencyRun, movedCutoffs, notRecordedBanner, printPullRequest, reportFailures } from "./output";
import { UsageError, Writer } from "./io";

/** What `revoke --leaked` was asked to do, from its flags. */
function leakedRequestOf(values: Values<LeakedFlags>): LeakedRequest {
    if (values.leaked === undefined) throw new UsageError("--leaked needs a source");
    for (const flag of ["stack", "role", "all", "with-chained"] as const) {
        if (values[flag] !== undefined)
            throw new UsageError(`--leaked does not take --${flag}: the source decides the roles, in every stack file`);
    }
    if (values.now === true && values["dry-run"] === true)
        throw new UsageError("--dry-run writes and applies nothing; drop --now or --dry-run");
    const now = emergencyOptions(values);
    let source: LeakedSource;
    try {
        source = parseLeakedSource(values.leaked);
    } catch (error) {
        throw new UsageError((error as Error).message);
    }
    return {
        source,
        at: values.at,
        reason: values.reason,
        dryRun: values["dry-run"] === true,
        ...(values["body-file"] === undefined ? {} : { bodyFile: values["body-file"] }),
        ...(now === undefined ? {} : { now }),
    };
}

/** What is written (or would be), and why each role, before any IAM call. */
function printRecorded(say: (text: string) => void, request: LeakedRequest, change: LeakChange): void {
    const { leak, cutoff, written, stacks, organization, unwritten } = change;
    say(
        request.dryRun
            ? `Dry run: nothing was written. ${leak.reached.length} role(s) reachable by ${request.source.text} would be revoked before ${cutoff}:\n`
            : `Wrote ${written.length === 0 ? (unwritten.size === 0 ? "nothing (every file already records it)" : "nothing") : written.join(", ")}: ${leak.reached.length} role(s) reachable by ${request.source.text} revoked before ${cutoff}.\n`,
    );
    say(notRecordedBanner(unwritten, request.now !== undefined && request.now.stop?.aborted !== true));
    say(movedCutoffs(change.parts.map((p) => p.decision)));
    for (const stack of stacks) {
        say(`\n${stackFileName(stack)}:\n`);
        for (const reach of leak.reached.filter((r) => r.role.stack === stack)) say(`  ${reach.role.key}  ${reach.path}\n`);
    }
    if (organization !== undefined) {
        say(`\n${organization.file} (organization-wide, when it deploys):\n`);
        for (const outcome of organization.outcomes) say(`  ${outcome.key}\n`);
    }
}

/** The `--json` object of `revoke --leaked`. */
function leakedJson(request: LeakedRequest, outcome: LeakedOutcome): object {
    return {
        ...jsonOf(request, outcome),
        ...(outcome.reached ? { notRecorded: outcome.notRecorded, checks: outcome.checks } : { notRecorded: [], checks: [] }),
    };
}

function jsonOf(request: LeakedRequest, outcome: LeakedOutcome): object {
    if (!outcome.reached)
        return {
            source: request.source.text,
            cutoff: outcome.cutoff,
            written: [],
            stacks: [],
            roles: [],
            organization: null,
            title: null,
            body: null,
            applied: null,
        };
    const { change, applied, pullRequest } = outcome;
    const { leak, cutoff, written, stacks, organization } = change;
    return {
        source: request.source.text,
        cutoff,
        written,
        stacks,
        roles: leak.reached.map((r) => ({ stack: r.role.stack, key: r.role.key, arn: roleArn(r.role), path: r.path, reasons: r.reasons })),
        organization:
            organization === undefined
                ? null
                : {
                      file: organization.file,
                      revocations: organization.outcomes.map((o) => ({ key: o.key, cutoff: o.now, previous: o.was ?? null })),
                  },
        title: pullRequest.title,
        body: pullRequest.body,
        applied:
            applied?.flatMap(({ account, results }) =>
                results.map((r) => ({ account, key: r.target.key, roleName: r.target.roleName, outcome: r.outcome, detail: r.detail })),
            ) ?? null,
    };
}

/** Names on stderr what --now did not apply or record, one line per cause, and the rerun that applies the rest; the exit code. */
function failures(request: LeakedRequest, outcome: Extract<LeakedOutcome, { reached: true }>, err: Writer): number {
    const applied = outcome.applied ?? [];
    const failed = reportFailures(
        err,
        applied.flatMap(({ account, results }) => results.map((result) => ({ account, result }))),
    );
    if (failed > 0) {
        // Accounts whose credentials act elsewhere need their own: the rerun names each, to be filled in.
        const elsewhere = applied.filter(({ results }) =>
            results.some((r) => r.outcome === "failed" && r.detail.startsWith("these credentials act in account")),
        );
        const missing = elsewhere.filter((a) => a.flags.length === 0).map((a) => ` --profile ${a.account}=<profile>`);
        const rerun = `${leakedRerun(request.source.text, outcome.change.cutoff, {
            ...(request.now?.endpointUrl === undefined ? {} : { endpointUrl: request.now.endpointUrl }),
            credentials: credentialFlags(applied),
        })}${missing.join("")}`;
        err.write(
            `${elsewhere.length > 0 ? `Give ${elsewhere.map((a) => a.account).join(", ")} credentials of ${elsewhere.length === 1 ? "its" : "their"} own (--profile or --role-arn <account>=<role ARN>) and rerun` : "Rerun once the cause is fixed"} (a rerun is safe: it counts what is applied, and keeps the cutoff): ${rerun}\n`,
        );
    }
    if (outcome.unrecorded.length > 0) err.write(`${outcome.unrecorded.join("\n")}\n`);
    return failed > 0 || outcome.unrecorded.length > 0 ? 1 : 0;
}

/** `revoke --leaked`: what the source reaches, revoked in every stack file at once, and the pull request printed. */
export async function run(values: Values<LeakedFlags>, io: CommandIO, env: Environment): Promise<number> {
    const { out, err } = io;
    const request = leakedRequestOf(values);
    const json = values.json === true;
    // With --now, an interruption stops the calls and the command reports what was applied.
    const run = emergencyRun(io, request.now, json);
    const { say, stop } = run;
    const outcome = await revokeWhatLeaked(request, env, {
        recorded: (change) => {
            printRecorded(say, request, change);
            if (change.written.length > 0) run.written();
        },
        waiting: run.waiting,
        tick: run.tick,
        applied: (endpoint, applied) => {
            say(`\nIAM endpoint: ${endpoint}\n`);
            for (const { account, credentials, results } of applied)
                say(`\nAccount ${account} (${credentials}):\n${appliedTable(results)}\n`);
            say("\n");
        },
    });
    if (json) out.write(`${JSON.stringify(leakedJson(request, outcome))}\n`);
    if (!outcome.reached) {
        say(`No role of the project's stack files is reachable by ${request.source.text}; nothing to revoke.\n`);
        return 0;
    }
    if (!json) {
        say("\n");
        printPullRequest(out, outcome.pullRequest, undefined, outcome.reportFile);
    }
    const code = failures(request, outcome, err);
    const notRecorded = run.finish(outcome.notRecorded, outcome.checks);
    if (stop?.aborted === true) {
        const results = (outcome.applied ?? []).flatMap((a) => a.results);
        const done = results.filter((r) => r.outcome !== "failed").length;
        err.write(
            `Interrupted (${String(stop.reason)}): ${done} of ${results.length} roles were applied (the tables above); the others were not (by cause above). The pull request text above records the whole change.\n`,
        );
    }
    return code === 0 && notRecorded === 0 ? 0 : 1;
}

/**
 * `revoke --leaked <source>`: the command line of revocation by what leaked (the work is
 * revocation/revokeLeaked.ts's): its flags, what it prints as it goes, the `--json` object, and
 * the exit code.
 */
import { LeakedSource, parseLeakedSource } from "../analysis/leaked";
import { roleArn } from "../analysis/reachability";
import { show } from "../iam/problems";
import { resultTable } from "../apply/emergency";
import { stackFileName } from "../config/files";
import { AccountResult } from "../revocation/applyNow";
import { LeakChange, LeakedOutcome, LeakedRequest, revokeLeaked as revokeWhatLeaked } from "../revocation/revokeLeaked";
import { CommandIO, Values } from "./command";
import type { LeakedFlags } from "./commands";
import { Environment } from "./environment";
import { INTERRUPTED, emergencyOptions, printPullRequest, reportFailures } from "./output";
import { UsageError, Writer } from "./io";

/** `<account>=<value>` pairs of a repeated flag, by account, each checked by `check` (which returns the value, or throws). */
function perAccount(flag: string, given: string[] | undefined, check: (given: string) => [string, string]): Map<string, string> {
    const byAccount = new Map<string, string>();
    for (const entry of given ?? []) {
        const [account, value] = check(entry);
        if (byAccount.has(account)) throw new UsageError(`${flag} names account ${account} twice`);
        byAccount.set(account, value);
    }
    return byAccount;
}

function profileOf(given: string): [string, string] {
    const match = /^(\d{12})=(\S+)$/.exec(given);
    if (match === null)
        throw new UsageError(`--profile ${show(given)} is not <12-digit account ID>=<profile>, such as 222222222222=prod-admin`);
    return [match[1], match[2]];
}

function roleArnOf(given: string): [string, string] {
    const match = /^(\d{12})=(arn:[a-z-]+:iam::(\d{12}):role\/\S+)$/.exec(given);
    if (match === null)
        throw new UsageError(
            `--role-arn ${show(given)} is not <12-digit account ID>=<role ARN>, such as 222222222222=arn:aws:iam::222222222222:role/incident-responder`,
        );
    if (match[3] !== match[1])
        throw new UsageError(
            `--role-arn ${show(given)}: the role is in account ${match[3]}, not ${match[1]}; IAM acts in the role's account`,
        );
    return [match[1], match[2]];
}

/** What `revoke --leaked` was asked to do, from its flags. */
function leakedRequestOf(values: Values<LeakedFlags>): LeakedRequest {
    if (values.leaked === undefined) throw new UsageError("--leaked needs a source");
    for (const flag of ["stack", "role", "all", "with-chained"] as const) {
        if (values[flag] !== undefined)
            throw new UsageError(`--leaked does not take --${flag}: the source decides the roles, in every stack file`);
    }
    if (values.now === true && values["dry-run"] === true)
        throw new UsageError("--dry-run writes and applies nothing; drop --now or --dry-run");
    if (values.profile !== undefined && values.now !== true) throw new UsageError("--profile only applies with --now");
    const profiles = perAccount("--profile", values.profile, profileOf);
    if (values["role-arn"] !== undefined && values.now !== true) throw new UsageError("--role-arn only applies with --now");
    const roles = perAccount("--role-arn", values["role-arn"], roleArnOf);
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
        ...(now === undefined ? {} : { now: { ...now, profiles, roles } }),
    };
}

/** What is written (or would be), and why each role, before any IAM call. */
function printRecorded(say: (text: string) => void, request: LeakedRequest, change: LeakChange): void {
    const { leak, cutoff, written, stacks, organization } = change;
    say(
        request.dryRun
            ? `Dry run: nothing was written. ${leak.reached.length} role(s) reachable by ${request.source.text} would be revoked before ${cutoff}:\n`
            : `Wrote ${written.length === 0 ? "nothing (every file already records it)" : written.join(", ")}: ${leak.reached.length} role(s) reachable by ${request.source.text} revoked before ${cutoff}.\n`,
    );
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

/** Names on stderr what --now did not apply or record; the exit code. */
function failures(applied: AccountResult[] | undefined, unrecorded: string[], err: Writer): number {
    const failed = reportFailures(
        err,
        (applied ?? []).flatMap(({ account, results }) => results.map((result) => ({ account, result }))),
    );
    const elsewhere = [
        ...new Set(
            (applied ?? []).flatMap(({ account, results }) =>
                results.some((r) => r.outcome === "failed" && r.detail.startsWith("these credentials act in account")) ? [account] : [],
            ),
        ),
    ];
    if (elsewhere.length > 0)
        err.write(
            `Give each account its credentials and rerun (a rerun is safe): ${elsewhere.map((a) => `--profile ${a}=<profile>`).join(" ")}\n`,
        );
    if (unrecorded.length > 0) err.write(`${unrecorded.join("\n")}\n`);
    return failed > 0 || unrecorded.length > 0 ? 1 : 0;
}

/** `revoke --leaked`: what the source reaches, revoked in every stack file at once, and the pull request printed. */
export async function run(values: Values<LeakedFlags>, { out, err, onInterrupt }: CommandIO, env: Environment): Promise<number> {
    const request = leakedRequestOf(values);
    const json = values.json === true;
    const say = (text: string) => (json ? undefined : out.write(text));
    onInterrupt(INTERRUPTED);
    const outcome = await revokeWhatLeaked(request, env, {
        recorded: (change) => printRecorded(say, request, change),
        applied: (endpoint, applied) => {
            say(`\nIAM endpoint: ${endpoint}\n`);
            for (const { account, credentials, results } of applied)
                say(`\nAccount ${account} (${credentials}):\n${resultTable(results)}\n`);
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
    return failures(outcome.applied, outcome.unrecorded, err);
}

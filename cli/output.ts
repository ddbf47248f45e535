/**
 * What several commands do alike with what they are given and what they print: the emergency
 * path's options from its flags (the endpoint, the deadline, each account's credentials), the pull
 * request printed, the failures of the emergency path named on stderr one line per cause, an edit
 * that is NOT RECORDED, the commands that check the result, and what an interrupted revoke says.
 */
import { show } from "../iam/problems";
import { EmergencyResult, resultTable } from "../apply/emergency";
import { EmergencyOptions } from "../revocation/applyNow";
import { Decision } from "../revocation/decide";
import type { NotRecorded } from "../revocation/revokeRoles";
import { UsageError, Writer } from "./io";
import type { CommandIO } from "./command";

/** What a person reading a revoke interrupted before it wrote anything needs. */
export const INTERRUPTED_BEFORE_WRITING: string = "\nInterrupted before any stack file was written: nothing was changed.\n";

/** What a person reading an interrupted revoke needs once its stack files are written. */
export const INTERRUPTED: string =
    "\nInterrupted. The stack files were written before any IAM call and record the revocation: open its pull request, and run the same revoke --now again, with the same --at, to apply what was not applied (a rerun counts roles already revoked as applied).\n";

/** The emergency path's deadline when none is given: two minutes. */
export const DEFAULT_DEADLINE_SECONDS = 120;

/** `<account>=<value>` pairs of a repeated flag, by account, each checked by `check` (which returns the pair, or throws). */
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

/** The flags of the emergency path, as both `revoke --stack` and `revoke --leaked` take them. */
export interface EmergencyFlags {
    now?: boolean;
    "endpoint-url"?: string;
    deadline?: string;
    profile?: string[];
    "role-arn"?: string[];
}

/** `--endpoint-url` and `--deadline` checked: an http(s) URL, and a number of seconds above 0 (default 120), in milliseconds. */
export function endpointAndDeadline(values: { "endpoint-url"?: string; deadline?: string }): { endpointUrl?: string; deadlineMs: number } {
    const endpoint = values["endpoint-url"];
    if (endpoint !== undefined && !/^https?:\/\/[^\s/]+/.test(endpoint)) {
        throw new UsageError(`--endpoint-url ${show(endpoint)} is not an http(s) URL such as http://127.0.0.1:5000`);
    }
    const deadline = Number(values.deadline ?? DEFAULT_DEADLINE_SECONDS);
    if (values.deadline !== undefined && (!/^\d+(?:\.\d+)?$/.test(values.deadline) || deadline <= 0)) {
        throw new UsageError(`--deadline ${show(values.deadline)} is not a number of seconds above 0, such as 120`);
    }
    return { ...(endpoint === undefined ? {} : { endpointUrl: endpoint }), deadlineMs: deadline * 1000 };
}

/**
 * The emergency path's options from its flags, checked: `--endpoint-url`, `--deadline`,
 * `--profile` and `--role-arn` only with `--now`; the credentials per account.
 */
export function emergencyOptions(
    values: EmergencyFlags,
): (EmergencyOptions & Required<Pick<EmergencyOptions, "profiles" | "roles">>) | undefined {
    for (const flag of ["endpoint-url", "deadline", "profile", "role-arn"] as const) {
        if (values[flag] !== undefined && values.now !== true) throw new UsageError(`--${flag} only applies with --now`);
    }
    const timing = endpointAndDeadline(values);
    const profiles = perAccount("--profile", values.profile, profileOf);
    const roles = perAccount("--role-arn", values["role-arn"], roleArnOf);
    if (values.now !== true) return undefined;
    return { ...timing, profiles, roles };
}

/** Prints a pull request to open: its title and body, and where else its body and full report are. */
export function printPullRequest(out: Writer, pr: { title: string; body: string }, bodyFile?: string, reportFile?: string): void {
    out.write(`Pull request title:\n${pr.title}\n\nPull request body:\n${pr.body}\n`);
    if (bodyFile !== undefined) out.write(`\nThe body is also in ${bodyFile}.\n`);
    if (reportFile !== undefined)
        out.write(`\nThe body is a summary (GitHub takes at most 65,536 characters); the full report is in ${reportFile}.\n`);
}

/**
 * The roles applied, as a table; the roles not applied are named by cause on stderr
 * ({@link reportFailures}), never one line each here.
 */
export function appliedTable(results: EmergencyResult[]): string {
    const applied = results.filter((r) => r.outcome !== "failed");
    if (applied.length === 0)
        return `No role was applied through the IAM API (${results.length} not applied: the causes follow on stderr).`;
    const left = results.length - applied.length;
    return `${resultTable(applied)}${left === 0 ? "" : `\n(${left} more not applied: the causes follow on stderr)`}`;
}

/**
 * Names on stderr the roles the emergency path did not revoke: one line per cause, with its count
 * and the roles in one list (by account when they are in several), and the error itself when
 * every role of the cause met the same one; returns how many.
 */
export function reportFailures(err: Writer, results: { account?: string; result: EmergencyResult }[]): number {
    const failed = results.filter(({ result }) => result.outcome === "failed");
    if (failed.length === 0) return 0;
    const causes = new Map<string, typeof failed>();
    for (const entry of failed) {
        const cause = entry.result.cause ?? entry.result.detail;
        causes.set(cause, [...(causes.get(cause) ?? []), entry]);
    }
    const lines = [...causes].map(([cause, members]) => {
        const accounts = [...new Set(members.map((m) => m.account))];
        const keys = (of: typeof members) => of.map((m) => m.result.target.key).join(", ");
        const roles =
            accounts.length <= 1 ? keys(members) : accounts.map((a) => `${a}: ${keys(members.filter((m) => m.account === a))}`).join("; ");
        const details = [...new Set(members.map((m) => m.result.detail))];
        const said = details.length === 1 && details[0] !== cause ? `\n  ${details[0]}` : "";
        return `- ${cause} (${members.length} role${members.length === 1 ? "" : "s"}): ${roles}${said}`;
    });
    err.write(`${failed.length} of ${results.length} roles were NOT revoked through the API:\n${lines.join("\n")}\n`);
    return failed.length;
}

/** Without --at, the cutoffs in force the edit moves later, said before anything else: a pull request text made for an earlier one is stale. */
export function movedCutoffs(decisions: Decision[]): string {
    const moved = decisions.flatMap((d) => d.moved.map((m) => ({ ...m, file: d.file, to: d.cutoff })));
    if (moved.length === 0) return "";
    const list = moved.map((m) => `${m.file} ${m.key} (was ${m.from})`).join(", ");
    return `Without --at the cutoff is now, ${moved[0].to}: this moves revocations in force later: ${list}. If a pull request for an earlier cutoff is open, its text is stale: use the one below instead, or run again with --at <the earlier cutoff> to keep it.\n`;
}

/** What a --now run waiting for another's lock says, on stderr, while it waits. */
export function waitingLine(holder: string, waitMs: number): string {
    return `${holder}: waiting up to ${waitMs / 1000} s for its lock; IAM is applied after that whether the file can be written or not.\n`;
}

/** The banner when a stack file cannot be written: said as soon as it is known, before the IAM calls (`applying` them, unless interrupted). */
export function notRecordedBanner(files: Map<string, string>, applying: boolean): string {
    return [...files]
        .map(
            ([file, reason]) =>
                `NOT RECORDED: ${file} is not written (${reason}). ${applying ? "The revocation is applied in IAM all the same; the edit" : "The edit"} to make follows the pull request text.\n`,
        )
        .join("");
}

/** Prints each edit that is NOT RECORDED, loudly, with what to do (on `out` unless it carries only JSON, which holds them); returns how many. */
export function printNotRecorded(out: Writer | undefined, err: Writer, notRecorded: NotRecorded[]): number {
    for (const { file, reason, edit } of notRecorded) {
        out?.write(
            `\nNOT RECORDED: ${file} was not written (${reason}).\nNo stack file records this revocation yet: make this edit (save it to a file and run git apply <file>), and open the pull request above with it, before the next pulumi up of ${file}.\n\n${edit}`,
        );
    }
    if (notRecorded.length > 0)
        err.write(
            `NOT RECORDED: ${notRecorded.map((n) => n.file).join(", ")}: ${out === undefined ? "the edit to make is in notRecorded" : "the edit to make is printed after the pull request text"}.\n`,
        );
    return notRecorded.length;
}

/** Prints the commands that check what IAM now holds, one per account. */
export function printChecks(out: Writer, checks: string[]): void {
    if (checks.length === 0) return;
    out.write(
        `\nCheck what IAM holds (it is eventually consistent: allow a few minutes); each aws line prints a role and the cutoff its RevokeOlderSessions denies sessions before, each verify line judges every revocation in force of a stack (live, missing, weakened):\n${checks.map((c) => `  ${c}`).join("\n")}\n`,
    );
}

/** What both revoke commands do around the domain's run ({@link emergencyRun}). */
export interface EmergencyRun {
    /** Writes to stdout, unless the command prints JSON. */
    say(text: string): void;
    /** The signal that stops `--now`'s calls when the command is interrupted. */
    stop: AbortSignal | undefined;
    /** The stack files are written: from now on an interruption leaves the record. */
    written(): void;
    waiting(holder: string, waitMs: number): void;
    tick(line: string): void;
    /** Prints the edits not recorded (on stderr too) and the check commands; returns how many edits were not recorded. */
    finish(notRecorded: NotRecorded[], checks: string[]): number;
}

/**
 * What both revoke commands do around the domain's run: print only when not `--json`, say what an
 * interruption leaves before and after the files are written, hand `--now` the signal that stops
 * its calls, write the lock waits and progress lines to stderr, and end with the edits NOT
 * RECORDED and the commands that check the result.
 */
export function emergencyRun(io: CommandIO, now: { stop?: AbortSignal } | undefined, json: boolean): EmergencyRun {
    const { out, err, onInterrupt } = io;
    onInterrupt(INTERRUPTED_BEFORE_WRITING);
    const stop = now === undefined ? undefined : io.interruptible?.();
    if (stop !== undefined) now!.stop = stop;
    return {
        say: (text: string): void => void (json ? undefined : out.write(text)),
        stop,
        written: (): void => onInterrupt(INTERRUPTED),
        waiting: (holder: string, waitMs: number): void => void err.write(waitingLine(holder, waitMs)),
        tick: (line: string): void => void err.write(`${line}\n`),
        finish(notRecorded: NotRecorded[], checks: string[]): number {
            const count = printNotRecorded(json ? undefined : out, err, notRecorded);
            if (!json) printChecks(out, checks);
            return count;
        },
    };
}

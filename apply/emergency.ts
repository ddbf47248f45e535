/**
 * The emergency path: put the revocation policy on roles at once through the IAM API, with
 * exactly the name and document the component renders, so the next `pulumi up` adopts it as is.
 *
 * Nothing may hang, be skipped or go silent in an incident: every call has a connection and a
 * request timeout, and the run a deadline that also ends any wait the SDK would not end by itself
 * (credentials being fetched); failures that may pass (throttling, 5xx, resets, timeouts) are
 * retried per role, each after its own backoff with jitter, until the deadline; the SDK's own
 * retries (one budget shared by all calls) are off. Each account paces its calls in flight by
 * IAM's throttling ({@link AdaptiveLimit}). An interruption ({@link Schedule}'s `stop`) starts no
 * more calls and abandons those in flight. A role whose live policy already denies at least as
 * much counts as applied, so a rerun converges. Every role ends applied or failed with a cause
 * shared by the roles that failed the same way. Time is the caller's ({@link Schedule}'s
 * `time`): this module reads no clock of its own.
 */
import { GetRolePolicyCommand, IAMClient, PutRolePolicyCommand } from "@aws-sdk/client-iam";
import { REVOCATION_POLICY_NAME, decodePolicyDocument } from "../iam/policy";
import { Cutoff } from "../iam/cutoff";
import { formatUtc, parseTimestamp } from "../iam/timestamps";
import { liveCutoff as deniedBefore } from "../iam/liveRevocation";
import { DEFAULT_TIMEOUTS, Timeouts } from "./client";
import { AdaptiveLimit } from "./concurrency";
import { CallSite, awsError, failureCause, retryable, throttled } from "./errors";
import { ProgressBoard } from "./progress";
import { Time } from "./time";

/** One role to revoke now: its config key, physical name, cutoff and the exact policy JSON. */
export interface EmergencyTarget {
    key: string;
    roleName: string;
    cutoff: Cutoff;
    policy: string;
}

/** What happened to one role: revoked now, already revoked (as late or later), or not applied. */
export interface EmergencyResult {
    target: EmergencyTarget;
    outcome: "revoked" | "already" | "failed";
    detail: string;
    /** For `failed`: why, in the words every role that failed the same way shares (`endpoint unreachable: <url>`), to report failures by cause. */
    cause?: string;
    /** For `already`: the live policy's cutoff when it is later than the target's, as the stack file records it. */
    laterCutoff?: Cutoff;
}

/** Where a run's calls go (for the words of its failures) and the board its progress is told to. */
export interface RunContext {
    /** The endpoint's URL and the account the credentials must act in. */
    site?: CallSite;
    /** Told of every role as it is tried and settled. */
    board?: ProgressBoard;
}

/** The causes of an interrupted run's roles: never tried, or cut off in the middle of a call. */
export const INTERRUPTED_BEFORE = "interrupted before they were applied";
export const INTERRUPTED_DURING = "interrupted during the call (may or may not be applied)";

/** A promise that rejects, as the SDK does, when `signal` aborts. */
function abortion(signal: AbortSignal): Promise<never> {
    return new Promise((_, reject) => {
        const abort = () => reject(Object.assign(new Error("Request aborted"), { name: "AbortError" }));
        if (signal.aborted) abort();
        else signal.addEventListener("abort", abort, { once: true });
    });
}

/** `work`, ended when `signal` aborts even if it ignores the signal (the SDK fetching credentials does): the deadline bounds every wait. */
function bounded<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
    work.catch(() => {});
    return Promise.race([work, abortion(signal)]);
}

/** One signal for the deadline of a call and the run's interruption. */
function either(signal: AbortSignal, stop: AbortSignal | undefined): AbortSignal {
    return stop === undefined ? signal : AbortSignal.any([signal, stop]);
}

/** Resolves when `signal` aborts. */
function aborted(signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
        if (signal.aborted) resolve();
        else signal.addEventListener("abort", () => resolve(), { once: true });
    });
}

/**
 * IAM acts in the caller's account: a role is named by its name alone, so credentials of another
 * account would revoke a namesake role there and report this one revoked. Before any call, the
 * credentials' account is checked against the accounts the stack deploys to; undefined when it is
 * one of them, else every target failed with the reason, nothing applied (and settled on the board).
 */
export async function accountMismatch(
    targets: EmergencyTarget[],
    allowed: string[],
    ask: (signal: AbortSignal) => Promise<string>,
    where: string,
    schedule: Schedule,
    timeouts: Timeouts = DEFAULT_TIMEOUTS,
    run: RunContext = {},
): Promise<EmergencyResult[] | undefined> {
    const site = run.site ?? { url: "the IAM endpoint" };
    let detail = "";
    let cause = "";
    // Retried like the roles' calls until the deadline: a throttled or reset call is no answer.
    for (let round = 0; ; round++) {
        const remaining = schedule.deadline - schedule.time.now();
        const attempt = schedule.time.timeout(Math.max(1, Math.min(remaining, timeouts.requestMs)));
        const signal = either(attempt, schedule.stop);
        try {
            if (schedule.stop?.aborted) throw Object.assign(new Error("interrupted"), { name: "AbortError" });
            const actual = await bounded(ask(signal), signal);
            if (allowed.includes(actual)) return undefined;
            cause = `these credentials act in account ${actual}, not ${allowed.join(" or ")}`;
            detail = `${cause} (${where}); nothing was applied, so that a namesake role in ${actual} is not revoked instead: use credentials of ${allowed.join(" or ")}`;
            break;
        } catch (error) {
            if (schedule.stop?.aborted) {
                cause = INTERRUPTED_BEFORE;
                detail = "interrupted while the credentials' account was being confirmed; nothing was applied";
                break;
            }
            // The SDK reports its own timeout's abort as an AbortError: a call that outlived its attempt is retried too.
            const timedOut = (error as Error).name === "TimeoutError" || attempt.aborted;
            // Cut short by the attempt's own limit: the request timeout, or the deadline when that came first.
            const unanswered =
                remaining <= timeouts.requestMs
                    ? `no answer from ${site.url} by the deadline`
                    : `no answer from ${site.url} in ${timeouts.requestMs / 1000} s`;
            const cutShort = attempt.aborted && (error as Error).name === "AbortError";
            cause = cutShort ? unanswered : failureCause(error, site);
            detail = `the credentials' account could not be confirmed (${cutShort ? unanswered : awsError(error)}); nothing was applied, so that a namesake role in another account is not revoked instead: rerun when sts:GetCallerIdentity answers`;
            for (const target of targets) run.board?.failingFor(target, cause);
            const delay = backoff(schedule, round);
            if (!(retryable(error) || timedOut) || schedule.time.now() + delay >= schedule.deadline) break;
            await Promise.race([schedule.time.sleep(delay), ...(schedule.stop === undefined ? [] : [aborted(schedule.stop)])]);
        }
    }
    for (const target of targets) run.board?.settled(target, false);
    return targets.map((target) => ({ target, outcome: "failed", detail, cause }));
}

/** The cutoff of a live RevokeOlderSessions policy, or undefined when the role has none. */
async function liveCutoff(client: IAMClient, roleName: string, abortSignal: AbortSignal): Promise<string | undefined> {
    try {
        const live = await client.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: REVOCATION_POLICY_NAME }), {
            abortSignal,
        });
        // Only a statement that denies as a revocation does counts: a narrowed action or an added condition is no revocation.
        const before = deniedBefore(decodePolicyDocument(live.PolicyDocument ?? "{}"));
        return before === undefined ? undefined : formatUtc(before);
    } catch (error) {
        if ((error as { name?: string }).name === "NoSuchEntityException" && /policy/i.test(String((error as Error).message))) {
            return undefined;
        }
        throw error;
    }
}

/** One attempt at one role: read the live policy; put ours unless it already denies as much. */
async function attempt(client: IAMClient, target: EmergencyTarget, abortSignal: AbortSignal): Promise<EmergencyResult> {
    const live = await liveCutoff(client, target.roleName, abortSignal);
    // The live policy's instant exactly as IAM holds it: rounding it up would count a policy that denies less as applied.
    const parsed = live === undefined ? undefined : parseTimestamp(live);
    const liveAt = parsed?.ok === true ? parsed.date : undefined;
    const targetAt = target.cutoff.instant;
    if (liveAt !== undefined && liveAt >= targetAt) {
        return liveAt.getTime() === targetAt.getTime()
            ? { target, outcome: "already", detail: `already revoked: sessions issued before ${target.cutoff} are denied` }
            : {
                  target,
                  outcome: "already",
                  detail: `already revoked with a later cutoff: sessions issued before ${live} are denied`,
                  laterCutoff: Cutoff.of(liveAt),
              };
    }
    await client.send(
        new PutRolePolicyCommand({ RoleName: target.roleName, PolicyName: REVOCATION_POLICY_NAME, PolicyDocument: target.policy }),
        { abortSignal },
    );
    return { target, outcome: "revoked", detail: `sessions issued before ${target.cutoff} are denied` };
}

/** When and how hard the emergency path tries. */
export interface Schedule {
    /** The instant (ms since the epoch, on `time`) by which the run ends, applied or not. */
    deadline: number;
    /** The clock, the waits, the calls' timeouts and the jitter. */
    time: Time;
    /** Calls in flight at once in one account, at first. */
    concurrency: number;
    /**
     * The most calls in flight in one account: the limit grows by one with each call that
     * succeeds, up to this, and halves when IAM throttles ({@link AdaptiveLimit}).
     * @default concurrency (a fixed limit)
     */
    maxConcurrency?: number;
    /** The first retry of a role waits up to this long; each later one twice as long, up to `maxDelayMs` (full jitter). */
    baseDelayMs: number;
    maxDelayMs: number;
    /** Aborts when the run is interrupted: no call starts after it, and the calls in flight are abandoned. */
    stop?: AbortSignal;
}

/** Four calls at a time per account at first, up to sixteen; retries after up to 0.2 s, doubling to at most 5 s; the deadline `deadlineMs` from now. */
export function defaultSchedule(deadlineMs: number, time: Time): Schedule {
    return { deadline: time.now() + deadlineMs, time, concurrency: 4, maxConcurrency: 16, baseDelayMs: 200, maxDelayMs: 5_000 };
}

/** The wait before a role's retry `retry + 1`: full jitter, so that retrying roles spread out instead of hitting a throttled API together. */
export function backoff(schedule: Schedule, retry: number): number {
    return schedule.time.random() * Math.min(schedule.maxDelayMs, schedule.baseDelayMs * 2 ** retry);
}

/** A role as the run moves it: how often it was tried, the last failure and its cause, and when it may be tried again. */
interface Task {
    target: EmergencyTarget;
    tries: number;
    retries: number;
    last: string;
    cause?: string;
    readyAt: number;
    /** In flight when the run was interrupted. */
    cut: boolean;
}

/**
 * Revokes every target of one account, with at most the account's adaptive limit of calls in
 * flight; one role's failure never stops the others. A role whose attempt fails in a way that may
 * pass is tried again after its own backoff with jitter, until it is applied or the deadline
 * comes; every role ends revoked, already revoked, or failed with the reason and its cause.
 * `onResult` hears of each role as it ends; `run` names where the calls go and the board to tell.
 */
export async function revokeNow(
    client: IAMClient,
    targets: EmergencyTarget[],
    schedule: Schedule,
    onResult: (result: EmergencyResult) => void = () => {},
    run: RunContext = {},
): Promise<EmergencyResult[]> {
    const { time, deadline, stop } = schedule;
    const site = run.site ?? { url: "the IAM endpoint" };
    const limit = new AdaptiveLimit(schedule.concurrency, schedule.maxConcurrency ?? schedule.concurrency);
    const results = new Map<EmergencyTarget, EmergencyResult>();
    const tasks: Task[] = targets.map((target) => ({ target, tries: 0, retries: 0, last: "", readyAt: 0, cut: false }));
    const settle = (task: Task, result: EmergencyResult) => {
        results.set(task.target, result);
        run.board?.settled(task.target, result.outcome !== "failed");
        onResult(result);
    };
    // Roles never tried, in order, and roles waiting for their retry.
    let fresh = 0;
    const retries: Task[] = [];
    const running = new Set<Promise<void>>();
    let wake = () => {};
    const start = (task: Task) => {
        task.tries++;
        const generation = limit.started();
        const signal = either(time.timeout(Math.max(1, deadline - time.now())), stop);
        const call: Promise<void> = bounded(attempt(client, task.target, signal), signal)
            .then(
                (result) => {
                    limit.succeeded();
                    settle(task, result);
                },
                (error: unknown) => {
                    if (stop?.aborted === true) {
                        task.cut = true;
                        return;
                    }
                    // The deadline cutting a call short is not the reason the role failed: keep the one before it.
                    const cutShort = (error as Error).name === "AbortError";
                    if (!cutShort || task.last === "") {
                        task.last = cutShort ? "the deadline came during the first call" : awsError(error);
                        task.cause = cutShort ? `no answer from ${site.url} by the deadline` : failureCause(error, site);
                    }
                    if (throttled(error)) limit.throttled(generation);
                    if (cutShort) return;
                    if (!retryable(error))
                        return settle(task, { target: task.target, outcome: "failed", detail: task.last, cause: task.cause });
                    task.readyAt = time.now() + backoff(schedule, task.retries++);
                    run.board?.failingFor(task.target, task.cause!);
                    retries.push(task);
                },
            )
            .finally(() => {
                running.delete(call);
                wake();
            });
        running.add(call);
    };
    const stopped = () => stop?.aborted === true || time.now() >= deadline;
    while (!stopped()) {
        const now = time.now();
        // Retries that are due first (they have waited), then roles never tried, up to the account's limit.
        for (let i = 0; i < retries.length && running.size < limit.current;) {
            if (retries[i].readyAt <= now) start(retries.splice(i, 1)[0]);
            else i++;
        }
        while (fresh < tasks.length && running.size < limit.current) start(tasks[fresh++]);
        if (fresh === tasks.length && retries.length === 0 && running.size === 0) break;
        const next = retries.reduce((at, task) => Math.min(at, task.readyAt), Infinity);
        const woken = new Promise<void>((resolve) => (wake = resolve));
        const interrupted = stop === undefined ? [] : [aborted(stop)];
        if (running.size > 0) {
            // A call ends, or the next retry is due: waited on `time.timeout`, which a test's clock does not move.
            const due = next > now && Number.isFinite(next) ? [aborted(time.timeout(next - now))] : [];
            await Promise.race([woken, ...due, ...interrupted]);
        } else {
            // Nothing in flight: the next retry is due, or the deadline comes.
            await Promise.race([time.sleep(Math.min(next, deadline) - now), ...interrupted]);
        }
    }
    // The calls still in flight end now: the deadline's or the interruption's signal aborts them.
    await Promise.all(running);
    for (const task of tasks.filter((t) => !results.has(t.target))) {
        const [detail, cause] =
            stop?.aborted === true
                ? task.cut
                    ? ["interrupted during its call: it may or may not be applied; a rerun settles it", INTERRUPTED_DURING]
                    : [
                          task.tries === 0
                              ? "interrupted before its first call"
                              : `interrupted before it was applied, after ${task.tries} attempt${task.tries === 1 ? "" : "s"}; last: ${task.last}`,
                          INTERRUPTED_BEFORE,
                      ]
                : task.tries === 0 || task.last === ""
                  ? ["not attempted before the deadline", "not attempted before the deadline"]
                  : [
                        `not applied by the deadline after ${task.tries} attempt${task.tries === 1 ? "" : "s"}; last: ${task.last}`,
                        task.cause ?? `no answer from ${site.url} by the deadline`,
                    ];
        settle(task, { target: task.target, outcome: "failed", detail, cause });
    }
    return targets.map((t) => results.get(t)!);
}

/** How many of the roles now deny the sessions: all, some or none. */
export function appliedCount(results: EmergencyResult[]): "all" | "some" | "none" {
    const applied = results.filter((r) => r.outcome !== "failed").length;
    return applied === results.length ? "all" : applied === 0 ? "none" : "some";
}

/** Rows of three columns as a table for a terminal: the first two aligned, the last as it is. */
export function alignedRows(rows: string[][]): string {
    const widths = [0, 1].map((column) => Math.max(...rows.map((row) => row[column].length)));
    return rows.map((row) => `${row[0].padEnd(widths[0])}  ${row[1].padEnd(widths[1])}  ${row[2]}`).join("\n");
}

/** The per-role result table, aligned for a terminal. */
export function resultTable(results: EmergencyResult[]): string {
    const word = { revoked: "revoked", already: "applied", failed: "FAILED" };
    return alignedRows([
        ["role", "IAM role", "result"],
        ...results.map((r) => [r.target.key, r.target.roleName, `${word[r.outcome]}: ${r.detail}`]),
    ]);
}

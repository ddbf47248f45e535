/**
 * The emergency path: put the revocation policy on roles at once through the IAM API, with
 * exactly the name and document the component renders, so the next `pulumi up` adopts it as is.
 *
 * Nothing may hang or be skipped in an incident: every call has a connection and a request
 * timeout, the whole run has a deadline, and failures that may pass (throttling, 5xx, resets,
 * timeouts) are retried per role, in rounds with backoff and jitter, until the deadline; the
 * SDK's own retries (one budget shared by all calls) are off. A role whose live policy already
 * denies at least as much counts as applied, so a rerun converges. Time is the caller's
 * ({@link Schedule}'s `time`): this module reads no clock of its own.
 */
import { GetRolePolicyCommand, IAMClient, PutRolePolicyCommand } from "@aws-sdk/client-iam";
import { REVOCATION_POLICY_NAME, decodePolicyDocument } from "../iam/policy";
import { Cutoff } from "../iam/cutoff";
import { formatUtc, parseTimestamp } from "../iam/timestamps";
import { liveCutoff as deniedBefore } from "../iam/liveRevocation";
import { DEFAULT_TIMEOUTS, Timeouts } from "./client";
import { awsError, retryable } from "./errors";
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
    /** For `already`: the live policy's cutoff when it is later than the target's, as the stack file records it. */
    laterCutoff?: Cutoff;
}

/**
 * IAM acts in the caller's account: a role is named by its name alone, so credentials of another
 * account would revoke a namesake role there and report this one revoked. Before any call, the
 * credentials' account is checked against the accounts the stack deploys to; undefined when it is
 * one of them, else every target failed with the reason, nothing applied.
 */
export async function accountMismatch(
    targets: EmergencyTarget[],
    allowed: string[],
    ask: (signal: AbortSignal) => Promise<string>,
    where: string,
    schedule: Schedule,
    timeouts: Timeouts = DEFAULT_TIMEOUTS,
): Promise<EmergencyResult[] | undefined> {
    let detail = "";
    // Retried like the roles' calls until the deadline: a throttled or reset call is no answer.
    for (let round = 0; ; round++) {
        const remaining = schedule.deadline - schedule.time.now();
        const signal = schedule.time.timeout(Math.max(1, Math.min(remaining, timeouts.requestMs)));
        try {
            const actual = await ask(signal);
            if (allowed.includes(actual)) return undefined;
            detail = `these credentials act in account ${actual}, not ${allowed.join(" or ")} (${where}); nothing was applied, so that a namesake role in ${actual} is not revoked instead: use credentials of ${allowed.join(" or ")}`;
            break;
        } catch (error) {
            detail = `the credentials' account could not be confirmed (${awsError(error)}); nothing was applied, so that a namesake role in another account is not revoked instead: rerun when sts:GetCallerIdentity answers`;
            const delay = backoff(schedule, round);
            // The SDK reports its own timeout's abort as an AbortError: a call that outlived its attempt is retried too.
            const timedOut = (error as Error).name === "TimeoutError" || signal.aborted;
            if (!(retryable(error) || timedOut) || schedule.time.now() + delay >= schedule.deadline) break;
            await schedule.time.sleep(delay);
        }
    }
    return targets.map((target) => ({ target, outcome: "failed", detail }));
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

/** Maps with at most `limit` calls in flight. */
async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
    const results: R[] = new Array(items.length);
    let next = 0;
    const worker = async () => {
        while (next < items.length) {
            const index = next++;
            results[index] = await fn(items[index]);
        }
    };
    await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
    return results;
}

/** When and how hard the emergency path tries. */
export interface Schedule {
    /** The instant (ms since the epoch, on `time`) by which the run ends, applied or not. */
    deadline: number;
    /** The clock, the waits, the calls' timeouts and the jitter. */
    time: Time;
    /** Calls in flight at once. */
    concurrency: number;
    /** The first retry round waits up to this long; each later one twice as long, up to `maxDelayMs` (full jitter). */
    baseDelayMs: number;
    maxDelayMs: number;
}

/** Four calls at a time; retries after up to 0.2 s, doubling to at most 5 s; the deadline `deadlineMs` from now. */
export function defaultSchedule(deadlineMs: number, time: Time): Schedule {
    return { deadline: time.now() + deadlineMs, time, concurrency: 4, baseDelayMs: 200, maxDelayMs: 5_000 };
}

/** The wait before retry round `round + 1`: full jitter, so that retrying roles spread out instead of hitting a throttled API together. */
function backoff(schedule: Schedule, round: number): number {
    return schedule.time.random() * Math.min(schedule.maxDelayMs, schedule.baseDelayMs * 2 ** round);
}

/**
 * Revokes every target, at most `concurrency` calls at a time; one role's failure never stops
 * the others. Roles whose attempt fails in a way that may pass are tried again in the next round,
 * after a backoff with jitter, until they are applied or the deadline comes; every role ends
 * revoked, already revoked, or failed with the reason. `onResult` hears of each role as it ends.
 */
export async function revokeNow(
    client: IAMClient,
    targets: EmergencyTarget[],
    schedule: Schedule,
    onResult: (result: EmergencyResult) => void = () => {},
): Promise<EmergencyResult[]> {
    const results = new Map<EmergencyTarget, EmergencyResult>();
    const attempts = new Map<EmergencyTarget, { count: number; last: string }>();
    const settle = (result: EmergencyResult) => {
        results.set(result.target, result);
        onResult(result);
    };
    let pending = targets;
    for (let round = 0; pending.length > 0; round++) {
        const retry: EmergencyTarget[] = [];
        await mapLimit(pending, schedule.concurrency, async (target) => {
            const remaining = schedule.deadline - schedule.time.now();
            if (remaining <= 0) return;
            const tried = attempts.get(target) ?? { count: 0, last: "" };
            tried.count++;
            attempts.set(target, tried);
            try {
                settle(await attempt(client, target, schedule.time.timeout(remaining)));
            } catch (error) {
                // The deadline cutting a call short is not the reason the role failed: keep the one before it.
                const aborted = (error as Error).name === "AbortError";
                if (!aborted || tried.last === "") tried.last = aborted ? "the deadline came during the first call" : awsError(error);
                if (retryable(error) || aborted) retry.push(target);
                else settle({ target, outcome: "failed", detail: tried.last });
            }
        });
        const delay = backoff(schedule, round);
        if (retry.length === 0 || schedule.time.now() + delay >= schedule.deadline) break;
        await schedule.time.sleep(delay);
        pending = retry;
    }
    for (const target of targets.filter((t) => !results.has(t))) {
        const tried = attempts.get(target);
        settle({
            target,
            outcome: "failed",
            detail:
                tried === undefined || tried.last === ""
                    ? "not attempted before the deadline"
                    : `not applied by the deadline after ${tried.count} attempt${tried.count === 1 ? "" : "s"}; last: ${tried.last}`,
        });
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

/**
 * The emergency path: put the revocation policy on roles at once through the IAM API, with
 * exactly the name and document the component renders, so the next `pulumi up` adopts it as is.
 *
 * Nothing may hang or be skipped in an incident: every call has a connection and a request
 * timeout, the whole run has a deadline, and failures that may pass (throttling, 5xx, resets,
 * timeouts) are retried per role, in rounds with backoff and jitter, until the deadline; the
 * SDK's own retries (one budget shared by all calls) are off. A role whose live policy already
 * denies at least as much counts as applied, so a rerun converges.
 */
import { GetRolePolicyCommand, IAMClient, IAMClientConfig, PutRolePolicyCommand } from "@aws-sdk/client-iam";
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { REVOCATION_POLICY_NAME, decodePolicyDocument } from "../iam/policy";
import { Cutoff } from "../iam/cutoff";
import { parseTimestamp } from "../iam/timestamps";

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

/** How long calls may take. */
export interface Timeouts {
    connectMs: number;
    requestMs: number;
}

/** Per call: 3 s to connect, 10 s for the answer. */
export const DEFAULT_TIMEOUTS: Timeouts = { connectMs: 3_000, requestMs: 10_000 };

/** The IAM client's settings: timeouts, and no retries of its own (the caller retries per role, not from one shared budget). */
export function iamClientConfig(endpoint?: string, region?: string, timeouts: Timeouts = DEFAULT_TIMEOUTS): IAMClientConfig {
    return {
        ...(endpoint === undefined ? {} : { endpoint }),
        region: region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? "us-east-1",
        maxAttempts: 1,
        requestHandler: { connectionTimeout: timeouts.connectMs, requestTimeout: timeouts.requestMs, throwOnRequestTimeout: true },
    };
}

/** An IAM client on the standard credential chain, with {@link iamClientConfig}'s settings. */
export function iamClient(endpoint?: string, region?: string, who: Credentials = {}): IAMClient {
    return new IAMClient({ ...iamClientConfig(endpoint, region), ...credentialsOf(who, endpoint, region) });
}

/**
 * Where a client's credentials come from: an AWS config profile, a role to assume (with the
 * profile's credentials, else the standard chain's), or, with neither, the standard chain.
 */
export interface Credentials {
    profile?: string;
    roleArn?: string;
    externalId?: string;
}

/** Temporary credentials, as the SDK's clients take them. */
interface SessionCredentials {
    accessKeyId: string;
    secretAccessKey: string;
    sessionToken?: string;
    expiration?: Date;
}

/** The session name of an assumed role, as CloudTrail shows it. */
export const ROLE_SESSION_NAME = "revocable-roles-revoke";

/** The client settings for `who`: the profile, or a provider that assumes the role once and again if that fails. */
function credentialsOf(who: Credentials, endpoint: string | undefined, region: string | undefined) {
    const profile = who.profile === undefined ? {} : { profile: who.profile };
    if (who.roleArn === undefined) return profile;
    const { roleArn, externalId } = who;
    let session: Promise<SessionCredentials> | undefined;
    const assume = async (): Promise<SessionCredentials> => {
        const { endpoint: url, region: at, maxAttempts, requestHandler } = iamClientConfig(endpoint, region);
        const sts = new STSClient({ ...(url === undefined ? {} : { endpoint: url }), ...profile, region: at, maxAttempts, requestHandler });
        try {
            const { Credentials: c } = await sts.send(
                new AssumeRoleCommand({
                    RoleArn: roleArn,
                    RoleSessionName: ROLE_SESSION_NAME,
                    ...(externalId === undefined ? {} : { ExternalId: externalId }),
                }),
            );
            if (c?.AccessKeyId === undefined || c.SecretAccessKey === undefined)
                throw new Error(`sts:AssumeRole of ${roleArn} returned no credentials`);
            return {
                accessKeyId: c.AccessKeyId,
                secretAccessKey: c.SecretAccessKey,
                sessionToken: c.SessionToken,
                expiration: c.Expiration,
            };
        } finally {
            sts.destroy();
        }
    };
    // One session for the whole run; a failed attempt is forgotten, so the emergency path's retries try again.
    const credentials = () =>
        (session ??= assume().catch((error: unknown) => {
            session = undefined;
            throw error;
        }));
    return { credentials };
}

/**
 * The account the credentials act in (sts:GetCallerIdentity, which no policy can deny), asked at
 * the same endpoint as IAM's when one is given.
 */
export async function callerAccount(
    endpoint: string | undefined,
    region: string | undefined,
    signal: AbortSignal,
    who: Credentials | { credentials: { accessKeyId: string; secretAccessKey: string } } = {},
): Promise<string> {
    const { endpoint: url, region: at, maxAttempts, requestHandler } = iamClientConfig(endpoint, region);
    const client = new STSClient({
        ...(url === undefined ? {} : { endpoint: url }),
        ...("credentials" in who ? { credentials: who.credentials } : credentialsOf(who, endpoint, region)),
        region: at,
        maxAttempts,
        requestHandler,
    });
    try {
        const identity = await client.send(new GetCallerIdentityCommand({}), { abortSignal: signal });
        if (identity.Account === undefined) throw new Error("sts:GetCallerIdentity named no account");
        return identity.Account;
    } finally {
        client.destroy();
    }
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
        const remaining = schedule.deadline - Date.now();
        const signal = AbortSignal.timeout(Math.max(1, Math.min(remaining, timeouts.requestMs)));
        try {
            const actual = await ask(signal);
            if (allowed.includes(actual)) return undefined;
            detail = `these credentials act in account ${actual}, not ${allowed.join(" or ")} (${where}); nothing was applied, so that a namesake role in ${actual} is not revoked instead: use credentials of ${allowed.join(" or ")}`;
            break;
        } catch (error) {
            detail = `the credentials' account could not be confirmed (${awsError(error)}); nothing was applied, so that a namesake role in another account is not revoked instead: rerun when sts:GetCallerIdentity answers`;
            const delay = Math.random() * Math.min(schedule.maxDelayMs, schedule.baseDelayMs * 2 ** round);
            // The SDK reports its own timeout's abort as an AbortError: a call that outlived its attempt is retried too.
            const timedOut = (error as Error).name === "TimeoutError" || signal.aborted;
            if (!(retryable(error) || timedOut) || Date.now() + delay >= schedule.deadline) break;
            await new Promise((resolve) => setTimeout(resolve, delay));
        }
    }
    return targets.map((target) => ({ target, outcome: "failed", detail }));
}

/** Which endpoint the calls go to, and who chose it, for the person running them. */
export function endpointInUse(flag: string | undefined, env: NodeJS.ProcessEnv, region: string): string {
    if (flag !== undefined) return `${flag} (from --endpoint-url)`;
    for (const name of ["AWS_ENDPOINT_URL_IAM", "AWS_ENDPOINT_URL"]) {
        const value = env[name];
        if (value !== undefined && value !== "") return `${value} (from the environment variable ${name})`;
    }
    return `the AWS IAM endpoint for ${region} (unless the AWS config file's profile sets endpoint_url)`;
}

/** What to do about an error, for the errors people hit in an incident; empty for the rest. */
export function remedy(name: string): string {
    switch (name) {
        case "CredentialsProviderError":
            return "no AWS credentials were found: set AWS_PROFILE (after aws sso login --profile <name>), or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary keys), or run where an instance or task role provides them";
        case "ExpiredToken":
        case "ExpiredTokenException":
        case "TokenRefreshRequired":
            return "the credentials have expired: refresh them (aws sso login, or new temporary keys) and rerun";
        case "InvalidClientTokenId":
        case "UnrecognizedClientException":
        case "SignatureDoesNotMatch":
            return "the access key is not valid here: check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or the profile in AWS_PROFILE";
        case "AccessDenied":
        case "AccessDeniedException":
            return "these credentials may not call iam:GetRolePolicy and iam:PutRolePolicy on the role: use a principal that may";
        default:
            return "";
    }
}

/** An AWS error in one line, with what to do about it when that is known. */
export function awsError(error: unknown): string {
    const e = error as { name?: string; message?: string; code?: string };
    const name = e.name === "Error" && e.code !== undefined ? e.code : (e.name ?? "Error");
    const hint = remedy(name);
    return `${name}: ${(e.message ?? String(error)).split("\n")[0]}${hint === "" ? "" : ` (${hint})`}`;
}

const RETRYABLE_NAMES = new Set([
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestLimitExceeded",
    "TooManyRequestsException",
    "RequestThrottled",
    "SlowDown",
    "ServiceFailure",
    "ServiceFailureException",
    "ServiceUnavailable",
    "ServiceUnavailableException",
    "InternalFailure",
    "InternalError",
    "RequestTimeout",
    "RequestTimeoutException",
    "TimeoutError",
]);
const RETRYABLE_CODES = new Set(["ECONNRESET", "ECONNREFUSED", "EPIPE", "ETIMEDOUT", "EAI_AGAIN", "ENETUNREACH", "EHOSTUNREACH"]);

/** Whether a failure may pass if the call is made again: throttling, a 5xx, a reset or refused connection, a timeout. */
export function retryable(error: unknown): boolean {
    const e = error as { name?: string; code?: string; $metadata?: { httpStatusCode?: number }; $retryable?: unknown; message?: string };
    if (e.name === "AbortError") return false;
    const status = e.$metadata?.httpStatusCode ?? 0;
    return (
        e.$retryable !== undefined ||
        RETRYABLE_NAMES.has(e.name ?? "") ||
        RETRYABLE_CODES.has(e.code ?? "") ||
        status === 429 ||
        status >= 500 ||
        /socket hang up/.test(e.message ?? "")
    );
}

/** The cutoff of a live RevokeOlderSessions policy, or undefined when the role has none. */
async function liveCutoff(client: IAMClient, roleName: string, abortSignal: AbortSignal): Promise<string | undefined> {
    try {
        const live = await client.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: REVOCATION_POLICY_NAME }), {
            abortSignal,
        });
        const cutoff = decodePolicyDocument(live.PolicyDocument ?? "{}").Statement?.[0]?.Condition?.DateLessThan?.["aws:TokenIssueTime"];
        return cutoff === undefined ? undefined : String(cutoff);
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
    /** The instant (ms since the epoch) by which the run ends, applied or not. */
    deadline: number;
    /** Calls in flight at once. */
    concurrency: number;
    /** The first retry round waits up to this long; each later one twice as long, up to `maxDelayMs` (full jitter). */
    baseDelayMs: number;
    maxDelayMs: number;
}

/** Four calls at a time; retries after up to 0.2 s, doubling to at most 5 s. */
export function defaultSchedule(deadlineMs: number): Schedule {
    return { deadline: Date.now() + deadlineMs, concurrency: 4, baseDelayMs: 200, maxDelayMs: 5_000 };
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
            const remaining = schedule.deadline - Date.now();
            if (remaining <= 0) return;
            const tried = attempts.get(target) ?? { count: 0, last: "" };
            tried.count++;
            attempts.set(target, tried);
            try {
                settle(await attempt(client, target, AbortSignal.timeout(remaining)));
            } catch (error) {
                // The deadline cutting a call short is not the reason the role failed: keep the one before it.
                const aborted = (error as Error).name === "AbortError";
                if (!aborted || tried.last === "") tried.last = aborted ? "the deadline came during the first call" : awsError(error);
                if (retryable(error) || aborted) retry.push(target);
                else settle({ target, outcome: "failed", detail: tried.last });
            }
        });
        // Full jitter: retrying roles spread out instead of hitting a throttled API together.
        const delay = Math.random() * Math.min(schedule.maxDelayMs, schedule.baseDelayMs * 2 ** round);
        if (retry.length === 0 || Date.now() + delay >= schedule.deadline) break;
        await new Promise((resolve) => setTimeout(resolve, delay));
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

/** The per-role result table, aligned for a terminal. */
export function resultTable(results: EmergencyResult[]): string {
    const word = { revoked: "revoked", already: "applied", failed: "FAILED" };
    const rows = [
        ["role", "IAM role", "result"],
        ...results.map((r) => [r.target.key, r.target.roleName, `${word[r.outcome]}: ${r.detail}`]),
    ];
    const widths = [0, 1].map((column) => Math.max(...rows.map((row) => row[column].length)));
    return rows.map((row) => `${row[0].padEnd(widths[0])}  ${row[1].padEnd(widths[1])}  ${row[2]}`).join("\n");
}

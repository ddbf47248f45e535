/**
 * AWS errors in an incident: what each means in one line, what to do about the ones people hit,
 * and which may pass if the call is made again.
 */

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

const THROTTLING_NAMES = new Set([
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestLimitExceeded",
    "TooManyRequestsException",
    "RequestThrottled",
    "SlowDown",
]);
const RETRYABLE_NAMES = new Set([
    ...THROTTLING_NAMES,
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

/** Whether IAM (or STS) throttled the call: the emergency path then slows down in that account. */
export function throttled(error: unknown): boolean {
    const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
    return THROTTLING_NAMES.has(e.name ?? "") || e.$metadata?.httpStatusCode === 429;
}

/** Where the calls of a run go: the endpoint's URL and, when the stack names it, the account the credentials must act in. */
export interface CallSite {
    url: string;
    account?: string;
}

const CONNECTION_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "ENETUNREACH", "EHOSTUNREACH", "EADDRNOTAVAIL"]);

/**
 * Why a call failed, in the words every role that failed the same way shares, so that failures
 * are reported once per cause, never once per role: `endpoint unreachable: <url>`, `no answer from
 * <url> in 10 s`, `expired credentials for <account>`, `throttled by <url>`, ...; the error's own
 * name for the rest.
 */
export function failureCause(error: unknown, site: CallSite): string {
    const e = error as { name?: string; code?: string; message?: string; $metadata?: { httpStatusCode?: number } };
    const name = e.name === "Error" && e.code !== undefined ? e.code : (e.name ?? "Error");
    const message = e.message ?? "";
    const inAccount = site.account === undefined ? "" : ` in ${site.account}`;
    const forAccount = site.account === undefined ? "" : ` for ${site.account}`;
    if (CONNECTION_CODES.has(e.code ?? "") || /did not establish a connection/.test(message)) return `endpoint unreachable: ${site.url}`;
    if (e.code === "ECONNRESET" || e.code === "EPIPE" || /socket hang up/.test(message)) return `connection reset by ${site.url}`;
    const waited = /(\d+) ms (?:requestTimeout|of inactivity)/.exec(message);
    if (name === "TimeoutError" || e.code === "ETIMEDOUT")
        return `no answer from ${site.url}${waited === null ? "" : ` in ${Number(waited[1]) / 1000} s`}`;
    if (["ExpiredToken", "ExpiredTokenException", "TokenRefreshRequired", "RequestExpired"].includes(name))
        return `expired credentials${forAccount}`;
    if (name === "CredentialsProviderError") return `no credentials found${forAccount}`;
    if (["InvalidClientTokenId", "UnrecognizedClientException", "SignatureDoesNotMatch"].includes(name))
        return `credentials not valid${forAccount}`;
    if (name === "AccessDenied" || name === "AccessDeniedException") return `access denied${inAccount}`;
    if (name === "NoSuchEntityException" || name === "NoSuchEntity") return `role not found${inAccount}`;
    if (throttled(error)) return `throttled by ${site.url}`;
    if ((e.$metadata?.httpStatusCode ?? 0) >= 500 || RETRYABLE_NAMES.has(name)) return `${site.url} failing (${name})`;
    return name;
}

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

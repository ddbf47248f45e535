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

/**
 * The emergency path: put the revocation policy on roles at once through the IAM API, with
 * exactly the name and document the component renders, so the next `pulumi up` adopts it as is.
 */
import { GetRolePolicyCommand, IAMClient, PutRolePolicyCommand } from "@aws-sdk/client-iam";
import { REVOCATION_POLICY_NAME, decodePolicyDocument } from "../components/policy";

/** One role to revoke now: its config key, physical name, cutoff and the exact policy JSON. */
export interface EmergencyTarget {
    key: string;
    roleName: string;
    cutoff: string;
    policy: string;
}

/** What happened to one role. */
export interface EmergencyResult {
    target: EmergencyTarget;
    outcome: "revoked" | "failed";
    detail: string;
}

/** An IAM client on the standard credential chain, retrying throttled and failed calls with backoff (8 attempts). */
export function iamClient(endpoint?: string, region?: string): IAMClient {
    return new IAMClient({
        ...(endpoint === undefined ? {} : { endpoint }),
        region: region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? "us-east-1",
        maxAttempts: 8,
        retryMode: "standard",
    });
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
    const e = error as { name?: string; message?: string };
    const name = e.name ?? "Error";
    const hint = remedy(name);
    return `${name}: ${(e.message ?? String(error)).split("\n")[0]}${hint === "" ? "" : ` (${hint})`}`;
}

/** The cutoff of a live RevokeOlderSessions policy, or undefined when the role has none. */
async function liveCutoff(client: IAMClient, roleName: string): Promise<string | undefined> {
    try {
        const live = await client.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: REVOCATION_POLICY_NAME }));
        const cutoff = decodePolicyDocument(live.PolicyDocument ?? "{}").Statement?.[0]?.Condition?.DateLessThan?.["aws:TokenIssueTime"];
        return cutoff === undefined ? undefined : String(cutoff);
    } catch (error) {
        if ((error as { name?: string }).name === "NoSuchEntityException" && /policy/i.test(String((error as Error).message))) {
            return undefined;
        }
        throw error;
    }
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

/** A live revocation that is later than the requested one: applying ours would weaken it. */
export interface LaterLiveRevocation {
    target: EmergencyTarget;
    liveCutoff: string;
}

/** The outcome of the emergency path: per-role results, or the refusal when a live revocation is later. */
export type EmergencyOutcome = { applied: true; results: EmergencyResult[] } | { applied: false; later: LaterLiveRevocation[] };

/**
 * Revokes every target, at most `concurrency` calls at a time; one role's failure never stops the
 * others. First reads each role's live policy: if any already denies more (a later cutoff), nothing
 * is written at all, since the pull request would then record, and deploy, a weaker revocation.
 */
export async function revokeNow(client: IAMClient, targets: EmergencyTarget[], concurrency = 4): Promise<EmergencyOutcome> {
    const live = await mapLimit(targets, concurrency, async (target) => {
        try {
            return { target, cutoff: await liveCutoff(client, target.roleName) };
        } catch (error) {
            return { target, error: awsError(error) };
        }
    });
    const later = live.flatMap((l) =>
        "cutoff" in l && l.cutoff !== undefined && Date.parse(l.cutoff) > Date.parse(l.target.cutoff)
            ? [{ target: l.target, liveCutoff: l.cutoff }]
            : [],
    );
    if (later.length > 0) {
        return { applied: false, later };
    }
    const results = await mapLimit(live, concurrency, async (l): Promise<EmergencyResult> => {
        if ("error" in l && l.error !== undefined) {
            return { target: l.target, outcome: "failed", detail: l.error };
        }
        try {
            await client.send(
                new PutRolePolicyCommand({
                    RoleName: l.target.roleName,
                    PolicyName: REVOCATION_POLICY_NAME,
                    PolicyDocument: l.target.policy,
                }),
            );
            return { target: l.target, outcome: "revoked", detail: `sessions issued before ${l.target.cutoff} are denied` };
        } catch (error) {
            return { target: l.target, outcome: "failed", detail: awsError(error) };
        }
    });
    return { applied: true, results };
}

/** How many of the roles the API call revoked: all, some or none. */
export function appliedCount(results: EmergencyResult[]): "all" | "some" | "none" {
    const revoked = results.filter((r) => r.outcome === "revoked").length;
    return revoked === results.length ? "all" : revoked === 0 ? "none" : "some";
}

/** The per-role result table, aligned for a terminal. */
export function resultTable(results: EmergencyResult[]): string {
    const rows = [
        ["role", "IAM role", "result"],
        ...results.map((r) => [r.target.key, r.target.roleName, `${r.outcome === "failed" ? "FAILED" : r.outcome}: ${r.detail}`]),
    ];
    const widths = [0, 1].map((column) => Math.max(...rows.map((row) => row[column].length)));
    return rows.map((row) => `${row[0].padEnd(widths[0])}  ${row[1].padEnd(widths[1])}  ${row[2]}`).join("\n");
}

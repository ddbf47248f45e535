/**
 * The clients of the emergency path: IAM and STS with a connection and a request timeout on
 * every call and no retries of their own (the caller retries per role, not from one shared
 * budget), credentials from a profile, a role to assume or the standard chain, and the account
 * they act in. The region and the environment's endpoint settings are handed in by the command.
 */
import { IAMClient, IAMClientConfig } from "@aws-sdk/client-iam";
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";

/** How long calls may take. */
export interface Timeouts {
    connectMs: number;
    requestMs: number;
}

/** Per call: 3 s to connect, 10 s for the answer. */
export const DEFAULT_TIMEOUTS: Timeouts = { connectMs: 3_000, requestMs: 10_000 };

/** The IAM client's settings: timeouts, and no retries of its own (the caller retries per role, not from one shared budget). */
export function iamClientConfig(endpoint: string | undefined, region: string, timeouts: Timeouts = DEFAULT_TIMEOUTS): IAMClientConfig {
    return {
        ...(endpoint === undefined ? {} : { endpoint }),
        region,
        maxAttempts: 1,
        requestHandler: { connectionTimeout: timeouts.connectMs, requestTimeout: timeouts.requestMs, throwOnRequestTimeout: true },
    };
}

/** An IAM client on the standard credential chain, with {@link iamClientConfig}'s settings. */
export function iamClient(endpoint: string | undefined, region: string, who: Credentials = {}): IAMClient {
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
export function credentialsOf(
    who: Credentials,
    endpoint: string | undefined,
    region: string,
): { profile?: string; credentials?: () => Promise<SessionCredentials> } {
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
    region: string,
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

/** Which endpoint the calls go to, and who chose it, for the person running them. */
export function endpointInUse(flag: string | undefined, env: Readonly<Record<string, string | undefined>>, region: string): string {
    if (flag !== undefined) return `${flag} (from --endpoint-url)`;
    for (const name of ["AWS_ENDPOINT_URL_IAM", "AWS_ENDPOINT_URL"]) {
        const value = env[name];
        if (value !== undefined && value !== "") return `${value} (from the environment variable ${name})`;
    }
    return `the AWS IAM endpoint for ${region} (unless the AWS config file's profile sets endpoint_url)`;
}

/**
 * The URL the calls go to, for the words of their failures: `--endpoint-url`, else the
 * environment's (AWS_ENDPOINT_URL_IAM, AWS_ENDPOINT_URL), else IAM's endpoint of the region's
 * partition (IAM is global: one endpoint per partition).
 */
export function endpointUrl(flag: string | undefined, env: Readonly<Record<string, string | undefined>>, region: string): string {
    const set = [flag, env.AWS_ENDPOINT_URL_IAM, env.AWS_ENDPOINT_URL].find((value) => value !== undefined && value !== "");
    if (set !== undefined) return set;
    if (region.startsWith("cn-")) return "https://iam.cn-north-1.amazonaws.com.cn";
    if (region.startsWith("us-gov-")) return "https://iam.us-gov.amazonaws.com";
    return "https://iam.amazonaws.com";
}

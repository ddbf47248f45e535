/**
 * `--now`: a decided revocation applied at once through the IAM API, after its stack file is
 * written. The credentials' account is checked first when the stack names its accounts (IAM acts
 * in the caller's account, so another account's credentials would revoke a namesake role), and a
 * live policy that already denies later sessions is recorded in the stack file, so that the pull
 * request never deploys a weaker revocation over it.
 */
import { LoadedStack, stackConfig } from "../config/loader";
import { readStackConfig } from "../config/stackConfig";
import { REVOCATION_POLICY_NAME } from "../iam/policy";
import { Credentials, endpointInUse } from "../apply/client";
import { EmergencyResult, accountMismatch, revokeNow } from "../apply/emergency";
import { AwsAccess } from "./context";
import { Decision } from "./decide";
import { Applied } from "./pullRequest";
import { setRoleCutoffs } from "./stackEdit";
import { replaceStackFile } from "./stackFile";

/** How the emergency path is asked to run: another endpoint than AWS's, and when to stop retrying. */
export interface EmergencyOptions {
    /** `--endpoint-url`: another IAM endpoint (the one in use is always named). */
    endpointUrl?: string;
    /** How long the IAM calls may take in all, in milliseconds. */
    deadlineMs: number;
}

/** The IAM endpoint the calls go to, and who chose it. */
export function endpointOf(options: EmergencyOptions, region: string | undefined, aws: AwsAccess): string {
    return endpointInUse(options.endpointUrl, aws.endpointVariables, region ?? aws.region);
}

/**
 * Applies one stack's decided revocation: every target at once, once the credentials' account is
 * confirmed to be one the stack deploys to (when it names them). `announce` hears the endpoint
 * before the first call.
 */
export async function applyToStack(
    decision: Decision,
    options: EmergencyOptions,
    aws: AwsAccess,
    announce: (endpoint: string) => void = () => {},
): Promise<Applied> {
    const endpoint = endpointOf(options, decision.region, aws);
    announce(endpoint);
    const region = decision.region ?? aws.region;
    const schedule = aws.schedule(options.deadlineMs);
    // Credentials of another account would revoke namesake roles there: checked first when the stack names its accounts.
    const where = `${decision.backend}:allowedAccountIds of ${decision.file}`;
    const ask = (signal: AbortSignal) => aws.account(options.endpointUrl, region, signal, {});
    const refused =
        decision.accounts === undefined ? undefined : await accountMismatch(decision.targets, decision.accounts, ask, where, schedule);
    const results = refused ?? (await revokeNow(aws.client(options.endpointUrl, region), decision.targets, schedule));
    return { results, endpoint };
}

/**
 * Records the later cutoffs live policies already hold, so that the pull request never deploys a
 * weaker revocation over them; returns the roles it could not record, with why.
 */
export function recordLaterCutoffs(
    decision: Decision,
    emergency: EmergencyResult[],
    now: Date,
    file: string,
    loaded: LoadedStack,
): string[] {
    const later = emergency.filter((r) => r.laterCutoff !== undefined);
    if (later.length === 0) return [];
    const text = setRoleCutoffs(decision.edited, new Map(later.map(({ target, laterCutoff }) => [target.key, laterCutoff!.toString()])));
    const check = readStackConfig(
        { ...loaded.config, ...stackConfig(decision.file, text, loaded.project.name) },
        { stackFile: decision.file, now },
    );
    if (!check.ok) {
        return later.map(
            (r) =>
                `${r.target.key} (${r.target.roleName}): its live ${REVOCATION_POLICY_NAME} denies sessions before ${r.laterCutoff}, which ${decision.file} cannot record (${check.errors[0]}); fix the live policy or the file before this pull request deploys, or pulumi up writes the earlier ${r.target.cutoff} over it`,
        );
    }
    replaceStackFile(file, decision.edited, text);
    for (const { target, laterCutoff } of later) target.cutoff = laterCutoff!;
    decision.edited = text;
    return [];
}

/** One stack's part of a change across stack files. */
export interface StackPart {
    decision: Decision;
    loaded: LoadedStack;
    path: string;
    /** With --now: the one account the stack deploys to. */
    account?: string;
}

/** What --now did in one account. */
export interface AccountResult {
    account: string;
    /** Where the credentials came from, in words. */
    credentials: string;
    results: EmergencyResult[];
}

/** Per account: the config profile (`--profile`) and the role to assume (`--role-arn`) given on the command line. */
export interface AccountCredentials {
    profiles: ReadonlyMap<string, string>;
    roles: ReadonlyMap<string, string>;
}

/** The role a stack file's `aws:assumeRoles` names for its deploys, when it names exactly one. */
export function stackRole(loaded: LoadedStack): { roleArn: string; externalId?: string } | undefined {
    const raw = loaded.config["aws:assumeRoles"];
    const roles = raw === undefined ? [] : (JSON.parse(raw) as { roleArn?: unknown; externalId?: unknown }[]);
    const [role] = Array.isArray(roles) ? roles : [];
    if (roles.length !== 1 || typeof role?.roleArn !== "string") return undefined;
    return typeof role.externalId === "string" ? { roleArn: role.roleArn, externalId: role.externalId } : { roleArn: role.roleArn };
}

/** Why a stack file's `aws:assumeRoles` cannot give --now its credentials: a chain, or an entry without a role. */
export function assumeRolesProblems(loaded: LoadedStack): string[] {
    const raw = loaded.config["aws:assumeRoles"];
    if (raw === undefined || stackRole(loaded) !== undefined) return [];
    return [
        `${loaded.file}: aws:assumeRoles is not one role with a roleArn; --now assumes at most one role per account: give it with --role-arn <account>=<role ARN>`,
    ];
}

/** The credentials for one account's calls, and where they come from in words. */
function accountCredentials(account: string, parts: StackPart[], given: AccountCredentials): { who: Credentials; words: string } {
    const fromStack = parts.map((p) => p.loaded.config["aws:profile"]).find((p) => p !== undefined);
    const profile = given.profiles.get(account) ?? fromStack;
    const stackRoles = parts.flatMap((p) => stackRole(p.loaded) ?? []);
    const role = given.roles.has(account) ? { roleArn: given.roles.get(account)! } : stackRoles[0];
    const base =
        given.profiles.get(account) !== undefined
            ? `profile ${profile} from --profile`
            : fromStack !== undefined
              ? `profile ${profile} from aws:profile`
              : "the standard credential chain";
    const words =
        role === undefined
            ? base
            : `role ${role.roleArn} from ${given.roles.has(account) ? "--role-arn" : "aws:assumeRoles"}, assumed with ${base}`;
    return { who: { ...(profile === undefined ? {} : { profile }), ...(role ?? {}) }, words };
}

/**
 * --now across stack files: per account, with that account's credentials (its --profile, else the
 * stack file's aws:profile, else the standard chain; and the role of its --role-arn, else of the
 * stack file's aws:assumeRoles, assumed with them), every account at the same time under one
 * deadline; credentials of another account apply nothing there (IAM would revoke namesake roles).
 */
export async function applyPerAccount(
    parts: StackPart[],
    options: EmergencyOptions,
    given: AccountCredentials,
    aws: AwsAccess,
): Promise<AccountResult[]> {
    const schedule = aws.schedule(options.deadlineMs);
    const accounts = [...new Set(parts.map((p) => p.account!))].sort();
    return Promise.all(
        accounts.map(async (account) => {
            const inAccount = parts.filter((p) => p.account === account);
            const { who, words } = accountCredentials(account, inAccount, given);
            const region = inAccount[0].decision.region ?? aws.region;
            const targets = inAccount.flatMap((p) => p.decision.targets);
            const files = inAccount.map((p) => `${p.decision.backend}:allowedAccountIds of ${p.decision.file}`).join(", ");
            const ask = (signal: AbortSignal) => aws.account(options.endpointUrl, region, signal, who);
            const refused = await accountMismatch(targets, [account], ask, files, schedule);
            const results = refused ?? (await revokeNow(aws.client(options.endpointUrl, region, who), targets, schedule));
            return { account, credentials: words, results };
        }),
    );
}

/** Records, in a stack's file, the later cutoffs live policies already held; returns what it could not. */
export function recordedLater(part: StackPart, applied: AccountResult[], now: Date): string[] {
    const mine = new Set(part.decision.targets);
    const results = applied.flatMap((a) => a.results).filter((r) => mine.has(r.target));
    return recordLaterCutoffs(part.decision, results, now, part.path, part.loaded);
}

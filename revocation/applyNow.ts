/**
 * `--now`: decided revocations applied at once through the IAM API, per account, with that
 * account's credentials, every account at the same time under one deadline. The credentials'
 * account is checked first when the stack names its accounts (IAM acts in the caller's account,
 * so another account's credentials would revoke a namesake role), progress is told at a fixed
 * interval while calls are pending, and a live policy that already denies later sessions is
 * recorded in the stack file, so that the pull request never deploys a weaker revocation over it.
 */
import { LoadedStack, stackConfig } from "../config/loader";
import { readStackConfig } from "../config/stackConfig";
import { REVOCATION_POLICY_NAME } from "../iam/policy";
import { Credentials, endpointInUse, endpointUrl } from "../apply/client";
import { EmergencyResult, Schedule, accountMismatch, revokeNow } from "../apply/emergency";
import { ProgressBoard, watchProgress } from "../apply/progress";
import { AwsAccess } from "./context";
import { Decision } from "./decide";
import { RevocationError } from "./errors";
import { setRoleCutoffs } from "./stackEdit";
import { LockOptions, lockStackFile, replaceStackFile } from "./stackFile";

/** How the emergency path is asked to run: another endpoint than AWS's, when to stop, whose credentials, and its interruption. */
export interface EmergencyOptions {
    /** `--endpoint-url`: another IAM endpoint (the one in use is always named). */
    endpointUrl?: string;
    /** How long the whole run may take, from the start of its work, in milliseconds. */
    deadlineMs: number;
    /** Per account, the config profile given with `--profile <account>=<profile>`. @default none */
    profiles?: ReadonlyMap<string, string>;
    /** Per account, the role given with `--role-arn <account>=<role ARN>`. @default none */
    roles?: ReadonlyMap<string, string>;
    /** Aborts when the run is interrupted (SIGINT, SIGTERM): no IAM call starts after it, and nothing waits for a lock. */
    stop?: AbortSignal;
}

/** How long `--now` waits for another run's lock on a stack file before it applies in IAM without writing the file: a few seconds. */
export const LOCK_WAIT_NOW_MS = 3_000;

/** The run's schedule: its deadline counted from now (the start of the command's work), and its interruption. */
export function emergencySchedule(options: EmergencyOptions, aws: AwsAccess): Schedule {
    const schedule = aws.schedule(options.deadlineMs);
    return options.stop === undefined ? schedule : { ...schedule, stop: options.stop };
}

/** How a stack file's lock is waited for under `--now`: a few seconds at most, never past the deadline, and not once interrupted. */
export function lockOptionsNow(schedule: Schedule, fileSystem: LockOptions["fileSystem"], waiting?: LockOptions["waiting"]): LockOptions {
    return {
        time: schedule.time,
        ...(waiting === undefined ? {} : { waiting }),
        waitMs: Math.max(0, Math.min(LOCK_WAIT_NOW_MS, schedule.deadline - schedule.time.now())),
        ...(schedule.stop === undefined ? {} : { stop: schedule.stop }),
        ...(fileSystem === undefined ? {} : { fileSystem }),
    };
}

/** The IAM endpoint the calls go to, and who chose it. */
export function endpointOf(options: EmergencyOptions, region: string | undefined, aws: AwsAccess): string {
    return endpointInUse(options.endpointUrl, aws.endpointVariables, region ?? aws.region);
}

/** One stack's part of a change across stack files. */
export interface StackPart {
    decision: Decision;
    loaded: LoadedStack;
    path: string;
    /** With --now: the one account the stack deploys to, when it names one. */
    account?: string;
}

/** What --now did in one account. */
export interface AccountResult {
    /** The account, when the stack files name it. */
    account?: string;
    /** Where the credentials came from, in words. */
    credentials: string;
    /** The credentials as used: the profile and the role assumed. */
    who: Credentials;
    /** The command-line flags that gave them (`--profile <a>=<p>`, `--role-arn <a>=<arn>`), for commands that rerun or check. */
    flags: string[];
    /** The endpoint's URL. */
    url: string;
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

/**
 * Credentials in words, and as the calls use them: a profile given on the command line, else the
 * stack file's `aws:profile`, else the standard chain; and a role given on the command line, else
 * the stack file's one `aws:assumeRoles`, assumed with them.
 */
export function credentialsInWords(
    given: { profile?: string; roleArn?: string },
    stack: { profile?: string; role?: { roleArn: string; externalId?: string } },
): { who: Credentials; words: string } {
    const profile = given.profile ?? stack.profile;
    const role = given.roleArn !== undefined ? { roleArn: given.roleArn } : stack.role;
    const base =
        given.profile !== undefined
            ? `profile ${profile} from --profile`
            : stack.profile !== undefined
              ? `profile ${profile} from aws:profile`
              : "the standard credential chain";
    const words =
        role === undefined
            ? base
            : `role ${role.roleArn} from ${given.roleArn !== undefined ? "--role-arn" : "aws:assumeRoles"}, assumed with ${base}`;
    return { who: { ...(profile === undefined ? {} : { profile }), ...(role ?? {}) }, words };
}

/** The credentials for one account's calls, where they come from in words, and the flags that gave them. */
function accountCredentials(
    account: string | undefined,
    parts: StackPart[],
    options: EmergencyOptions,
): { who: Credentials; words: string; flags: string[] } {
    const givenProfile = account === undefined ? undefined : options.profiles?.get(account);
    const givenRole = account === undefined ? undefined : options.roles?.get(account);
    const fromStack = parts.map((p) => p.loaded.config["aws:profile"]).find((p) => p !== undefined);
    const { who, words } = credentialsInWords(
        { ...(givenProfile === undefined ? {} : { profile: givenProfile }), ...(givenRole === undefined ? {} : { roleArn: givenRole }) },
        { ...(fromStack === undefined ? {} : { profile: fromStack }), role: parts.flatMap((p) => stackRole(p.loaded) ?? [])[0] },
    );
    const flags = [
        ...(givenProfile === undefined ? [] : ["--profile", `${account}=${givenProfile}`]),
        ...(givenRole === undefined ? [] : ["--role-arn", `${account}=${givenRole}`]),
    ];
    return { who, words, flags };
}

/** What the IAM phase tells as it goes. */
export interface ApplyHooks {
    /** A progress line, at least every 10 seconds while calls are pending. */
    tick?(line: string): void;
}

/**
 * --now across stack files: per account (the one each stack names; stacks that name none or
 * several form one group, checked against the accounts they name), with that account's
 * credentials (its --profile, else the stack file's aws:profile, else the standard chain; and the
 * role of its --role-arn, else of the stack file's aws:assumeRoles, assumed with them), every
 * account at the same time under the schedule's deadline; credentials of another account apply
 * nothing there (IAM would revoke namesake roles). A progress line is told while calls are pending.
 */
export async function applyPerAccount(
    parts: StackPart[],
    options: EmergencyOptions,
    aws: AwsAccess,
    schedule: Schedule,
    hooks: ApplyHooks = {},
): Promise<AccountResult[]> {
    const board = new ProgressBoard(schedule.time.now());
    const accounts = [...new Set(parts.map((p) => p.account))].sort();
    const work = Promise.all(
        accounts.map(async (account) => {
            const inAccount = parts.filter((p) => p.account === account);
            const { who, words, flags } = accountCredentials(account, inAccount, options);
            const region = inAccount[0].decision.region ?? aws.region;
            const url = endpointUrl(options.endpointUrl, aws.endpointVariables, region);
            const site = { url, ...(account === undefined ? {} : { account }) };
            const targets = inAccount.flatMap((p) => p.decision.targets);
            board.add(targets);
            // Credentials of another account would revoke namesake roles: checked first when the stacks name their accounts.
            const allowed = account === undefined ? inAccount[0].decision.accounts : [account];
            const files = inAccount.map((p) => `${p.decision.backend}:allowedAccountIds of ${p.decision.file}`).join(", ");
            const ask = (signal: AbortSignal) => aws.account(options.endpointUrl, region, signal, who);
            const refused =
                allowed === undefined
                    ? undefined
                    : await accountMismatch(targets, allowed, ask, files, schedule, undefined, { site, board });
            const results =
                refused ?? (await revokeNow(aws.client(options.endpointUrl, region, who), targets, schedule, undefined, { site, board }));
            return { ...(account === undefined ? {} : { account }), credentials: words, who, flags, url, results };
        }),
    );
    await Promise.all([work, watchProgress(board, schedule.time, schedule.deadline, work, (line) => hooks.tick?.(line))]);
    return work;
}

/** Where a stack's later cutoffs are written: its file, under its lock; undefined when its edit is not recorded in the file. */
export interface FileRecord {
    file: string;
    lock: LockOptions;
}

/**
 * Records the later cutoffs live policies already hold, so that the pull request never deploys a
 * weaker revocation over them: in the stack file, under its lock (taken again: no lock is held
 * during the IAM calls), or, when the file does not record the edit (`record` undefined), in the
 * edit still to be made. Returns the roles it could not record, with why.
 */
export async function recordLaterCutoffs(
    decision: Decision,
    emergency: EmergencyResult[],
    now: Date,
    loaded: LoadedStack,
    record: FileRecord | undefined,
): Promise<string[]> {
    const later = emergency.filter((r) => r.laterCutoff !== undefined && decision.targets.includes(r.target));
    if (later.length === 0) return [];
    const text = setRoleCutoffs(decision.edited, new Map(later.map(({ target, laterCutoff }) => [target.key, laterCutoff!.toString()])));
    const check = readStackConfig(
        { ...loaded.config, ...stackConfig(decision.file, text, loaded.project.name) },
        { stackFile: decision.file, now },
    );
    const unrecorded = (why: string) =>
        later.map(
            (r) =>
                `${r.target.key} (${r.target.roleName}): its live ${REVOCATION_POLICY_NAME} denies sessions before ${r.laterCutoff}, which ${decision.file} ${why}; fix the live policy or the file before this pull request deploys, or pulumi up writes the earlier ${r.target.cutoff} over it`,
        );
    if (!check.ok) return unrecorded(`cannot record (${check.errors[0]})`);
    if (record !== undefined) {
        let lock: { release(): void } | undefined;
        try {
            lock = await lockStackFile(record.file, record.lock);
            replaceStackFile(record.file, decision.edited, text, { fileSystem: record.lock.fileSystem });
        } catch (error) {
            if (!(error instanceof RevocationError)) throw error;
            return unrecorded(`does not record: ${error.message}`);
        } finally {
            lock?.release();
        }
    }
    for (const { target, laterCutoff } of later) target.cutoff = laterCutoff!;
    decision.edited = text;
    return [];
}

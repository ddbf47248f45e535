/**
 * `revoke --stack`: writes a revocation into a stack file (and, with `now`, applies it at once
 * through the IAM API), and makes the pull request that records it. Nothing is written before
 * everything is decided, and the stack file is written, under its lock, before the first IAM
 * call: an interrupted emergency run still leaves the record its pull request needs. The lock is
 * released before the IAM calls, so another responder's run never waits on this one's. With
 * `now`, IAM never waits on the file: when the lock cannot be had within a few seconds, or the
 * file cannot be written (a read-only checkout, a full disk), the revocation is applied anyway
 * and the outcome says it is NOT RECORDED, with the exact edit to make.
 */
import * as fs from "fs";
import * as path from "path";
import { LoadedStack, loadStack } from "../config/loader";
import { stackFileName } from "../config/files";
import { directorySource } from "../config/sources";
import { repositoryRoles } from "../analysis/containment";
import { EmergencyResult } from "../apply/emergency";
import {
    AccountResult,
    EmergencyOptions,
    StackPart,
    applyPerAccount,
    assumeRolesProblems,
    emergencySchedule,
    endpointOf,
    lockOptionsNow,
    recordLaterCutoffs,
} from "./applyNow";
import { RevocationContext } from "./context";
import { Decision, RoleRevocationRequest, decide } from "./decide";
import { unifiedDiff } from "./editDiff";
import { RevocationError } from "./errors";
import { checkBodyFile } from "./github";
import { checkCommands, verifyCommands } from "./nextCommands";
import { Applied, postablePullRequest } from "./pullRequest";
import { LockOptions, StackFileLock, lockStackFile, replaceStackFile } from "./stackFile";

/** A revocation of roles of one stack file, with what goes with it. */
export interface RevokeRolesRequest extends RoleRevocationRequest {
    /** Why, for the pull request. */
    reason?: string;
    /** Also apply the same policy at once through the IAM API (the emergency path). */
    now?: EmergencyOptions;
    /** Also write the pull request's body here, as given (relative to the project folder). */
    bodyFile?: string;
    /** Where the full report goes when the body must be summarised (relative to the project folder); default a file in the temporary folder. */
    reportFile?: string;
}

/** What the operation reports as it goes, before it is done: what a person watching needs first. */
export interface RevokeRolesProgress {
    /** With `now`, another run holds the stack file's lock: who, and how long this one waits for it at most. */
    waiting?(holder: string, waitMs: number): void;
    /** The stack file is written (or already recorded the revocation), or, with `now`, could not be: why. */
    recorded?(decision: Decision, notRecorded?: string): void;
    /** The IAM endpoint, before the first call. */
    endpoint?(endpoint: string): void;
    /** A progress line while IAM calls are pending. */
    tick?(line: string): void;
    /** Per role, what the IAM API did, and with which account's credentials. */
    applied?(results: EmergencyResult[], account: AccountResult): void;
}

/** A stack file's edit that `--now` applied in IAM but could not write: why, and the edit as a unified diff. */
export interface NotRecorded {
    file: string;
    reason: string;
    edit: string;
}

/** What was done. */
export interface RevokeRolesOutcome {
    decision: Decision;
    /** With `now`: what the IAM API did, and where. */
    applied?: Applied;
    /** With `now`: the account's credentials and endpoint, for the commands that rerun or check. */
    account?: AccountResult;
    /** Later live cutoffs the stack file could not record, with why. */
    unrecorded: string[];
    /** With `now`, when the stack file could not be written: the edit to make by hand. */
    notRecorded?: NotRecorded;
    /** With `now`: per account, the AWS CLI line that reads back what IAM holds. */
    checks: string[];
    pullRequest: { title: string; body: string; reportFile?: string };
}

/** What can be had of the stack file: the lock, or (with `now` only) why not. */
async function lockOrReason(
    file: string,
    request: RevokeRolesRequest,
    lockOptions: LockOptions,
): Promise<{ lock?: StackFileLock; reason?: string }> {
    try {
        return { lock: await lockStackFile(file, lockOptions) };
    } catch (error) {
        if (request.now === undefined || !(error instanceof RevocationError)) throw error;
        return { reason: error.message };
    }
}

/**
 * Refuses, before anything is written, credentials --now cannot use: `--profile` and `--role-arn`
 * name an account, which must be the one the stack file names; a chain of roles in the file's
 * `aws:assumeRoles` needs `--role-arn`.
 */
function refuseCredentials(options: EmergencyOptions, decision: Decision, loaded: LoadedStack): void {
    const account = decision.accounts?.length === 1 ? decision.accounts[0] : undefined;
    for (const [flag, given] of [
        ["--profile", options.profiles],
        ["--role-arn", options.roles],
    ] as const) {
        for (const named of given?.keys() ?? []) {
            if (account === undefined)
                throw new RevocationError(
                    `${flag} ${named}=...: ${decision.file} does not name the one account it deploys to; set ${decision.backend}:allowedAccountIds to it, so that --now uses these credentials there (nothing was written)`,
                );
            if (named !== account)
                throw new RevocationError(
                    `${flag} ${named}=...: ${decision.file} deploys to account ${account}, not ${named} (nothing was written)`,
                );
        }
    }
    const problems = options.roles?.has(account ?? "") === true ? [] : assumeRolesProblems(loaded);
    if (problems.length > 0) throw new RevocationError(`${problems.join("\n")} (nothing was written)`);
}

/** Revokes the roles: lock, decide, record, release, apply (with `now`), record later live cutoffs, and write the pull request's body. */
export async function revokeRoles(
    request: RevokeRolesRequest,
    context: RevocationContext,
    progress: RevokeRolesProgress = {},
): Promise<RevokeRolesOutcome> {
    const { root, now } = context;
    const source = directorySource(root);
    const file = path.join(root, stackFileName(request.stack));
    // The deadline counts from here: waiting for the lock is part of the run.
    const schedule = request.now === undefined ? undefined : emergencySchedule(request.now, context.aws);
    const waiting = (holder: string, waitMs: number) => progress.waiting?.(holder, waitMs);
    const lockOptions =
        schedule === undefined
            ? { time: context.time, ...(context.fileSystem === undefined ? {} : { fileSystem: context.fileSystem }) }
            : lockOptionsNow(schedule, context.fileSystem, waiting);
    if (request.bodyFile !== undefined) checkBodyFile(path.resolve(root, request.bodyFile), request.bodyFile);
    let notRecorded: string | undefined;
    let decision: Decision;
    let loaded: LoadedStack;
    // One writer per stack file, from before it is read until the last byte is written; released before any IAM call.
    const { lock, reason } =
        source.entries().get(stackFileName(request.stack)) === "file" ? await lockOrReason(file, request, lockOptions) : {};
    try {
        loaded = loadStack(source, request.stack);
        decision = decide(request, loaded, now, repositoryRoles(source, now).roles);
        if (request.now !== undefined) refuseCredentials(request.now, decision, loaded);
        notRecorded = decision.changed ? reason : undefined;
        // The record first: an emergency run that is interrupted or hangs still leaves what its pull request needs.
        if (decision.changed && lock !== undefined) {
            try {
                replaceStackFile(file, loaded.text, decision.edited, { fileSystem: context.fileSystem });
            } catch (error) {
                if (request.now === undefined || !(error instanceof RevocationError)) throw error;
                notRecorded = error.message;
            }
        }
    } finally {
        lock?.release();
    }
    const before = loaded.text;
    progress.recorded?.(decision, notRecorded);
    let applied: Applied | undefined;
    let account: AccountResult | undefined;
    let unrecorded: string[] = [];
    if (request.now !== undefined) {
        const accounts = decision.accounts;
        const part: StackPart = { decision, loaded, path: file, ...(accounts?.length === 1 ? { account: accounts[0] } : {}) };
        const endpoint = endpointOf(request.now, decision.region, context.aws);
        progress.endpoint?.(endpoint);
        [account] = await applyPerAccount([part], request.now, context.aws, schedule!, { tick: (line) => progress.tick?.(line) });
        applied = { results: account.results, endpoint };
        unrecorded = await recordLaterCutoffs(
            decision,
            account.results,
            now,
            loaded,
            notRecorded === undefined ? { file, lock: lockOptionsNow(schedule!, context.fileSystem, waiting) } : undefined,
        );
        progress.applied?.(account.results, account);
    }
    const reportFile =
        request.reportFile ??
        path.join(context.temporaryFolder, `revocable-roles-${request.stack}-${decision.cutoff.toString().replace(/:/g, "")}.md`);
    const rerun = {
        ...(request.now?.endpointUrl === undefined ? {} : { endpointUrl: request.now.endpointUrl }),
        credentials: account?.flags ?? [],
    };
    const pullRequest = postablePullRequest(decision, request.reason, applied, path.resolve(root, reportFile), rerun);
    if (request.bodyFile !== undefined) fs.writeFileSync(path.resolve(root, request.bodyFile), `${pullRequest.body}\n`);
    return {
        decision,
        ...(applied === undefined ? {} : { applied }),
        ...(account === undefined ? {} : { account }),
        unrecorded,
        ...(notRecorded === undefined
            ? {}
            : { notRecorded: { file: decision.file, reason: notRecorded, edit: unifiedDiff(decision.file, before, decision.edited) } }),
        checks:
            account === undefined
                ? []
                : [
                      ...checkCommands([account], request.now?.endpointUrl),
                      ...verifyCommands([{ stack: decision.stack, who: account.who }], request.now?.endpointUrl),
                  ],
        pullRequest,
    };
}

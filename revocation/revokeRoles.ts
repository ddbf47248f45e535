/**
 * `revoke --stack`: writes a revocation into a stack file (and, with `now`, applies it at once
 * through the IAM API), and makes the pull request that records it. Nothing is written before
 * everything is decided, and the stack file is written, under its lock, before the first IAM
 * call: an interrupted emergency run still leaves the record its pull request needs.
 */
import * as fs from "fs";
import * as path from "path";
import { loadStack } from "../config/loader";
import { stackFileName } from "../config/files";
import { directorySource } from "../config/sources";
import { repositoryRoles } from "../analysis/containment";
import { EmergencyResult } from "../apply/emergency";
import { EmergencyOptions, applyToStack, recordLaterCutoffs } from "./applyNow";
import { RevocationContext } from "./context";
import { Decision, RoleRevocationRequest, decide } from "./decide";
import { checkBodyFile } from "./github";
import { Applied, postablePullRequest } from "./pullRequest";
import { StackFileLock, lockStackFile, replaceStackFile } from "./stackFile";

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
    /** The stack file is written (or already recorded the revocation). */
    recorded?(decision: Decision): void;
    /** The IAM endpoint, before the first call. */
    endpoint?(endpoint: string): void;
    /** Per role, what the IAM API did. */
    applied?(results: EmergencyResult[]): void;
}

/** What was done. */
export interface RevokeRolesOutcome {
    decision: Decision;
    /** With `now`: what the IAM API did, and where. */
    applied?: Applied;
    /** Later live cutoffs the stack file could not record, with why. */
    unrecorded: string[];
    pullRequest: { title: string; body: string; reportFile?: string };
}

/** Revokes the roles: lock, decide, record, apply (with `now`), record later live cutoffs, and write the pull request's body. */
export async function revokeRoles(
    request: RevokeRolesRequest,
    context: RevocationContext,
    progress: RevokeRolesProgress = {},
): Promise<RevokeRolesOutcome> {
    const { root, now } = context;
    const source = directorySource(root);
    const file = path.join(root, stackFileName(request.stack));
    let lock: StackFileLock | undefined;
    try {
        // One writer per stack file, from before it is read until the last byte is written.
        if (source.entries().get(stackFileName(request.stack)) === "file") lock = await lockStackFile(file, { time: context.time });
        if (request.bodyFile !== undefined) checkBodyFile(path.resolve(root, request.bodyFile), request.bodyFile);
        const loaded = loadStack(source, request.stack);
        const decision = decide(request, loaded, now, repositoryRoles(source, now).roles);
        // The record first: an emergency run that is interrupted or hangs still leaves what its pull request needs.
        if (decision.changed) replaceStackFile(file, loaded.text, decision.edited);
        progress.recorded?.(decision);
        let applied: Applied | undefined;
        let unrecorded: string[] = [];
        if (request.now !== undefined) {
            applied = await applyToStack(decision, request.now, context.aws, (endpoint) => progress.endpoint?.(endpoint));
            unrecorded = recordLaterCutoffs(decision, applied.results, now, file, loaded);
            progress.applied?.(applied.results);
        }
        const reportFile =
            request.reportFile ??
            path.join(context.temporaryFolder, `revocable-roles-${request.stack}-${decision.cutoff.toString().replace(/:/g, "")}.md`);
        const pullRequest = postablePullRequest(decision, request.reason, applied, path.resolve(root, reportFile));
        if (request.bodyFile !== undefined) fs.writeFileSync(path.resolve(root, request.bodyFile), `${pullRequest.body}\n`);
        return { decision, ...(applied === undefined ? {} : { applied }), unrecorded, pullRequest };
    } finally {
        lock?.release();
    }
}

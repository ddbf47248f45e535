/**
 * `revoke --leaked <source>`: revocation by what leaked. Finds every role of every stack file the
 * source reaches (directly by trust, or through role chaining), and writes one revocation per role
 * into every stack file affected, in one change, with one cutoff and one pull request. Nothing is
 * written when any stack file is invalid or any cutoff would be earlier than one in force; the
 * files are written only after every one of them is decided, and put back if one cannot be. With
 * `now`, the locks are released before the IAM calls, and IAM never waits on a file: a file whose
 * lock cannot be had within a few seconds, or that cannot be written, is NOT RECORDED (its edit is
 * returned to be made by hand) while every account is applied anyway.
 */
import * as fs from "fs";
import * as path from "path";
import { loadStack } from "../config/loader";
import { stackFileName } from "../config/files";
import { ProjectSource, directorySource } from "../config/sources";
import { LeftOpen, RepositoryIndex, leftOpen, repositoryRoles } from "../analysis/containment";
import { Leak, LeakedSource, leakReach } from "../analysis/leaked";
import { Cutoff } from "../iam/cutoff";
import {
    AccountCredentials,
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
import { chooseCutoff, decide } from "./decide";
import { RevocationError } from "./errors";
import { checkBodyFile, fitForGitHub, writeFullReport } from "./github";
import { unifiedDiff } from "./editDiff";
import { leakPullRequest } from "./leakPullRequest";
import { checkCommands, verifyCommands } from "./nextCommands";
import { OrganizationDecision, decideOrganization, organizationStackOf } from "./organization";
import type { NotRecorded } from "./revokeRoles";
import { LockOptions, StackFileLock, lockStackFile, replaceStackFile } from "./stackFile";

/** What `revoke --leaked` is asked to do. */
export interface LeakedRequest {
    source: LeakedSource;
    /** The cutoff as written; default now, rounded up to the next whole second. */
    at?: string;
    reason?: string;
    /** Decide and show, write and apply nothing. */
    dryRun: boolean;
    /** Also write the pull request's body here, as given (relative to the project folder). */
    bodyFile?: string;
    /** Also apply the revocations at once through the IAM API, every account with its own credentials. */
    now?: EmergencyOptions & AccountCredentials;
}

/** The change decided across stack files: the roles the leak reaches, each stack's part, and the organization's. */
export interface LeakChange {
    leak: Leak;
    cutoff: Cutoff;
    /** The stacks with reached roles, sorted. */
    stacks: string[];
    parts: StackPart[];
    organization?: OrganizationDecision;
    /** What each reached role's revocation leaves open: who can still assume it, the workloads interrupted, who can undo it. */
    open: LeftOpen[];
    /** The stack files written (none on a dry run, nor when each already records it). */
    written: string[];
    /** With `now`: the stack files that could not be locked or written, by file, with why; their edits are made by hand. */
    unwritten: Map<string, string>;
}

/** What the operation reports as it goes. */
export interface LeakedProgress {
    /** With `now`, another run holds a stack file's lock: who, and how long this one waits for it at most. */
    waiting?(holder: string, waitMs: number): void;
    /** The stack files are written (or, on a dry run, would be; with `now`, those that could not be are named). */
    recorded?(change: LeakChange): void;
    /** With `now`: a progress line while IAM calls are pending. */
    tick?(line: string): void;
    /** With `now`: what the IAM API did in each account, and the endpoint. */
    applied?(endpoint: string, results: AccountResult[]): void;
}

/** What was done: nothing when no role is reachable and no organization stack revokes by name. */
export type LeakedOutcome =
    | { reached: false; cutoff: Cutoff }
    | {
          reached: true;
          change: LeakChange;
          applied?: AccountResult[];
          /** Later live cutoffs a stack file could not record, with why. */
          unrecorded: string[];
          /** With `now`: the stack files not written, each with its edit to make by hand. */
          notRecorded: NotRecorded[];
          /** With `now`: per account, the AWS CLI line that reads back what IAM holds. */
          checks: string[];
          pullRequest: { title: string; body: string };
          /** The full report, when the body is a summary. */
          reportFile?: string;
      };

/** Decides every affected stack file's part (and the organization's), each under its lock unless a dry run; throws with every problem. */
async function decideChange(
    request: LeakedRequest,
    source: ProjectSource,
    leak: Leak,
    organization: { stack?: string; names: string[] },
    context: RevocationContext,
    locks: StackFileLock[],
    lockOptions: LockOptions,
): Promise<Omit<LeakChange, "written" | "open">> {
    const { root, now } = context;
    const cutoff = chooseCutoff(request.at, now);
    const stacks = [...new Set(leak.reached.map((r) => r.role.stack))].sort();
    const unwritten = new Map<string, string>();
    // With --now, a file whose lock cannot be had is decided anyway, unlocked, and named NOT RECORDED: IAM never waits on it.
    const lock = async (file: string) => {
        if (request.dryRun) return;
        try {
            locks.push(await lockStackFile(file, lockOptions));
        } catch (error) {
            if (request.now === undefined || !(error instanceof RevocationError)) throw error;
            unwritten.set(path.basename(file), error.message);
        }
    };
    const parts: StackPart[] = [];
    const problems: string[] = [];
    for (const stack of stacks) {
        const file = path.join(root, stackFileName(stack));
        await lock(file);
        const loaded = loadStack(source, stack);
        const keys = leak.reached.filter((r) => r.role.stack === stack).map((r) => r.role.key);
        try {
            // No repository: what each role leaves open is leftOpen's, without the per-role search of the roles it reaches (the leak's own lists them).
            const decision = decide({ stack, roles: keys, all: false, at: request.at, withChained: false }, loaded, now);
            const part: StackPart = { decision, loaded, path: file };
            if (request.now !== undefined) {
                const accounts = decision.accounts;
                if (accounts?.length === 1) part.account = accounts[0];
                else
                    problems.push(
                        `${loaded.file}: --now needs the one account its roles are in, to use that account's credentials: set ${decision.backend}:allowedAccountIds to it`,
                    );
            }
            parts.push(part);
        } catch (error) {
            problems.push(
                ...(error as Error).message.split("\n").map((line) => (line.startsWith(loaded.file) ? line : `${loaded.file}: ${line}`)),
            );
        }
    }
    let decided: OrganizationDecision | undefined;
    if (organization.stack !== undefined && problems.length === 0) {
        // The organization stack's file may also hold reached roles: its edit then starts from theirs.
        const shared = parts.find((p) => p.decision.stack === organization.stack);
        if (shared === undefined) await lock(path.join(root, stackFileName(organization.stack)));
        const loaded = loadStack(source, organization.stack, shared?.decision.edited);
        try {
            decided = decideOrganization(
                loaded,
                organization.names.map((roleName) => ({ roleName })),
                cutoff,
                now,
            );
            if (shared !== undefined) {
                shared.decision.edited = decided.edited;
                shared.decision.changed = decided.edited !== shared.loaded.text;
            }
        } catch (error) {
            problems.push(...(error as Error).message.split("\n").filter((line) => line !== "nothing was written:"));
        }
    }
    problems.push(...credentialProblems(request, parts, problems.length === 0));
    if (problems.length > 0) throw new RevocationError(`nothing was written:\n${problems.join("\n")}`);
    return { leak, cutoff, stacks, parts, ...(decided === undefined ? {} : { organization: decided }), unwritten };
}

/** The --profile and --role-arn of accounts no affected stack file deploys to (when nothing else is wrong), and stack roles --now cannot assume. */
function credentialProblems(request: LeakedRequest, parts: StackPart[], otherwiseFine: boolean): string[] {
    if (request.now === undefined) return [];
    const problems: string[] = [];
    const affected = new Set(parts.flatMap((p) => p.account ?? []));
    for (const [flag, given] of [
        ["--profile", request.now.profiles],
        ["--role-arn", request.now.roles],
    ] as const) {
        for (const account of given.keys()) {
            if (!affected.has(account) && otherwiseFine && problems.length === 0)
                problems.push(
                    `${flag} ${account}=...: no affected stack file deploys to account ${account} (they deploy to ${[...affected].join(", ")})`,
                );
        }
    }
    const roles = request.now.roles;
    problems.push(...parts.flatMap((p) => (roles.has(p.account ?? "") ? [] : assumeRolesProblems(p.loaded))));
    return problems;
}

/** Every file a change edits, with its text before and after: the stacks' parts, and the organization stack when it is a file of its own. */
function editedFiles(change: Omit<LeakChange, "written" | "open">, root: string) {
    const { parts, organization } = change;
    return [
        ...parts.map((p) => ({ file: p.decision.file, path: p.path, before: p.loaded.text, after: () => p.decision.edited })),
        ...(organization === undefined || parts.some((p) => p.decision.stack === organization.stack)
            ? []
            : [
                  {
                      file: organization.file,
                      path: path.join(root, organization.file),
                      before: organization.loaded.text,
                      after: () => organization.edited,
                  },
              ]),
    ].filter((f) => f.after() !== f.before);
}

/**
 * Writes every file the change edits; returns the files written. Without `now`, all or nothing:
 * those already written are put back if one cannot be. With `now`, each file on its own: one that
 * is not locked or cannot be written joins `unwritten`, and IAM is applied all the same.
 */
function writeChange(change: Omit<LeakChange, "written" | "open">, root: string, now: boolean, context: RevocationContext): string[] {
    const files = editedFiles(change, root);
    const options = { fileSystem: context.fileSystem };
    const written: string[] = [];
    if (now) {
        // A file that needs no edit needs no record, locked or not.
        for (const file of [...change.unwritten.keys()]) if (!files.some((f) => f.file === file)) change.unwritten.delete(file);
        for (const f of files.filter((f) => !change.unwritten.has(f.file))) {
            try {
                replaceStackFile(f.path, f.before, f.after(), options);
                written.push(f.file);
            } catch (error) {
                if (!(error instanceof RevocationError)) throw error;
                change.unwritten.set(f.file, error.message);
            }
        }
        return written;
    }
    try {
        for (const f of files) {
            replaceStackFile(f.path, f.before, f.after(), options);
            written.push(f.file);
        }
    } catch (error) {
        for (const f of files.filter((f) => written.includes(f.file))) replaceStackFile(f.path, f.after(), f.before, options);
        throw new RevocationError(`nothing was written (${written.join(", ") || "no file"} put back): ${(error as Error).message}`);
    }
    return written;
}

/** `revoke --leaked`: decides, writes (unless a dry run), applies with `now`, records later live cutoffs, and makes the pull request. */
export async function revokeLeaked(
    request: LeakedRequest,
    context: RevocationContext,
    progress: LeakedProgress = {},
): Promise<LeakedOutcome> {
    const { root, now } = context;
    const cutoff = chooseCutoff(request.at, now);
    const source = directorySource(root);
    const repository = repositoryRoles(source, now);
    if (repository.problems.length > 0) {
        throw new RevocationError(
            `stack files that are not valid; fix them first (nothing was written):\n${repository.problems.join("\n")}`,
        );
    }
    const index = new RepositoryIndex(repository.roles);
    const leak = leakReach(request.source, index);
    // The organization layer: every reached role's name, and a leaked role's own, in every account.
    const organizationStack = organizationStackOf(source);
    const names =
        organizationStack === undefined
            ? []
            : [...new Set([...(request.source.kind === "role" ? [request.source.name] : []), ...leak.reached.map((r) => r.role.roleName)])];
    if (leak.reached.length === 0 && names.length === 0) return { reached: false, cutoff };
    // The deadline counts from here: waiting for the locks is part of the run.
    const options = request.now;
    const schedule = options === undefined ? undefined : emergencySchedule(options, context.aws);
    const waiting = (holder: string, waitMs: number) => progress.waiting?.(holder, waitMs);
    const lockOptions =
        schedule === undefined
            ? { time: context.time, ...(context.fileSystem === undefined ? {} : { fileSystem: context.fileSystem }) }
            : lockOptionsNow(schedule, context.fileSystem, waiting);
    if (request.bodyFile !== undefined) checkBodyFile(path.resolve(root, request.bodyFile), request.bodyFile);
    const locks: StackFileLock[] = [];
    let change: LeakChange;
    try {
        const decided = await decideChange(request, source, leak, { stack: organizationStack, names }, context, locks, lockOptions);
        const written = request.dryRun ? [] : writeChange(decided, root, options !== undefined, context);
        change = { ...decided, open: leak.reached.map((r) => leftOpen(r.role, index)), written };
    } finally {
        // Released before any IAM call: another responder's run never waits on this one's.
        for (const lock of locks) lock.release();
    }
    const files = editedFiles(change, root);
    progress.recorded?.(change);
    // The record first, then every account at once: revoking one first gives the holder time in the others.
    const applied =
        options !== undefined && change.parts.length > 0
            ? await applyPerAccount(change.parts, options, context.aws, schedule!, { tick: (line) => progress.tick?.(line) })
            : undefined;
    const unrecorded: string[] = [];
    for (const part of applied === undefined ? [] : change.parts) {
        const record = change.unwritten.has(part.decision.file)
            ? undefined
            : { file: part.path, lock: lockOptionsNow(schedule!, context.fileSystem, waiting) };
        unrecorded.push(
            ...(await recordLaterCutoffs(
                part.decision,
                applied!.flatMap((a) => a.results),
                now,
                part.loaded,
                record,
            )),
        );
    }
    if (applied !== undefined) progress.applied?.(endpointOf(options!, change.parts[0].decision.region, context.aws), applied);
    const pr = leakPullRequest(leak, change, request.reason, applied, {
        ...(options?.endpointUrl === undefined ? {} : { endpointUrl: options.endpointUrl }),
    });
    const fitted = fitForGitHub(pr.full, () => pr.summary);
    const reportFile = fitted.summarised
        ? writeFullReport(
              path.join(context.temporaryFolder, `revocable-roles-leaked-${change.cutoff.toString().replace(/:/g, "")}.md`),
              pr.full,
          )
        : undefined;
    const body = reportFile === undefined ? fitted.text : `${fitted.text}\n\n_The full report: ${path.basename(reportFile)}._`;
    if (request.bodyFile !== undefined) fs.writeFileSync(path.resolve(root, request.bodyFile), `${body}\n`);
    const notRecorded = files
        .filter((f) => change.unwritten.has(f.file))
        .map((f) => ({ file: f.file, reason: change.unwritten.get(f.file)!, edit: unifiedDiff(f.file, f.before, f.after()) }));
    return {
        reached: true,
        change,
        ...(applied === undefined ? {} : { applied }),
        unrecorded,
        notRecorded,
        checks:
            applied === undefined
                ? []
                : [
                      ...checkCommands(applied, options?.endpointUrl),
                      ...verifyCommands(
                          change.parts.map((p) => ({ stack: p.decision.stack, who: applied.find((a) => a.account === p.account)?.who })),
                          options?.endpointUrl,
                      ),
                  ],
        pullRequest: { title: pr.title, body },
        ...(reportFile === undefined ? {} : { reportFile }),
    };
}

/**
 * The steps of the GitHub Actions workflows that do more than one thing, as this project owns and
 * tests them on real git repositories: the trusted judge of a pull request (`ci guard`), the
 * offline plan of every stack a change can deploy differently (`ci pull-request`), and the deploy
 * of one stack judged against the commit deployed last (`ci deploy`).
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { changedFiles, changesProgram, checkoutAt, removeTemporaryFolder } from "../config/repository";
import { PROJECT_FILE, listStacks, loadStack, stackFileName } from "../config/loader";
import { directorySource, git, gitSource, resolveRef } from "../config/sources";
import { ORGANIZATION_TYPES } from "../backends/organization";
import { diffPlans, revocationTargets } from "../plan/diff";
import { ROLE_TYPES, POLICY_TYPES } from "../plan/deployment";
import { footprint, touched } from "../plan/model";
import { UserFacingError } from "../iam/errors";
import { RequestError, RevocationError } from "./errors";
import { Time } from "../apply/time";
import { AwsAccess } from "./context";
import { verifyStack } from "./verify";
import { failureLines, verificationTable } from "./verifyReport";
import { fitForGitHub, writeFullReport } from "./github";
import { formatMarkdown, formatText } from "./guardReport";
import { GitHubAccess } from "./githubApi";
import { overrideForDeploy, overrideForPullRequest } from "./override";
import type { Finding } from "../guard";
import {
    COMMENT_MARKER,
    DEPLOYED_COMMIT_TAG,
    GUARD_ARTIFACT,
    GUARD_FULL_FILE,
    GUARD_MARKER,
    GUARD_REPORT_FILE,
    REPORT_ARTIFACT,
    REPORT_FILE,
    REPORT_FULL_FILE,
} from "./workflowNames";

/** Where a step writes its log. */
export interface Log {
    write(text: string): unknown;
}

/** An error for a report: an expected one is its message; an unexpected one a line, or its stack with `debug`. */
function errorText(error: unknown, debug: boolean): string {
    if (error instanceof UserFacingError) return error.message;
    if (debug) return String((error as Error)?.stack ?? error);
    return `internal error: ${(error instanceof Error ? error.message : String(error)).split("\n")[0]} (set REVOCABLE_ROLES_DEBUG=1 for details)`;
}

/** The organization layer's resource types: a policy that moves or goes away, and its attachments, may have been protected. */
const ORGANIZATION_TYPE_SET: ReadonlySet<string> = new Set(Object.values(ORGANIZATION_TYPES));

/** The plans and the guard's rules, loaded when a step needs them: the Pulumi SDK takes most of a second to load. */
const planner = () => import("../plan/run");
const guardRules = () => import("../guard");

/** What the steps read from their surroundings: the repository, the program, the instant, and the environment GitHub sets. */
export interface WorkflowContext {
    root: string;
    programRoot: string;
    now: Date;
    variables: Readonly<Record<string, string | undefined>>;
    /** REVOCABLE_ROLES_DEBUG: an unexpected error in a report comes with its stack. */
    debug: boolean;
    /**
     * GitHub's API for the override of the freeze (read only when frozen paths changed), or why it
     * cannot be reached (no token).
     */
    github: GitHubAccess | string;
}

export {
    COMMENT_MARKER,
    GUARD_MARKER,
    REPORT_FILE,
    GUARD_REPORT_FILE,
    REPORT_FULL_FILE,
    REPORT_ARTIFACT,
    GUARD_FULL_FILE,
    GUARD_ARTIFACT,
    DEPLOYED_COMMIT_TAG,
} from "./workflowNames";

/** Appends `name=value` lines to the file GitHub reads step outputs from (when run by GitHub). */
export function setOutputs(env: Readonly<Record<string, string | undefined>>, outputs: Record<string, string>): void {
    if (env.GITHUB_OUTPUT === undefined || env.GITHUB_OUTPUT === "") return;
    fs.appendFileSync(
        env.GITHUB_OUTPUT,
        Object.entries(outputs)
            .map(([name, value]) => `${name}=${value}\n`)
            .join(""),
    );
}

/** Whether a changed file can change how every stack deploys: the project file, or the program. */
function changesEveryStack(file: string): boolean {
    return file === PROJECT_FILE || changesProgram(file);
}

/** Of `stacks`, those the changed `files` can deploy differently: all of them when the program or the project changed, else those whose file changed. */
export function stacksChangedBy(files: string[], stacks: string[]): string[] {
    if (files.some(changesEveryStack)) return stacks;
    return stacks.filter((stack) => files.includes(stackFileName(stack)));
}

/** The stacks a change can deploy differently: all of them when the program or the project changed, else those whose file changed. */
export function changedStacks(root: string, base: string): string[] {
    return stacksChangedBy(changedFiles(root, `${base}...HEAD`), listStacks(directorySource(root)));
}

/**
 * The pull request's offline plan: every stack the change can deploy differently, planned at the
 * base and at the head, written as one comment. It runs the pull request's own code, so it
 * informs reviewers and decides nothing: the verdict is the trusted guard's (`ci guard`).
 */
export async function pullRequestPlan(base: string, out: Log, ci: WorkflowContext): Promise<number> {
    const stacks = changedStacks(ci.root, base);
    const sections = [COMMENT_MARKER, "## Offline plan"];
    if (stacks.length === 0) sections.push("", "No stack changes.");
    const { planAt, planStack } = await planner();
    const summaries: [string, string][] = [];
    for (const stack of stacks) {
        let text: string;
        try {
            const after = await planStack(loadStack(directorySource(ci.root), stack), ci.programRoot, ci.now);
            const before = await planAt(gitSource(ci.root, base), stack, ci.programRoot, ci.now);
            text = diffPlans(before, after, base);
        } catch (error) {
            text = errorText(error, ci.debug);
        }
        sections.push("", `### Stack \`${stack}\``, "```diff", text, "```");
        summaries.push([stack, text.split("\n")[0]]);
    }
    const full = `${sections.join("\n")}\n`;
    // Over GitHub's limit the comment is each stack's summary line; the whole plan goes to an artifact.
    const { text: report, summarised } = fitForGitHub(full, () =>
        [
            COMMENT_MARKER,
            "## Offline plan",
            "",
            `> The plan is too long for a comment (${full.length} characters); the whole of it is in the artifact \`${REPORT_ARTIFACT}\` of this workflow run.`,
            ...summaries.flatMap(([stack, line]) => ["", `### Stack \`${stack}\``, "```diff", line, "```"]),
            "",
        ].join("\n"),
    );
    fs.writeFileSync(path.join(ci.root, REPORT_FILE), report);
    if (summarised) writeFullReport(path.join(ci.root, REPORT_FULL_FILE), full);
    setOutputs(ci.variables, { stacks: JSON.stringify(stacks), report: REPORT_FILE, ...(summarised ? { full: REPORT_FULL_FILE } : {}) });
    out.write(full);
    return 0;
}

/** The merge queue's branch of a pull request: `refs/heads/gh-readonly-queue/<base>/pr-<number>-<head sha>`. */
const QUEUE_REF = /^refs\/heads\/gh-readonly-queue\/.+\/pr-(\d+)-[0-9a-f]{40}$/;

/**
 * The base and head commits of the event that started the workflow (pull request,
 * pull_request_target, pull_request_review or merge group), and the pull request's number (in a
 * merge queue, from its branch's name).
 */
export function eventCommits(env: Readonly<Record<string, string | undefined>>): {
    base: string;
    head: string;
    number?: number;
    queued?: true;
} {
    const name = env.GITHUB_EVENT_NAME;
    if (env.GITHUB_EVENT_PATH === undefined || env.GITHUB_EVENT_PATH === "") {
        throw new RequestError("give --base and --head, or run in a GitHub Actions workflow (GITHUB_EVENT_PATH)");
    }
    const event = JSON.parse(fs.readFileSync(env.GITHUB_EVENT_PATH, "utf8")) as {
        pull_request?: { number: number; base: { sha: string }; head: { sha: string } };
        merge_group?: { base_sha: string; head_sha: string; head_ref?: string };
    };
    if ((name === "pull_request_target" || name === "pull_request" || name === "pull_request_review") && event.pull_request !== undefined) {
        return { base: event.pull_request.base.sha, head: event.pull_request.head.sha, number: event.pull_request.number };
    }
    if (name === "merge_group" && event.merge_group !== undefined) {
        const queued = QUEUE_REF.exec(event.merge_group.head_ref ?? "")?.[1];
        return {
            base: event.merge_group.base_sha,
            head: event.merge_group.head_sha,
            ...(queued === undefined ? {} : { number: Number(queued), queued: true as const }),
        };
    }
    throw new RevocationError(
        `ci guard runs on pull_request_target, pull_request_review, pull_request or merge_group events, not ${name ?? "an unknown event"}`,
    );
}

/**
 * Brings a commit into the clone when it is not there, from `origin`, with the workflow's token
 * handed to git through the environment only: nothing is written to the clone's configuration,
 * so no later step finds the credentials.
 */
function fetchCommit(root: string, commit: string, variables: Readonly<Record<string, string | undefined>>): void {
    try {
        git(root, ["cat-file", "-e", `${commit}^{commit}`]);
        return;
    } catch {
        // Not in the clone: fetch it below.
    }
    const token = variables.GITHUB_TOKEN;
    const auth =
        token === undefined || token === ""
            ? {}
            : {
                  GIT_CONFIG_COUNT: "1",
                  GIT_CONFIG_KEY_0: "http.extraheader",
                  GIT_CONFIG_VALUE_0: `AUTHORIZATION: basic ${Buffer.from(`x-access-token:${token}`).toString("base64")}`,
              };
    const result = spawnSync("git", ["fetch", "--no-tags", "--quiet", "origin", commit], {
        cwd: root,
        env: { ...variables, ...auth, GIT_TERMINAL_PROMPT: "0" },
        encoding: "utf8",
    });
    if (result.status !== 0) {
        throw new RevocationError(`cannot fetch the head commit ${commit} from origin: ${(result.stderr ?? "").trim().split("\n")[0]}`);
    }
}

/**
 * The trusted judge of a pull request: run in a checkout of the base commit, with the base's
 * dependencies, it fetches the head commit and judges it from git objects only (the head's code
 * is never run). Writes the report for the comment, and exits 1 on any failing finding.
 */
export async function guardPullRequest(flags: { base?: string; head?: string }, out: Log, ci: WorkflowContext): Promise<number> {
    const commits: ReturnType<typeof eventCommits> =
        flags.base !== undefined && flags.head !== undefined ? { base: flags.base, head: flags.head } : eventCommits(ci.variables);
    const checkedOut = resolveRef(ci.root, "HEAD");
    if (resolveRef(ci.root, commits.base) !== checkedOut) {
        throw new RevocationError(
            `the judge must run in a checkout of the base commit ${commits.base}, with the base's dependencies, but this checkout is at ${checkedOut}: check out the base (actions/checkout with ref: the base sha)`,
        );
    }
    fetchCommit(ci.root, commits.head, ci.variables);
    const { judge } = await guardRules();
    const judged = await judge({
        root: ci.root,
        programRoot: ci.programRoot,
        now: ci.now,
        base: commits.base,
        head: commits.head,
        headProgram: "base",
    });
    // Frozen paths changed: the two-person override may open the freeze, and nothing else.
    const findings = await withOverride(judged, (finding) =>
        overrideForPullRequest(finding, {
            root: ci.root,
            base: commits.base,
            ...(commits.queued === true ? {} : { head: commits.head }),
            ...(commits.number === undefined ? {} : { number: commits.number }),
            github: ci.github,
        }),
    );
    const weakened = findings.some((f) => f.verdict === "fail");
    const base = commits.base.slice(0, 12);
    const full = `${GUARD_MARKER}\n${formatMarkdown(findings, base)}\n`;
    const { text: report, summarised } = fitForGitHub(full, () => `${GUARD_MARKER}\n${formatMarkdown(findings, base, GUARD_ARTIFACT)}\n`);
    fs.writeFileSync(path.join(ci.root, GUARD_REPORT_FILE), report);
    if (summarised) writeFullReport(path.join(ci.root, GUARD_FULL_FILE), full);
    setOutputs(ci.variables, { report: GUARD_REPORT_FILE, weakened: String(weakened), ...(summarised ? { full: GUARD_FULL_FILE } : {}) });
    out.write(`${formatText(findings, commits.base)}\n`);
    return weakened ? 1 : 0;
}

/** The findings with the path rule's failure (frozen paths changed while revocations are in force) decided by the override. */
async function withOverride(findings: Finding[], decide: (finding: Finding) => Promise<Finding>): Promise<Finding[]> {
    const decided: Finding[] = [];
    for (const finding of findings)
        decided.push(finding.verdict === "fail" && finding.subject.kind === "paths" ? await decide(finding) : finding);
    return decided;
}

/** Runs the Pulumi CLI with the job's environment, its output going to the job's log. */
export type Pulumi = (args: string[], capture?: boolean) => { status: number; stdout: string };

/** The Pulumi CLI on PATH, each call written to `out` first. */
export function pulumiRunner(out: Log, ci: WorkflowContext): Pulumi {
    return (args, capture = false) => {
        out.write(`$ pulumi ${args.join(" ")}\n`);
        const result = spawnSync("pulumi", args, {
            cwd: ci.root,
            env: ci.variables,
            encoding: "utf8",
            stdio: ["ignore", capture ? "pipe" : "inherit", "inherit"],
        });
        if (result.error !== undefined)
            throw new RevocationError(`cannot run pulumi: ${result.error.message}; install the Pulumi CLI (pulumi/actions does)`);
        return { status: result.status ?? 1, stdout: result.stdout ?? "" };
    };
}

/** The commit deployed last to a stack, from its stack tag; undefined when the stack has none yet. */
export function deployedCommit(stack: string, pulumi: Pulumi): string | undefined {
    // `tag ls --json` tells a missing tag (absent from the object) from a failed call (a non-zero exit).
    const listed = pulumi(["stack", "tag", "ls", "--json", "--stack", stack], true);
    if (listed.status !== 0)
        throw new RevocationError(`cannot read the stack tags of ${stack} (exit code ${listed.status}); nothing was deployed`);
    let tags: unknown;
    try {
        tags = JSON.parse(listed.stdout);
    } catch {
        throw new RevocationError(`pulumi stack tag ls --json printed something that is not JSON; nothing was deployed`);
    }
    const value = (tags as Record<string, unknown> | null)?.[DEPLOYED_COMMIT_TAG];
    return typeof value === "string" && value !== "" ? value : undefined;
}

/** What a deploy since the last deployed commit does: the revocation policies to target (or none: in full), why, and what to unprotect first. */
export interface DeployPlan {
    targets: string[];
    reason: string;
    /** Roles, revocation policies and organization policies and attachments the update deletes or replaces: protected while they held a revocation in force, which the guard checked they no longer need. */
    unprotect: string[];
}

/** The deploy of one stack from the deployed commit `since` to HEAD, decided from the two offline plans. */
export async function deployPlan(stack: string, since: string, ci: Omit<WorkflowContext, "github">): Promise<DeployPlan> {
    const program = changedFiles(ci.root, since, "HEAD").filter(changesEveryStack);
    const checkout = program.some(changesProgram) ? checkoutAt(ci.root, since, path.join(ci.programRoot, "node_modules")) : undefined;
    try {
        const { planAt, planStack } = await planner();
        const before = await planAt(gitSource(ci.root, since), stack, checkout ?? ci.programRoot, ci.now);
        const after = await planStack(loadStack(gitSource(ci.root, "HEAD"), stack), ci.programRoot, ci.now);
        const f = footprint(before, after);
        const kinds = new Map(before.resources.map((r) => [r.urn, r.type]));
        const unprotect = [...f.removed, ...f.replaced.map((urn) => f.previous.get(urn) ?? urn)].filter((urn) => {
            const type = kinds.get(urn);
            return type !== undefined && (ROLE_TYPES.has(type) || POLICY_TYPES.has(type) || ORGANIZATION_TYPE_SET.has(type));
        });
        if (program.length > 0) return { targets: [], reason: `the program or the project changed (${program.join(", ")})`, unprotect };
        const targets = revocationTargets(before, after, f);
        const policies = targets.filter((urn) => !ROLE_TYPES.has(after.resources.find((r) => r.urn === urn)!.type)).length;
        if (targets.length > 0)
            return { targets, reason: `only revocation policies changed (${policies}), with their roles' revoked-until tags`, unprotect };
        const count = touched(f).length;
        return {
            targets: [],
            reason:
                count === 0
                    ? "nothing changed since the last deploy: a refreshed update restores any drift"
                    : `${count} resource(s) other than revocation policies change`,
            unprotect,
        };
    } finally {
        if (checkout !== undefined) removeTemporaryFolder(checkout);
    }
}

/** What the deploy also needs: AWS and time, to verify what it deployed. */
export interface DeployContext extends WorkflowContext {
    time: Time;
    aws: AwsAccess;
}

/** How long the deploy waits for what it deployed to read back live (IAM is eventually consistent): two minutes. */
export const VERIFY_DEADLINE_MS = 120_000;

/**
 * After a successful update: reads back every revocation in force in the stack (waiting, up to
 * {@link VERIFY_DEADLINE_MS}, for IAM to show it), prints per revocation its time to contain (from
 * its cutoff to the moment it was verified live), and fails when one is not live.
 */
async function verifyDeployed(stack: string, out: Log, err: Log, ci: DeployContext): Promise<number> {
    const verification = await verifyStack({ stack, repair: false, deadlineMs: VERIFY_DEADLINE_MS, settle: true }, ci);
    if (verification.checks.length === 0) {
        out.write(`No revocation is in force in stack ${stack}: nothing to verify.\n`);
        return 0;
    }
    out.write(
        `Verifying the revocations in force in stack ${stack} (IAM endpoint ${verification.endpoint}):\n${verificationTable(verification)}\n`,
    );
    const failures = failureLines(verification);
    if (failures.length === 0) return 0;
    err.write(
        `${failures.join("\n")}\nThe deploy of stack ${stack} succeeded, but ${failures.length} revocation(s) in force are not live in the account.\n`,
    );
    return 1;
}

/**
 * Deploys one stack with the Pulumi CLI, judging first what it deploys: the commit deployed last
 * (the stack tag) is the base, HEAD the head, and any failing finding stops the deploy before
 * `pulumi up`. When every change since then is a revocation policy added or moved later, only
 * those policies are updated (and refreshed); if that fails, or anything else changed, the stack
 * is deployed in full. After a successful update the tag moves to HEAD, and every revocation in
 * force is read back from the account: one that is not live fails the deploy.
 */
export async function deploy(stack: string, out: Log, err: Log, ci: DeployContext): Promise<number> {
    const pulumi = pulumiRunner(out, ci);
    const head = resolveRef(ci.root, "HEAD");
    const since = deployedCommit(stack, pulumi);
    const full = ["up", "--yes", "--refresh", "--stack", stack];
    const deployed = async (code: number) => {
        if (code !== 0) return code;
        const tagged = pulumi(["stack", "tag", "set", DEPLOYED_COMMIT_TAG, head, "--stack", stack]);
        if (tagged.status !== 0)
            err.write(
                `the update succeeded, but the stack tag ${DEPLOYED_COMMIT_TAG} could not be set to ${head}; the next deploy will compare with the older commit\n`,
            );
        const verified = await verifyDeployed(stack, out, err, ci);
        return tagged.status !== 0 ? tagged.status : verified;
    };
    if (since === undefined) {
        out.write(`Deploying stack ${stack} in full: it has no ${DEPLOYED_COMMIT_TAG} tag yet.\n`);
        return deployed(pulumi(full).status);
    }
    try {
        resolveRef(ci.root, since);
    } catch {
        throw new RevocationError(
            `the commit deployed last to ${stack} (${since}, stack tag ${DEPLOYED_COMMIT_TAG}) is not in this clone, so the change cannot be judged and nothing was deployed: fetch the full history (actions/checkout with fetch-depth: 0), or, if that commit is gone for good, check the live revocations and remove the tag (pulumi stack tag rm ${DEPLOYED_COMMIT_TAG} --stack ${stack})`,
        );
    }
    const { judge } = await guardRules();
    const judged = await judge({
        root: ci.root,
        programRoot: ci.programRoot,
        now: ci.now,
        base: since,
        head: "HEAD",
        headProgram: "own",
    });
    // A frozen change deploys only when the override of the pull request that merged it still holds.
    const findings = await withOverride(judged, (finding) => overrideForDeploy(finding, { root: ci.root, since, head, github: ci.github }));
    out.write(`${formatText(findings, since)}\n`);
    if (findings.some((f) => f.verdict === "fail")) {
        err.write(
            `Not deploying stack ${stack}: the change since the commit deployed last (${since}) would weaken a revocation or cannot be judged.\n`,
        );
        return 1;
    }
    const plan = await deployPlan(stack, since, ci);
    if (plan.unprotect.length > 0) {
        // Deployed while in force, they are protected in the state; the guard has checked that their window is over.
        const unprotected = pulumi(["state", "unprotect", "--yes", "--stack", stack, ...plan.unprotect]);
        if (unprotected.status !== 0)
            err.write(`pulumi state unprotect failed (exit code ${unprotected.status}); the update may stop on a protected resource\n`);
    }
    if (plan.targets.length === 0) {
        out.write(`Deploying stack ${stack} in full: ${plan.reason}.\n`);
        return deployed(pulumi(full).status);
    }
    out.write(`Deploying stack ${stack}, revocation policies only: ${plan.reason}.\n`);
    const code = pulumi([...full, ...plan.targets.flatMap((urn) => ["--target", urn])]).status;
    if (code === 0) return deployed(0);
    out.write(`The targeted update failed (exit code ${code}); deploying stack ${stack} in full.\n`);
    return deployed(pulumi(full).status);
}

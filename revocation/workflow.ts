/**
 * The steps of the GitHub Actions workflows that do more than one thing, as this project owns and
 * tests them on real git repositories: the trusted judge of a pull request (`ci guard`), the
 * offline plan of every stack a change can deploy differently (`ci pull-request`), and the deploy
 * of one stack judged against the commit deployed last (`ci deploy`).
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { changedFiles, changesProgram } from "../config/repository";
import { PROJECT_FILE, listStacks, loadStack, stackFileName } from "../config/loader";
import { directorySource, git, gitSource, resolveRef } from "../config/sources";
import { diffPlans } from "../plan/diff";
import { UserFacingError } from "../iam/errors";
import { RequestError, RevocationError } from "./errors";
import { fitForGitHub, writeFullReport } from "./github";
import { formatMarkdown, formatText } from "./guardReport";
import { GitHubAccess } from "./githubApi";
import { overrideForPullRequest } from "./override";
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

/** The plans and the guard's rules, loaded when a step needs them: the Pulumi SDK takes most of a second to load. */
export const planner = (): Promise<typeof import("../plan/run")> => import("../plan/run");
export const guardRules = (): Promise<typeof import("../guard")> => import("../guard");

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
export function changesEveryStack(file: string): boolean {
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
const QUEUE_REF = /^refs\/heads\/gh-readonly-queue\/.+\/pr-(\d+)-([0-9a-f]{40})$/;

/**
 * The base and head commits of the event that started the workflow (pull request,
 * pull_request_target, pull_request_review or merge group), and the pull request's number (in a
 * merge queue, from its branch's name, with `queued`: the pull request's head commit that the
 * queue merged, also from the name).
 */
export function eventCommits(env: Readonly<Record<string, string | undefined>>): {
    base: string;
    head: string;
    number?: number;
    queued?: string;
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
        const queued = QUEUE_REF.exec(event.merge_group.head_ref ?? "");
        return {
            base: event.merge_group.base_sha,
            head: event.merge_group.head_sha,
            ...(queued === null ? {} : { number: Number(queued[1]), queued: queued[2] }),
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
            // In a merge queue the approvals must be on the pull request's own head commit that the queue merged, and the group hold nothing else.
            ...(commits.queued === undefined ? { head: commits.head } : { head: commits.queued, group: commits.head }),
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
export async function withOverride(findings: Finding[], decide: (finding: Finding) => Promise<Finding>): Promise<Finding[]> {
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

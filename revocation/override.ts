/**
 * The two-person override, read from GitHub: the pull request, its reviews and labels, the
 * memberships of its approvers in the teams that own the frozen paths, and the base's CODEOWNERS
 * from git; the decision itself is guard/override.ts's. The trusted judge checks the pull request
 * it judges; the deploy checks again, for every commit since the one deployed last that changes a
 * frozen path, the merged pull request that brought it (GitHub's pull requests of a commit).
 */
import * as path from "path";
import { git } from "../config/sources";
import { Finding, failure, passing } from "../guard/findings";
import { CODEOWNERS_FILES, Codeowners, parseCodeowners } from "../guard/codeowners";
import {
    Membership,
    OVERRIDE_LABEL,
    PullRequestFacts,
    countedApprovals,
    decideOverride,
    membershipKey,
    notChecked,
    overridden,
    owningTeams,
} from "../guard/override";
import { GitHubAccess } from "./githubApi";
import { UserFacingError } from "../iam/errors";

/** The base's CODEOWNERS, as GitHub finds it (the first of its three places), or undefined when it has none. */
export function readCodeowners(root: string, commit: string): Codeowners | undefined {
    for (const file of CODEOWNERS_FILES) {
        // `<mode> <type> <object>\t<path>`, or nothing when the commit has no such path.
        const entry = git(root, ["ls-tree", "--full-tree", "-z", commit, "--", file]).split("\0")[0];
        if (entry === undefined || entry === "") continue;
        const [mode, type, object] = entry.split("\t")[0].split(" ");
        // A symbolic link's text is the path it names, and a folder's is a listing: neither is what GitHub reads as owners.
        if (type !== "blob" || (mode !== "100644" && mode !== "100755")) {
            return {
                file,
                rules: [],
                problems: [
                    `${file} is ${mode === "120000" ? "a symbolic link" : type === "tree" ? "a folder" : `a ${type} of mode ${mode}`}, not a regular file; GitHub's reading of it is not documented`,
                ],
            };
        }
        return parseCodeowners(file, git(root, ["cat-file", "blob", object]));
    }
    return undefined;
}

/** The guard's paths (relative to the project folder, `../` above it) relative to the repository's root, as CODEOWNERS names them. */
export function repositoryPaths(root: string, paths: string[]): string[] {
    const prefix = git(root, ["rev-parse", "--show-prefix"]).trim();
    return paths.map((p) => path.posix.normalize(`${prefix}${p}`));
}

/** A pull request object of the API, as far as the override reads it. */
interface PullRequestObject {
    number: number;
    user?: { login?: string } | null;
    head?: { sha?: string };
    labels?: { name?: string }[];
    merged_at?: string | null;
}

/** A review object of the API. */
interface ReviewObject {
    user?: { login?: string } | null;
    state?: string;
    commit_id?: string | null;
}

/** The facts of a pull request object, with its reviews read (every page); `head` when the approvals must be on another commit than its own head. */
async function factsOf(github: GitHubAccess, pr: PullRequestObject, head?: string): Promise<PullRequestFacts> {
    const reviews = (await github.api.list(`/repos/${github.repository}/pulls/${pr.number}/reviews`)) as ReviewObject[];
    return {
        number: pr.number,
        author: pr.user?.login ?? "",
        head: head ?? pr.head?.sha ?? "",
        labels: (pr.labels ?? []).flatMap((l) => (typeof l.name === "string" ? [l.name] : [])),
        reviews: reviews.flatMap((r) =>
            typeof r.user?.login === "string" && typeof r.state === "string" && typeof r.commit_id === "string"
                ? [{ login: r.user.login, state: r.state, commit: r.commit_id }]
                : [],
        ),
    };
}

/** Whether `login` is an active member of a team, as the API answers; a 403 or 404 says why it does not count. */
async function membership(github: GitHubAccess, org: string, slug: string, login: string): Promise<Membership> {
    const answer = await github.api.get(
        `/orgs/${encodeURIComponent(org)}/teams/${encodeURIComponent(slug)}/memberships/${encodeURIComponent(login)}`,
        [403, 404],
    );
    const state = (answer.body as { state?: unknown } | null)?.state;
    if (answer.status === 200 && state === "active") return { member: true };
    if (answer.status === 200) return { member: false, why: `@${login}'s membership of @${org}/${slug} is ${String(state)}, not active` };
    const message = (answer.body as { message?: unknown } | null)?.message;
    return {
        member: false,
        why: `GitHub answered ${answer.status}${typeof message === "string" ? ` (${message})` : ""} to whether @${login} is a member of @${org}/${slug}: not a member, or the token cannot read the team (resolving a team needs a token with read:org; docs/ci.md, "The override")`,
    };
}

/** Whether `login` may write to the repository, as the API answers: GitHub counts a code owner's review only from someone who may. */
async function access(github: GitHubAccess, login: string): Promise<Membership> {
    const answer = await github.api.get(`/repos/${github.repository}/collaborators/${encodeURIComponent(login)}/permission`, [403, 404]);
    const permission = (answer.body as { permission?: unknown } | null)?.permission;
    if (answer.status === 200 && (permission === "admin" || permission === "write")) return { member: true };
    if (answer.status === 200)
        return {
            member: false,
            why: `@${login} has ${String(permission)} access to ${github.repository}, and GitHub counts a code owner's review only from someone who may write to it`,
        };
    const message = (answer.body as { message?: unknown } | null)?.message;
    return {
        member: false,
        why: `GitHub answered ${answer.status}${typeof message === "string" ? ` (${message})` : ""} to @${login}'s access to ${github.repository}, so the approval does not count`,
    };
}

/** The access of every approver whose approval could count (not the author, on the head commit), by lower-case login. */
async function writers(github: GitHubAccess, pr: PullRequestFacts): Promise<Map<string, Membership>> {
    const found = new Map<string, Membership>();
    for (const login of countedApprovals(pr).approvers) found.set(login.toLowerCase(), await access(github, login));
    return found;
}

/** The memberships the decision needs: each approver's in each team that owns a frozen path. */
async function memberships(github: GitHubAccess, paths: string[], codeowners: Codeowners | undefined, pr: PullRequestFacts) {
    const found = new Map<string, Membership>();
    if (codeowners === undefined || codeowners.problems.length > 0) return found;
    const { approvers } = countedApprovals(pr);
    for (const team of owningTeams(paths, codeowners)) {
        for (const login of approvers) found.set(membershipKey(team, login), await membership(github, team.org, team.slug, login));
    }
    return found;
}

/** The override's decision for a pull request, with what GitHub says of its approvers (who may write, and in which owning teams). */
async function decisionFor(
    github: GitHubAccess,
    paths: string[],
    codeowners: Codeowners | undefined,
    facts: PullRequestFacts,
): Promise<ReturnType<typeof decideOverride>> {
    return decideOverride({
        paths,
        codeowners,
        pr: facts,
        writers: await writers(github, facts),
        memberships: await memberships(github, paths, codeowners, facts),
    });
}

/** Why the override cannot be checked, from an error: its message when it is one for people. */
function why(error: unknown): string {
    if (error instanceof UserFacingError) return error.message;
    throw error;
}

/** What the trusted judge knows of the pull request it judges. */
export interface JudgedPullRequest {
    root: string;
    /** The base commit: its CODEOWNERS decides who owns a path. */
    base: string;
    /** The head commit judged: the approvals must be on it (in a merge queue, the pull request's head commit the queue merged). */
    head?: string;
    /**
     * In a merge queue, the merge group's commit (the one judged): the override of one pull request
     * holds only for a group of that pull request alone, its head merged (or squashed) onto the base.
     */
    group?: string;
    /** The pull request's number, from the event. */
    number?: number;
    github: GitHubAccess | string;
}

/** The path rule's finding of the trusted judge, after the override of the pull request it judges. */
export async function overrideForPullRequest(finding: Finding, judged: JudgedPullRequest): Promise<Finding> {
    if (finding.subject.kind !== "paths") return finding;
    if (typeof judged.github === "string") return notChecked(finding, judged.github);
    if (judged.number === undefined)
        return notChecked(finding, "no pull request is known (run on a pull_request_target or pull_request_review event)");
    const github = judged.github;
    try {
        const paths = repositoryPaths(judged.root, finding.subject.paths);
        const codeowners = readCodeowners(judged.root, judged.base);
        const alone =
            judged.group === undefined ? undefined : groupProblem(judged.root, judged.base, judged.group, judged.head, judged.number);
        if (alone !== undefined) return overridden(finding, { granted: false, approvals: [], text: alone });
        const pr = (await github.api.get(`/repos/${github.repository}/pulls/${judged.number}`)).body as PullRequestObject;
        const facts = await factsOf(github, pr, judged.head);
        const decision = await decisionFor(github, paths, codeowners, facts);
        return overridden(finding, decision);
    } catch (error) {
        return notChecked(finding, why(error));
    }
}

/**
 * Why a merge group is not one pull request's alone, or undefined when it is: one commit on top of
 * the base, merging (or squashing) the pull request's head. A group that also holds other
 * pull requests queued ahead would have their frozen paths judged with this pull request's
 * approvals, and GitHub may merge a whole group on the strength of its last check.
 */
function groupProblem(root: string, base: string, group: string, head: string | undefined, number: number): string | undefined {
    const asked = `the override (label ${OVERRIDE_LABEL} on pull request #${number}) does not apply`;
    const line = git(root, ["rev-list", "--first-parent", `${base}..${group}`])
        .split("\n")
        .filter((c) => c !== "");
    if (line.length !== 1) {
        return `${asked}: the merge group ${group.slice(0, 12)} holds ${line.length} commits on top of its base ${base.slice(0, 12)}, so it brings more than pull request #${number}'s own change (other pull requests queued ahead of it, or a rebase of several commits), and the override is checked for one pull request at a time; while revocations are in force, let the merge queue build groups of one pull request (maximum group size 1) and merge with a merge commit or a squash`;
    }
    const [, first, second] = git(root, ["rev-list", "--parents", "-n", "1", group]).trim().split(" ");
    if (first !== base || (second !== undefined && second !== head)) {
        return `${asked}: the merge group's commit ${group.slice(0, 12)} does not merge pull request #${number}'s head ${String(head).slice(0, 12)} onto the base ${base.slice(0, 12)}`;
    }
    return undefined;
}

/** The paths a commit changes against its first parent (a merge: what the merged branch brought), relative to the repository's root. */
function changedByCommit(root: string, commit: string): string[] {
    let parent: string | undefined;
    try {
        parent = git(root, ["rev-parse", "--verify", "--quiet", `${commit}^1`]).trim();
    } catch {
        parent = undefined;
    }
    const names =
        parent === undefined
            ? git(root, ["diff-tree", "--root", "-r", "--name-only", "-z", "--no-renames", "--no-commit-id", commit])
            : git(root, ["diff", "--name-only", "-z", "--no-renames", parent, commit]);
    return names.split("\0").filter((p) => p !== "");
}

/** How many commits since the one deployed last that change frozen paths the deploy checks, at most. */
export const MAX_FROZEN_COMMITS = 20;

/** What the deploy knows: the repository, the commit deployed last and HEAD. */
export interface DeployedRange {
    root: string;
    /** The commit deployed last: its CODEOWNERS decides who owns a path. */
    since: string;
    head: string;
    github: GitHubAccess | string;
}

/**
 * The path rule's finding of the deploy, after checking again the override of every merged pull
 * request that changed a frozen path since the commit deployed last: each commit on HEAD's
 * first-parent line that changes one must come from a merged pull request whose override holds
 * for the frozen paths it changes.
 */
export async function overrideForDeploy(finding: Finding, range: DeployedRange): Promise<Finding> {
    if (finding.subject.kind !== "paths") return finding;
    if (typeof range.github === "string") return notChecked(finding, range.github);
    const github = range.github;
    try {
        const frozen = new Set(repositoryPaths(range.root, finding.subject.paths));
        const codeowners = readCodeowners(range.root, range.since);
        const commits = git(range.root, ["rev-list", "--first-parent", "--reverse", `${range.since}..${range.head}`])
            .split("\n")
            .filter((c) => c !== "");
        const changing = commits.flatMap((commit) => {
            const changed = changedByCommit(range.root, commit).filter((p) => frozen.has(p));
            return changed.length === 0 ? [] : [{ commit, paths: [...new Set(changed)].sort() }];
        });
        if (changing.length > MAX_FROZEN_COMMITS) {
            return failure(
                finding.subject,
                `${finding.message}; ${changing.length} commits since the commit deployed last change frozen paths, more than the ${MAX_FROZEN_COMMITS} whose pull requests the deploy checks`,
            );
        }
        const granted: string[] = [];
        const refused: string[] = [];
        for (const { commit, paths } of changing) {
            const pulls = ((await github.api.list(`/repos/${github.repository}/commits/${commit}/pulls`)) as PullRequestObject[]).filter(
                (pr) => typeof pr.merged_at === "string",
            );
            if (pulls.length === 0) {
                refused.push(`commit ${commit.slice(0, 12)} (${paths.join(", ")}) was not merged through a pull request GitHub knows`);
                continue;
            }
            let decided: string | undefined;
            const reasons: string[] = [];
            for (const pr of pulls) {
                const facts = await factsOf(github, pr);
                const decision = await decisionFor(github, paths, codeowners, facts);
                if (decision.granted) {
                    decided = `commit ${commit.slice(0, 12)}: ${decision.text}`;
                    break;
                }
                reasons.push(decision.text);
            }
            if (decided !== undefined) granted.push(decided);
            else refused.push(`commit ${commit.slice(0, 12)} (${paths.join(", ")}): ${reasons.join("; ")}`);
        }
        if (refused.length > 0 || granted.length === 0) {
            const text =
                refused.length > 0
                    ? refused.join("; ")
                    : "no commit since the commit deployed last changes them on HEAD's first-parent line";
            return failure(finding.subject, `${finding.message}; the deploy checked the override again and it does not hold: ${text}`);
        }
        return passing(
            finding.subject,
            `changed while revocations are in force, allowed by the override, checked again before this deploy: ${granted.join("; ")}; every other rule still applies`,
        );
    } catch (error) {
        return notChecked(finding, why(error));
    }
}

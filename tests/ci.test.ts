/**
 * The workflows' scripts, run as GitHub runs them: on a real git repository with a
 * pull-request-shaped history, with GitHub's environment variables, and a fake `pulumi` on PATH
 * that records how it was called.
 */
import * as assert from "assert";
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { Capture, fixture, git, project, repository } from "./helpers";
import { PROJECT_ROOT } from "../cli/project";
import { COMMENT_MARKER, REPORT_FILE, changedStacks, main } from "../cli/ci";

const NOW = new Date("2026-11-27T12:00:00Z");
const BASE = fixture("diff", "Pulumi.before.yaml");
const COMPONENT = "revocable-roles:index:RevocableRole";
const revoked = (text: string, key: string, cutoff: string) =>
    text.replace(`    ${key}:\n`, `    ${key}:\n      revokeBefore: "${cutoff}"\n`);

/** A fake Pulumi CLI: appends its arguments to a log, one call per line, and fails `--target` calls when told to. */
function fakePulumi(): { bin: string; log: string } {
    const bin = project({});
    const log = path.join(bin, "pulumi.log");
    fs.writeFileSync(
        path.join(bin, "pulumi"),
        `#!/bin/sh\necho "$*" >> "${log}"\ncase "$*" in *--target*) exit "\${FAKE_TARGET_EXIT:-0}";; esac\nexit 0\n`,
        { mode: 0o755 },
    );
    return { bin, log };
}

/** A repository whose main branch holds `base`, with a feature branch (checked out) that changes it to `head`. */
function pullRequestRepository(base: Record<string, string>, head: Record<string, string | undefined>): string {
    const root = repository(base);
    git(root, "update-ref", "refs/remotes/origin/main", "main");
    git(root, "checkout", "-q", "-b", "feature");
    for (const [name, text] of Object.entries(head)) {
        if (text === undefined) fs.rmSync(path.join(root, name));
        else {
            fs.mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
            fs.writeFileSync(path.join(root, name), text);
        }
    }
    git(root, "add", "-A");
    git(root, "commit", "-qm", "the change");
    return root;
}

/** Runs the script as a process, as the workflow step does. */
function spawnScript(
    args: string[],
    root: string,
    env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const child = spawn(
        process.execPath,
        ["-r", require.resolve("ts-node/register/transpile-only"), path.join(PROJECT_ROOT, "cli", "ci.ts"), ...args],
        {
            cwd: root,
            env: { ...process.env, TS_NODE_PROJECT: path.join(PROJECT_ROOT, "tsconfig.json"), ...env },
        },
    );
    let [stdout, stderr] = ["", ""];
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    return new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
}

async function inProcess(args: string[], root: string, env: NodeJS.ProcessEnv) {
    const [out, err] = [new Capture(), new Capture()];
    const code = await main(args, out, err, { root, programRoot: PROJECT_ROOT, now: NOW, env: { ...process.env, ...env } });
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

    it("writes the guard and the plan of the changed stacks for the comment, and sets the step's outputs", async () => {
        const root = pullRequestRepository(
            { "Pulumi.review.yaml": BASE, "Pulumi.other.yaml": BASE },
            { "Pulumi.review.yaml": revoked(BASE, "app", "2026-11-27T11:00:00Z") },
        );
        const githubOutput = path.join(project({}), "github-output");
        const result = await spawnScript(["pull-request"], root, { GITHUB_BASE_REF: "main", GITHUB_OUTPUT: githubOutput, CI: "true" });
        assert.deepStrictEqual({ code: result.code, stderr: result.stderr }, { code: 0, stderr: "" });
        assert.deepStrictEqual(outputs(githubOutput), { stacks: '["review"]', report: REPORT_FILE, weakened: "false" });
        const report = fs.readFileSync(path.join(root, REPORT_FILE), "utf8");
        assert.strictEqual(report, result.stdout);
        assert.deepStrictEqual(report.split("\n"), [
            COMMENT_MARKER,
            "## Revocation guard",
            "",
            "No revocation is weakened since `origin/main`.",
            "",
            "| | stack | subject | finding |",
            "| --- | --- | --- | --- |",
            "| ✅ | `review` | role app | new revocation: revokeBefore 2026-11-27T11:00:00Z |",
            "",
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

    it("fails the step after writing the report when a change weakens a revocation", async () => {
        const root = pullRequestRepository(
            { "Pulumi.review.yaml": BASE },
            { "Pulumi.review.yaml": BASE.replace('      revokeBefore: "2026-11-27T10:15:00Z"\n', "") },
        );
        const githubOutput = path.join(project({}), "github-output");
        const result = await inProcess(["pull-request"], root, { GITHUB_BASE_REF: "main", GITHUB_OUTPUT: githubOutput });
        assert.strictEqual(result.code, 1);
        assert.deepStrictEqual(outputs(githubOutput), { stacks: '["review"]', report: REPORT_FILE, weakened: "true" });
        assert.ok(
            result.stdout.includes(
                "| ❌ | `review` | role ci | revokeBefore 2026-11-27T10:15:00Z removed before it is safe to remove (2026-11-27T23:15:00Z) |",
            ),
            result.stdout,
        );
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

    it("needs a base", async () => {
        const result = await inProcess(["pull-request"], project({}), { GITHUB_BASE_REF: "" });
        assert.deepStrictEqual(result, {
            code: 2,
            stdout: "",
            stderr: "give --base, or run in a pull request (GITHUB_BASE_REF)\nusage: npm run ci -- pull-request [--base <git-ref>] | deploy --stack <name> [--since <git-ref>]\n",
        });
    });
});

describe("npm run ci -- deploy", function () {
    this.timeout(30_000);
    const urn = (name: string) => `urn:pulumi:review::revocable-roles::${COMPONENT}$aws:iam/rolePolicy:RolePolicy::${name}`;
    const full = "up --yes --refresh --stack review";

    /** main after a push: the deployed commit, then the pushed one. Returns the repository and the deployed commit. */
    function pushed(head: string): { root: string; before: string } {
        const root = repository({ "Pulumi.review.yaml": BASE });
        const before = git(root, "rev-parse", "HEAD").trim();
        fs.writeFileSync(path.join(root, "Pulumi.review.yaml"), head);
        git(root, "commit", "-qam", "push", "--allow-empty");
        return { root, before };
    }

    it("updates only the revocation policies when they are all that changed", async () => {
        const { root, before } = pushed(
            revoked(
                BASE.replace('revokeBefore: "2026-11-27T10:15:00Z"', 'revokeBefore: "2026-11-27T11:00:00Z"'),
                "app",
                "2026-11-27T11:00:00Z",
            ),
        );
        const pulumi = fakePulumi();
        // In process: the pull-request test above runs the script as a process, as the workflow does.
        const result = await inProcess(["deploy", "--stack", "review", "--since", before], root, {
            PATH: `${pulumi.bin}:${process.env.PATH}`,
        });
        assert.deepStrictEqual({ code: result.code, stderr: result.stderr }, { code: 0, stderr: "" });
        assert.deepStrictEqual(fs.readFileSync(pulumi.log, "utf8").split("\n"), [
            `${full} --target ${urn("ci-revocation")} --target ${urn("app-revocation")}`,
            "",
        ]);
        assert.strictEqual(
            result.stdout.split("\n")[0],
            "Deploying stack review, revocation policies only: only revocation policies changed (2).",
        );
    });

    const cases: [string, string, string][] = [
        [
            "deploys in full when anything else changes too",
            revoked(BASE, "app", "2026-11-27T11:00:00Z").replace('["s3:GetObject"]', '["s3:GetObject", "s3:ListBucket"]'),
            "Deploying stack review in full: 2 resource(s) other than revocation policies change.",
        ],
        [
            "deploys in full, refreshed, when nothing changed",
            BASE,
            "Deploying stack review in full: nothing changed since the last deploy: a refreshed update restores any drift.",
        ],
        [
            "deploys in full when a cutoff moves earlier",
            BASE.replace('revokeBefore: "2026-11-27T10:15:00Z"', 'revokeBefore: "2026-11-27T10:00:00Z"'),
            "Deploying stack review in full: 1 resource(s) other than revocation policies change.",
        ],
    ];
    for (const [name, head, message] of cases) {
        it(name, async () => {
            const { root, before } = pushed(head);
            const pulumi = fakePulumi();
            const result = await inProcess(["deploy", "--stack", "review", "--since", before], root, {
                PATH: `${pulumi.bin}:${process.env.PATH}`,
            });
            assert.deepStrictEqual(
                { code: result.code, first: result.stdout.split("\n")[0], calls: fs.readFileSync(pulumi.log, "utf8") },
                { code: 0, first: message, calls: `${full}\n` },
            );
        });
    }

    it("deploys in full when there is no earlier commit to compare with", async () => {
        const { root } = pushed(BASE);
        const pulumi = fakePulumi();
        const result = await inProcess(["deploy", "--stack", "review", "--since", "0000000000000000000000000000000000000000"], root, {
            PATH: `${pulumi.bin}:${process.env.PATH}`,
        });
        assert.deepStrictEqual(
            { first: result.stdout.split("\n")[0], calls: fs.readFileSync(pulumi.log, "utf8") },
            { first: "Deploying stack review in full: no earlier commit to compare with.", calls: `${full}\n` },
        );
    });

    it("falls back to a full update when the targeted one fails", async () => {
        const { root, before } = pushed(revoked(BASE, "app", "2026-11-27T11:00:00Z"));
        const pulumi = fakePulumi();
        const result = await inProcess(["deploy", "--stack", "review", "--since", before], root, {
            PATH: `${pulumi.bin}:${process.env.PATH}`,
            FAKE_TARGET_EXIT: "255",
        });
        assert.strictEqual(result.code, 0);
        assert.deepStrictEqual(fs.readFileSync(pulumi.log, "utf8").split("\n"), [`${full} --target ${urn("app-revocation")}`, full, ""]);
        assert.ok(result.stdout.includes("The targeted update failed (exit code 255); deploying stack review in full.\n"), result.stdout);
    });
});

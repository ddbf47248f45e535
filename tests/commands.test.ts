/**
 * The commands a team adds with the package: `revocations` (and its `--prune` in a pull request),
 * `drill`, revoke's `--json` and `--body-file`, and the `revocable-roles` dispatcher, each run in a
 * temporary project. `init` is tests/init.test.ts.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { Capture, capture, commitFiles, git, project, repository, spawnCommand, environment } from "./helpers";
import { PROJECT_ROOT } from "../cli/project";
import { EXIT_CODES_HELP } from "../cli/io";
import { COMMANDS, help as commandHelp } from "../cli/main";
import { RevokeJson } from "../revocation/pullRequest";
import { commandMain } from "../cli/main";

const init = commandMain("init");

const revocations = commandMain("revocations");

const revoke = commandMain("revoke");

const drill = commandMain("drill");

const guard = commandMain("guard");

const NOW = new Date("2026-11-28T12:00:00Z");

const role = (key: string, cutoff?: string, comment = "") =>
    `    ${key}:\n      trust:\n        accounts: ["111111111111"]\n${cutoff === undefined ? "" : `      revokeBefore: "${cutoff}"${comment}\n`}`;
const QA =
    'config:\n  aws:region: eu-west-1\n  revocable-roles:revokeAllBefore: "2026-11-20T08:00:00Z"\n  revocable-roles:roles:\n' +
    role("old", "2026-11-27T09:00:00Z", "   # the laptop incident") +
    role("fresh", "2026-11-28T10:00:00Z") +
    role("plain");
const PROD = "config:\n  aws:region: eu-west-1\n  revocable-roles:roles:\n" + role("api", "2026-11-28T11:59:59Z");
const DEV = "config:\n  aws:region: eu-west-1\n  revocable-roles:roles:\n" + role("tool");
const STACKS = { "Pulumi.qa.yaml": QA, "Pulumi.prod.yaml": PROD, "Pulumi.dev.yaml": DEV };

/** The guard's verdict on the prune of STACKS at NOW: each removal named, none a weakening. */
const PRUNE_VERDICT = [
    "ok   qa: stack: revocable-roles:revokeAllBefore 2026-11-20T08:00:00Z removed after its safe-to-remove time (2026-11-20T21:00:00Z)",
    "ok   qa: role old: revokeBefore 2026-11-27T09:00:00Z removed after its safe-to-remove time (2026-11-27T22:00:00Z)",
    "No revocation is weakened since main.",
    "",
].join("\n");

describe("revocable-roles revocations", () => {
    const list = (root: string, argv: string[]) => capture((out, err) => revocations(argv, out, err, environment({ root, now: NOW })));

    it("lists every revocation of every stack file, in force until cutoff + 13 h or removable since then", async () => {
        assert.deepStrictEqual(await list(project(STACKS), []), {
            code: 0,
            stdout: [
                "stack  role                                         cutoff                state",
                "prod   api                                          2026-11-28T11:59:59Z  in force until 2026-11-29T00:59:59Z",
                "qa     all roles (revocable-roles:revokeAllBefore)  2026-11-20T08:00:00Z  removable since 2026-11-20T21:00:00Z",
                "qa     old                                          2026-11-27T09:00:00Z  removable since 2026-11-27T22:00:00Z",
                "qa     fresh                                        2026-11-28T10:00:00Z  in force until 2026-11-28T23:00:00Z",
                "",
            ].join("\n"),
            stderr: "",
        });
    });

    it("gives the same list as JSON", async () => {
        const result = await list(project(STACKS), ["--json"]);
        assert.deepStrictEqual(JSON.parse(result.stdout), [
            { stack: "prod", role: "api", cutoff: "2026-11-28T11:59:59Z", safeToRemoveAfter: "2026-11-29T00:59:59Z", state: "in force" },
            { stack: "qa", cutoff: "2026-11-20T08:00:00Z", safeToRemoveAfter: "2026-11-20T21:00:00Z", state: "removable" },
            { stack: "qa", role: "old", cutoff: "2026-11-27T09:00:00Z", safeToRemoveAfter: "2026-11-27T22:00:00Z", state: "removable" },
            { stack: "qa", role: "fresh", cutoff: "2026-11-28T10:00:00Z", safeToRemoveAfter: "2026-11-28T23:00:00Z", state: "in force" },
        ]);
    });

    it("says so when no stack file holds a revocation", async () => {
        assert.deepStrictEqual(await list(project({ "Pulumi.dev.yaml": DEV }), []), {
            code: 0,
            stdout: "No stack file holds a revocation.\n",
            stderr: "",
        });
    });

    it("refuses to list or prune while a stack file is not valid, naming the problem", async () => {
        const root = project({ ...STACKS, "Pulumi.dev.yaml": DEV.replace('"111111111111"', '"1111"') });
        const result = await list(root, ["--prune"]);
        assert.deepStrictEqual(result, {
            code: 1,
            stdout: "",
            stderr: 'stack files that are not valid; fix them first:\nPulumi.dev.yaml: revocable-roles:roles.tool.trust.accounts[0]: "1111" is not a 12-digit AWS account ID such as 123456789012\n',
        });
        assert.deepStrictEqual(
            [fs.readFileSync(path.join(root, "Pulumi.qa.yaml"), "utf8"), fs.readFileSync(path.join(root, "Pulumi.prod.yaml"), "utf8")],
            [QA, PROD],
        );
    });

    it("--prune removes exactly the removable lines and prints the pull request; the guard accepts the change", async () => {
        const root = repository(STACKS);
        const result = await list(root, ["--prune", "--reason", "monthly cleanup"]);
        const pruned = QA.replace('  revocable-roles:revokeAllBefore: "2026-11-20T08:00:00Z"\n', "").replace(
            '      revokeBefore: "2026-11-27T09:00:00Z"   # the laptop incident\n',
            "",
        );
        assert.deepStrictEqual(
            { code: result.code, stderr: result.stderr, qa: fs.readFileSync(path.join(root, "Pulumi.qa.yaml"), "utf8") },
            { code: 0, stderr: "", qa: pruned },
        );
        assert.strictEqual(fs.readFileSync(path.join(root, "Pulumi.prod.yaml"), "utf8"), PROD);
        assert.strictEqual(
            result.stdout,
            [
                "Removed 2 revocation(s) from Pulumi.qa.yaml.",
                "",
                "Pull request title:",
                "Remove 2 revocation(s) past their window (qa)",
                "",
                "Pull request body:",
                "## Remove revocations that are safe to remove",
                "",
                "Every revocation below is past its safe-to-remove time (cutoff + 13 h): no session issued before its cutoff can still be alive.",
                "Reason: monthly cleanup",
                "",
                "| stack | role | cutoff | safe to remove since |",
                "| --- | --- | --- | --- |",
                "| `qa` | all roles (`revokeAllBefore`) | `2026-11-20T08:00:00Z` | `2026-11-20T21:00:00Z` |",
                "| `qa` | `old` | `2026-11-27T09:00:00Z` | `2026-11-27T22:00:00Z` |",
                "",
                "The revocation guard passes this change. The deploy clears the `protect` flag of each revocation policy it deletes (it was protected while in force) before `pulumi up`.",
                "",
            ].join("\n"),
        );
        const verdict = await capture((out, err) => guard(["--base", "main"], out, err, environment(environment({ root, now: NOW }))));
        assert.deepStrictEqual(verdict, { code: 0, stdout: PRUNE_VERDICT, stderr: "" });
        // A second prune finds nothing left to remove.
        assert.deepStrictEqual(await list(root, ["--prune"]), {
            code: 0,
            stdout: "No revocation is removable yet; nothing was written.\n",
            stderr: "",
        });
    });

    it("the guard fails the same edit an hour before the role's window ends", async () => {
        const qa = QA.replace(role("fresh", "2026-11-28T10:00:00Z"), "");
        const root = repository({ "Pulumi.qa.yaml": qa });
        await list(root, ["--prune"]);
        const early = new Date("2026-11-27T21:00:00Z");
        const verdict = await capture((out, err) => guard(["--base", "main"], out, err, environment({ root, now: early })));
        assert.deepStrictEqual(verdict, {
            code: 1,
            stdout: [
                "FAIL qa: role old: revokeBefore 2026-11-27T09:00:00Z removed before it is safe to remove (2026-11-27T22:00:00Z)",
                "ok   qa: stack: revocable-roles:revokeAllBefore 2026-11-20T08:00:00Z removed after its safe-to-remove time (2026-11-20T21:00:00Z)",
                "1 change(s) would weaken a revocation since main.",
                "",
            ].join("\n"),
            stderr: "",
        });
    });
});

describe("revocable-roles revoke --json and --body-file", () => {
    const runRevoke = (root: string, argv: string[]) =>
        capture((out, err) => revoke(argv, out, err, environment(environment({ root, now: NOW }))));

    it("prints one JSON object with the file, cutoff, roles, title and body, and nothing else", async () => {
        const root = project({ "Pulumi.dev.yaml": DEV });
        const result = await runRevoke(root, ["--stack", "dev", "--role", "tool", "--at", "2026-11-28T11:00:00Z", "--json"]);
        assert.deepStrictEqual({ code: result.code, stderr: result.stderr }, { code: 0, stderr: "" });
        const json = JSON.parse(result.stdout) as RevokeJson;
        assert.deepStrictEqual(
            { ...json, body: json.body.split("\n")[0] },
            {
                file: "Pulumi.dev.yaml",
                written: true,
                cutoff: "2026-11-28T11:00:00Z",
                roles: [{ key: "tool", roleName: "tool", cutoff: "2026-11-28T11:00:00Z" }],
                title: "Revoke sessions of tool (dev) issued before 2026-11-28T11:00:00Z",
                body: "## Revoke role sessions issued before 2026-11-28T11:00:00Z",
                applied: null,
                endpoint: null,
                reportFile: null,
                notRecorded: null,
                checks: [],
            },
        );
        assert.strictEqual(result.stdout.split("\n").length, 2);
    });

    it("writes the body to --body-file, exactly the body the text output prints", async () => {
        const root = project({ "Pulumi.dev.yaml": DEV });
        const result = await runRevoke(root, ["--stack", "dev", "--role", "tool", "--at", "2026-11-28T11:00:00Z", "--body-file", "pr.md"]);
        assert.strictEqual(result.code, 0);
        const body = result.stdout.split("\nPull request body:\n")[1].split("\n\nThe body is also in pr.md.\n")[0];
        assert.strictEqual(fs.readFileSync(path.join(root, "pr.md"), "utf8"), `${body}\n`);
        assert.match(body, /^## Revoke role sessions issued before 2026-11-28T11:00:00Z\n/);
    });

    it("refuses a --body-file in a folder that does not exist before writing the stack file", async () => {
        const root = project({ "Pulumi.dev.yaml": DEV });
        const result = await runRevoke(root, ["--stack", "dev", "--role", "tool", "--body-file", "missing/pr.md"]);
        assert.deepStrictEqual(
            { code: result.code, stderr: result.stderr.split("\n")[0], file: fs.readFileSync(path.join(root, "Pulumi.dev.yaml"), "utf8") },
            { code: 2, stderr: '--body-file "missing/pr.md": its folder missing does not exist', file: DEV },
        );
    });
});

describe("revocable-roles drill", () => {
    // The drill against moto is in tests/emergency.test.ts, beside the emergency path's other tests on the same server.
    it("refuses an endpoint that is not on this machine", async () => {
        const root = project({ "Pulumi.dev.yaml": DEV });
        const result = await capture((out, err) =>
            drill(["--stack", "dev", "--all", "--endpoint-url", "https://iam.amazonaws.com"], out, err, environment({ root, now: NOW })),
        );
        assert.deepStrictEqual(
            { code: result.code, first: result.stderr.split("\n")[0] },
            {
                code: 2,
                first: '--endpoint-url "https://iam.amazonaws.com" is not on this machine; a drill runs against a local IAM endpoint only',
            },
        );
    });
});

describe("the revocable-roles command line", function () {
    this.timeout(30_000);

    it("lists every command and the exit codes in its help", async () => {
        const result = await spawnCommand(["--help"], PROJECT_ROOT).done;
        assert.deepStrictEqual({ code: result.code, stdout: result.stdout }, { code: 0, stdout: commandHelp() });
        assert.deepStrictEqual(
            result.stdout
                .split("\n")
                .filter((l) => l.startsWith("  ") && !l.startsWith("   "))
                .map((l) => l.trim().split(" ")[0]),
            ["init", "plan", "revoke", "revocations", "verify", "guard", "ci", "drill"],
        );
        assert.ok(result.stdout.endsWith(`${EXIT_CODES_HELP}`));
    });

    it("answers an unknown command with exit code 2 and the usage", async () => {
        const result = await spawnCommand(["revok"], PROJECT_ROOT).done;
        assert.deepStrictEqual(result, {
            code: 2,
            signal: null,
            stdout: "",
            stderr: 'unknown command "revok"\nusage: revocable-roles <command> [options]   (revocable-roles <command> --help for a command\'s options)\n',
        });
    });

    it("prints the package's version", async () => {
        const result = await spawnCommand(["--version"], PROJECT_ROOT).done;
        const version = (JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8")) as { version: string }).version;
        assert.deepStrictEqual(result, { code: 0, signal: null, stdout: `${version}\n`, stderr: "" });
    });

    it("gives every command's help with the exit codes, exit code 0, before touching anything", async () => {
        // Each command's own main, as the dispatcher calls it; help needs no project, so none is given.
        const mains: Record<string, (argv: string[], out: Capture, err: Capture, env: never) => Promise<number>> = {
            init,
            plan: commandMain("plan"),
            revoke,
            revocations,
            verify: commandMain("verify"),
            guard,
            ci: commandMain("ci"),
            drill,
        };
        assert.deepStrictEqual(Object.keys(mains), Object.keys(COMMANDS));
        for (const [command, main] of Object.entries(mains)) {
            const out = new Capture();
            const code = await main(["--help"], out, new Capture(), undefined as never);
            assert.deepStrictEqual({ command, code, tail: out.text.endsWith(EXIT_CODES_HELP) }, { command, code: 0, tail: true });
        }
    });
});

// The guard run on a history: a prune commit on top of the revocation commit, judged as CI judges it.
describe("revocations --prune in a pull request", () => {
    it("is judged from the base commit by the trusted guard, and passes", async () => {
        const root = repository(STACKS);
        git(root, "checkout", "-qb", "prune");
        await capture((out, err) => revocations(["--prune"], out, err, environment({ root, now: NOW })));
        commitFiles(root, {}, "prune");
        const verdict = await capture((out, err) =>
            guard(["--base", "main", "--head", "prune"], out, err, environment(environment({ root, now: NOW }))),
        );
        assert.deepStrictEqual(verdict, { code: 0, stdout: PRUNE_VERDICT, stderr: "" });
    });
});

/**
 * The commands a team adds with the package: `init`, `revocations`, `drill`, revoke's `--json`
 * and `--body-file`, and the `revocable-roles` dispatcher, each run in a temporary project.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Capture, capture, commitFiles, git, project, repository, spawnCommand, environment } from "./helpers";
import { PROJECT_ROOT } from "../cli/project";
import { EXIT_CODES_HELP } from "../cli/io";
import { COMMANDS, help as commandHelp } from "../cli/main";
import { loadStack } from "../config/loader";
import { directorySource } from "../config/sources";
import { readStackConfig } from "../config/stackConfig";
import { plannedFiles } from "../revocation/projectFiles";
import { RevokeJson } from "../revocation/pullRequest";
import { commandMain } from "../cli/main";

const init = commandMain("init");

const revocations = commandMain("revocations");

const revoke = commandMain("revoke");

const drill = commandMain("drill");

const guard = commandMain("guard");

const NOW = new Date("2026-11-28T12:00:00Z");

/** Runs a command's main with captured output. */

/** An empty folder with a given name, removed after the suite. */
const folders: string[] = [];
function emptyFolder(name: string): string {
    const parent = fs.mkdtempSync(path.join(os.tmpdir(), "revocable-roles-init-"));
    folders.push(parent);
    const root = path.join(parent, name);
    fs.mkdirSync(root);
    return root;
}
after(() => {
    for (const folder of folders.splice(0)) fs.rmSync(folder, { recursive: true, force: true });
});

/** Every file under a folder with its text, by relative path. */
function tree(root: string): Record<string, string> {
    return Object.fromEntries(
        (fs.readdirSync(root, { recursive: true, encoding: "utf8" }) as string[])
            .filter((file) => fs.statSync(path.join(root, file)).isFile())
            .sort()
            .map((file) => [file, fs.readFileSync(path.join(root, file), "utf8")]),
    );
}

const INIT_FILES = [
    "Pulumi.yaml",
    "index.ts",
    "package.json",
    "tsconfig.json",
    ".npmrc",
    ".gitignore",
    "Pulumi.dev.yaml",
    ".github/workflows/revocable-roles-guard.yml",
    ".github/workflows/revocable-roles-pull-request.yml",
    ".github/workflows/revocable-roles-deploy.yml",
    ".github/workflows/revocable-roles-verify.yml",
    ".github/CODEOWNERS.example",
];

describe("revocable-roles init", () => {
    const runInit = (root: string, argv: string[] = []) => capture((out, err) => init(argv, out, err, environment({ root })));

    it("writes a project into an empty folder: every file once, the stack file valid as written", async () => {
        const root = emptyFolder("acme-roles");
        const result = await runInit(root, ["--account", "222222222222", "--region", "eu-west-1"]);
        assert.deepStrictEqual(result, {
            code: 0,
            stdout: `${INIT_FILES.map((f) => `wrote  ${f}\n`).join("")}\nNext: npm install revocable-roles @pulumi/pulumi @pulumi/aws @pulumi/aws-native typescript@5\nthen: npm run plan -- --stack dev\n`,
            stderr: "",
        });
        const expected = plannedFiles({ name: "acme-roles", stack: "dev", account: "222222222222", region: "eu-west-1" });
        assert.deepStrictEqual(tree(root), Object.fromEntries(expected.map((p) => [p.file, p.text]).sort(([a], [b]) => (a < b ? -1 : 1))));
        assert.strictEqual(
            fs.readFileSync(path.join(root, "index.ts"), "utf8"),
            fs.readFileSync(path.join(PROJECT_ROOT, "index.ts"), "utf8"),
        );
        assert.match(fs.readFileSync(path.join(root, "Pulumi.yaml"), "utf8"), /^name: acme-roles\n/);
        const loaded = loadStack(directorySource(root), "dev");
        const read = readStackConfig(loaded.config, { stackFile: loaded.file, now: NOW });
        assert.deepStrictEqual(read.ok ? read.roles.map((r) => r.key) : read.errors, ["example-reader"]);
        assert.strictEqual(loaded.config["aws:allowedAccountIds"], '["222222222222"]');
    });

    it("is idempotent: a second run keeps every file and writes nothing", async () => {
        const root = emptyFolder("roles");
        await runInit(root);
        const before = tree(root);
        const again = await runInit(root);
        assert.deepStrictEqual(again, {
            code: 0,
            stdout: `${INIT_FILES.map((f) => `kept   ${f} (as init writes it)\n`).join("")}\nNothing to write: the project is set up.\n`,
            stderr: "",
        });
        assert.deepStrictEqual(tree(root), before);
    });

    it("keeps an existing Pulumi project's files and says what each needs", async () => {
        const root = emptyFolder("existing");
        fs.writeFileSync(path.join(root, "Pulumi.yaml"), "name: platform\nruntime: nodejs\n");
        fs.writeFileSync(path.join(root, "index.ts"), "export const x = 1;\n");
        const result = await runInit(root, ["--stack", "prod"]);
        assert.strictEqual(result.code, 0);
        assert.deepStrictEqual(result.stdout.split("\n").slice(0, 3), [
            'kept   Pulumi.yaml (it exists; check that it has runtime nodejs, and main: index.ts or a package.json with "main": "index.ts")',
            'kept   index.ts (it exists; to declare the roles of the stack files, make it: import { stackConfigProgram } from "revocable-roles"; export = stackConfigProgram;)',
            "wrote  package.json",
        ]);
        assert.strictEqual(fs.readFileSync(path.join(root, "Pulumi.yaml"), "utf8"), "name: platform\nruntime: nodejs\n");
        assert.strictEqual(fs.readFileSync(path.join(root, "index.ts"), "utf8"), "export const x = 1;\n");
        assert.ok(fs.existsSync(path.join(root, "Pulumi.prod.yaml")));
        // The stack file init writes for the stack named, with the placeholder account and the default region.
        const planned = plannedFiles({ name: "platform", stack: "prod", account: "123456789012", region: "us-east-1" });
        assert.strictEqual(
            fs.readFileSync(path.join(root, "Pulumi.prod.yaml"), "utf8"),
            planned.find((p) => p.file === "Pulumi.prod.yaml")!.text,
        );
    });

    it("finishes the set-up in a project npm install made: the scripts added to package.json, .npmrc written, .gitignore kept", async () => {
        const root = emptyFolder("platform");
        // What `npm install revocable-roles ...` leaves: npm's own formatting, and the package installed.
        const installed =
            '{\n  "dependencies": {\n    "@pulumi/pulumi": "^3.248.0",\n    "revocable-roles": "^0.3.0"\n  },\n  "devDependencies": {\n    "typescript": "^5.9.3"\n  }\n}\n';
        fs.writeFileSync(path.join(root, "package.json"), installed);
        fs.writeFileSync(path.join(root, ".gitignore"), "node_modules/\n");
        fs.mkdirSync(path.join(root, "node_modules", "revocable-roles"), { recursive: true });
        fs.writeFileSync(path.join(root, "node_modules", "revocable-roles", "package.json"), "{}\n");
        const result = await runInit(root);
        assert.deepStrictEqual(result, {
            code: 0,
            stdout: [
                "wrote  Pulumi.yaml",
                "wrote  index.ts",
                "added  scripts plan, revoke, revocations, verify, guard, drill, ci to package.json",
                "wrote  tsconfig.json",
                "wrote  .npmrc",
                "kept   .gitignore (it exists; add .Pulumi.*.yaml.lock, .Pulumi.*.yaml.*.tmp, dist/)",
                "wrote  Pulumi.dev.yaml",
                "wrote  .github/workflows/revocable-roles-guard.yml",
                "wrote  .github/workflows/revocable-roles-pull-request.yml",
                "wrote  .github/workflows/revocable-roles-deploy.yml",
                "wrote  .github/workflows/revocable-roles-verify.yml",
                "wrote  .github/CODEOWNERS.example",
                "",
                "Next: npm run plan -- --stack dev",
                "",
            ].join("\n"),
            stderr: "",
        });
        // Every field as it was, in the same bytes, and the scripts at the end.
        assert.strictEqual(
            fs.readFileSync(path.join(root, "package.json"), "utf8"),
            installed.replace(
                '    "typescript": "^5.9.3"\n  }\n}\n',
                '    "typescript": "^5.9.3"\n  },\n  "scripts": {\n    "plan": "revocable-roles plan",\n    "revoke": "revocable-roles revoke",\n    "revocations": "revocable-roles revocations",\n    "verify": "revocable-roles verify",\n    "guard": "revocable-roles guard",\n    "drill": "revocable-roles drill",\n    "ci": "revocable-roles ci"\n  }\n}\n',
            ),
        );
        assert.deepStrictEqual(
            [".npmrc", ".gitignore"].map((file) => fs.readFileSync(path.join(root, file), "utf8")),
            ["ignore-scripts=true\n", "node_modules/\n"],
        );
        // Run again: nothing left to add.
        const again = await runInit(root);
        assert.deepStrictEqual(again.stdout.split("\n").slice(2, 6), [
            "kept   package.json (it has every script init adds)",
            "kept   tsconfig.json (as init writes it)",
            "kept   .npmrc (as init writes it)",
            "kept   .gitignore (it exists; add .Pulumi.*.yaml.lock, .Pulumi.*.yaml.*.tmp, dist/)",
        ]);
    });

    it("keeps a script of the same name, an .npmrc without ignore-scripts and a package.json it cannot edit, saying so", async () => {
        const root = emptyFolder("own-scripts");
        fs.writeFileSync(path.join(root, "package.json"), '{ "scripts": { "plan": "pulumi preview" } }\n');
        fs.writeFileSync(path.join(root, ".npmrc"), "save-exact=true\n");
        fs.writeFileSync(path.join(root, ".gitignore"), "node_modules/\n.Pulumi.*.yaml.lock\n.Pulumi.*.yaml.*.tmp\ndist/\n");
        const result = await runInit(root);
        assert.deepStrictEqual(result.stdout.split("\n").slice(2, 7), [
            "added  scripts revoke, revocations, verify, guard, drill, ci to package.json",
            'kept   package.json (its script plan runs "pulumi preview"; npm run plan runs that, not "revocable-roles plan")',
            "wrote  tsconfig.json",
            "kept   .npmrc (it exists; add ignore-scripts=true, so that npm ci runs no dependency's install script (the Pulumi CLI installs the provider plugins itself))",
            "kept   .gitignore (it has what init writes)",
        ]);
        // Its own plan script stays, so the next step goes through npx.
        assert.deepStrictEqual(result.stdout.split("\n").slice(-3), [
            "Next: npm install revocable-roles @pulumi/pulumi @pulumi/aws @pulumi/aws-native typescript@5",
            "then: npx revocable-roles plan --stack dev",
            "",
        ]);
        assert.strictEqual(fs.readFileSync(path.join(root, ".npmrc"), "utf8"), "save-exact=true\n");

        const broken = emptyFolder("broken");
        fs.writeFileSync(path.join(broken, "package.json"), "{ name: 'not json' }\n");
        const kept = await runInit(broken);
        // The parser's own words, which differ between Node.js versions.
        const why = (() => {
            try {
                return JSON.parse("{ name: 'not json' }\n") as never;
            } catch (error) {
                return (error as Error).message;
            }
        })();
        assert.strictEqual(
            kept.stdout.split("\n")[2],
            `kept   package.json (it is not JSON (${why}); add the scripts by hand: "plan": "revocable-roles plan", "revoke": "revocable-roles revoke", "revocations": "revocable-roles revocations", "verify": "revocable-roles verify", "guard": "revocable-roles guard", "drill": "revocable-roles drill", "ci": "revocable-roles ci")`,
        );
        assert.strictEqual(fs.readFileSync(path.join(broken, "package.json"), "utf8"), "{ name: 'not json' }\n");
    });

    it("writes nothing at all when one of its paths is a folder", async () => {
        const root = emptyFolder("blocked");
        fs.mkdirSync(path.join(root, ".github", "workflows", "revocable-roles-deploy.yml"), { recursive: true });
        const result = await runInit(root);
        assert.deepStrictEqual(result, {
            code: 1,
            stdout: "",
            stderr: ".github/workflows/revocable-roles-deploy.yml exists and is not a regular file; nothing was written\n",
        });
        assert.deepStrictEqual(tree(root), {});
    });

    it("refuses an account that is not 12 digits as a usage error, writing nothing", async () => {
        const root = emptyFolder("bad");
        const result = await runInit(root, ["--account", "12345"]);
        assert.deepStrictEqual(result, {
            code: 2,
            stdout: "",
            stderr: '--account "12345" is not a 12-digit AWS account ID\nusage: revocable-roles init [--stack <name>] [--account <12-digit id>] [--region <region>] [--name <project>]\n',
        });
        assert.deepStrictEqual(tree(root), {});
    });
});

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

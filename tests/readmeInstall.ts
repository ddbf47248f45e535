/**
 * `npm run test:install`: the README's install, run as a new user runs it, against the npm
 * registry's current versions. It packs this checkout (`npm run pack`), reads the blocks of
 * README.md marked for it (tests/readmeCommands.ts), and runs their commands one by one with bash
 * in a new folder, with the tarball's path in place of the package name `revocable-roles`: the
 * install, `init`, `plan`, then, with everything committed, `revoke`, `revocations` and `guard`.
 * It fails on any command's error, on npm's `ERESOLVE` and engine warnings, and on output that
 * is not what the command prints when it works. It needs the registry and takes 19 to 65 s,
 * so it is not part of `npm test`; CI runs it under every supported Node.js (.ci/run). The Node.js
 * it tests is the one on PATH, which must be the one running it. `TEST_INSTALL_README=<file>`
 * runs another README's blocks (for example, an old one, to see how its install fails).
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { CommandKind, commandKind, installBlocks, withTarball } from "./readmeCommands";

const ROOT = path.join(__dirname, "..");
const README = process.env.TEST_INSTALL_README ?? path.join(ROOT, "README.md");
const OWN = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { name: string; version: string };

/** The environment of a user's shell: none of the variables npm sets for this repository's own scripts. */
const USER_ENV: NodeJS.ProcessEnv = {
    ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(npm_|INIT_CWD$|TEST_INSTALL_README$)/i.test(name))),
    GIT_AUTHOR_NAME: "Install Test",
    GIT_AUTHOR_EMAIL: "install-test@example.com",
    GIT_COMMITTER_NAME: "Install Test",
    GIT_COMMITTER_EMAIL: "install-test@example.com",
    NO_UPDATE_NOTIFIER: "1",
};

interface Run {
    code: number | null;
    stdout: string;
    stderr: string;
}

function sh(cwd: string, command: string): Run {
    const result = spawnSync("bash", ["-c", command], { cwd, env: USER_ENV, encoding: "utf8", timeout: 10 * 60_000 });
    return {
        code: result.status,
        stdout: result.stdout ?? "",
        stderr: `${result.stderr ?? ""}${result.error ? `${result.error.message}\n` : ""}`,
    };
}

/** The last lines of a command's output, for a failure message. */
function tail(run: Run): string {
    return `${run.stdout}\n${run.stderr}`.trim().split("\n").slice(-40).join("\n");
}

const lines = (text: string) => text.split("\n").filter((line) => line !== "");

/** The output's lines without the lines `npm run` prints before a script's own (`> name@ plan`, `> revocable-roles plan`). */
function ownLines(text: string): string[] {
    const all = lines(text);
    const first = all.findIndex((line) => !line.startsWith("> "));
    return first < 0 ? [] : all.slice(first);
}

/** What the command's output must show when it worked, by kind; a message when it does not. */
function outputProblem(kind: CommandKind, run: Run): string | undefined {
    const out = ownLines(run.stdout);
    switch (kind) {
        case "install": {
            const bad = `${run.stdout}\n${run.stderr}`.match(/^.*(?:ERESOLVE|EBADENGINE|npm error).*$/m);
            return bad === null ? undefined : `npm said: ${bad[0]}`;
        }
        case "init":
            return out.includes("wrote  Pulumi.yaml") || out.some((l) => l.startsWith("kept   Pulumi.yaml"))
                ? undefined
                : "init did not write or keep Pulumi.yaml";
        case "plan":
            return /^Offline plan of stack "[^"]+" \(project [^)]+\): no AWS call was made\.$/.test(out[0] ?? "") &&
                /^[1-9]\d* roles, \d+ resources\.$/.test(out.at(-1) ?? "")
                ? undefined
                : "the plan's first and last lines are not a plan's";
        case "revoke":
            return /^Wrote Pulumi\.[^ ]+\.yaml: .+ revoked before \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\.$/.test(out[0] ?? "")
                ? undefined
                : "revoke wrote no revocation";
        case "revocations":
            return out.some((l) => / in force until \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(l))
                ? undefined
                : "no revocation listed in force";
        case "guard":
            return /^No revocation is weakened since \S+\.$/.test(out.at(-1) ?? "") ? undefined : "the guard's verdict is not a pass";
        case "other":
            return undefined;
    }
}

describe(`the README's install (${path.relative(ROOT, README)}), as written, against the registry, on Node.js ${process.version}`, function () {
    this.timeout(15 * 60_000);
    const blocks = installBlocks(fs.readFileSync(README, "utf8"), path.relative(ROOT, README));
    let work: string;
    let project: string;
    let tarball: string;
    let failed = false;
    const kinds: CommandKind[] = [];

    before(() => {
        work = fs.mkdtempSync(path.join(os.tmpdir(), "revocable-roles-install-"));
        project = path.join(work, "platform-roles");
        fs.mkdirSync(project);
        // Children run the Node.js on PATH: it must be the one this test reports.
        assert.strictEqual(sh(project, "node --version").stdout.trim(), process.version);
        const pack = spawnSync("npm", ["run", "--silent", "pack", "--", "--pack-destination", work], {
            cwd: ROOT,
            encoding: "utf8",
        });
        assert.strictEqual(pack.status, 0, `npm run pack failed:\n${pack.stdout}\n${pack.stderr}`);
        tarball = path.join(work, `${OWN.name}-${OWN.version}.tgz`);
        assert.ok(fs.existsSync(tarball), `npm run pack made no ${tarball}`);
        // A repository, as the README's project is; what each block leaves is committed before the next.
        assert.strictEqual(sh(project, "git init -q -b main && printf 'node_modules/\\n' > .gitignore").code, 0);
    });
    after(() => {
        if (failed) process.stdout.write(`    (the project is kept for a look: ${project})\n`);
        else fs.rmSync(work, { recursive: true, force: true });
    });

    it("marks blocks whose install replaces the package name once", () => {
        failed = true;
        const replaced = blocks.flat().reduce((sum, command) => sum + withTarball(command.text, "x.tgz").replaced, 0);
        assert.strictEqual(replaced, 1, "the README's marked blocks must install revocable-roles exactly once");
        failed = false;
    });

    for (const [index, block] of blocks.entries()) {
        for (const [position, command] of block.entries()) {
            const kind = commandKind(command.text);
            it(`${path.relative(ROOT, README)}:${command.line}: ${command.text}`, function () {
                if (failed) this.skip();
                failed = true;
                if (index > 0 && position === 0) {
                    const commit = sh(project, `git add -A && git commit -q --allow-empty -m "README block ${index}"`);
                    assert.strictEqual(commit.code, 0, tail(commit));
                }
                const run = sh(project, withTarball(command.text, tarball).text);
                assert.strictEqual(run.code, 0, `exit code ${run.code}:\n${tail(run)}`);
                // The package's commands write nothing to stderr when they work; npm writes notices there.
                if (kind !== "install" && kind !== "other") assert.strictEqual(run.stderr, "", run.stderr);
                const problem = outputProblem(kind, run);
                assert.strictEqual(problem, undefined, `${problem}:\n${tail(run)}`);
                if (kind === "install") {
                    const installed = (name: string) =>
                        (
                            JSON.parse(fs.readFileSync(path.join(project, "node_modules", name, "package.json"), "utf8")) as {
                                version: string;
                            }
                        ).version;
                    assert.strictEqual(installed(OWN.name), OWN.version);
                    const spec = (
                        JSON.parse(fs.readFileSync(path.join(project, "package.json"), "utf8")) as { dependencies: Record<string, string> }
                    ).dependencies[OWN.name];
                    assert.ok(spec.startsWith("file:"), `revocable-roles came from ${spec}, not the tarball`);
                    const versions = ["@pulumi/pulumi", "@pulumi/aws", "@pulumi/aws-native", "typescript"].map(
                        (name) => `${name} ${fs.existsSync(path.join(project, "node_modules", name)) ? installed(name) : "(none)"}`,
                    );
                    process.stdout.write(`      installed: ${versions.join(", ")}\n`);
                }
                kinds.push(kind);
                failed = false;
            });
        }
    }

    it("ran init, plan, revoke, revocations and guard, as the README tells a new user", function () {
        if (failed) this.skip();
        assert.deepStrictEqual(
            ["install", "init", "plan", "revoke", "revocations", "guard"].filter((k) => !kinds.includes(k as CommandKind)),
            [],
        );
    });
});

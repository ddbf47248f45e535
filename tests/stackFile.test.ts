/**
 * Writing stack files under faults: two revokes at once, a lock left behind, files planted at the
 * lock's and the temporary file's names, a file changed behind revoke's back, and an interrupted
 * guard's temporary checkout.
 */
import * as assert from "assert";
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Capture, dotFiles, failingFileSystem, fixture, git, project, repository, spawnCommand, environment, virtualTime } from "./helpers";
import { PROJECT_ROOT } from "../cli/project";
import { lockFileOf, lockStackFile, replaceStackFile } from "../revocation/stackFile";
import { commandMain } from "../cli/main";

const revoke = commandMain("revoke");

const ORIGINAL = fixture("revoke", "Pulumi.commented.yaml");
const NOW = new Date("2026-11-27T10:15:30.250Z");

describe("writing a stack file", function () {
    this.timeout(30_000);

    it("lands both of two revokes started at once on one file, one after the other", async () => {
        const root = project({ "Pulumi.qa.yaml": ORIGINAL });
        const [first, second] = [
            spawnCommand(["revoke", "--stack", "qa", "--role", "app-server", "--at", "2026-11-27T10:00:00Z"], root),
            spawnCommand(["revoke", "--stack", "qa", "--role", "auditor", "--at", "2026-11-27T10:00:00Z"], root),
        ];
        const results = await Promise.all([first.done, second.done]);
        assert.deepStrictEqual(
            results.map((r) => [r.code, r.stderr]),
            [
                [0, ""],
                [0, ""],
            ],
        );
        const text = fs.readFileSync(path.join(root, "Pulumi.qa.yaml"), "utf8");
        assert.strictEqual(
            text,
            ORIGINAL.replace('description: "app"}', 'description: "app", revokeBefore: "2026-11-27T10:00:00Z"}').replace(
                "        externalId: audit-1   # shared with the auditor\n",
                '        externalId: audit-1   # shared with the auditor\n      revokeBefore: "2026-11-27T10:00:00Z"\n',
            ),
        );
        assert.deepStrictEqual(
            fs.readdirSync(root).filter((name) => name.startsWith(".")),
            [],
            "no lock or temporary file is left behind",
        );
    });

    it("refuses, naming the holder, while another process holds the lock, and writes nothing", async () => {
        const root = project({ "Pulumi.qa.yaml": ORIGINAL });
        const file = path.join(root, "Pulumi.qa.yaml");
        // This process is alive: its lock is not stale.
        fs.writeFileSync(lockFileOf(file), `${process.pid}\n`);
        await assert.rejects(lockStackFile(file, { time: virtualTime(), waitMs: 100, pollMs: 20 }), {
            message: `Pulumi.qa.yaml is being edited by another revoke (process ${process.pid}, lock file .Pulumi.qa.yaml.lock); nothing was written; run revoke again once it has finished`,
        });
        assert.strictEqual(fs.readFileSync(file, "utf8"), ORIGINAL);
    });

    it("leaves no lock file, empty or not, when the disk is full or the checkout read-only, and says nothing was written", async () => {
        for (const [failure, why] of [
            ["full disk", "ENOSPC: no space left on device"],
            ["read-only", "EROFS: read-only file system"],
        ] as const) {
            const root = project({ "Pulumi.qa.yaml": ORIGINAL });
            const file = path.join(root, "Pulumi.qa.yaml");
            await assert.rejects(lockStackFile(file, { time: virtualTime(), fileSystem: failingFileSystem(root, failure) }), {
                message: `cannot lock Pulumi.qa.yaml (${why}); nothing was written`,
            });
            assert.deepStrictEqual(dotFiles(root), [], failure);
        }
    });

    it("says who holds the lock once, and stops waiting when interrupted, saying nothing was written", async () => {
        const root = project({ "Pulumi.qa.yaml": ORIGINAL });
        const file = path.join(root, "Pulumi.qa.yaml");
        fs.writeFileSync(lockFileOf(file), `${process.pid}\n`);
        const stop = new AbortController();
        const told: string[] = [];
        const time = virtualTime();
        const waiting = lockStackFile(file, {
            time: { now: time.now, sleep: (ms) => (stop.abort(), time.sleep(ms)) },
            stop: stop.signal,
            waiting: (holder, waitMs) => told.push(`${holder} (${waitMs} ms)`),
        });
        const holder = `another revoke (process ${process.pid}, lock file .Pulumi.qa.yaml.lock)`;
        await assert.rejects(waiting, {
            message: `interrupted while waiting for ${holder} to finish with Pulumi.qa.yaml; nothing was written`,
        });
        assert.deepStrictEqual(told, [`Pulumi.qa.yaml is being edited by ${holder} (10000 ms)`]);
        assert.deepStrictEqual([fs.readFileSync(file, "utf8"), fs.readFileSync(lockFileOf(file), "utf8")], [ORIGINAL, `${process.pid}\n`]);
    });

    it("takes over a lock left by a process that is gone, and removes it when done", async () => {
        const root = project({ "Pulumi.qa.yaml": ORIGINAL });
        const file = path.join(root, "Pulumi.qa.yaml");
        const gone = spawnSync(process.execPath, ["-e", "0"]).pid!;
        fs.writeFileSync(lockFileOf(file), `${gone}\n`);
        const lock = await lockStackFile(file, { time: virtualTime(), waitMs: 0 });
        assert.strictEqual(fs.readFileSync(lockFileOf(file), "utf8"), `${process.pid}\n`);
        lock.release();
        assert.strictEqual(fs.existsSync(lockFileOf(file)), false);
    });

    it("refuses a symlink planted at the lock's name instead of following it", async () => {
        const root = project({ "Pulumi.qa.yaml": ORIGINAL });
        const outside = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "revocable-roles-outside-")), "victim.txt");
        fs.writeFileSync(outside, "untouched\n");
        fs.symlinkSync(outside, lockFileOf(path.join(root, "Pulumi.qa.yaml")));
        await assert.rejects(lockStackFile(path.join(root, "Pulumi.qa.yaml"), { time: virtualTime(), waitMs: 0 }), {
            message: ".Pulumi.qa.yaml.lock exists and is not a regular file; nothing was written; remove it and run revoke again",
        });
        assert.strictEqual(fs.readFileSync(outside, "utf8"), "untouched\n");
    });

    it("never follows a symlink planted at the temporary file's name: the write fails, the outside file and the stack file stay as they were", () => {
        const root = project({ "Pulumi.qa.yaml": ORIGINAL });
        const file = path.join(root, "Pulumi.qa.yaml");
        const outside = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "revocable-roles-outside-")), "victim.txt");
        fs.writeFileSync(outside, "untouched\n");
        for (const planted of [outside, path.join(root, "does-not-exist")]) {
            const temporary = path.join(root, ".Pulumi.qa.yaml.0123abcd.tmp");
            fs.rmSync(temporary, { force: true });
            fs.symlinkSync(planted, temporary);
            assert.throws(() => replaceStackFile(file, ORIGINAL, "config: {}\n", { path: temporary }), {
                message:
                    "cannot create the temporary file .Pulumi.qa.yaml.0123abcd.tmp beside Pulumi.qa.yaml (EEXIST); nothing was written",
            });
            assert.strictEqual(fs.readFileSync(outside, "utf8"), "untouched\n");
            assert.strictEqual(fs.lstatSync(file).isSymbolicLink(), false);
            assert.strictEqual(fs.readFileSync(file, "utf8"), ORIGINAL);
        }
    });

    it("names the temporary file unpredictably, and keeps the stack file's mode", () => {
        const root = project({ "Pulumi.qa.yaml": ORIGINAL });
        const file = path.join(root, "Pulumi.qa.yaml");
        fs.chmodSync(file, 0o640);
        const created: string[] = [];
        // Told by the writer itself as it creates each temporary file: no watcher, no wait.
        const tell = { created: (name: string) => created.push(path.basename(name)) };
        replaceStackFile(file, ORIGINAL, `${ORIGINAL}# one\n`, tell);
        replaceStackFile(file, `${ORIGINAL}# one\n`, `${ORIGINAL}# two\n`, tell);
        const names = [...new Set(created)];
        assert.strictEqual(names.length, 2, JSON.stringify(created));
        for (const name of names) assert.match(name, /^\.Pulumi\.qa\.yaml\.[0-9a-f]{24}\.tmp$/);
        assert.strictEqual(fs.statSync(file).mode & 0o777, 0o640);
    });

    it("refuses an edit when the file changed since it was read", () => {
        const root = project({ "Pulumi.qa.yaml": ORIGINAL });
        const file = path.join(root, "Pulumi.qa.yaml");
        fs.appendFileSync(file, "# edited by someone else\n");
        assert.throws(() => replaceStackFile(file, ORIGINAL, "config: {}\n"), {
            message: "Pulumi.qa.yaml changed since it was read; nothing was written; run revoke again to decide on its new content",
        });
        assert.strictEqual(fs.readFileSync(file, "utf8"), `${ORIGINAL}# edited by someone else\n`);
    });

    it("keeps the lock and temporary files out of git", () => {
        const root = repository({ ".gitignore": fs.readFileSync(path.join(PROJECT_ROOT, ".gitignore"), "utf8") });
        for (const name of [".Pulumi.qa.yaml.lock", ".Pulumi.qa.yaml.0123456789abcdef01234567.tmp"]) {
            assert.strictEqual(git(root, "check-ignore", name).trim(), name);
        }
    });

    it("removes the guard's temporary checkout when the guard is interrupted", async () => {
        const root = repository({ "Pulumi.qa.yaml": ORIGINAL, "index.ts": "export = {};\n" });
        // A process that makes the guard's temporary checkout and then waits, as a guard planning it does, with the
        // process's handlers installed as every command's process has them (cli/process.ts).
        const probe = path.join(project({}), "probe.js");
        const dist = (...file: string[]) => JSON.stringify(path.join(PROJECT_ROOT, "dist", ...file));
        fs.writeFileSync(
            probe,
            `require(${dist("cli", "process.js")}).installProcessHandlers();\nconst { checkoutAt } = require(${dist("config", "repository.js")});\nconsole.log(checkoutAt(process.cwd(), "main", "/nonexistent"));\nsetInterval(() => {}, 1000);\n`,
        );
        const child = spawn(process.execPath, [probe], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
        const done = new Promise<{ code: number | null }>((resolve) => child.on("close", (code) => resolve({ code })));
        const folder = await new Promise<string>((resolve) =>
            child.stdout!.once("data", (chunk: Buffer) => resolve(chunk.toString().trim())),
        );
        assert.strictEqual(fs.existsSync(path.join(folder, "index.ts")), true);
        child.kill("SIGINT");
        const { code } = await done;
        assert.deepStrictEqual({ code, left: fs.existsSync(folder) }, { code: 130, left: false });
    });

    it("revoke refuses an empty --endpoint-url and a bad --deadline with exit code 2", async () => {
        const root = project({ "Pulumi.qa.yaml": ORIGINAL });
        const cases: [string[], string][] = [
            [["--endpoint-url", ""], '--endpoint-url "" is not an http(s) URL such as http://127.0.0.1:5000'],
            [["--deadline", "0"], '--deadline "0" is not a number of seconds above 0, such as 120'],
            [["--deadline", "soon"], '--deadline "soon" is not a number of seconds above 0, such as 120'],
        ];
        for (const [flags, message] of cases) {
            const err = new Capture();
            const code = await revoke(["--stack", "qa", "--all", "--now", ...flags], new Capture(), err, environment({ root, now: NOW }));
            assert.deepStrictEqual({ code, first: err.text.split("\n")[0] }, { code: 2, first: message });
        }
        assert.strictEqual(fs.readFileSync(path.join(root, "Pulumi.qa.yaml"), "utf8"), ORIGINAL);
    });
});

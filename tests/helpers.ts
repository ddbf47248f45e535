import * as assert from "assert";
import { ChildProcess, execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Writable } from "stream";
import * as pulumi from "@pulumi/pulumi";
import { Program, Registration, runOffline } from "../plan/recorder";
import { planStack } from "../plan/run";
import { PROJECT_ROOT } from "../cli/project";
import { Environment, awsAccess, systemTime } from "../cli/environment";
import { Time } from "../apply/time";
import { LoadedStack, loadStack } from "../config/loader";
import { EntryKind, ProjectSource } from "../config/sources";
import { Plan } from "../plan/model";
import { FileSystem } from "../revocation/stackFile";

/** The fixtures folder. */
export const FIXTURES: string = path.join(__dirname, "fixtures");

/** The project file every test project uses (never the checkout's own). */
export const PROJECT_YAML: string = fs.readFileSync(path.join(FIXTURES, "Pulumi.yaml"), "utf8");

/** The example dev stack, as a fixture (the checkout's own Pulumi.dev.yaml may change). */
export const DEV_STACK: string = fs.readFileSync(path.join(FIXTURES, "stacks", "Pulumi.dev.yaml"), "utf8");

/** A fixture file's text. */
export function fixture(...parts: string[]): string {
    return fs.readFileSync(path.join(FIXTURES, ...parts), "utf8");
}

/** A project held in memory: file name to text (Pulumi.yaml is added unless given). */
export function memorySource(files: Record<string, string>): ProjectSource {
    const all: Record<string, string> = { "Pulumi.yaml": PROJECT_YAML, ...files };
    return {
        label: "memory",
        entries: () => new Map(Object.keys(all).map((name): [string, EntryKind] => [name, "file"])),
        read: (name) => all[name],
    };
}

/** A stack loaded from text, as the plan, guard and revoke load it. */
export function loaded(text: string, stack = "test"): LoadedStack {
    return loadStack(memorySource({ [`Pulumi.${stack}.yaml`]: text }), stack);
}

/** The offline plan of a stack file's text. */
export function plan(text: string, stack = "test"): Promise<Plan> {
    return planStack(loaded(text, stack), PROJECT_ROOT, new Date());
}

/** The files and folders of this project's own program: what a base commit holds to be planned with its own code. */
export const PROGRAM_ENTRIES: string[] = [
    "Pulumi.yaml",
    "index.ts",
    "package.json",
    "tsconfig.json",
    "components",
    "iam",
    "config",
    "backends",
];

/** The package.json every test project has: the Pulumi CLI's Node.js host runs index.ts. */
export const PACKAGE_JSON = '{ "name": "test-project", "main": "index.ts" }\n';

/** A throwaway project folder holding the test project file, a package.json and the given files; removed after the suite. */
export function project(files: Record<string, string>): string {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "revocable-roles-test-"));
    fs.writeFileSync(path.join(root, "Pulumi.yaml"), PROJECT_YAML);
    fs.writeFileSync(path.join(root, "package.json"), PACKAGE_JSON);
    for (const [name, text] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
        fs.writeFileSync(path.join(root, name), text);
    }
    made.push(root);
    return root;
}

const made: string[] = [];
after(() => {
    for (const root of made.splice(0)) fs.rmSync(root, { recursive: true, force: true });
});

/** Runs git in a test repository as a fixed author. */
export function git(root: string, ...args: string[]): string {
    return execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "init.defaultBranch=main", ...args], {
        cwd: root,
        stdio: "pipe",
        encoding: "utf8",
    });
}

/** Repositories with a base committed, by the base's content; never handed to a test, only copied. */
const committedBases = new Map<string, string>();

/**
 * A real git repository with `base` committed on main and `head` in the working tree (a file
 * set to undefined is deleted). Pulumi.yaml is the test project file unless `base` gives one.
 */
export function repository(base: Record<string, string>, head: Record<string, string | undefined> = {}): string {
    const key = JSON.stringify(base);
    let committed = committedBases.get(key);
    if (committed === undefined) {
        committed = project(base);
        // No template: a copy per test then copies no sample hooks.
        git(committed, "init", "-q", "--template=");
        git(committed, "add", "-A");
        git(committed, "commit", "-qm", "base");
        committedBases.set(key, committed);
    }
    // A copy of the committed base: many tests share one, and a copy costs no git process.
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "revocable-roles-test-"));
    made.push(root);
    fs.cpSync(committed, root, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
    writeFiles(root, head);
    return root;
}

/** Writes files into a folder, making their folders; a file set to undefined is deleted. */
export function writeFiles(root: string, files: Record<string, string | undefined>): void {
    for (const [name, text] of Object.entries(files)) {
        if (text === undefined) fs.rmSync(path.join(root, name));
        else {
            fs.mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
            fs.writeFileSync(path.join(root, name), text);
        }
    }
}

/** Writes (or, for undefined, deletes) files in a repository and commits them; returns the new commit. */
export function commitFiles(root: string, files: Record<string, string | undefined>, message: string): string {
    writeFiles(root, files);
    git(root, "add", "-A");
    git(root, "commit", "-qm", message, "--allow-empty");
    return git(root, "rev-parse", "HEAD").trim();
}

/** The package's command line, compiled (tests/build.ts keeps it fresh): what a user's shell runs. */
export const COMMAND_LINE: string = path.join(PROJECT_ROOT, "dist", "cli", "main.js");

/** What a command run as a process did. */
export interface CommandRun {
    code: number | null;
    signal: NodeJS.Signals | null;
    stdout: string;
    stderr: string;
}

/** Runs `revocable-roles <args>` as its own process in `cwd`, as a person or a workflow step would. */
export function spawnCommand(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): { child: ChildProcess; done: Promise<CommandRun> } {
    const child = spawn(process.execPath, [COMMAND_LINE, ...args], {
        cwd,
        env: { ...process.env, ...env },
        stdio: ["ignore", "pipe", "pipe"],
    });
    let [stdout, stderr] = ["", ""];
    child.stdout!.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    return { child, done: new Promise((resolve) => child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }))) };
}

/**
 * Makes a folder a project that installed the package as npm would: node_modules/revocable-roles
 * is the package (the build in dist/, linked, or a packed tarball, extracted there),
 * node_modules/.bin/revocable-roles its command, every other package this repository's own, and
 * (with `program`, the default) index.ts the one line init writes. Nothing is downloaded.
 */
export function installPackage(root: string, options: { tarball?: string; program?: boolean } = {}): void {
    const modules = path.join(root, "node_modules");
    fs.mkdirSync(path.join(modules, ".bin"), { recursive: true });
    for (const entry of fs.readdirSync(path.join(PROJECT_ROOT, "node_modules"))) {
        if (entry === "revocable-roles" || entry === ".bin" || entry.startsWith(".package-lock")) continue;
        fs.symlinkSync(path.join(PROJECT_ROOT, "node_modules", entry), path.join(modules, entry));
    }
    const installed = path.join(modules, "revocable-roles");
    if (options.tarball === undefined) fs.symlinkSync(path.join(PROJECT_ROOT, "dist"), installed, "dir");
    else {
        // A real folder, as npm extracts it: the package's own requires resolve through this project's node_modules.
        fs.mkdirSync(installed);
        execFileSync("tar", ["-xzf", options.tarball, "-C", installed, "--strip-components=1"]);
    }
    fs.symlinkSync(path.join("..", "revocable-roles", "cli", "main.js"), path.join(modules, ".bin", "revocable-roles"));
    if (options.program !== false && !fs.existsSync(path.join(root, "index.ts")))
        fs.copyFileSync(path.join(PROJECT_ROOT, "templates", "index.ts"), path.join(root, "index.ts"));
}

/** Runs `program` under the recording mock runtime (as of `now`, default the real clock) and fails the test if it threw. */
export async function register(program: Program, stack = "test", now: Date = new Date()): Promise<Registration[]> {
    const run = await runOffline(program, { project: "revocable-roles", stack, config: {}, now });
    assert.strictEqual(run.error, undefined, run.error?.message);
    return run.registrations;
}

/** The registrations of one type, by logical name. */
export function byName<T extends { name: string }>(registrations: T[]): Map<string, T> {
    return new Map(registrations.map((r) => [r.name, r]));
}

/** `type name` lines, sorted, for exact comparisons of what was registered. */
export function shape(registrations: { type: string; name: string }[]): string[] {
    return registrations.map((r) => `${r.type} ${r.name}`).sort();
}

/** Captures what a command writes to stdout or stderr. */
export class Capture extends Writable {
    text: string = "";
    override _write(chunk: Buffer, _encoding: string, done: () => void): void {
        this.text += chunk.toString();
        done();
    }
}

/** Runs a command's main with captured output: its exit code, stdout and stderr. */
export async function capture(
    command: (out: Capture, err: Capture) => Promise<number>,
): Promise<{ code: number; stdout: string; stderr: string }> {
    const out = new Capture();
    const err = new Capture();
    const code = await command(out, err);
    return { code, stdout: out.text, stderr: err.text };
}

/** The value of an Output, awaited without `done` callbacks (a failed assert in `apply` would be a timeout). */
export function promiseOf<T>(output: pulumi.Output<T>): Promise<T> {
    return new Promise((resolve) => output.apply(resolve));
}

/** A policy document input as data (JSON text on the classic provider). */
export function doc(value: unknown): unknown {
    return typeof value === "string" ? JSON.parse(value) : value;
}

/** Runs `work` with the process's environment variables set (a value) or unset (undefined), and puts them back afterwards. */
export async function withEnvironment<T>(variables: Record<string, string | undefined>, work: () => Promise<T>): Promise<T> {
    const saved = Object.fromEntries(Object.keys(variables).map((name) => [name, process.env[name]]));
    const apply = (values: Record<string, string | undefined>) => {
        for (const [name, value] of Object.entries(values)) {
            if (value === undefined) delete process.env[name];
            else process.env[name] = value;
        }
    };
    apply(variables);
    try {
        return await work();
    } finally {
        apply(saved);
    }
}

/**
 * A command's environment for a test: the project folder and the instant given, this checkout's
 * program, the system's time, no environment variables, and the AWS SDK's clients (the region
 * us-east-1) unless the test gives its own.
 */
export function environment(given: Partial<Environment> & { root: string }): Environment {
    return {
        programRoot: PROJECT_ROOT,
        now: new Date(),
        time: systemTime,
        temporaryFolder: os.tmpdir(),
        variables: {},
        debug: false,
        aws: awsAccess({}, systemTime),
        ...given,
    };
}

/** Time for a test: it passes only when the code waits, or when the test advances it. */
export interface VirtualTime extends Time {
    /** Moves the clock on by `ms`. */
    advance(ms: number): void;
}

/**
 * A clock that starts at `start` and moves only when waited on (`sleep` advances it at once and
 * resolves on the next turn) or advanced by the test, so that a deadline is met or missed by the
 * same steps on every machine. Its `timeout` signals abort when the clock passes them; its jitter
 * is a fixed pseudo-random sequence.
 */
export function virtualTime(start: number = Date.UTC(2026, 10, 27, 10, 15)): VirtualTime {
    let now = start;
    let seed = 7;
    const timers: { at: number; controller: AbortController }[] = [];
    const advance = (ms: number) => {
        now += ms;
        for (const timer of timers.splice(0)) {
            if (timer.at <= now)
                timer.controller.abort(Object.assign(new Error("The operation was aborted due to timeout"), { name: "TimeoutError" }));
            else timers.push(timer);
        }
    };
    return {
        now: () => now,
        sleep: (ms) => {
            advance(ms);
            return new Promise((resolve) => setImmediate(resolve));
        },
        timeout: (ms) => {
            const controller = new AbortController();
            timers.push({ at: now + ms, controller });
            return controller.signal;
        },
        random: () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648,
        advance,
    };
}

/**
 * Node's file system, except that inside `root` it fails as a read-only checkout does (creating,
 * linking or renaming a file: EROFS) or as a full disk does (writing to a file: ENOSPC), for the
 * stack files' lock and write (`fileSystem` of the environment). As root a real read-only folder
 * would still be written, so the failure is handed in.
 */
export function failingFileSystem(root: string, failure: "read-only" | "full disk"): FileSystem {
    const inside = (file: fs.PathLike) => path.resolve(String(file)).startsWith(`${root}${path.sep}`);
    const fail = (code: string, message: string) => Object.assign(new Error(`${code}: ${message}`), { code });
    const fds = new Set<number>();
    const opened = ((file: fs.PathLike, flags: number, mode?: fs.Mode) => {
        if (failure === "read-only" && inside(file) && (Number(flags) & fs.constants.O_CREAT) !== 0)
            throw fail("EROFS", "read-only file system");
        const fd = fs.openSync(file, flags, mode);
        if (inside(file)) fds.add(fd);
        return fd;
    }) as typeof fs.openSync;
    return {
        ...fs,
        openSync: opened,
        writeSync: ((fd: number, ...rest: never[]) => {
            if (failure === "full disk" && fds.has(fd)) throw fail("ENOSPC", "no space left on device");
            return (fs.writeSync as (fd: number, ...args: never[]) => number)(fd, ...rest);
        }) as typeof fs.writeSync,
        closeSync: (fd: number) => {
            fds.delete(fd);
            fs.closeSync(fd);
        },
        linkSync: (existing: fs.PathLike, target: fs.PathLike) => {
            if (failure === "read-only" && inside(target)) throw fail("EROFS", "read-only file system");
            fs.linkSync(existing, target);
        },
        renameSync: (from: fs.PathLike, to: fs.PathLike) => {
            if (failure === "read-only" && inside(to)) throw fail("EROFS", "read-only file system");
            fs.renameSync(from, to);
        },
    };
}

/** The dot files of a folder: a lock or temporary file left behind would be one. */
export function dotFiles(root: string): string[] {
    return fs.readdirSync(root).filter((name) => name.startsWith("."));
}

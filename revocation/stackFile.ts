/**
 * Writing a stack file so that nothing is lost or leaked: one writer at a time (an exclusive lock
 * file per stack file, a stale one recognised by its process ID, made whole before it takes the
 * lock's name, so that a full disk never leaves an empty one behind), the file read again under the
 * lock and the edit refused if it changed since it was read, and the new text written to a
 * temporary file with an unpredictable name, created exclusively (a file or symlink planted there
 * makes the write fail instead of being followed), synced to disk and renamed over the original,
 * then the folder synced so that the rename itself survives a crash. A lock still held when the
 * process ends is removed by {@link releaseHeldLocks}, which the command's process calls on exit
 * (cli/process.ts installs the process's handlers; this module installs none).
 */
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { RevocationError } from "./errors";
import { Time } from "../apply/time";
import { decodeStrict } from "../config/bytes";

/**
 * The file-system calls that locking and writing a stack file make: Node's own by default; a test
 * hands in ones that fail as a full disk or a read-only checkout does.
 */
export type FileSystem = Pick<
    typeof fs,
    "openSync" | "writeSync" | "fsyncSync" | "closeSync" | "linkSync" | "renameSync" | "rmSync" | "readFileSync" | "lstatSync" | "statSync"
>;

/** The lock file of a stack file: `.Pulumi.dev.yaml.lock` beside it (ignored by git). */
export function lockFileOf(file: string): string {
    return path.join(path.dirname(file), `.${path.basename(file)}.lock`);
}

/** A held lock on a stack file. */
export interface StackFileLock {
    release(): void;
}

/** The locks this process holds, with the file system each was taken through. */
const held = new Map<string, FileSystem>();

/** Removes a lock file; one that cannot be removed (the folder became read-only) is left to be taken over as stale. */
function remove(files: FileSystem, lock: string): void {
    try {
        files.rmSync(lock, { force: true });
    } catch {
        // Its process ends soon: the next revoke takes the lock over.
    }
}

/** Removes every lock this process still holds: for the process's exit handler. */
export function releaseHeldLocks(): void {
    for (const [lock, files] of held) remove(files, lock);
    held.clear();
}

/** Whether a process with this ID is running (signal 0 checks without sending anything). */
function alive(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch (error) {
        return (error as NodeJS.ErrnoException).code === "EPERM";
    }
}

/** How {@link lockStackFile} waits. */
export interface LockOptions {
    time: Pick<Time, "now" | "sleep">;
    /** How long to wait for another holder to finish. @default 10 s */
    waitMs?: number;
    /** How often to look. @default 50 ms */
    pollMs?: number;
    /** Aborts the wait (the run is interrupted): nothing is written. */
    stop?: AbortSignal;
    /** Told once, when another holder is found and the wait begins: who holds it, and for how long the wait lasts at most. */
    waiting?: (holder: string, waitMs: number) => void;
    /** @default Node's fs */
    fileSystem?: FileSystem;
}

/** Writes all of `text` at the file's start: a short write is continued, a failed one throws (a full disk: ENOSPC). */
function writeAll(files: FileSystem, fd: number, text: string): void {
    const data = Buffer.from(text, "utf8");
    for (let written = 0; written < data.length;) written += files.writeSync(fd, data, written, data.length - written);
}

/** Writes `text` to a new file at `name` (created exclusively, never through a symlink), synced; removes it if that fails. */
function writeNew(files: FileSystem, name: string, text: string, mode: number): void {
    const fd = files.openSync(name, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW, mode);
    try {
        writeAll(files, fd, text);
        files.fsyncSync(fd);
    } catch (error) {
        files.closeSync(fd);
        remove(files, name);
        throw error;
    }
    files.closeSync(fd);
}

/**
 * Takes the stack file's lock, waiting up to `waitMs` on `time` for another holder to finish. The
 * lock is written whole under a name of its own and then linked to the lock's name, which either
 * does not exist or names a process: a write that fails (a full disk) leaves no lock file, empty
 * or not. A lock left by a process that no longer runs is taken over. Throws a
 * {@link RevocationError} naming the holder when the wait runs out or is interrupted, and when the
 * lock cannot be made or something that is not a lock file sits at its name.
 */
export async function lockStackFile(file: string, options: LockOptions): Promise<StackFileLock> {
    const lock = lockFileOf(file);
    const name = path.basename(file);
    const { time } = options;
    const files = options.fileSystem ?? fs;
    const started = time.now();
    let told = false;
    for (;;) {
        const claim = temporaryName(file);
        try {
            writeNew(files, claim, `${process.pid}\n`, 0o600);
        } catch (error) {
            throw new RevocationError(`cannot lock ${name} (${(error as Error).message}); nothing was written`);
        }
        try {
            files.linkSync(claim, lock);
            held.set(lock, files);
            return {
                release() {
                    if (held.delete(lock)) remove(files, lock);
                },
            };
        } catch (error) {
            if ((error as NodeJS.ErrnoException).code !== "EEXIST")
                throw new RevocationError(`cannot lock ${name} (${(error as Error).message}); nothing was written`);
        } finally {
            remove(files, claim);
        }
        const stat = files.lstatSync(lock, { throwIfNoEntry: false });
        if (stat === undefined) continue;
        if (!stat.isFile()) {
            throw new RevocationError(
                `${path.basename(lock)} exists and is not a regular file; nothing was written; remove it and run revoke again`,
            );
        }
        const pid = Number(String(files.readFileSync(lock, "utf8")).trim());
        if (!Number.isInteger(pid) || pid <= 0 || !alive(pid)) {
            // Left by a process that is gone: take it over.
            remove(files, lock);
            continue;
        }
        const holder = `another revoke (process ${pid}, lock file ${path.basename(lock)})`;
        if (!told) options.waiting?.(`${name} is being edited by ${holder}`, options.waitMs ?? 10_000);
        told = true;
        if (options.stop?.aborted === true) {
            throw new RevocationError(`interrupted while waiting for ${holder} to finish with ${name}; nothing was written`);
        }
        if (time.now() - started >= (options.waitMs ?? 10_000)) {
            throw new RevocationError(`${name} is being edited by ${holder}; nothing was written; run revoke again once it has finished`);
        }
        await time.sleep(options.pollMs ?? 50);
    }
}

/** A temporary file name beside the stack file that no one can guess in advance. */
function temporaryName(file: string): string {
    return path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(12).toString("hex")}.tmp`);
}

/** Where {@link replaceStackFile} writes first, and who hears of it. */
export interface TemporaryFile {
    /** The temporary file's path (tests plant files there); by default an unpredictable name beside the stack file. */
    path?: string;
    /** Told the temporary file's path once it is created, before anything is written to it. */
    created?: (path: string) => void;
    /** @default Node's fs */
    fileSystem?: FileSystem;
}

/**
 * Replaces a stack file's text, under its lock: refuses when the file no longer holds `expected`
 * (it changed since it was read and validated), and writes through an exclusively created
 * temporary file, synced, renamed, and the folder synced.
 */
export function replaceStackFile(file: string, expected: string, text: string, options: TemporaryFile = {}): void {
    const temporary = options.path ?? temporaryName(file);
    const name = path.basename(file);
    const files = options.fileSystem ?? fs;
    const current = decodeStrict(name, files.readFileSync(file));
    if (current !== expected) {
        throw new RevocationError(`${name} changed since it was read; nothing was written; run revoke again to decide on its new content`);
    }
    const mode = files.statSync(file).mode & 0o777;
    let fd: number;
    try {
        fd = files.openSync(temporary, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW, mode);
    } catch (error) {
        throw new RevocationError(
            `cannot create the temporary file ${path.basename(temporary)} beside ${name} (${(error as NodeJS.ErrnoException).code}); nothing was written`,
        );
    }
    options.created?.(temporary);
    try {
        try {
            writeAll(files, fd, text);
            files.fsyncSync(fd);
        } finally {
            files.closeSync(fd);
        }
        files.renameSync(temporary, file);
    } catch (error) {
        remove(files, temporary);
        throw new RevocationError(`cannot write ${name}: ${(error as Error).message}; nothing was changed`);
    }
    const folder = files.openSync(path.dirname(file), "r");
    try {
        files.fsyncSync(folder);
    } finally {
        files.closeSync(folder);
    }
}

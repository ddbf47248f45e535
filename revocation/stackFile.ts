/**
 * Writing a stack file so that nothing is lost or leaked: one writer at a time (an exclusive lock
 * file per stack file, a stale one recognised by its process ID), the file read again under the
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

/** The lock file of a stack file: `.Pulumi.dev.yaml.lock` beside it (ignored by git). */
export function lockFileOf(file: string): string {
    return path.join(path.dirname(file), `.${path.basename(file)}.lock`);
}

/** A held lock on a stack file. */
export interface StackFileLock {
    release(): void;
}

const held = new Set<string>();

/** Removes every lock this process still holds: for the process's exit handler. */
export function releaseHeldLocks(): void {
    for (const lock of held) fs.rmSync(lock, { force: true });
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

/**
 * Takes the stack file's lock, waiting up to `waitMs` (default 10 s) on `time` for another holder
 * to finish, looking every `pollMs` (default 50 ms). A lock left by a process that no longer runs
 * is taken over. Throws a {@link RevocationError} naming the holder when the wait runs out, and
 * when something that is not a lock file sits at the lock's name.
 */
export async function lockStackFile(
    file: string,
    options: { time: Pick<Time, "now" | "sleep">; waitMs?: number; pollMs?: number },
): Promise<StackFileLock> {
    const lock = lockFileOf(file);
    const name = path.basename(file);
    const { time } = options;
    const started = time.now();
    for (;;) {
        try {
            const fd = fs.openSync(
                lock,
                fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW,
                0o600,
            );
            fs.writeSync(fd, `${process.pid}\n`);
            fs.fsyncSync(fd);
            fs.closeSync(fd);
            held.add(lock);
            return {
                release() {
                    if (held.delete(lock)) fs.rmSync(lock, { force: true });
                },
            };
        } catch (error) {
            if ((error as NodeJS.ErrnoException).code !== "EEXIST")
                throw new RevocationError(`cannot lock ${name}: ${(error as Error).message}`);
        }
        const stat = fs.lstatSync(lock, { throwIfNoEntry: false });
        if (stat === undefined) continue;
        if (!stat.isFile()) {
            throw new RevocationError(
                `${path.basename(lock)} exists and is not a regular file; nothing was written; remove it and run revoke again`,
            );
        }
        const pid = Number(fs.readFileSync(lock, "utf8").trim());
        if (!Number.isInteger(pid) || pid <= 0 || !alive(pid)) {
            // Left by a process that is gone: take it over.
            fs.rmSync(lock, { force: true });
            continue;
        }
        if (time.now() - started >= (options.waitMs ?? 10_000)) {
            throw new RevocationError(
                `${name} is being edited by another revoke (process ${pid}, lock file ${path.basename(lock)}); nothing was written; run revoke again once it has finished`,
            );
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
}

/**
 * Replaces a stack file's text, under its lock: refuses when the file no longer holds `expected`
 * (it changed since it was read and validated), and writes through an exclusively created
 * temporary file, synced, renamed, and the folder synced.
 */
export function replaceStackFile(file: string, expected: string, text: string, options: TemporaryFile = {}): void {
    const temporary = options.path ?? temporaryName(file);
    const name = path.basename(file);
    const current = decodeStrict(name, fs.readFileSync(file));
    if (current !== expected) {
        throw new RevocationError(`${name} changed since it was read; nothing was written; run revoke again to decide on its new content`);
    }
    const mode = fs.statSync(file).mode & 0o777;
    let fd: number;
    try {
        fd = fs.openSync(temporary, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW, mode);
    } catch (error) {
        throw new RevocationError(
            `cannot create the temporary file ${path.basename(temporary)} beside ${name} (${(error as NodeJS.ErrnoException).code}); nothing was written`,
        );
    }
    options.created?.(temporary);
    try {
        fs.writeFileSync(fd, text);
        fs.fsyncSync(fd);
        fs.closeSync(fd);
        fs.renameSync(temporary, file);
    } catch (error) {
        fs.rmSync(temporary, { force: true });
        throw new RevocationError(`cannot write ${name}: ${(error as Error).message}; nothing was changed`);
    }
    const folder = fs.openSync(path.dirname(file), "r");
    try {
        fs.fsyncSync(folder);
    } finally {
        fs.closeSync(folder);
    }
}

/**
 * Where a project's files come from: a directory on disk, or a commit of its git repository.
 * The loader reads both the same way, so a base ref and the working tree are judged alike.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { decodeStrict } from "./bytes";
import { UserFacingError } from "../iam/errors";

/** What an entry of the project root is. Symlinks are reported as such, never followed. */
export type EntryKind = "file" | "symlink" | "directory" | "other";

/** The files of a project root. */
export interface ProjectSource {
    /** How messages name this source: a directory path, or `git ref main`. */
    readonly label: string;
    /** The root's entries by name. */
    entries(): ReadonlyMap<string, EntryKind>;
    /** A file's text, decoded as strict UTF-8 (an invalid byte throws, naming the line and column); only called for entries of kind `file`. */
    read(name: string): string;
}

/** A project root on disk. */
export function directorySource(root: string): ProjectSource {
    let cached: Map<string, EntryKind> | undefined;
    return {
        label: root,
        entries() {
            cached ??= new Map(
                fs.readdirSync(root, { withFileTypes: true }).map((entry) => {
                    const kind: EntryKind = entry.isSymbolicLink()
                        ? "symlink"
                        : entry.isFile()
                          ? "file"
                          : entry.isDirectory()
                            ? "directory"
                            : "other";
                    return [entry.name, kind];
                }),
            );
            return cached;
        },
        read: (name) => decodeStrict(name, fs.readFileSync(path.join(root, name))),
    };
}

/** Runs git in a repository and returns its output. */
export function git(root: string, args: string[]): string {
    return execFileSync("git", args, { cwd: root, stdio: "pipe", encoding: "utf8", maxBuffer: 256 << 20 });
}

/** Thrown when a git ref names no commit. */
export class UnknownRefError extends UserFacingError {
    constructor(readonly ref: string) {
        super(`unknown git ref "${ref}"`);
    }
}

/** The commit a ref names, or {@link UnknownRefError}. */
export function resolveRef(root: string, ref: string): string {
    try {
        return git(root, ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`]).trim();
    } catch {
        throw new UnknownRefError(ref);
    }
}

const GIT_KINDS: Record<string, EntryKind> = { "100644": "file", "100755": "file", "120000": "symlink", "040000": "directory" };

/** The project root as it is at a git ref (the root folder of `root`'s repository path). */
export function gitSource(root: string, ref: string): ProjectSource {
    const blobs = new Map<string, string>();
    let cached: Map<string, EntryKind> | undefined;
    let texts: Map<string, string> | undefined;
    const entries = () => {
        if (cached === undefined) {
            let listing: string;
            try {
                // -z: names exactly as stored; ./ : the folder of `root` inside the repository.
                listing = git(root, ["ls-tree", "-z", `${ref}^{commit}`, "./"]);
            } catch {
                throw new UnknownRefError(ref);
            }
            cached = new Map();
            for (const line of listing.split("\0")) {
                const match = /^(\d{6}) \w+ ([0-9a-f]+)\t(.*)$/s.exec(line);
                if (match === null) continue;
                const name = path.posix.basename(match[3]);
                cached.set(name, GIT_KINDS[match[1]] ?? "other");
                blobs.set(name, match[2]);
            }
        }
        return cached;
    };
    return {
        label: `git ref ${ref}`,
        entries,
        read(name) {
            entries();
            if (!blobs.has(name)) throw new Error(`${name} does not exist at ${ref}`);
            // The files the tools read (the Pulumi files and package.json) are read together, in one git process.
            texts ??= readBlobs(
                root,
                [...blobs].filter(([file]) => (file.startsWith("Pulumi.") || file === "package.json") && cached!.get(file) === "file"),
            );
            return (
                texts.get(name) ??
                decodeStrict(name, execFileSync("git", ["cat-file", "blob", blobs.get(name)!], { cwd: root, maxBuffer: 256 << 20 }))
            );
        },
    };
}

/** The texts of several blobs by name, from one `git cat-file --batch`; a file that is not valid UTF-8 throws when it is read. */
function readBlobs(root: string, files: [string, string][]): Map<string, string> {
    const texts = new Map<string, string>();
    if (files.length === 0) return texts;
    const output = execFileSync("git", ["cat-file", "--batch"], {
        cwd: root,
        input: files.map(([, blob]) => `${blob}\n`).join(""),
        maxBuffer: 256 << 20,
    });
    let offset = 0;
    for (const [name] of files) {
        const header = output.indexOf(10, offset);
        const size = Number(output.subarray(offset, header).toString("utf8").split(" ")[2]);
        const bytes = output.subarray(header + 1, header + 1 + size);
        try {
            texts.set(name, decodeStrict(name, bytes));
        } catch {
            // Left out: reading it alone throws the error that names it.
        }
        offset = header + 1 + size + 1;
    }
    return texts;
}

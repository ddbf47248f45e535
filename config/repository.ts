/**
 * The project's repository: which files changed between two revisions, and a copy of the tree at
 * a commit when its own code must be run.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { execFileSync } from "child_process";
import { git, resolveRef } from "./sources";

/** Files that change nothing `pulumi up` deploys: documentation, tests, tooling and CI. */
const NOT_DEPLOYED = [
    /\.md$/,
    /^docs\//,
    /^tests\//,
    /^bench\//,
    /^tools\//,
    /^\.github\//,
    /^\.ci\//,
    /^schema\//,
    /^\.gitignore$/,
    /^eslint\.config\.mjs$/,
    /^\.prettier(?:rc\.json|ignore)$/,
    /^Pulumi\.yaml$/,
];

/**
 * Tracked files that differ between `revisions` (as `git diff` takes them: one ref for the working
 * tree against it, two refs, or `base...HEAD`), relative to `root`, sorted. A file git does not
 * track changes no program until a tracked file imports it, and that file shows here.
 */
export function changedFiles(root: string, ...revisions: string[]): string[] {
    // -z: without it git quotes a name with other than printable ASCII ("components/\303\251.ts"), which no pattern here matches.
    return git(root, ["diff", "-z", "--name-only", "--relative", ...revisions, "--", "."])
        .split("\0")
        .filter((f) => f !== "")
        .sort();
}

/**
 * Every path of the repository that differs from `base`: in `head` when given, else in the working
 * tree, untracked files included (nothing ignored by .gitignore counts). Paths are relative to
 * `root`, with `../` for those outside it, sorted: the guard's judgement covers the whole
 * repository, not only the project's folder (workflows often live above it).
 */
export function changedPaths(root: string, base: string, head?: string): string[] {
    const top = topLevel(root);
    const listed = (args: string[]) =>
        git(top, args)
            .split("\0")
            .filter((f) => f !== "");
    const paths =
        head === undefined
            ? listed(["diff", "-z", "--name-only", "--no-renames", base])
            : listed(["diff", "-z", "--name-only", "--no-renames", base, head]);
    if (head === undefined) paths.push(...listed(["ls-files", "-z", "--others", "--exclude-standard"]));
    const relative = (file: string) => path.relative(root, path.join(top, file)).split(path.sep).join("/");
    return [...new Set(paths.map(relative))].sort();
}

const topLevels = new Map<string, string>();

/** The top folder of the repository that holds `root` (asked from git once per folder). */
function topLevel(root: string): string {
    let top = topLevels.get(root);
    if (top === undefined) {
        top = git(root, ["rev-parse", "--show-toplevel"]).trim();
        topLevels.set(root, top);
    }
    return top;
}

/** Whether a changed file can change what the program deploys: code, packages and settings, not docs, tests, tooling or Pulumi files. */
export function changesProgram(file: string): boolean {
    const code = /\.(?:[cm]?[jt]s|json)$/.test(file) || file === ".npmrc";
    return code && !/^Pulumi\./.test(file) && !NOT_DEPLOYED.some((pattern) => pattern.test(file));
}

const temporary = new Set<string>();

/**
 * Removes every temporary folder still registered: for the process's exit handler (cli/process.ts
 * installs the process's handlers, so that an interrupted guard leaves no checkout behind).
 */
export function removeTemporaryFolders(): void {
    for (const folder of temporary) fs.rmSync(folder, { recursive: true, force: true });
    temporary.clear();
}

/** A new temporary folder, removed by {@link removeTemporaryFolder}, or by {@link removeTemporaryFolders} when the process ends. */
export function temporaryFolder(prefix: string): string {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    temporary.add(folder);
    return folder;
}

/** Removes a folder made by {@link temporaryFolder}. */
export function removeTemporaryFolder(folder: string): void {
    fs.rmSync(folder, { recursive: true, force: true });
    temporary.delete(folder);
}

const MODES: Record<string, number> = { "100644": 0o644, "100755": 0o755 };

/**
 * The project folder of `root` as it is at `ref`, written into a temporary folder that uses the
 * given node_modules, so that its own program can be run. The files are written from git's
 * objects as stored: no .gitattributes applies (no export-ignore, no filters, no line-ending
 * conversion), so the copy is exactly the commit. The caller removes it with
 * {@link removeTemporaryFolder}.
 */
export function checkoutAt(root: string, ref: string, modules: string): string {
    const commit = resolveRef(root, ref);
    const prefix = path.relative(topLevel(root), root).split(path.sep).join("/");
    const folder = temporaryFolder("revocable-roles-base-");
    const listing = git(root, ["ls-tree", "-r", "-z", prefix === "" ? commit : `${commit}:${prefix}`])
        .split("\0")
        .filter((line) => line !== "")
        .map((line) => {
            const [meta, file] = [line.slice(0, line.indexOf("\t")), line.slice(line.indexOf("\t") + 1)];
            const [mode, type, object] = meta.split(" ");
            return { mode, type, object, file };
        })
        // Submodules (commits) have no content here; a file named node_modules would shadow the one linked below.
        .filter((entry) => entry.type === "blob" && entry.file.split("/")[0] !== "node_modules");
    const output = execFileSync("git", ["cat-file", "--batch"], {
        cwd: root,
        input: listing.map((entry) => `${entry.object}\n`).join(""),
        maxBuffer: 512 << 20,
    });
    let offset = 0;
    for (const entry of listing) {
        const header = output.indexOf(10, offset);
        const size = Number(output.subarray(offset, header).toString("utf8").split(" ")[2]);
        const content = output.subarray(header + 1, header + 1 + size);
        offset = header + 1 + size + 1;
        const target = path.join(folder, entry.file);
        fs.mkdirSync(path.dirname(target), { recursive: true });
        if (entry.mode === "120000") fs.symlinkSync(content.toString("utf8"), target);
        else fs.writeFileSync(target, content, { mode: MODES[entry.mode] ?? 0o644 });
    }
    if (fs.existsSync(modules)) fs.symlinkSync(fs.realpathSync(modules), path.join(folder, "node_modules"), "dir");
    return folder;
}

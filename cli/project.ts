/**
 * The project on disk and in git, for the commands: where it is, which files changed since a
 * ref, and a copy of the tree at a ref when its code must be run.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { execFileSync } from "child_process";
import { git, resolveRef } from "../config/sources";

/** This checkout: the folder with Pulumi.yaml, index.ts and node_modules. */
export const PROJECT_ROOT = path.resolve(__dirname, "..");

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
    return git(root, ["diff", "--name-only", "--relative", ...revisions, "--", "."])
        .split("\n")
        .filter((f) => f !== "")
        .sort();
}

/** Whether a changed file can change what the program deploys: code, packages and settings, not docs, tests, tooling or Pulumi files. */
export function changesProgram(file: string): boolean {
    const code = /\.(?:[cm]?[jt]s|json)$/.test(file) || file === ".npmrc";
    return code && !/^Pulumi\./.test(file) && !NOT_DEPLOYED.some((pattern) => pattern.test(file));
}

/**
 * The whole tree at `ref` in a temporary folder that uses the given node_modules, so that its
 * own program can be run. The caller removes it.
 */
export function checkoutAt(root: string, ref: string, modules: string): string {
    const commit = resolveRef(root, ref);
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), "revocable-roles-base-"));
    const prefix = git(root, ["rev-parse", "--show-prefix"]).trim();
    const archive = execFileSync("git", ["archive", "--format=tar", `${commit}:${prefix}`], { cwd: root, maxBuffer: 512 << 20 });
    execFileSync("tar", ["-x", "-C", folder], { input: archive });
    if (fs.existsSync(modules)) fs.symlinkSync(fs.realpathSync(modules), path.join(folder, "node_modules"), "dir");
    return folder;
}

/**
 * What the benchmarks share: a whole process measured from its start (bench/measure.cjs reports its
 * CPU and peak memory), a project that installed the package from dist/ as a user's does, medians.
 */
import { spawn, execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PROJECT_ROOT } from "../cli/project";
import { CliError } from "../cli/io";

/** A process's figures. */
export interface Measured {
    wallMs: number;
    cpuMs: number;
    peakMiB: number;
    stdout: string;
}

export function median(values: number[]): number {
    const sorted = [...values].sort((a, b) => a - b);
    const middle = Math.floor(sorted.length / 2);
    return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export const round = (n: number, digits = 0): number => Number(n.toFixed(digits));

/** Runs a process to its end, timed from spawn; its CPU and peak memory come from bench/measure.cjs. */
export function measure(args: string[], cwd: string): Promise<Measured> {
    const report = path.join(os.tmpdir(), `revocable-roles-measure-${process.pid}-${Math.random().toString(36).slice(2)}.json`);
    const start = performance.now();
    const child = spawn(process.execPath, ["--require", path.join(__dirname, "measure.cjs"), ...args], {
        cwd,
        env: { ...process.env, BENCH_MEASURE_FILE: report, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
        stdio: ["ignore", "pipe", "pipe"],
    });
    let [stdout, stderr] = ["", ""];
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    return new Promise((resolve, reject) =>
        child.on("close", (code) => {
            const wallMs = performance.now() - start;
            if (code !== 0)
                return reject(new CliError(`${args.join(" ")} exited ${code}:\n${stdout.slice(0, 2000)}${stderr.slice(0, 2000)}`));
            const { cpuMs, peakMiB } = JSON.parse(fs.readFileSync(report, "utf8")) as { cpuMs: number; peakMiB: number };
            fs.rmSync(report, { force: true });
            resolve({ wallMs, cpuMs, peakMiB, stdout });
        }),
    );
}

/** A project in a temporary folder that installed the package from dist/, as a user's does, with `files` committed. */
export function benchProject(files: Record<string, string>): string {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "revocable-roles-bench-"));
    fs.writeFileSync(
        path.join(root, "Pulumi.yaml"),
        "name: revocable-roles\nmain: index.ts\nruntime:\n  name: nodejs\n  options:\n    typescript: true\n",
    );
    fs.writeFileSync(path.join(root, "package.json"), '{ "name": "bench", "private": true, "main": "index.ts" }\n');
    fs.copyFileSync(path.join(PROJECT_ROOT, "templates", "index.ts"), path.join(root, "index.ts"));
    fs.writeFileSync(path.join(root, ".gitignore"), "node_modules/\n*.resources.json\n");
    for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(root, name), text);
    const modules = path.join(root, "node_modules");
    fs.mkdirSync(modules);
    for (const entry of fs.readdirSync(path.join(PROJECT_ROOT, "node_modules"))) {
        if (entry !== "revocable-roles" && !entry.startsWith("."))
            fs.symlinkSync(path.join(PROJECT_ROOT, "node_modules", entry), path.join(modules, entry));
    }
    fs.symlinkSync(path.join(PROJECT_ROOT, "dist"), path.join(modules, "revocable-roles"), "dir");
    git(root, "init", "-q");
    git(root, "add", "-A");
    git(root, "commit", "-qm", "stacks");
    return root;
}

function git(root: string, ...args: string[]): void {
    execFileSync("git", ["-c", "user.name=bench", "-c", "user.email=bench@example.com", "-c", "init.defaultBranch=main", ...args], {
        cwd: root,
        stdio: "ignore",
    });
}

export const MAIN: string = path.join(PROJECT_ROOT, "dist", "cli", "main.js");

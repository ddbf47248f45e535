/**
 * `npm run ci`: the steps of the GitHub Actions workflows that do more than one thing, as
 * commands this project owns and tests on real git repositories.
 *
 *   ci pull-request [--base <ref>]             the guard, the changed stacks and their offline plans
 *   ci deploy --stack <name> [--since <ref>]   pulumi up: only the revocation policies when they are all that changed
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { UsageError, Writer, errorText, fail, parseFlags, runAsProcess } from "./io";
import { PROJECT_ROOT, changedFiles, changesProgram } from "./project";
import { diffPlans, planAt, planStack, revocationTargets } from "./plan";
import { formatMarkdown, guard } from "./guard";
import { useFastStackTraces } from "./offline";
import { PROJECT_FILE, listStacks, loadStack, stackFileName } from "../config/loader";
import { directorySource, git, gitSource } from "../config/sources";
import { footprint, touched } from "../analysis/plan";

/** What the commands read from their surroundings: the repository, the clock, and the environment GitHub sets. */
export interface CiEnvironment {
    root: string;
    programRoot: string;
    now: Date;
    env: NodeJS.ProcessEnv;
}

/** The marker that lets the workflow update its own pull-request comment instead of adding one per push. */
export const COMMENT_MARKER = "<!-- revocable-roles -->";

/** The file the pull-request report is written to, for the comment step. */
export const REPORT_FILE = "revocable-roles-report.md";

/** Appends `name=value` lines to the file GitHub reads step outputs from (when run by GitHub). */
function setOutputs(env: NodeJS.ProcessEnv, outputs: Record<string, string>): void {
    if (env.GITHUB_OUTPUT === undefined || env.GITHUB_OUTPUT === "") return;
    fs.appendFileSync(
        env.GITHUB_OUTPUT,
        Object.entries(outputs)
            .map(([name, value]) => `${name}=${value}\n`)
            .join(""),
    );
}

/** Whether a changed file can change how every stack deploys: the project file, or the program. */
function changesEveryStack(file: string): boolean {
    return file === PROJECT_FILE || changesProgram(file);
}

/** The stacks a change can deploy differently: all of them when the program or the project changed, else those whose file changed. */
export function changedStacks(root: string, base: string): string[] {
    const files = changedFiles(root, `${base}...HEAD`);
    const stacks = listStacks(directorySource(root));
    if (files.some(changesEveryStack)) return stacks;
    return stacks.filter((stack) => files.includes(stackFileName(stack)));
}

/**
 * The pull-request check: runs the guard against the base branch, plans every stack the change
 * can deploy differently against it, and writes both as one comment. Exit code 1 when the guard
 * finds a weakening (after the report is written, so the comment still shows why).
 */
async function pullRequest(base: string, out: Writer, ci: CiEnvironment): Promise<number> {
    const findings = await guard(base, { root: ci.root, programRoot: ci.programRoot, now: ci.now });
    const weakened = findings.some((f) => f.verdict === "fail");
    const stacks = changedStacks(ci.root, base);
    const sections = [COMMENT_MARKER, formatMarkdown(findings, base), "", "## Offline plan"];
    if (stacks.length === 0) sections.push("", "No stack changes.");
    for (const stack of stacks) {
        let text: string;
        try {
            const after = await planStack(loadStack(directorySource(ci.root), stack), ci.programRoot);
            const before = await planAt(gitSource(ci.root, base), stack, ci.programRoot);
            text = diffPlans(before, after, base);
        } catch (error) {
            text = errorText(error, "");
        }
        sections.push("", `### Stack \`${stack}\``, "```diff", text, "```");
    }
    const report = `${sections.join("\n")}\n`;
    fs.writeFileSync(path.join(ci.root, REPORT_FILE), report);
    setOutputs(ci.env, { stacks: JSON.stringify(stacks), report: REPORT_FILE, weakened: String(weakened) });
    out.write(report);
    return weakened ? 1 : 0;
}

/** Why a stack deploys in full rather than targeted, or the revocation policies to target. */
export async function deployPlan(
    stack: string,
    since: string | undefined,
    ci: CiEnvironment,
): Promise<{ targets: string[]; reason: string }> {
    if (since === undefined || since === "" || /^0+$/.test(since)) return { targets: [], reason: "no earlier commit to compare with" };
    try {
        git(ci.root, ["rev-parse", "--verify", "--quiet", `${since}^{commit}`]);
    } catch {
        return { targets: [], reason: `${since} is not a commit of this clone` };
    }
    const program = changedFiles(ci.root, since, "HEAD").filter(changesEveryStack);
    if (program.length > 0) return { targets: [], reason: `the program or the project changed (${program.join(", ")})` };
    const before = await planAt(gitSource(ci.root, since), stack, ci.programRoot);
    const after = await planStack(loadStack(gitSource(ci.root, "HEAD"), stack), ci.programRoot);
    const f = footprint(before, after);
    const targets = revocationTargets(before, after, f);
    if (targets.length > 0) return { targets, reason: `only revocation policies changed (${targets.length})` };
    const count = touched(f).length;
    return {
        targets: [],
        reason:
            count === 0
                ? "nothing changed since the last deploy: a refreshed update restores any drift"
                : `${count} resource(s) other than revocation policies change`,
    };
}

/**
 * Deploys one stack with the Pulumi CLI. When every change since `since` is a revocation policy
 * added or moved later, only those policies are updated (and refreshed), so containment does not
 * wait for every resource of a large stack; if that targeted update fails, the stack is
 * deployed in full. Anything else is deployed in full, refreshed.
 */
async function deploy(stack: string, since: string | undefined, out: Writer, ci: CiEnvironment): Promise<number> {
    const { targets, reason } = await deployPlan(stack, since, ci);
    const pulumi = (args: string[]) => {
        out.write(`$ pulumi ${args.join(" ")}\n`);
        const result = spawnSync("pulumi", args, { cwd: ci.root, env: ci.env, stdio: ["ignore", "inherit", "inherit"] });
        if (result.error !== undefined)
            throw new Error(`cannot run pulumi: ${result.error.message}; install the Pulumi CLI (pulumi/actions does)`);
        return result.status ?? 1;
    };
    const full = ["up", "--yes", "--refresh", "--stack", stack];
    if (targets.length === 0) {
        out.write(`Deploying stack ${stack} in full: ${reason}.\n`);
        return pulumi(full);
    }
    out.write(`Deploying stack ${stack}, revocation policies only: ${reason}.\n`);
    const code = pulumi([...full, ...targets.flatMap((urn) => ["--target", urn])]);
    if (code === 0) return 0;
    out.write(`The targeted update failed (exit code ${code}); deploying stack ${stack} in full.\n`);
    return pulumi(full);
}

const USAGE = "usage: npm run ci -- pull-request [--base <git-ref>] | deploy --stack <name> [--since <git-ref>]";
const HELP = `${USAGE}

The workflows' steps:
  pull-request  the revocation guard against the base branch (default origin/$GITHUB_BASE_REF), the
                offline plan of every stack the change can deploy differently, written to
                ${REPORT_FILE} for the pull-request comment; exit code 1 when a revocation is weakened
  deploy        pulumi up --refresh for one stack; with --since <commit> (the commit deployed last),
                only the revocation policies when they are all that changed (pulumi up --target)
`;

/** The command line; returns the exit code. */
export async function main(argv: string[], out: Writer, err: Writer, ci: CiEnvironment): Promise<number> {
    try {
        const [command, ...rest] = argv;
        const help = () => {
            out.write(HELP);
            return 0;
        };
        if (command === undefined) throw new UsageError("give a command");
        if (command === "--help" || command === "-h") return help();
        if (command === "pull-request") {
            const values = parseFlags(rest, { base: { type: "string" } });
            if (values === undefined) return help();
            const base = values.base ?? (ci.env.GITHUB_BASE_REF ? `origin/${ci.env.GITHUB_BASE_REF}` : undefined);
            if (base === undefined) throw new UsageError("give --base, or run in a pull request (GITHUB_BASE_REF)");
            return await pullRequest(base, out, ci);
        }
        if (command === "deploy") {
            const values = parseFlags(rest, { stack: { type: "string" }, since: { type: "string" } });
            if (values === undefined) return help();
            if (values.stack === undefined) throw new UsageError("--stack is required");
            return await deploy(values.stack, values.since, out, ci);
        }
        throw new UsageError(`unknown command "${command}"`);
    } catch (error) {
        return fail(error, err, USAGE);
    }
}

if (require.main === module) {
    useFastStackTraces();
    runAsProcess((argv) =>
        main(argv, process.stdout, process.stderr, { root: process.cwd(), programRoot: PROJECT_ROOT, now: new Date(), env: process.env }),
    );
}

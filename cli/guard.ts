/**
 * `npm run guard`: compares what `pulumi up` would deploy at a base commit with what it would
 * deploy at the head (a commit, or the working tree), and fails when a change would weaken a
 * revocation in force or cannot be judged. The rules live in guard/; this is the command: its
 * flags and its two output formats. See docs/guard.md.
 */
import { EXIT_CODES_HELP, UsageError, Writer, fail, parseFlags, runAsProcess, useFastStackTraces } from "./io";
import type { Finding, GuardOptions } from "../guard";
import { failuresFirst, scopeOf, subjectText } from "../guard/findings";

/** The findings for a terminal or a CI log: one line each, failures first. */
export function formatText(findings: Finding[], base: string): string {
    const failed = findings.filter((f) => f.verdict === "fail");
    const lines = failuresFirst(findings).map(
        (f) => `${f.verdict === "fail" ? "FAIL" : "ok  "} ${scopeOf(f.subject)}: ${subjectText(f.subject)}: ${f.message}`,
    );
    const summary =
        failed.length > 0
            ? `${failed.length} change(s) would weaken a revocation since ${base}.`
            : `No revocation is weakened since ${base}.`;
    return [...lines, summary].join("\n");
}

/** How many findings a summarised comment lists; failures come first. */
const SUMMARY_FINDINGS = 100;

/**
 * The findings as a pull-request comment; with `artifact`, a summary that lists the first
 * findings (failures first) and names the artifact holding them all.
 */
export function formatMarkdown(findings: Finding[], base: string, artifact?: string): string {
    const failed = findings.filter((f) => f.verdict === "fail").length;
    const lines = [
        "## Revocation guard",
        "",
        failed > 0
            ? `**${failed} change(s) would weaken a revocation** since \`${base}\`. Fix them before merging.`
            : `No revocation is weakened since \`${base}\`.`,
    ];
    if (findings.length > 0) {
        const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");
        const listed = failuresFirst(findings).slice(0, artifact === undefined ? undefined : SUMMARY_FINDINGS);
        if (artifact !== undefined) {
            lines.push(
                "",
                `> ${findings.length} findings are too many for a comment: the first ${listed.length} are below, failures first; all of them are in the artifact \`${artifact}\` of this workflow run.`,
            );
        }
        lines.push("", "| | stack | subject | finding |", "| --- | --- | --- | --- |");
        for (const f of listed) {
            lines.push(
                `| ${f.verdict === "fail" ? "❌" : "✅"} | \`${scopeOf(f.subject)}\` | ${cell(subjectText(f.subject))} | ${cell(f.message)} |`,
            );
        }
    }
    return lines.join("\n");
}

const USAGE = "usage: npm run guard -- --base <git-ref> [--head <git-ref>] [--format text|markdown]";
const HELP = `${USAGE}

Plans every stack at the base and at the head, offline, and exits 1 when a change would weaken a
revocation in force: a cutoff moved earlier or removed inside its 13-hour window, a revoked role
or its revocation policy deleted or replaced, its trust widened, a right to undo it handed to a
role, provider configuration changed, anything but stack files and documentation changed, or
configuration the Pulumi CLI would read differently from this tool. A stack that holds a
revocation in force and cannot be read or planned fails too. New revocations, later cutoffs and
tightened trust pass and are listed.

  --base <git-ref>     the commit the change starts from
  --head <git-ref>     the commit to judge, read from git objects only and planned with this
                       checkout's program, which must be the base's (the trusted judge CI runs);
                       without it, the working tree, planned with its own program
  --format <format>    text (default) or markdown, for a pull-request comment

${EXIT_CODES_HELP}`;

/** Where the command runs: the project folder, the program it trusts, and the clock. */
export interface GuardEnvironment {
    root: string;
    programRoot: string;
    now: Date;
}

/** The command line; returns the exit code (1 when anything would weaken a revocation or cannot be judged). */
export async function main(argv: string[], out: Writer, err: Writer, env: GuardEnvironment): Promise<number> {
    try {
        const values = parseFlags(argv, { base: { type: "string" }, head: { type: "string" }, format: { type: "string" } });
        if (values === undefined) {
            out.write(HELP);
            return 0;
        }
        if (values.base === undefined) throw new UsageError("--base is required");
        const format = values.format ?? "text";
        if (format !== "text" && format !== "markdown") throw new UsageError(`--format "${format}" is not text or markdown`);
        const options: GuardOptions = {
            ...env,
            base: values.base,
            head: values.head,
            headProgram: values.head === undefined ? "own" : "base",
        };
        // The rules and the plans they compare are loaded only when there is something to judge.
        const { judge } = await import("../guard");
        const findings = await judge(options);
        out.write(`${format === "markdown" ? formatMarkdown(findings, values.base) : formatText(findings, values.base)}\n`);
        return findings.some((f) => f.verdict === "fail") ? 1 : 0;
    } catch (error) {
        return fail(error, err, USAGE);
    }
}

/** The command as a process runs it: in the project folder it is started in, whose program it trusts, with the real clock. */
export function run(argv: string[]): Promise<number> {
    useFastStackTraces();
    return main(argv, process.stdout, process.stderr, { root: process.cwd(), programRoot: process.cwd(), now: new Date() });
}

if (require.main === module) runAsProcess(run);

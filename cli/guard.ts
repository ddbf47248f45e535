/**
 * `revocable-roles guard`: compares what `pulumi up` would deploy at a base commit with what it
 * would deploy at the head (a commit, or the working tree), and fails when a change would weaken
 * a revocation in force or cannot be judged. The rules live in guard/, the words in
 * revocation/guardReport.ts; this is the command. See docs/guard.md.
 */
import { formatMarkdown, formatText } from "../revocation/guardReport";
import { Command, Main, command, mainOf } from "./command";
import { UsageError } from "./io";

export const guard: Command = command({
    usage: "usage: npm run guard -- --base <git-ref> [--head <git-ref>] [--format text|markdown]",
    description:
        "Plans every stack at the base and at the head, offline, and exits 1 when a change would weaken a\nrevocation in force: a cutoff moved earlier or removed inside its 13-hour window, a revoked role\nor its revocation policy deleted or replaced, its trust widened, a right to undo it handed to a\nrole, provider configuration changed, anything but stack files and documentation changed, or\nconfiguration the Pulumi CLI would read differently from this tool. A stack that holds a\nrevocation in force and cannot be read or planned fails too. New revocations, later cutoffs and\ntightened trust pass and are listed.",
    flags: {
        base: { type: "string", value: "<git-ref>", description: "the commit the change starts from" },
        head: {
            type: "string",
            value: "<git-ref>",
            description:
                "the commit to judge, read from git objects only and planned with this checkout's program, which must be the base's (the trusted judge CI runs); without it, the working tree, planned with its own program",
        },
        format: { type: "string", value: "<format>", description: "text (default) or markdown, for a pull-request comment" },
    },
    async run(values, { out }, env) {
        if (values.base === undefined) throw new UsageError("--base is required");
        const format = values.format ?? "text";
        if (format !== "text" && format !== "markdown") throw new UsageError(`--format "${format}" is not text or markdown`);
        // The rules and the plans they compare are loaded only when there is something to judge.
        const { judge } = await import("../guard");
        const findings = await judge({
            root: env.root,
            programRoot: env.programRoot,
            now: env.now,
            base: values.base,
            head: values.head,
            headProgram: values.head === undefined ? "own" : "base",
        });
        out.write(`${format === "markdown" ? formatMarkdown(findings, values.base) : formatText(findings, values.base)}\n`);
        return findings.some((f) => f.verdict === "fail") ? 1 : 0;
    },
});

/** The command line, as tests call it. */
export const main: Main = mainOf(guard);

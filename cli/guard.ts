/**
 * `revocable-roles guard`: compares what `pulumi up` would deploy at a base commit with what it
 * would deploy at the head (a commit, or the working tree), and fails when a change would weaken
 * a revocation in force or cannot be judged. The rules live in guard/, the words in
 * revocation/guardReport.ts; this is the command. See docs/guard.md.
 */
import { formatMarkdown, formatText } from "../revocation/guardReport";
import { CommandIO, Values } from "./command";
import type { GuardFlags } from "./commands";
import { Environment } from "./environment";
import { UsageError } from "./io";

/** `guard`: the findings of a change, and exit code 1 when any fails. */
export async function run(values: Values<GuardFlags>, { out }: CommandIO, env: Environment): Promise<number> {
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
}

/**
 * `revoke --leaked <source>`: revocation by what leaked. Finds every role of every stack file the
 * source reaches (directly by trust, or through role chaining), and writes one revocation per role
 * into every stack file affected, in one change, with one cutoff and one pull request. Nothing is
 * written when any stack file is invalid or any cutoff would be earlier than one in force; the
 * files are written only after every one of them is decided, and put back if one cannot be.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { CliError, EXIT_CODES_HELP, UsageError, Writer, parseFlags } from "./io";
import { fitForGitHub, writeFullReport } from "./github";
import { lockStackFile, replaceStackFile } from "./stackFile";
import { Decision, RevokeEnvironment, chooseCutoff, decide } from "./revoke";
import { loadStack, scanStacks, stackFileName } from "../config/loader";
import { readStackConfig } from "../config/stackConfig";
import { directorySource } from "../config/sources";
import { NOT_COVERED, RepositoryIndex, repositoryRoles } from "../analysis/containment";
import { Leak, LEAKED_FORMS, LeakedSource, leakReach, parseLeakedSource } from "../analysis/leaked";
import { roleArn } from "../analysis/reachability";
import { formatUtc, safeToRemoveAfter } from "../iam/timestamps";

export const LEAKED_USAGE =
    "usage: npm run revoke -- --leaked <source> [--at <ISO-8601>] [--reason <text>] [--dry-run] [--json] [--body-file <path>]";
export const LEAKED_HELP: string = `${LEAKED_USAGE}

Revokes, in every stack file of the project, every role the leaked source can assume directly (its
trust lets the source in) or through role chaining, with one cutoff, and prints one pull request.

  --leaked <source>   what leaked: ${LEAKED_FORMS}
  --at <ISO-8601>     the cutoff, with a zone; default: now, rounded up to the next whole second
                      (AWS's playbook: the time of the earliest malicious AssumeRole)
  --reason <text>     why, for the pull request
  --dry-run           show the roles, their paths and the pull request; write nothing
  --json              print one JSON object: {source, cutoff, written, stacks, roles, title, body}
  --body-file <path>  also write the pull request's body to a file, for gh pr create --body-file

Not with --leaked yet: --now (apply each stack's part with revoke --stack <s> --role <key> ... --now,
the commands the output lists), --stack, --role, --all, --with-chained.

${EXIT_CODES_HELP}`;

/** What `revoke --leaked` was asked to do. */
export interface LeakedRequest {
    source: LeakedSource;
    at?: string;
    reason?: string;
    dryRun: boolean;
    json: boolean;
    bodyFile?: string;
}

/** Parses `revoke --leaked ...`; undefined means `--help`. */
export function parseLeakedRequest(argv: string[]): LeakedRequest | undefined {
    const values = parseFlags(argv, {
        leaked: { type: "string" },
        at: { type: "string" },
        reason: { type: "string" },
        "dry-run": { type: "boolean" },
        json: { type: "boolean" },
        "body-file": { type: "string" },
        stack: { type: "string" },
        role: { type: "string", multiple: true },
        all: { type: "boolean" },
        "with-chained": { type: "boolean" },
        now: { type: "boolean" },
    });
    if (values === undefined) return undefined;
    if (values.leaked === undefined) throw new UsageError("--leaked needs a source");
    for (const flag of ["stack", "role", "all", "with-chained", "now"] as const) {
        if (values[flag] !== undefined) {
            throw new UsageError(
                flag === "now"
                    ? "--leaked does not take --now yet: write the revocations, then apply each stack's part with the revoke --stack ... --now commands it prints"
                    : `--leaked does not take --${flag}: the source decides the roles, in every stack file`,
            );
        }
    }
    let source: LeakedSource;
    try {
        source = parseLeakedSource(values.leaked);
    } catch (error) {
        throw new UsageError((error as Error).message);
    }
    return {
        source,
        at: values.at,
        reason: values.reason,
        dryRun: values["dry-run"] === true,
        json: values.json === true,
        ...(values["body-file"] === undefined ? {} : { bodyFile: values["body-file"] }),
    };
}

/** One stack's part of the change. */
interface StackPart {
    decision: Decision;
    original: string;
    path: string;
}

/** The pull request of a leak's revocation: the full text, and a summary that names the roles by stack. */
export function leakPullRequest(
    leak: Leak,
    parts: Decision[],
    cutoff: string,
    reason: string | undefined,
): { title: string; full: string; summary: string } {
    const roles = leak.reached.length;
    const stacks = parts.map((p) => p.stack);
    const title = `Revoke sessions reachable by ${leak.source.text} issued before ${cutoff} (${roles} role${roles === 1 ? "" : "s"} in ${stacks.join(", ")})`;
    const safe = formatUtc(safeToRemoveAfter(new Date(cutoff)));
    const head = [
        `## Revoke what ${leak.source.text} reaches`,
        "",
        ...(reason === undefined ? [] : [`Reason: ${reason}`, ""]),
        `Every role below denies every action to sessions issued before **${cutoff}**, in one change across ${stacks.length} stack file${stacks.length === 1 ? "" : "s"}: revoking one account or stack first would give whoever holds the leaked credentials time in the others.`,
        `Each role is reachable by the leaked source directly (its trust lets the source in) or through role chaining; a "may" reason is an unknown taken as possible. The revocations may be removed after ${safe}.`,
        "",
    ];
    const table = (limit: number) => {
        const lines: string[] = [];
        for (const stack of stacks) {
            const inStack = leak.reached.filter((r) => r.role.stack === stack);
            const accounts = [...new Set(inStack.map((r) => r.role.account ?? "unknown account"))];
            lines.push(
                `### ${stackFileName(stack)} (${accounts.join(", ")}): ${inStack.length} role${inStack.length === 1 ? "" : "s"}`,
                "",
            );
            lines.push("| role | ARN | path |", "| --- | --- | --- |");
            for (const reach of inStack.slice(0, limit)) lines.push(`| ${reach.role.key} | \`${roleArn(reach.role)}\` | ${reach.path} |`);
            if (inStack.length > limit) lines.push("", `and ${inStack.length - limit} more in the full report.`);
            lines.push("");
        }
        return lines;
    };
    const reasons = leak.reached.map((r) => `- ${r.path}: ${r.reasons.join("; ")}`);
    const apply = [
        "### Applying it now (the emergency path)",
        "",
        "Each stack's part, through the IAM API with that account's credentials:",
        "",
        ...parts.map(
            (p) => `- \`npm run revoke -- --stack ${p.stack} ${p.targets.map((t) => `--role ${t.key}`).join(" ")} --at ${cutoff} --now\``,
        ),
        "",
        "### What no role revocation covers",
        "",
        ...NOT_COVERED.map((n) => `- ${n}`),
    ];
    return {
        title,
        full: [...head, ...table(Infinity), "### Why each role is reachable", "", ...reasons, "", ...apply].join("\n"),
        summary: [...head, ...table(20), ...apply].join("\n"),
    };
}

/** `revoke --leaked`: returns the exit code; a failure throws (the caller reports it). */
export async function leakedMain(request: LeakedRequest, out: Writer, env: RevokeEnvironment): Promise<number> {
    const now = env.now();
    const cutoff = formatUtc(chooseCutoff(request.at, now));
    const source = directorySource(env.root);
    const repository = repositoryRoles(source, now);
    if (repository.skipped.length > 0) {
        // Every problem of every file, as revocations and the guard name them.
        const problems = scanStacks(source).stacks.flatMap((stack) => {
            try {
                const loaded = loadStack(source, stack);
                const read = readStackConfig(loaded.config, { stackFile: loaded.file, now });
                return read.ok ? [] : read.errors;
            } catch (error) {
                return [(error as Error).message];
            }
        });
        throw new CliError(`stack files that are not valid; fix them first (nothing was written):\n${problems.join("\n")}`);
    }
    const leak = leakReach(request.source, new RepositoryIndex(repository.roles));
    const say = (text: string) => (request.json ? undefined : out.write(text));
    if (leak.reached.length === 0) {
        if (request.json)
            out.write(
                `${JSON.stringify({ source: request.source.text, cutoff, written: [], stacks: [], roles: [], title: null, body: null })}\n`,
            );
        say(`No role of the project's stack files is reachable by ${request.source.text}; nothing to revoke.\n`);
        return 0;
    }
    const stacks = [...new Set(leak.reached.map((r) => r.role.stack))].sort();
    const locks: { release(): void }[] = [];
    try {
        // Every affected file under its lock, decided before any is written.
        const parts: StackPart[] = [];
        const problems: string[] = [];
        for (const stack of stacks) {
            const file = path.join(env.root, stackFileName(stack));
            if (!request.dryRun) locks.push(await lockStackFile(file));
            const loaded = loadStack(source, stack);
            const keys = leak.reached.filter((r) => r.role.stack === stack).map((r) => r.role.key);
            try {
                const decision = decide(
                    { stack, roles: keys, all: false, at: request.at, withChained: false, now: false, deadlineMs: 0 },
                    loaded,
                    now,
                    repository.roles,
                );
                parts.push({ decision, original: loaded.text, path: file });
            } catch (error) {
                problems.push(
                    ...(error as Error).message
                        .split("\n")
                        .map((line) => (line.startsWith(loaded.file) ? line : `${loaded.file}: ${line}`)),
                );
            }
        }
        if (problems.length > 0) throw new CliError(`nothing was written:\n${problems.join("\n")}`);
        if (
            request.bodyFile !== undefined &&
            !fs.statSync(path.dirname(path.resolve(env.root, request.bodyFile)), { throwIfNoEntry: false })?.isDirectory()
        ) {
            throw new UsageError(`--body-file ${request.bodyFile}: its folder does not exist`);
        }
        const written: string[] = [];
        if (!request.dryRun) {
            try {
                for (const part of parts.filter((p) => p.decision.changed)) {
                    replaceStackFile(part.path, part.original, part.decision.edited);
                    written.push(part.decision.file);
                }
            } catch (error) {
                for (const part of parts.filter((p) => written.includes(p.decision.file)))
                    replaceStackFile(part.path, part.decision.edited, part.original);
                throw new CliError(`nothing was written (${written.join(", ") || "no file"} put back): ${(error as Error).message}`);
            }
        }
        const decisions = parts.map((p) => p.decision);
        const pr = leakPullRequest(leak, decisions, cutoff, request.reason);
        const fitted = fitForGitHub(pr.full, () => pr.summary);
        const reportFile = fitted.summarised
            ? writeFullReport(path.join(os.tmpdir(), `revocable-roles-leaked-${cutoff.replace(/:/g, "")}.md`), pr.full)
            : undefined;
        const body = reportFile === undefined ? fitted.text : `${fitted.text}\n\n_The full report: ${path.basename(reportFile)}._`;
        if (request.bodyFile !== undefined) fs.writeFileSync(path.resolve(env.root, request.bodyFile), `${body}\n`);
        if (request.json) {
            out.write(
                `${JSON.stringify({
                    source: request.source.text,
                    cutoff,
                    written,
                    stacks,
                    roles: leak.reached.map((r) => ({
                        stack: r.role.stack,
                        key: r.role.key,
                        arn: roleArn(r.role),
                        path: r.path,
                        reasons: r.reasons,
                    })),
                    title: pr.title,
                    body,
                })}\n`,
            );
            return 0;
        }
        say(
            request.dryRun
                ? `Dry run: nothing was written. ${leak.reached.length} role(s) reachable by ${request.source.text} would be revoked before ${cutoff}:\n`
                : `Wrote ${written.length === 0 ? "nothing (every file already records it)" : written.join(", ")}: ${leak.reached.length} role(s) reachable by ${request.source.text} revoked before ${cutoff}.\n`,
        );
        for (const stack of stacks) {
            say(`\n${stackFileName(stack)}:\n`);
            for (const reach of leak.reached.filter((r) => r.role.stack === stack)) say(`  ${reach.role.key}  ${reach.path}\n`);
        }
        say(`\nPull request title:\n${pr.title}\n\nPull request body:\n${body}\n`);
        if (reportFile !== undefined)
            say(`\nThe body is a summary (GitHub takes at most 65,536 characters); the full report is in ${reportFile}.\n`);
        return 0;
    } finally {
        for (const lock of locks) lock.release();
    }
}

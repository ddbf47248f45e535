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
import { Decision, RevokeEnvironment, accountOf, checkBodyFile, chooseCutoff, decide, emergencyFlags, recordLaterCutoffs } from "./revoke";
import { Credentials, EmergencyResult, accountMismatch, defaultSchedule, endpointInUse, resultTable, revokeNow } from "./emergency";
import { LoadedStack, loadStack, stackFileName } from "../config/loader";
import { directorySource } from "../config/sources";
import { NOT_COVERED, RepositoryIndex, repositoryRoles } from "../analysis/containment";
import { Leak, LEAKED_FORMS, LeakedSource, leakReach, parseLeakedSource } from "../analysis/leaked";
import { roleArn } from "../analysis/reachability";
import { OrganizationDecision, decideOrganization, organizationMarkdown, organizationStackOf } from "./organization";
import { show } from "../iam/problems";
import { Cutoff } from "../iam/cutoff";

export const LEAKED_USAGE: string =
    "usage: npm run revoke -- --leaked <source> [--at <ISO-8601>] [--reason <text>] [--dry-run] [--now [--profile <account>=<profile> ...] [--role-arn <account>=<role ARN> ...] [--endpoint-url <url>] [--deadline <seconds>]] [--json] [--body-file <path>]";
export const LEAKED_HELP: string = `${LEAKED_USAGE}

Revokes, in every stack file of the project, every role the leaked source can assume directly (its
trust lets the source in) or through role chaining, with one cutoff, and prints one pull request.

  --leaked <source>   what leaked: ${LEAKED_FORMS}
  --at <ISO-8601>     the cutoff, with a zone; default: now, rounded up to the next whole second
                      (AWS's playbook: the time of the earliest malicious AssumeRole)
  --reason <text>     why, for the pull request
  --dry-run           show the roles, their paths and the pull request; write nothing
  --now               also apply the revocations at once through the IAM API, every account at the
                      same time, after writing the stack files; each affected stack file must name
                      its account (aws:allowedAccountIds), and nothing is applied in an account
                      with credentials of another
  --profile <a>=<p>   with --now: the AWS config profile whose credentials act in account <a>
                      (repeat per account); default the stack file's aws:profile, else the standard
                      credential chain
  --role-arn <a>=<arn>  with --now: a role of account <a> to assume for its calls, with the
                      profile's credentials (else the standard chain's); default the stack file's
                      aws:assumeRoles when it names one role
  --endpoint-url <url>  with --now: another IAM endpoint
  --deadline <seconds>  with --now: when to stop retrying and report what was not applied; default 120
  --json              print one JSON object: {source, cutoff, written, stacks, roles, organization, title, body, applied}
  --body-file <path>  also write the pull request's body to a file, for gh pr create --body-file

When a stack file has a revocable-roles:organization section (the organization stack), the same
change also revokes, organization-wide, the name of every role reached (and of a leaked role
itself): the roles declared here get their own policy, and every account's role of that name is
denied by the organization's service control policy once that stack deploys (--now applies only
the role policies).

Not with --leaked: --stack, --role, --all, --with-chained (the source decides the roles).

${EXIT_CODES_HELP}`;

/** What `revoke --leaked` was asked to do. */
export interface LeakedRequest {
    source: LeakedSource;
    at?: string;
    reason?: string;
    dryRun: boolean;
    json: boolean;
    bodyFile?: string;
    now: boolean;
    endpointUrl?: string;
    deadlineMs: number;
    /** With --now: the AWS config profile per account ID. */
    profiles: Map<string, string>;
    /** With --now: the role to assume per account ID. */
    roles: Map<string, string>;
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
        profile: { type: "string", multiple: true },
        "role-arn": { type: "string", multiple: true },
        "endpoint-url": { type: "string" },
        deadline: { type: "string" },
    });
    if (values === undefined) return undefined;
    if (values.leaked === undefined) throw new UsageError("--leaked needs a source");
    for (const flag of ["stack", "role", "all", "with-chained"] as const) {
        if (values[flag] !== undefined)
            throw new UsageError(`--leaked does not take --${flag}: the source decides the roles, in every stack file`);
    }
    if (values.now === true && values["dry-run"] === true)
        throw new UsageError("--dry-run writes and applies nothing; drop --now or --dry-run");
    if (values.profile !== undefined && values.now !== true) throw new UsageError("--profile only applies with --now");
    const profiles = new Map<string, string>();
    for (const given of values.profile ?? []) {
        const match = /^(\d{12})=(\S+)$/.exec(given);
        if (match === null)
            throw new UsageError(`--profile ${show(given)} is not <12-digit account ID>=<profile>, such as 222222222222=prod-admin`);
        if (profiles.has(match[1])) throw new UsageError(`--profile names account ${match[1]} twice`);
        profiles.set(match[1], match[2]);
    }
    if (values["role-arn"] !== undefined && values.now !== true) throw new UsageError("--role-arn only applies with --now");
    const roles = new Map<string, string>();
    for (const given of values["role-arn"] ?? []) {
        const match = /^(\d{12})=(arn:[a-z-]+:iam::(\d{12}):role\/\S+)$/.exec(given);
        if (match === null)
            throw new UsageError(
                `--role-arn ${show(given)} is not <12-digit account ID>=<role ARN>, such as 222222222222=arn:aws:iam::222222222222:role/incident-responder`,
            );
        if (match[3] !== match[1])
            throw new UsageError(
                `--role-arn ${show(given)}: the role is in account ${match[3]}, not ${match[1]}; IAM acts in the role's account`,
            );
        if (roles.has(match[1])) throw new UsageError(`--role-arn names account ${match[1]} twice`);
        roles.set(match[1], match[2]);
    }
    const emergency = emergencyFlags(values);
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
        now: values.now === true,
        ...emergency,
        profiles,
        roles,
    };
}

/** One stack's part of the change. */
interface StackPart {
    decision: Decision;
    loaded: LoadedStack;
    path: string;
    /** With --now: the one account the stack deploys to. */
    account?: string;
}

/** What --now did in one account. */
export interface AccountResult {
    account: string;
    /** Where the credentials came from, in words. */
    credentials: string;
    results: EmergencyResult[];
}

/** The pull request of a leak's revocation: the full text, and a summary that names the roles by stack. */
export function leakPullRequest(
    leak: Leak,
    parts: Decision[],
    cutoff: Cutoff,
    reason: string | undefined,
    applied?: AccountResult[],
    organization?: OrganizationDecision,
): { title: string; full: string; summary: string } {
    const roles = leak.reached.length;
    const stacks = parts.map((p) => p.stack);
    const where = [
        ...(stacks.length === 0 ? [] : [`${roles} role${roles === 1 ? "" : "s"} in ${stacks.join(", ")}`]),
        ...(organization === undefined ? [] : ["organization-wide"]),
    ];
    const title = `Revoke sessions reachable by ${leak.source.text} issued before ${cutoff} (${where.join(", ")})`;
    const safe = cutoff.safeToRemoveAfterText;
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
    const notApplied = (p: Decision) =>
        applied === undefined
            ? p.targets
            : p.targets.filter((t) => applied.some((a) => a.results.some((r) => r.target === t && r.outcome === "failed")));
    const rerun = parts.filter((p) => notApplied(p).length > 0);
    const apply = [
        ...(applied === undefined
            ? []
            : [
                  "### Applied at once (emergency path)",
                  "",
                  ...applied.map(({ account, results }) => {
                      const done = results.filter((r) => r.outcome !== "failed").length;
                      return `- Account ${account}: ${done} of ${results.length} roles revoked through the IAM API with \`revoke --leaked --now\`${
                          done === results.length
                              ? "."
                              : `; **not applied**: ${results
                                    .filter((r) => r.outcome === "failed")
                                    .map((r) => `\`${r.target.key}\` (${r.detail})`)
                                    .join(", ")}`
                      }`;
                  }),
                  "",
              ]),
        ...(rerun.length === 0
            ? []
            : [
                  applied === undefined ? "### Applying it now (the emergency path)" : "### Applying the rest now",
                  "",
                  "Each stack's part, through the IAM API with that account's credentials:",
                  "",
                  ...rerun.map(
                      (p) =>
                          `- \`npm run revoke -- --stack ${p.stack} ${notApplied(p)
                              .map((t) => `--role ${t.key}`)
                              .join(" ")} --at ${cutoff} --now\``,
                  ),
                  "",
              ]),
        ...(organization === undefined ? [] : [...organizationMarkdown(organization), ""]),
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
export async function leakedMain(request: LeakedRequest, out: Writer, err: Writer, env: RevokeEnvironment): Promise<number> {
    const now = env.now();
    const cutoff = chooseCutoff(request.at, now);
    const source = directorySource(env.root);
    const repository = repositoryRoles(source, now);
    if (repository.problems.length > 0) {
        throw new CliError(`stack files that are not valid; fix them first (nothing was written):\n${repository.problems.join("\n")}`);
    }
    const leak = leakReach(request.source, new RepositoryIndex(repository.roles));
    const say = (text: string) => (request.json ? undefined : out.write(text));
    // The organization layer: every reached role's name, and a leaked role's own, in every account.
    const organizationStack = organizationStackOf(source);
    const organizationNames =
        organizationStack === undefined
            ? []
            : [...new Set([...(request.source.kind === "role" ? [request.source.name] : []), ...leak.reached.map((r) => r.role.roleName)])];
    if (leak.reached.length === 0 && organizationNames.length === 0) {
        if (request.json)
            out.write(
                `${JSON.stringify({ source: request.source.text, cutoff, written: [], stacks: [], roles: [], organization: null, title: null, body: null, applied: null })}\n`,
            );
        say(`No role of the project's stack files is reachable by ${request.source.text}; nothing to revoke.\n`);
        return 0;
    }
    const stacks = [...new Set(leak.reached.map((r) => r.role.stack))].sort();
    const locks: { release(): void }[] = [];
    let organization: OrganizationDecision | undefined;
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
                // No repository: the leak's own analysis replaces the per-role containment of a single revoke (linear, not per role).
                const decision = decide(
                    { stack, roles: keys, all: false, at: request.at, withChained: false, now: false, deadlineMs: 0 },
                    loaded,
                    now,
                );
                const part: StackPart = { decision, loaded, path: file };
                if (request.now) {
                    const accounts = decision.accounts;
                    if (accounts?.length === 1) part.account = accounts[0];
                    else
                        problems.push(
                            `${loaded.file}: --now needs the one account its roles are in, to use that account's credentials: set ${decision.backend}:allowedAccountIds to it`,
                        );
                }
                parts.push(part);
            } catch (error) {
                problems.push(
                    ...(error as Error).message
                        .split("\n")
                        .map((line) => (line.startsWith(loaded.file) ? line : `${loaded.file}: ${line}`)),
                );
            }
        }
        if (organizationStack !== undefined && problems.length === 0) {
            // The organization stack's file may also hold reached roles: its edit then starts from theirs.
            const shared = parts.find((p) => p.decision.stack === organizationStack);
            const file = path.join(env.root, stackFileName(organizationStack));
            if (shared === undefined && !request.dryRun) locks.push(await lockStackFile(file));
            const loaded = loadStack(source, organizationStack, shared?.decision.edited);
            try {
                organization = decideOrganization(
                    loaded,
                    organizationNames.map((roleName) => ({ roleName })),
                    cutoff,
                    now,
                );
                if (shared !== undefined) {
                    shared.decision.edited = organization.edited;
                    shared.decision.changed = organization.edited !== shared.loaded.text;
                }
            } catch (error) {
                problems.push(...(error as Error).message.split("\n").filter((line) => line !== "nothing was written:"));
            }
        }
        const affected = new Set(parts.flatMap((p) => p.account ?? []));
        for (const [flag, given] of [
            ["--profile", request.profiles],
            ["--role-arn", request.roles],
        ] as const) {
            for (const account of given.keys()) {
                if (!affected.has(account) && problems.length === 0)
                    problems.push(
                        `${flag} ${account}=...: no affected stack file deploys to account ${account} (they deploy to ${[...affected].join(", ")})`,
                    );
            }
        }
        if (request.now) problems.push(...parts.flatMap((p) => (request.roles.has(p.account ?? "") ? [] : assumeRolesProblems(p.loaded))));
        if (problems.length > 0) throw new CliError(`nothing was written:\n${problems.join("\n")}`);
        if (request.bodyFile !== undefined) checkBodyFile(path.resolve(env.root, request.bodyFile), request.bodyFile);
        // Every file the change writes: the stacks' parts, and the organization stack when it is a file of its own.
        const files = [
            ...parts.map((p) => ({ file: p.decision.file, path: p.path, before: p.loaded.text, after: p.decision.edited })),
            ...(organization === undefined || parts.some((p) => p.decision.stack === organization!.stack)
                ? []
                : [
                      {
                          file: organization.file,
                          path: path.join(env.root, organization.file),
                          before: organization.loaded.text,
                          after: organization.edited,
                      },
                  ]),
        ].filter((f) => f.after !== f.before);
        const written: string[] = [];
        if (!request.dryRun) {
            try {
                for (const f of files) {
                    replaceStackFile(f.path, f.before, f.after);
                    written.push(f.file);
                }
            } catch (error) {
                for (const f of files.filter((f) => written.includes(f.file))) replaceStackFile(f.path, f.after, f.before);
                throw new CliError(`nothing was written (${written.join(", ") || "no file"} put back): ${(error as Error).message}`);
            }
        }
        // What is written, and why each role, before any IAM call.
        say(
            request.dryRun
                ? `Dry run: nothing was written. ${leak.reached.length} role(s) reachable by ${request.source.text} would be revoked before ${cutoff}:\n`
                : `Wrote ${written.length === 0 ? "nothing (every file already records it)" : written.join(", ")}: ${leak.reached.length} role(s) reachable by ${request.source.text} revoked before ${cutoff}.\n`,
        );
        for (const stack of stacks) {
            say(`\n${stackFileName(stack)}:\n`);
            for (const reach of leak.reached.filter((r) => r.role.stack === stack)) say(`  ${reach.role.key}  ${reach.path}\n`);
        }
        if (organization !== undefined) {
            say(`\n${organization.file} (organization-wide, when it deploys):\n`);
            for (const outcome of organization.outcomes) say(`  ${outcome.key}\n`);
        }
        // The record first, then every account at once: revoking one first gives the holder time in the others.
        const applied = request.now && parts.length > 0 ? await applyNow(parts, request, env) : undefined;
        const unrecorded = applied === undefined ? [] : parts.flatMap((part) => recordedLater(part, applied, now));
        if (applied !== undefined) {
            say(`\nIAM endpoint: ${endpointInUse(request.endpointUrl, env.env ?? process.env, parts[0].decision.region ?? "us-east-1")}\n`);
            for (const { account, credentials, results } of applied)
                say(`\nAccount ${account} (${credentials}):\n${resultTable(results)}\n`);
            say("\n");
        }
        const decisions = parts.map((p) => p.decision);
        const pr = leakPullRequest(leak, decisions, cutoff, request.reason, applied, organization);
        const fitted = fitForGitHub(pr.full, () => pr.summary);
        const reportFile = fitted.summarised
            ? writeFullReport(path.join(os.tmpdir(), `revocable-roles-leaked-${cutoff.toString().replace(/:/g, "")}.md`), pr.full)
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
                    organization:
                        organization === undefined
                            ? null
                            : {
                                  file: organization.file,
                                  revocations: organization.outcomes.map((o) => ({ key: o.key, cutoff: o.now, previous: o.was ?? null })),
                              },
                    title: pr.title,
                    body,
                    applied:
                        applied?.flatMap(({ account, results }) =>
                            results.map((r) => ({
                                account,
                                key: r.target.key,
                                roleName: r.target.roleName,
                                outcome: r.outcome,
                                detail: r.detail,
                            })),
                        ) ?? null,
                })}\n`,
            );
            return failures(applied, unrecorded, err);
        }

        say(`\nPull request title:\n${pr.title}\n\nPull request body:\n${body}\n`);
        if (reportFile !== undefined)
            say(`\nThe body is a summary (GitHub takes at most 65,536 characters); the full report is in ${reportFile}.\n`);
        return failures(applied, unrecorded, err);
    } finally {
        for (const lock of locks) lock.release();
    }
}

/** The role a stack file's `aws:assumeRoles` names for its deploys, when it names exactly one. */
function stackRole(loaded: LoadedStack): { roleArn: string; externalId?: string } | undefined {
    const raw = loaded.config["aws:assumeRoles"];
    const roles = raw === undefined ? [] : (JSON.parse(raw) as { roleArn?: unknown; externalId?: unknown }[]);
    const [role] = Array.isArray(roles) ? roles : [];
    if (roles.length !== 1 || typeof role?.roleArn !== "string") return undefined;
    return typeof role.externalId === "string" ? { roleArn: role.roleArn, externalId: role.externalId } : { roleArn: role.roleArn };
}

/** Why a stack file's `aws:assumeRoles` cannot give --now its credentials: a chain, or an entry without a role. */
function assumeRolesProblems(loaded: LoadedStack): string[] {
    const raw = loaded.config["aws:assumeRoles"];
    if (raw === undefined || stackRole(loaded) !== undefined) return [];
    return [
        `${loaded.file}: aws:assumeRoles is not one role with a roleArn; --now assumes at most one role per account: give it with --role-arn <account>=<role ARN>`,
    ];
}

/**
 * --now: per account, with that account's credentials (its --profile, else the stack file's
 * aws:profile, else the standard chain; and the role of its --role-arn, else of the stack file's
 * aws:assumeRoles, assumed with them), every account at the same time under one deadline;
 * credentials of another account apply nothing there (IAM would revoke namesake roles).
 */
async function applyNow(parts: StackPart[], request: LeakedRequest, env: RevokeEnvironment): Promise<AccountResult[]> {
    const schedule = (env.schedule ?? defaultSchedule)(request.deadlineMs);
    const accounts = [...new Set(parts.map((p) => p.account!))].sort();
    return Promise.all(
        accounts.map(async (account) => {
            const inAccount = parts.filter((p) => p.account === account);
            const fromStack = inAccount.map((p) => p.loaded.config["aws:profile"]).find((p) => p !== undefined);
            const profile = request.profiles.get(account) ?? fromStack;
            const stackRoles = inAccount.flatMap((p) => stackRole(p.loaded) ?? []);
            const role = request.roles.has(account) ? { roleArn: request.roles.get(account)! } : stackRoles[0];
            const base =
                request.profiles.get(account) !== undefined
                    ? `profile ${profile} from --profile`
                    : fromStack !== undefined
                      ? `profile ${profile} from aws:profile`
                      : "the standard credential chain";
            const credentials =
                role === undefined
                    ? base
                    : `role ${role.roleArn} from ${request.roles.has(account) ? "--role-arn" : "aws:assumeRoles"}, assumed with ${base}`;
            const who: Credentials = { ...(profile === undefined ? {} : { profile }), ...(role ?? {}) };
            const region = inAccount[0].decision.region;
            const targets = inAccount.flatMap((p) => p.decision.targets);
            const files = inAccount.map((p) => `${p.decision.backend}:allowedAccountIds of ${p.decision.file}`).join(", ");
            const refused = await accountMismatch(targets, [account], accountOf(env, request.endpointUrl, region, who), files, schedule);
            const results = refused ?? (await revokeNow(env.client(request.endpointUrl, region, who), targets, schedule));
            return { account, credentials, results };
        }),
    );
}

/** Records, in a stack's file, the later cutoffs live policies already held; returns what it could not. */
function recordedLater(part: StackPart, applied: AccountResult[], now: Date): string[] {
    const mine = new Set(part.decision.targets);
    const results = applied.flatMap((a) => a.results).filter((r) => mine.has(r.target));
    return recordLaterCutoffs(part.decision, results, now, part.path, part.loaded);
}

/** Names on stderr what --now did not apply or record; the exit code. */
function failures(applied: AccountResult[] | undefined, unrecorded: string[], err: Writer): number {
    const failed = (applied ?? []).flatMap(({ account, results }) =>
        results.filter((r) => r.outcome === "failed").map((r) => ({ account, r })),
    );
    if (failed.length > 0) {
        const total = (applied ?? []).reduce((n, a) => n + a.results.length, 0);
        err.write(
            `${failed.length} of ${total} roles were NOT revoked through the API:\n${failed.map(({ account, r }) => `${account} ${r.target.key} (${r.target.roleName}): ${r.detail}`).join("\n")}\n`,
        );
    }
    const elsewhere = [
        ...new Set(failed.filter(({ r }) => r.detail.startsWith("these credentials act in account")).map(({ account }) => account)),
    ];
    if (elsewhere.length > 0)
        err.write(
            `Give each account its credentials and rerun (a rerun is safe): ${elsewhere.map((a) => `--profile ${a}=<profile>`).join(" ")}\n`,
        );
    if (unrecorded.length > 0) err.write(`${unrecorded.join("\n")}\n`);
    return failed.length > 0 || unrecorded.length > 0 ? 1 : 0;
}

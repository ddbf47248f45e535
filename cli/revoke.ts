/**
 * `npm run revoke`: writes a revocation into a stack file (and, with --now, applies it at once
 * through the IAM API), then prints a ready pull request. In three steps: parse the command
 * line, decide everything (pure, tested directly), apply. Nothing is written before everything
 * is decided, and the stack file is written, under its lock, before the first IAM call: an
 * interrupted emergency run still leaves the record its pull request needs.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { IAMClient } from "@aws-sdk/client-iam";
import { CliError, EXIT_CODES_HELP, UsageError, Writer, fail, parseFlags, runAsProcess } from "./io";
import { setRoleCutoffs, setStackCutoff } from "./stackEdit";
import { fitForGitHub, writeFullReport } from "./github";
import { lockStackFile, replaceStackFile } from "./stackFile";
import {
    EmergencyResult,
    Credentials,
    EmergencyTarget,
    Schedule,
    accountMismatch,
    appliedCount,
    callerAccount,
    defaultSchedule,
    endpointInUse,
    iamClient,
    resultTable,
    revokeNow,
} from "./emergency";
import { LoadedStack, loadStack, stackConfig, stackFileName } from "../config/loader";
import { directorySource } from "../config/sources";
import { allowedAccounts } from "../config/account";
import {
    Containment,
    ListLimits,
    RepositoryIndex,
    RepositoryRole,
    containment,
    containmentMarkdown,
    repositoryRoles,
} from "../analysis/containment";
import { NAMESPACE, StackConfigResult, readStackConfig } from "../config/stackConfig";
import { REVOCATION_POLICY_NAME } from "../iam/policy";
import { closest } from "../iam/suggest";
import { show } from "../iam/problems";
import { Cutoff } from "../iam/cutoff";
import { formatUtc } from "../iam/timestamps";

const USAGE =
    "usage: npm run revoke -- --stack <name> (--role <key> ... | --all) [--at <ISO-8601>] [--reason <text>] [--with-chained] [--now [--endpoint-url <url>] [--deadline <seconds>]] [--json] [--body-file <path>] [--report-file <path>]";
const HELP = `${USAGE}

Sets revokeBefore on each --role (or revocable-roles:revokeAllBefore with --all) in
Pulumi.<name>.yaml, changing no other byte of the file, and prints the pull request to open.

  --stack <name>        the stack file to edit
  --role <key>          a role to revoke (repeat for several)
  --all                 every role of the stack (revocable-roles:revokeAllBefore)
  --at <ISO-8601>       the cutoff, with a zone; default: now, rounded up to the next whole second
  --reason <text>       why, for the pull request
  --with-chained        also revoke, with the same cutoff, every role of the stack file that the
                        revoked roles' sessions could reach (chained sessions); roles reachable in
                        other stack files are listed with the command that revokes them
  --now                 also apply the same policy at once through the IAM API (the emergency path),
                        after writing the stack file; a role whose live policy already denies as
                        much counts as applied, so a rerun is safe
  --endpoint-url <url>  with --now: another IAM endpoint (the one in use is always printed)
  --deadline <seconds>  with --now: when to stop retrying and report what was not applied; default 120
  --json                print one JSON object: {file, written, cutoff, roles, title, body, applied, endpoint, reportFile}
  --body-file <path>    also write the pull request's body to a file, for gh pr create --body-file
  --report-file <path>  where the full report goes when the body is over GitHub's 65,536 characters
                        and is summarised; default a file in the system's temporary folder

npm run revoke -- --leaked <source> revokes what a leak reaches, in every stack file at once
(npm run revoke -- --leaked x --help for its options).
npm run revoke -- --org --role-name <name> revokes a role name or an Identity Center user in every
account of the organization (npm run revoke -- --org --help for its options).

${EXIT_CODES_HELP}`;

/** What the command was asked to do. */
export interface RevokeRequest {
    stack: string;
    /** Role keys, each once, in the order given. */
    roles: string[];
    all: boolean;
    at?: string;
    reason?: string;
    withChained: boolean;
    now: boolean;
    endpointUrl?: string;
    /** With --now: how long the IAM calls may take in all, in milliseconds. */
    deadlineMs: number;
    /** Print one JSON object instead of text. */
    json?: boolean;
    /** Also write the pull request's body to this file (`gh pr create --body-file`). */
    bodyFile?: string;
    /** Where the full report goes when the body must be summarised. */
    reportFile?: string;
}

/** The emergency path's deadline when none is given: two minutes. */
export const DEFAULT_DEADLINE_SECONDS = 120;

/** Parses the command line; undefined means `--help`. */
export function parseRequest(argv: string[]): RevokeRequest | undefined {
    const values = parseFlags(argv, {
        stack: { type: "string" },
        role: { type: "string", multiple: true },
        all: { type: "boolean" },
        at: { type: "string" },
        reason: { type: "string" },
        "with-chained": { type: "boolean" },
        now: { type: "boolean" },
        "endpoint-url": { type: "string" },
        deadline: { type: "string" },
        json: { type: "boolean" },
        "body-file": { type: "string" },
        "report-file": { type: "string" },
    });
    if (values === undefined) return undefined;
    const roles = [...new Set(values.role ?? [])];
    if (values.stack === undefined) throw new UsageError("--stack is required");
    if (roles.length > 0 === (values.all === true)) throw new UsageError("give either --role (one or more) or --all");
    const { endpointUrl: endpoint, deadlineMs } = emergencyFlags(values);
    return {
        stack: values.stack,
        roles,
        all: values.all === true,
        at: values.at,
        reason: values.reason,
        withChained: values["with-chained"] === true,
        now: values.now === true,
        endpointUrl: endpoint,
        deadlineMs,
        json: values.json === true,
        bodyFile: values["body-file"],
        reportFile: values["report-file"],
    };
}

/** The flags of the emergency path, checked: `--endpoint-url` and `--deadline` only with `--now`. */
export function emergencyFlags(values: { now?: boolean; "endpoint-url"?: string; deadline?: string }): {
    endpointUrl?: string;
    deadlineMs: number;
} {
    if (values["endpoint-url"] !== undefined && values.now !== true) throw new UsageError("--endpoint-url only applies with --now");
    if (values.deadline !== undefined && values.now !== true) throw new UsageError("--deadline only applies with --now");
    const endpoint = values["endpoint-url"];
    if (endpoint !== undefined && !/^https?:\/\/[^\s/]+/.test(endpoint)) {
        throw new UsageError(`--endpoint-url ${show(endpoint)} is not an http(s) URL such as http://127.0.0.1:5000`);
    }
    const deadline = Number(values.deadline ?? DEFAULT_DEADLINE_SECONDS);
    if (values.deadline !== undefined && (!/^\d+(?:\.\d+)?$/.test(values.deadline) || deadline <= 0)) {
        throw new UsageError(`--deadline ${show(values.deadline)} is not a number of seconds above 0, such as 120`);
    }
    return { ...(endpoint === undefined ? {} : { endpointUrl: endpoint }), deadlineMs: deadline * 1000 };
}

/** The cutoff: `--at` as given (never in the future) or now, in whole seconds rounded up. */
export function chooseCutoff(at: string | undefined, now: Date): Cutoff {
    if (at === undefined) {
        return Cutoff.after(now);
    }
    const parsed = Cutoff.parse(at);
    if (!parsed.ok) {
        throw new CliError(`--at ${show(at)} ${parsed.problem}`);
    }
    if (parsed.cutoff.isAfterNow(now)) {
        throw new CliError(
            `--at ${show(at)} is in the future (now is ${formatUtc(now)}); a future cutoff would also deny every session issued until then`,
        );
    }
    return parsed.cutoff;
}

/** Everything the command will do, decided before anything is done. */
export interface Decision {
    stack: string;
    file: string;
    /** The requested cutoff. */
    cutoff: Cutoff;
    /** The stack file's new text; equal to the old when it already records the revocation. */
    edited: string;
    changed: boolean;
    /** What the edit sets: the roles' keys, or `revocable-roles:revokeAllBefore`. */
    subject: string;
    all: boolean;
    /** Per role: the policy `pulumi up` will deploy (the effective cutoff) and thus the one `--now` applies. */
    targets: EmergencyTarget[];
    /** The AWS region of the stack, for the emergency path's client. */
    region?: string;
    /** The provider package the stack deploys with (`revocable-roles:provider`), which names its config keys. */
    backend: string;
    /** The accounts the stack may deploy to (`<backend>:allowedAccountIds`), undefined when it does not say. */
    accounts?: string[];
    /** Roles added because the requested ones' sessions could reach them (--with-chained), by key, with the role they are reached from. */
    chained: Map<string, string>;
    /** What each revoked role leaves open. */
    containment: Containment[];
    /** Commands that revoke reachable roles of other stack files. */
    followUps: string[];
    /** With --now: the IAM endpoint the calls went to, and who chose it. */
    endpoint?: string;
}

/** The stack's config as revoke reads it before editing: refused, with every error, when it is invalid. */
export function currentConfig(loaded: LoadedStack, now: Date): Extract<StackConfigResult, { ok: true }> {
    const current = readStackConfig(loaded.config, { stackFile: loaded.file, now });
    if (!current.ok) throw new CliError(`${loaded.file} is invalid; fix it before revoking:\n${current.errors.join("\n")}`);
    return current;
}

/**
 * Decides the edit and the policies, refusing (with every reason at once) anything that would
 * weaken a revocation, name an unknown role, or leave the file invalid. `repository` holds every
 * role of the repository's stack files, for the containment analysis.
 */
export function decide(request: RevokeRequest, loaded: LoadedStack, now: Date, repository: RepositoryRole[] = []): Decision {
    const file = loaded.file;
    const current = currentConfig(loaded, now);
    const accounts = allowedAccounts(loaded.config, current.config.provider ?? "aws");
    const cutoff = chooseCutoff(request.at, now);
    const roles = current.config.roles ?? {};
    const roleKeys = Object.keys(roles);
    const stackCutoff = Cutoff.read(current.config.revokeAllBefore);
    const problems: string[] = [];
    const weaker = (existing: Cutoff) =>
        `${existing}; the new cutoff ${cutoff} is earlier and would re-enable sessions that revocation denies`;
    const requested = request.all ? roleKeys : request.roles;
    // Roles the requested ones' sessions could reach; with --with-chained, those of this stack file are revoked too.
    const index = new RepositoryIndex(repository);
    const analyses = requested.flatMap((key) => {
        const role = index.role(request.stack, key);
        return role === undefined ? [] : [containment(role, index, cutoff)];
    });
    const chained = new Map<string, string>();
    const elsewhere = new Map<string, Set<string>>();
    const isRequested = new Set(requested);
    for (const analysis of analyses) {
        for (const { reach, covered } of analysis.reachable) {
            if (covered || (isRequested.has(reach.role.key) && reach.role.stack === request.stack)) continue;
            if (reach.role.stack === request.stack) {
                if (request.withChained && !chained.has(reach.role.key)) chained.set(reach.role.key, analysis.role.key);
            } else {
                elsewhere.set(reach.role.stack, (elsewhere.get(reach.role.stack) ?? new Set()).add(reach.role.key));
            }
        }
    }
    // Chained roles are never requested ones, and with --all there are none: every role of the stack is requested.
    const named = [...request.roles, ...chained.keys()];
    let edited = loaded.text;
    const roleCutoffs = new Map<string, string>();
    try {
        if (request.all) {
            if (stackCutoff?.isAfter(cutoff) === true) problems.push(`${NAMESPACE}:revokeAllBefore is already ${weaker(stackCutoff)}`);
            else if (!cutoff.equals(stackCutoff)) edited = setStackCutoff(edited, cutoff.toString());
        }
        for (const key of named) {
            // Own keys only: "constructor" must not find Object's.
            const role = Object.hasOwn(roles, key) ? roles[key] : undefined;
            if (role === undefined) {
                const suggestion = closest(key, roleKeys);
                problems.push(
                    `unknown role "${key}" in ${file};${suggestion === undefined ? "" : ` did you mean "${suggestion}"?`} the roles are: ${roleKeys.join(", ")}`,
                );
                continue;
            }
            const own = Cutoff.read(role.revokeBefore);
            if (own?.isAfter(cutoff) === true) {
                problems.push(`role "${key}" is already revoked before ${weaker(own)}`);
            } else if (stackCutoff !== undefined && !stackCutoff.isBefore(cutoff)) {
                problems.push(
                    `role "${key}" is already revoked before ${stackCutoff} by ${NAMESPACE}:revokeAllBefore, which is not earlier than ${cutoff}: that cutoff is the one in force; give --at later than ${stackCutoff} to deny later sessions`,
                );
            } else if (!cutoff.equals(own)) {
                roleCutoffs.set(key, cutoff.toString());
            }
        }
        // Every role in one edit of one parse, verified once.
        if (problems.length === 0) edited = setRoleCutoffs(edited, roleCutoffs);
    } catch (error) {
        throw new CliError(`${file}: ${(error as Error).message}`);
    }
    if (problems.length > 0) throw new CliError(problems.join("\n"));
    const after = readStackConfig({ ...loaded.config, ...stackConfig(file, edited, loaded.project.name) }, { stackFile: file, now });
    if (!after.ok) {
        throw new CliError(`the edited ${file} would not pass validation; nothing was written:\n${after.errors.join("\n")}`);
    }
    const revoked = new Set([...requested, ...chained.keys()]);
    // The same code the component runs: the emergency policy is byte-identical to what pulumi up writes.
    const targets = after.roles
        .filter((r) => revoked.has(r.key))
        .map(({ key, model }) => ({ key, roleName: model.roleName, cutoff: model.revocation!.cutoff, policy: model.revocation!.policy }));
    const reason = (stack: string, key: string) =>
        `reachable from ${[...new Set(analyses.filter((a) => a.reachable.some((r) => r.reach.role.stack === stack && r.reach.role.key === key)).map((a) => a.role.key))].join(", ")} in ${request.stack}`;
    const followUps = [...elsewhere].map(
        ([stack, keys]) =>
            `npm run revoke -- --stack ${stack} ${[...keys].map((k) => `--role ${k}`).join(" ")} --at ${cutoff} --with-chained --reason "${reason(stack, [...keys][0])}"`,
    );
    return {
        stack: request.stack,
        file,
        cutoff,
        edited,
        changed: edited !== loaded.text,
        subject: request.all ? `${NAMESPACE}:revokeAllBefore` : named.join(", "),
        all: request.all,
        targets,
        region: loaded.config["aws:region"],
        backend: current.config.provider ?? "aws",
        ...(accounts === undefined ? {} : { accounts }),
        chained,
        containment: analyses,
        followUps,
    };
}

/** How many roles a summarised body names in its table, and lists with their analysis. */
const SUMMARY_LIMITS: ListLimits & { table: number } = { table: 50, roles: 10, perRole: 20 };

/** The pull request that records a revocation; with `limits`, listing only that much in full. */
export function pullRequest(
    decision: Decision,
    reason: string | undefined,
    emergency?: EmergencyResult[],
    limits?: ListLimits & { table: number; note: string },
): { title: string; body: string } {
    const { stack, targets, all, cutoff } = decision;
    const safe = cutoff.safeToRemoveAfterText;
    // A title names at most five roles: GitHub cuts titles at 256 characters.
    const named = targets.slice(0, 5).map((r) => r.key);
    const subject = all
        ? `every role of ${stack}`
        : `${named.join(", ")}${targets.length > named.length ? ` and ${targets.length - named.length} more roles` : ""} (${stack})`;
    const role = (t: EmergencyTarget) => {
        const notes = [`IAM role \`${t.roleName}\``];
        if (!t.cutoff.equals(cutoff)) notes.push(`keeps its own later cutoff \`${t.cutoff}\``);
        const from = decision.chained.get(t.key);
        if (from !== undefined) notes.push(`reachable from \`${from}\``);
        return `\`${t.key}\` (${notes.join(", ")})`;
    };
    const lines = [
        `## Revoke role sessions issued before ${cutoff}`,
        "",
        "| | |",
        "| --- | --- |",
        `| Stack | \`${stack}\` |`,
        `| Roles | ${all ? "all roles of the stack (`revokeAllBefore`): " : ""}${targets
            .slice(0, limits?.table)
            .map(role)
            .join(", ")}${limits !== undefined && targets.length > limits.table ? `, and ${targets.length - limits.table} more` : ""} |`,
        `| Cutoff | \`${cutoff}\` |`,
        `| Reason | ${reason ?? "not given"} |`,
        `| Safe to remove after | \`${safe}\` (cutoff + 13 h) |`,
        "",
        "### What this change does",
        `Puts the inline policy \`${REVOCATION_POLICY_NAME}\` on each role: every action of every session issued before the cutoff is denied. ` +
            "Identities the role still trusts can assume it again and get working credentials.",
        "",
        "**If the trust itself was abused** (a repository, account or provider that should not be trusted), tighten `trust` in this same change: the deny does nothing against someone who can still assume the role.",
        "",
        `**Do not remove** this revocation before \`${safe}\`: until then a session issued before the cutoff may still be alive.`,
        "",
        containmentMarkdown(decision.containment, decision.followUps, limits),
    ];
    if (limits !== undefined) lines.splice(2, 0, `> ${limits.note}`, "");
    if (emergency !== undefined) {
        const failed = emergency.filter((r) => r.outcome === "failed");
        const applied = appliedCount(emergency);
        const heading = {
            all: "Already applied (emergency path)",
            some: "Partly applied (emergency path)",
            none: "Not applied (the emergency path failed)",
        }[applied];
        const summary = {
            all: `Applied at once through the IAM API to all ${emergency.length} roles with \`npm run revoke -- --now\` (or found already applied); \`pulumi up\` adopts the identical policy.`,
            some: `Applied at once through the IAM API to ${emergency.length - failed.length} of ${emergency.length} roles with \`npm run revoke -- --now\`. **Not applied** to ${failed.map((f) => `\`${f.target.key}\``).join(", ")}: those roles are revoked only when this pull request deploys, unless \`--now\` is rerun after fixing the cause.`,
            none: `The IAM API applied this revocation to **none** of the ${emergency.length} roles: nothing is revoked until this pull request deploys, unless \`--now\` is rerun after fixing the cause.`,
        }[applied];
        const table = limits === undefined ? emergency : emergency.filter((r) => r.outcome === "failed").slice(0, limits.table);
        lines.push("", `### ${heading}`, summary, "", "```", resultTable(table), "```");
        if (table.length < emergency.length)
            lines.push(`Only the roles not applied are listed (at most ${limits!.table}); the full report lists every role.`);
        if (decision.endpoint !== undefined) lines.push("", `IAM endpoint: ${decision.endpoint}.`);
    }
    return { title: `Revoke sessions of ${subject} issued before ${cutoff}`, body: lines.join("\n") };
}

/**
 * The pull request as it can be posted: the full body when it fits GitHub's limit, else a summary
 * (the first roles in full, the rest counted) that names the full report, written to `reportFile`.
 */
export function postablePullRequest(
    decision: Decision,
    reason: string | undefined,
    emergency: EmergencyResult[] | undefined,
    reportFile: string,
): { title: string; body: string; reportFile?: string } {
    const full = pullRequest(decision, reason, emergency);
    const note = `This body is a summary: it lists the first roles of ${decision.targets.length}. The full report is in \`${path.basename(reportFile)}\`, written by revoke beside this body: attach it to the pull request.`;
    const fitted = fitForGitHub(full.body, () => pullRequest(decision, reason, emergency, { ...SUMMARY_LIMITS, note }).body);
    if (!fitted.summarised) return full;
    return { title: full.title, body: fitted.text, reportFile: writeFullReport(reportFile, full.body) };
}

/** What the command needs from its surroundings, replaceable in tests. */
export interface RevokeEnvironment {
    root: string;
    now: () => Date;
    /** An IAM client with `credentials` (the standard chain when they name no profile or role). */
    client: (endpoint: string | undefined, region: string | undefined, credentials?: Credentials) => IAMClient;
    /** The emergency path's schedule for a deadline (tests shorten the backoff). */
    schedule?: (deadlineMs: number) => Schedule;
    /** The environment the IAM client reads (AWS_ENDPOINT_URL_IAM and the like), to name the endpoint in use. */
    env?: NodeJS.ProcessEnv;
    /** The account the credentials act in; by default sts:GetCallerIdentity. */
    account?: (endpoint: string | undefined, region: string | undefined, signal: AbortSignal, credentials?: Credentials) => Promise<string>;
}

/** How the emergency path asks which account `credentials` (the standard chain when they name no profile or role) act in. */
export function accountOf(
    env: RevokeEnvironment,
    endpoint: string | undefined,
    region: string | undefined,
    credentials: Credentials = {},
): (signal: AbortSignal) => Promise<string> {
    return (signal) =>
        env.account !== undefined
            ? env.account(endpoint, region, signal, credentials)
            : callerAccount(endpoint, region, signal, credentials);
}

/**
 * Records the later cutoffs live policies already hold, so that the pull request never deploys a
 * weaker revocation over them; returns the roles it could not record, with why.
 */
export function recordLaterCutoffs(
    decision: Decision,
    emergency: EmergencyResult[],
    now: Date,
    file: string,
    loaded: LoadedStack,
): string[] {
    const later = emergency.filter((r) => r.laterCutoff !== undefined);
    if (later.length === 0) return [];
    const text = setRoleCutoffs(decision.edited, new Map(later.map(({ target, laterCutoff }) => [target.key, laterCutoff!.toString()])));
    const check = readStackConfig(
        { ...loaded.config, ...stackConfig(decision.file, text, loaded.project.name) },
        { stackFile: decision.file, now },
    );
    if (!check.ok) {
        return later.map(
            (r) =>
                `${r.target.key} (${r.target.roleName}): its live ${REVOCATION_POLICY_NAME} denies sessions before ${r.laterCutoff}, which ${decision.file} cannot record (${check.errors[0]}); fix the live policy or the file before this pull request deploys, or pulumi up writes the earlier ${r.target.cutoff} over it`,
        );
    }
    replaceStackFile(file, decision.edited, text);
    for (const { target, laterCutoff } of later) target.cutoff = laterCutoff!;
    decision.edited = text;
    return [];
}

/** Refuses a --body-file that cannot be written, before the stack file is. */
export function checkBodyFile(file: string, given: string): void {
    const folder = path.dirname(file);
    if (!fs.statSync(folder, { throwIfNoEntry: false })?.isDirectory()) {
        throw new UsageError(`--body-file ${show(given)}: its folder ${path.dirname(given)} does not exist`);
    }
    if (fs.lstatSync(file, { throwIfNoEntry: false })?.isFile() === false) {
        throw new UsageError(`--body-file ${show(given)} exists and is not a regular file`);
    }
}

/** The command line; returns the exit code. */
export async function main(argv: string[], out: Writer, err: Writer, env: RevokeEnvironment): Promise<number> {
    let lock: { release(): void } | undefined;
    let usage = USAGE;
    try {
        if (argv.some((arg) => arg === "--leaked" || arg.startsWith("--leaked="))) {
            const { LEAKED_HELP, LEAKED_USAGE, leakedMain, parseLeakedRequest } = await import("./leaked");
            usage = LEAKED_USAGE;
            const leaked = parseLeakedRequest(argv);
            if (leaked === undefined) {
                out.write(LEAKED_HELP);
                return 0;
            }
            return await leakedMain(leaked, out, err, env);
        }
        if (argv.includes("--org")) {
            const { ORGANIZATION_HELP, ORGANIZATION_USAGE, organizationMain, parseOrganizationRequest } = await import("./organization");
            usage = ORGANIZATION_USAGE;
            const request = parseOrganizationRequest(argv);
            if (request === undefined) {
                out.write(ORGANIZATION_HELP);
                return 0;
            }
            return await organizationMain(request, out, env);
        }
        const request = parseRequest(argv);
        if (request === undefined) {
            out.write(HELP);
            return 0;
        }
        // With --json, the one object is all stdout carries; progress goes nowhere.
        const say = (text: string) => (request.json === true ? undefined : out.write(text));
        const now = env.now();
        const source = directorySource(env.root);
        const file = path.join(env.root, stackFileName(request.stack));
        // One writer per stack file, from before it is read until the last byte is written.
        if (source.entries().get(stackFileName(request.stack)) === "file") lock = await lockStackFile(file);
        if (request.bodyFile !== undefined) checkBodyFile(path.resolve(env.root, request.bodyFile), request.bodyFile);
        const loaded = loadStack(source, request.stack);
        const decision = decide(request, loaded, now, repositoryRoles(source, now).roles);
        // The record first: an emergency run that is interrupted or hangs still leaves what its pull request needs.
        if (decision.changed) {
            replaceStackFile(file, loaded.text, decision.edited);
            say(`Wrote ${decision.file}: ${decision.subject} revoked before ${decision.cutoff}.\n\n`);
        } else {
            say(`${decision.file} already records this revocation; nothing to write.\n\n`);
        }
        let emergency: EmergencyResult[] | undefined;
        let unrecorded: string[] = [];
        if (request.now) {
            const region = decision.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? "us-east-1";
            const endpoint = endpointInUse(request.endpointUrl, env.env ?? process.env, region);
            say(`IAM endpoint: ${endpoint}\n`);
            const schedule = (env.schedule ?? defaultSchedule)(request.deadlineMs);
            const ask = accountOf(env, request.endpointUrl, decision.region);
            // Credentials of another account would revoke namesake roles there: checked first when the stack names its accounts.
            const where = `${decision.backend}:allowedAccountIds of ${decision.file}`;
            const refused =
                decision.accounts === undefined
                    ? undefined
                    : await accountMismatch(decision.targets, decision.accounts, ask, where, schedule);
            emergency = refused ?? (await revokeNow(env.client(request.endpointUrl, decision.region), decision.targets, schedule));
            unrecorded = recordLaterCutoffs(decision, emergency, now, file, loaded);
            say(`${resultTable(emergency)}\n\n`);
            decision.endpoint = endpoint;
        }
        const reportFile =
            request.reportFile ??
            path.join(os.tmpdir(), `revocable-roles-${request.stack}-${decision.cutoff.toString().replace(/:/g, "")}.md`);
        const pr = postablePullRequest(decision, request.reason, emergency, path.resolve(env.root, reportFile));
        if (request.bodyFile !== undefined) fs.writeFileSync(path.resolve(env.root, request.bodyFile), `${pr.body}\n`);
        if (request.json === true) {
            out.write(`${JSON.stringify(revokeJson(decision, pr, emergency))}\n`);
        } else {
            out.write(`Pull request title:\n${pr.title}\n\nPull request body:\n${pr.body}\n`);
            if (request.bodyFile !== undefined) out.write(`\nThe body is also in ${request.bodyFile}.\n`);
            if (pr.reportFile !== undefined)
                out.write(`\nThe body is a summary (GitHub takes at most 65,536 characters); the full report is in ${pr.reportFile}.\n`);
        }
        const failed = emergency?.filter((r) => r.outcome === "failed") ?? [];
        if (failed.length > 0) {
            err.write(
                `${failed.length} of ${emergency!.length} roles were NOT revoked through the API:\n${failed.map((f) => `${f.target.key} (${f.target.roleName}): ${f.detail}`).join("\n")}\n`,
            );
        }
        if (unrecorded.length > 0) err.write(`${unrecorded.join("\n")}\n`);
        return failed.length > 0 || unrecorded.length > 0 ? 1 : 0;
    } catch (error) {
        return fail(error, err, usage);
    } finally {
        lock?.release();
    }
}

/** The `--json` contract of revoke. */
export interface RevokeJson {
    file: string;
    written: boolean;
    cutoff: string;
    roles: { key: string; roleName: string; cutoff: string; reachableFrom?: string }[];
    title: string;
    body: string;
    /** With --now: per role, what the IAM API did; null without --now. */
    applied: { key: string; roleName: string; outcome: EmergencyResult["outcome"]; detail: string }[] | null;
    endpoint: string | null;
    /** The full report when the body is a summary (over GitHub's 65,536 characters); null otherwise. */
    reportFile: string | null;
}

function revokeJson(
    decision: Decision,
    pr: { title: string; body: string; reportFile?: string },
    emergency: EmergencyResult[] | undefined,
): RevokeJson {
    return {
        reportFile: pr.reportFile ?? null,
        file: decision.file,
        written: decision.changed,
        cutoff: decision.cutoff.toString(),
        roles: decision.targets.map((t) => ({
            key: t.key,
            roleName: t.roleName,
            cutoff: t.cutoff.toString(),
            ...(decision.chained.has(t.key) ? { reachableFrom: decision.chained.get(t.key) } : {}),
        })),
        title: pr.title,
        body: pr.body,
        applied: emergency?.map((r) => ({ key: r.target.key, roleName: r.target.roleName, outcome: r.outcome, detail: r.detail })) ?? null,
        endpoint: decision.endpoint ?? null,
    };
}

/** The command as a process runs it: in the project folder it is started in, with the real clock and the standard credential chain. */
export function run(argv: string[]): Promise<number> {
    // Interrupted during the IAM calls: the stack file was written before the first one.
    for (const signal of ["SIGINT", "SIGTERM"] as const) {
        process.once(signal, () => {
            process.stderr.write(
                "\nInterrupted. Every stack file revoke writes is written before any IAM call and records the revocation: open its pull request, and run the same revoke --now again to apply what was not applied (a rerun counts roles already revoked as applied).\n",
            );
            process.exit(signal === "SIGINT" ? 130 : 143);
        });
    }
    return main(argv, process.stdout, process.stderr, { root: process.cwd(), now: () => new Date(), client: iamClient });
}

if (require.main === module) runAsProcess(run);

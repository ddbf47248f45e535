/**
 * `revoke --org`: organization-wide revocation by role name (or pattern) or IAM Identity Center
 * user, written into the organization stack's `revocable-roles:organization` section with the same
 * safety as a role's revocation: an earlier cutoff than one in force is refused, nothing is written
 * while the stack file is invalid, when a policy would outgrow its size, or when the deploy would
 * move a revocation in force to another policy or attach more policies than the budget.
 */
import * as fs from "fs";
import * as path from "path";
import { CliError, EXIT_CODES_HELP, UsageError, Writer, parseFlags } from "./io";
import { lockStackFile, replaceStackFile } from "./stackFile";
import { OrganizationEntry, setOrganizationCutoffs } from "./stackEdit";
import { RevokeEnvironment, checkBodyFile, chooseCutoff } from "./revoke";
import { LoadedStack, loadStack, scanStacks, stackConfig, stackFileName } from "../config/loader";
import { ProjectSource, directorySource } from "../config/sources";
import { NAMESPACE, readStackConfig } from "../config/stackConfig";
import { IDENTITY_CENTER_USER_ID, ROLE_NAME_PATTERN, organizationChangeProblems, revocationKey } from "../config/organization";
import { ORGANIZATION_LIMITS } from "../iam/organizationPolicy";
import { show } from "../iam/problems";
import { Cutoff } from "../iam/cutoff";

export const ORGANIZATION_USAGE: string =
    "usage: npm run revoke -- --org (--role-name <name or pattern> | --identity-center-user <user id>) ... [--stack <name>] [--at <ISO-8601>] [--reason <text>] [--dry-run] [--json] [--body-file <path>]";
export const ORGANIZATION_HELP: string = `${ORGANIZATION_USAGE}

Revokes, in every account of the organization, the sessions of a role name (any account's role of
that name, or a pattern such as ci-*) or of an IAM Identity Center user issued before the cutoff:
adds them to revocable-roles:organization in the organization stack's file, which deploys them as
service control policies. Prints the pull request to open.

  --role-name <name>            an IAM role name or pattern (repeat for several)
  --identity-center-user <id>   an IAM Identity Center user ID (repeat for several)
  --stack <name>                the organization stack; default the one stack file with a
                                revocable-roles:organization section
  --at <ISO-8601>               the cutoff, with a zone; default: now, rounded up to the next whole second
  --reason <text>               why, for the pull request
  --dry-run                     show the change and the pull request; write nothing
  --json                        print one JSON object: {file, written, cutoff, revocations, title, body}
  --body-file <path>            also write the pull request's body to a file

What it cannot reach: ${ORGANIZATION_LIMITS}.
There is no --now: service control policies change when the organization stack deploys.

${EXIT_CODES_HELP}`;

/** What `revoke --org` was asked to do. */
export interface OrganizationRequest {
    entries: ({ roleName: string } | { identityCenterUserId: string })[];
    stack?: string;
    at?: string;
    reason?: string;
    dryRun: boolean;
    json: boolean;
    bodyFile?: string;
}

/** Parses `revoke --org ...`; undefined means `--help`. */
export function parseOrganizationRequest(argv: string[]): OrganizationRequest | undefined {
    const values = parseFlags(argv, {
        org: { type: "boolean" },
        "role-name": { type: "string", multiple: true },
        "identity-center-user": { type: "string", multiple: true },
        stack: { type: "string" },
        at: { type: "string" },
        reason: { type: "string" },
        "dry-run": { type: "boolean" },
        json: { type: "boolean" },
        "body-file": { type: "string" },
        now: { type: "boolean" },
        role: { type: "string", multiple: true },
        all: { type: "boolean" },
    });
    if (values === undefined) return undefined;
    if (values.now === true) {
        throw new UsageError(
            "--org has no --now: service control policies change when the organization stack deploys; merge and deploy its pull request (role revocations in member accounts can still be applied at once with revoke --stack <name> --role <key> --now)",
        );
    }
    if (values.role !== undefined || values.all !== undefined) {
        throw new UsageError(
            "--org takes --role-name and --identity-center-user, not --role or --all (those revoke a stack's declared roles)",
        );
    }
    const roleNames = [...new Set(values["role-name"] ?? [])];
    const users = [...new Set(values["identity-center-user"] ?? [])];
    if (roleNames.length + users.length === 0) throw new UsageError("--org needs at least one --role-name or --identity-center-user");
    for (const name of roleNames) {
        if (!ROLE_NAME_PATTERN.test(name) || /^[*?]+$/.test(name)) {
            throw new UsageError(
                `--role-name ${show(name)} is not an IAM role name of 1 to 64 characters of A-Za-z0-9+=,.@_-, or a pattern of them with * and ? that is more than wildcards (which would match every role)`,
            );
        }
    }
    for (const user of users) {
        if (!IDENTITY_CENTER_USER_ID.test(user)) {
            throw new UsageError(
                `--identity-center-user ${show(user)} is not an IAM Identity Center user ID such as 90676d4c3b-0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d`,
            );
        }
    }
    return {
        entries: [...roleNames.map((roleName) => ({ roleName })), ...users.map((identityCenterUserId) => ({ identityCenterUserId }))],
        ...(values.stack === undefined ? {} : { stack: values.stack }),
        at: values.at,
        reason: values.reason,
        dryRun: values["dry-run"] === true,
        json: values.json === true,
        ...(values["body-file"] === undefined ? {} : { bodyFile: values["body-file"] }),
    };
}

/** The stack whose file has an organization section: the one named, or the only one; undefined when there is none and none was named. */
export function organizationStackOf(source: ProjectSource, named?: string): string | undefined {
    const key = `${NAMESPACE}:organization`;
    if (named !== undefined) return named;
    // The text first, to load only the files that may hold the section; the loaded config decides.
    const found = scanStacks(source)
        .stacks.filter((stack) => source.read(stackFileName(stack)).includes(key))
        .filter((stack) => loadStack(source, stack).config[key] !== undefined);
    if (found.length > 1) {
        throw new UsageError(`several stack files have ${key} (${found.map(stackFileName).join(", ")}); name one with --stack`);
    }
    return found[0];
}

/** The organization part of a change, decided before anything is written. */
export interface OrganizationDecision {
    stack: string;
    file: string;
    loaded: LoadedStack;
    cutoff: Cutoff;
    edited: string;
    changed: boolean;
    /** Per revocation key: what the change does to it. */
    outcomes: { key: string; was?: Cutoff; now: Cutoff }[];
}

/**
 * Decides the edit: every entry revoked before `cutoff`, an existing later cutoff refused, the
 * edited file validated as the program would (its policy budget included). Throws with every problem.
 */
export function decideOrganization(
    loaded: LoadedStack,
    entries: OrganizationRequest["entries"],
    cutoff: Cutoff,
    now: Date,
): OrganizationDecision {
    const file = loaded.file;
    const current = readStackConfig(loaded.config, { stackFile: file, now });
    if (!current.ok) throw new CliError(`${file} is not valid; fix it first (nothing was written):\n${current.errors.join("\n")}`);
    if (current.config.organization === undefined) {
        throw new CliError(
            `${file}: has no ${NAMESPACE}:organization section; add one with the targets its policies are attached to (docs/config.md), then revoke again`,
        );
    }
    const existing = new Map((current.organization?.revocations ?? []).map((r) => [revocationKey(r), r.revokeBefore]));
    const problems: string[] = [];
    const outcomes: OrganizationDecision["outcomes"] = [];
    const edits: OrganizationEntry[] = [];
    for (const entry of entries) {
        const key = revocationKey(entry);
        const was = existing.get(key);
        if (was?.isAfter(cutoff) === true) {
            problems.push(
                `${file}: ${NAMESPACE}:organization: ${key} is already revoked before ${was}; the new cutoff ${cutoff} is earlier and would re-enable sessions that revocation denies`,
            );
            continue;
        }
        outcomes.push(was === undefined ? { key, now: cutoff } : { key, was, now: cutoff });
        if (!cutoff.equals(was)) edits.push({ ...entry, revokeBefore: cutoff.toString() } as OrganizationEntry);
    }
    if (problems.length > 0) throw new CliError(`nothing was written:\n${problems.join("\n")}`);
    const edited = setOrganizationCutoffs(loaded.text, edits);
    const check = readStackConfig({ ...loaded.config, ...stackConfig(file, edited, loaded.project.name) }, { stackFile: file, now });
    if (!check.ok) throw new CliError(`nothing was written: the change would leave ${file} invalid:\n${check.errors.join("\n")}`);
    // Defence in depth: a revocation's policy depends on nothing else, so adding one never moves another or adds a policy.
    const refused = organizationChangeProblems(current.organization, check.organization!, now);
    if (refused.length > 0) {
        throw new CliError(
            `nothing was written:\n${refused.map((problem) => `${file}: ${NAMESPACE}:organization: ${problem}`).join("\n")}`,
        );
    }
    return { stack: loaded.stack, file, loaded, cutoff, edited, changed: edited !== loaded.text, outcomes };
}

/** The organization part of a pull request's body: what it revokes, where it deploys, and what it cannot reach. */
export function organizationMarkdown(decision: OrganizationDecision): string[] {
    return [
        `### Organization-wide (${decision.file}, service control policies)`,
        "",
        "| revocation | cutoff |",
        "| --- | --- |",
        ...decision.outcomes.map(
            (o) => `| ${o.key} | \`${o.now}\`${o.was !== undefined && !o.was.equals(o.now) ? ` (was \`${o.was}\`)` : ""} |`,
        ),
        "",
        "In every account under the organization stack's targets, each listed role name (in any account, at any path) or Identity Center user is denied every action for sessions issued before the cutoff, once the organization stack deploys.",
        "",
        `**What this layer cannot reach:** ${ORGANIZATION_LIMITS}. Revoke roles of the management account through their own stack (\`revoke --stack <name> --role <key>\`); end Identity Center users' role sessions with this revocation, not by deleting their sessions.`,
    ];
}

/** The pull request of an organization revocation. */
export function organizationPullRequest(decision: OrganizationDecision, reason: string | undefined): { title: string; body: string } {
    const named = decision.outcomes.slice(0, 5).map((o) => o.key);
    const more = decision.outcomes.length - named.length;
    const safe = decision.cutoff.safeToRemoveAfterText;
    return {
        title: `Revoke organization-wide sessions of ${named.join(", ")}${more > 0 ? ` and ${more} more` : ""} issued before ${decision.cutoff}`,
        body: [
            `## Revoke organization-wide sessions issued before ${decision.cutoff}`,
            "",
            ...(reason === undefined ? [] : [`Reason: ${reason}`, ""]),
            ...organizationMarkdown(decision),
            "",
            `**Do not remove** these revocations before \`${safe}\` (cutoff + 13 h): until then a session issued before the cutoff may still be alive.`,
        ].join("\n"),
    };
}

/** `revoke --org`: returns the exit code; a failure throws (the caller reports it). */
export async function organizationMain(request: OrganizationRequest, out: Writer, env: RevokeEnvironment): Promise<number> {
    const now = env.now();
    const cutoff = chooseCutoff(request.at, now);
    const source = directorySource(env.root);
    const stack = organizationStackOf(source, request.stack);
    if (stack === undefined) {
        throw new CliError(
            `no stack file has a ${NAMESPACE}:organization section; add one to the stack of the organization's management account (docs/config.md), or name it with --stack`,
        );
    }
    const file = path.join(env.root, stackFileName(stack));
    const lock = request.dryRun ? undefined : await lockStackFile(file);
    try {
        if (request.bodyFile !== undefined) checkBodyFile(path.resolve(env.root, request.bodyFile), request.bodyFile);
        const decision = decideOrganization(loadStack(source, stack), request.entries, cutoff, now);
        if (!request.dryRun && decision.changed) replaceStackFile(file, decision.loaded.text, decision.edited);
        const pr = organizationPullRequest(decision, request.reason);
        if (request.bodyFile !== undefined) fs.writeFileSync(path.resolve(env.root, request.bodyFile), `${pr.body}\n`);
        if (request.json) {
            const written = !request.dryRun && decision.changed;
            const revocations = decision.outcomes.map((o) => ({ key: o.key, cutoff: o.now, previous: o.was ?? null }));
            out.write(`${JSON.stringify({ file: decision.file, written, cutoff, revocations, title: pr.title, body: pr.body })}\n`);
            return 0;
        }
        const what = decision.outcomes.map((o) => o.key).join(", ");
        out.write(
            request.dryRun
                ? `Dry run: nothing was written. ${decision.file} would revoke ${what} before ${cutoff}.\n\n`
                : decision.changed
                  ? `Wrote ${decision.file}: ${what} revoked organization-wide before ${cutoff}.\n\n`
                  : `${decision.file} already records this revocation; nothing to write.\n\n`,
        );
        out.write(`Pull request title:\n${pr.title}\n\nPull request body:\n${pr.body}\n`);
        return 0;
    } finally {
        lock?.release();
    }
}

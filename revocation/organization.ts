/**
 * `revoke --org`: organization-wide revocation by role name (or pattern) or IAM Identity Center
 * user, written into the organization stack's `revocable-roles:organization` section with the same
 * safety as a role's revocation: an earlier cutoff than one in force is refused, nothing is written
 * while the stack file is invalid, when a policy would outgrow its size, or when the deploy would
 * move a revocation in force to another policy or attach more policies than the budget.
 */
import * as fs from "fs";
import * as path from "path";
import { LoadedStack, loadStack, scanStacks, stackConfig } from "../config/loader";
import { stackFileName } from "../config/files";
import { ProjectSource, directorySource } from "../config/sources";
import { NAMESPACE, readStackConfig } from "../config/stackConfig";
import { organizationChangeProblems, revocationKey } from "../config/organization";
import { ORGANIZATION_LIMITS } from "../iam/organizationPolicy";
import { Cutoff } from "../iam/cutoff";
import { RevocationContext } from "./context";
import { chooseCutoff } from "./decide";
import { RequestError, RevocationError } from "./errors";
import { checkBodyFile } from "./github";
import { OrganizationEntry, setOrganizationCutoffs } from "./stackEdit";
import { lockStackFile, replaceStackFile } from "./stackFile";

/** One organization-wide revocation asked for: a role name (or pattern), or an Identity Center user. */
export type OrganizationEntryRequest = { roleName: string } | { identityCenterUserId: string };

/** What `revoke --org` is asked to do. */
export interface OrganizationRequest {
    entries: OrganizationEntryRequest[];
    /** The organization stack; default the one stack file with an organization section. */
    stack?: string;
    /** The cutoff as written; default now, rounded up to the next whole second. */
    at?: string;
    reason?: string;
    /** Decide and show, write nothing. */
    dryRun: boolean;
    /** Also write the pull request's body here, as given (relative to the project folder). */
    bodyFile?: string;
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
        throw new RequestError(`several stack files have ${key} (${found.map(stackFileName).join(", ")}); name one with --stack`);
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
    entries: OrganizationEntryRequest[],
    cutoff: Cutoff,
    now: Date,
): OrganizationDecision {
    const file = loaded.file;
    const current = readStackConfig(loaded.config, { stackFile: file, now });
    if (!current.ok) throw new RevocationError(`${file} is not valid; fix it first (nothing was written):\n${current.errors.join("\n")}`);
    if (current.config.organization === undefined) {
        throw new RevocationError(
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
    if (problems.length > 0) throw new RevocationError(`nothing was written:\n${problems.join("\n")}`);
    const edited = setOrganizationCutoffs(loaded.text, edits);
    const check = readStackConfig({ ...loaded.config, ...stackConfig(file, edited, loaded.project.name) }, { stackFile: file, now });
    if (!check.ok) throw new RevocationError(`nothing was written: the change would leave ${file} invalid:\n${check.errors.join("\n")}`);
    // Defence in depth: a revocation's policy depends on nothing else, so adding one never moves another or adds a policy.
    const refused = organizationChangeProblems(current.organization, check.organization!, now);
    if (refused.length > 0) {
        throw new RevocationError(
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

/** What `revoke --org` did. */
export interface OrganizationOutcome {
    decision: OrganizationDecision;
    /** Whether the stack file was written (not with `dryRun`, nor when it already records the revocation). */
    written: boolean;
    pullRequest: { title: string; body: string };
}

/** `revoke --org`: decides the edit under the stack file's lock, writes it (unless a dry run), and makes the pull request. */
export async function revokeOrganization(request: OrganizationRequest, context: RevocationContext): Promise<OrganizationOutcome> {
    const { root, now } = context;
    const cutoff = chooseCutoff(request.at, now);
    const source = directorySource(root);
    const stack = organizationStackOf(source, request.stack);
    if (stack === undefined) {
        throw new RevocationError(
            `no stack file has a ${NAMESPACE}:organization section; add one to the stack of the organization's management account (docs/config.md), or name it with --stack`,
        );
    }
    const file = path.join(root, stackFileName(stack));
    const lock = request.dryRun ? undefined : await lockStackFile(file, { time: context.time });
    try {
        if (request.bodyFile !== undefined) checkBodyFile(path.resolve(root, request.bodyFile), request.bodyFile);
        const decision = decideOrganization(loadStack(source, stack), request.entries, cutoff, now);
        const written = !request.dryRun && decision.changed;
        if (written) replaceStackFile(file, decision.loaded.text, decision.edited);
        const pullRequest = organizationPullRequest(decision, request.reason);
        if (request.bodyFile !== undefined) fs.writeFileSync(path.resolve(root, request.bodyFile), `${pullRequest.body}\n`);
        return { decision, written, pullRequest };
    } finally {
        lock?.release();
    }
}

/**
 * The two-person override of the freeze. While a revocation is in force only stack files and
 * documentation may change (rules/paths.ts); a pull request that must change anything else (pin
 * an action, fix the workflow that leaked, rotate the deploy role) passes the trusted judge only
 * when it carries the label `revocable-roles/override` and every frozen path has an approving
 * review, on the pull request's head commit, from one of its code owners (the base's
 * CODEOWNERS) who is not the pull request's author and may write to the repository. It opens the freeze and nothing else: every
 * other finding still fails, and the deploy judges the change again with its own program.
 *
 * Pure: the pull request, its reviews, the approvers' access and the team memberships are read elsewhere
 * (revocation/override.ts) and handed in.
 */
import { Codeowners, Owner, OwnerRule, ownerRule, ownerText } from "./codeowners";
import { Finding, failure, passing } from "./findings";

/** The label that asks for the override. */
export const OVERRIDE_LABEL = "revocable-roles/override";

/** A review as the decision needs it, in the order GitHub lists them (oldest first). */
export interface ReviewFacts {
    login: string;
    /** GitHub's state: `APPROVED`, `CHANGES_REQUESTED`, `COMMENTED`, `DISMISSED`, `PENDING`. */
    state: string;
    /** The commit the review was submitted on. */
    commit: string;
}

/** A pull request as the decision needs it. */
export interface PullRequestFacts {
    number: number;
    author: string;
    /** The head commit the approvals must be on: the one judged (the trusted judge), or the last one merged (the deploy). */
    head: string;
    labels: string[];
    reviews: ReviewFacts[];
}

/** What the API said of a login's membership of a team: a member, or why it does not count. */
export type Membership = { member: true } | { member: false; why: string };

/** The key of a membership: `acme/platform\u0000alice`, lower case (GitHub compares logins and slugs regardless of case). */
export function membershipKey(team: Extract<Owner, { kind: "team" }>, login: string): string {
    return `${team.org}/${team.slug}\u0000${login}`.toLowerCase();
}

/** The reviewers whose approval counts (their latest deciding review approves the head commit, and they are not the author), and why others do not. */
export function countedApprovals(pr: PullRequestFacts): { approvers: string[]; notes: string[] } {
    const latest = new Map<string, ReviewFacts>();
    for (const review of pr.reviews) {
        // A comment leaves a reviewer's approval or request for changes standing, as on GitHub.
        if (review.state === "APPROVED" || review.state === "CHANGES_REQUESTED" || review.state === "DISMISSED")
            latest.set(review.login.toLowerCase(), review);
    }
    const approvers: string[] = [];
    const notes: string[] = [];
    for (const review of latest.values()) {
        if (review.state !== "APPROVED") continue;
        if (review.login.toLowerCase() === pr.author.toLowerCase()) notes.push(`@${review.login} is the author`);
        else if (review.commit !== pr.head)
            notes.push(`@${review.login} approved an earlier commit ${review.commit.slice(0, 12)}, not the head ${pr.head.slice(0, 12)}`);
        else approvers.push(review.login);
    }
    return { approvers, notes };
}

/** The teams among the owners of `paths` (by `codeowners`), to resolve for the approvers. */
export function owningTeams(paths: string[], codeowners: Codeowners): Extract<Owner, { kind: "team" }>[] {
    const teams = new Map<string, Extract<Owner, { kind: "team" }>>();
    for (const path of paths) {
        for (const owner of ownerRule(codeowners, path)?.owners ?? []) {
            if (owner.kind === "team") teams.set(`${owner.org}/${owner.slug}`.toLowerCase(), owner);
        }
    }
    return [...teams.values()];
}

/** What the decision is made from. */
export interface OverrideInput {
    /** The frozen paths, relative to the repository's root. */
    paths: string[];
    /** The base's CODEOWNERS, or undefined when the base has none. */
    codeowners?: Codeowners;
    pr: PullRequestFacts;
    /** Memberships of the approvers in the owning teams, by {@link membershipKey}. */
    memberships: ReadonlyMap<string, Membership>;
    /**
     * Whether each approver (by lower-case login) may write to the repository, as GitHub answers:
     * GitHub counts a code owner's review only from someone with write access, and so does the
     * override; an approver missing here does not count.
     */
    writers: ReadonlyMap<string, Membership>;
}

/** The decision: granted or not, in words for the finding. */
export interface OverrideDecision {
    granted: boolean;
    /** Who approved which paths, when granted. */
    approvals: { login: string; paths: string[] }[];
    text: string;
}

const list = (items: string[]) => items.join(", ");

/** Whether the override opens the freeze for `paths`, and why in words. */
export function decideOverride(input: OverrideInput): OverrideDecision {
    const { pr, codeowners } = input;
    const refused = (text: string): OverrideDecision => ({ granted: false, approvals: [], text });
    const labelled = pr.labels.includes(OVERRIDE_LABEL);
    if (!labelled) {
        return refused(
            `to open the freeze for this change, add the label ${OVERRIDE_LABEL} to pull request #${pr.number} and have a code owner of every path other than its author approve its head commit ${pr.head.slice(0, 12)}`,
        );
    }
    const asked = `the override (label ${OVERRIDE_LABEL} on pull request #${pr.number}) does not apply`;
    if (codeowners === undefined)
        return refused(
            `${asked}: the base has no CODEOWNERS file (.github/CODEOWNERS, CODEOWNERS or docs/CODEOWNERS), so no path has a code owner`,
        );
    if (codeowners.problems.length > 0)
        return refused(`${asked}: the base's CODEOWNERS cannot be read exactly as GitHub reads it: ${codeowners.problems.join("; ")}`);
    const counted = countedApprovals(pr);
    const notes = counted.notes;
    const approvers = counted.approvers.filter((login) => {
        const access = input.writers.get(login.toLowerCase());
        if (access?.member === true) return true;
        notes.push(access?.why ?? `@${login}'s access to the repository was not read`);
        return false;
    });
    const byLogin = new Map<string, string[]>();
    const uncovered: string[] = [];
    for (const path of input.paths) {
        const approver = /[*?]/.test(path)
            ? undefined
            : approvers.find((login) => ownsPath(ownerRule(codeowners, path), login, input.memberships));
        if (approver === undefined) {
            uncovered.push(`${path} (${ownersInWords(path, codeowners, approvers, input.memberships, notes)})`);
            continue;
        }
        byLogin.set(approver, [...(byLogin.get(approver) ?? []), path]);
    }
    if (uncovered.length > 0) {
        const why = notes.length > 0 ? ` (${[...new Set(notes)].join("; ")})` : "";
        return refused(
            `${asked}: no code owner other than the author approved the head commit ${pr.head.slice(0, 12)} for ${list(uncovered)}${why}`,
        );
    }
    const approvals = [...byLogin].map(([login, paths]) => ({ login, paths }));
    return {
        granted: true,
        approvals,
        text: `allowed by the override of pull request #${pr.number} (label ${OVERRIDE_LABEL}): code owners approved its head commit ${pr.head.slice(0, 12)}: ${approvals
            .map((a) => `@${a.login} for ${list(a.paths)}`)
            .join("; ")}`,
    };
}

/** Whether `login` owns a path by its deciding rule: named as a user, or an active member of a team named. */
function ownsPath(rule: OwnerRule | undefined, login: string, memberships: ReadonlyMap<string, Membership>): boolean {
    return (rule?.owners ?? []).some((owner) => {
        if (owner.kind === "user") return owner.login.toLowerCase() === login.toLowerCase();
        if (owner.kind === "team") return memberships.get(membershipKey(owner, login))?.member === true;
        return false;
    });
}

/** A path's owners in words, with why the approvers present do not own it (a team membership that could not be read). */
function ownersInWords(
    path: string,
    codeowners: Codeowners,
    approvers: string[],
    memberships: ReadonlyMap<string, Membership>,
    notes: string[],
): string {
    if (/[*?]/.test(path)) return "its name holds * or ?, which a CODEOWNERS pattern is not matched against exactly here";
    const rule = ownerRule(codeowners, path);
    if (rule === undefined) return `no owner: no line of ${codeowners.file} matches it`;
    const at = `${codeowners.file} line ${rule.line}`;
    if (rule.owners.length === 0) return `no owner: ${at} names none`;
    for (const owner of rule.owners) {
        if (owner.kind !== "team") continue;
        for (const login of approvers) {
            const membership = memberships.get(membershipKey(owner, login));
            if (membership !== undefined && !membership.member) notes.push(membership.why);
        }
    }
    const emails = rule.owners.every((owner) => owner.kind === "email") ? "; an email address cannot be matched to a reviewer" : "";
    return `owners ${rule.owners.map(ownerText).join(" ")} by ${at}${emails}`;
}

/**
 * The path rule's finding after the override: a pass naming the approvers when granted, else the
 * same failure with the reason the override does not apply.
 */
export function overridden(finding: Finding, decision: OverrideDecision): Finding {
    if (!decision.granted) return failure(finding.subject, `${finding.message}; ${decision.text}`);
    return passing(
        finding.subject,
        `changed while revocations are in force, ${decision.text}; every other rule still applies, and the deploy judges the change again with its own program`,
    );
}

/** The path rule's finding when the override could not be checked (the API failed, no token): the failure stands, saying why. */
export function notChecked(finding: Finding, why: string): Finding {
    return failure(finding.subject, `${finding.message}; the override could not be checked: ${why}`);
}

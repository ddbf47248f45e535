/**
 * What a revocation leaves open, in words for the people revoking: the roles reachable from the
 * revoked role's sessions, who can still assume it, the workloads it interrupts, and what no role
 * policy can revoke at all.
 */
import { ProjectSource } from "../config/sources";
import { loadStack, scanStacks } from "../config/loader";
import { readStackConfig } from "../config/stackConfig";
import { accountFromConfig } from "../config/account";
import { PLACEHOLDER_ACCOUNT, trustPolicy } from "../iam/trust";
import { asList } from "../iam/policy";
import { Cutoff } from "../iam/cutoff";
import { describeTrust } from "./trust";
import { Reach, ReachabilityIndex, RoleFacts, chainOf, reachable, roleArn, roleFacts } from "./reachability";
import { UndoIndex, UndoPath, undoPathInWords } from "./undo";
import { PassIndex } from "./passRole";

/**
 * Every valid role of every stack file of the repository; a stack file that does not load or
 * validate adds no role, and its errors (or why it does not load) are the problems.
 */
export function repositoryRoles(source: ProjectSource, now: Date): { roles: RoleFacts[]; problems: string[] } {
    const roles: RoleFacts[] = [];
    const problems: string[] = [];
    for (const stack of scanStacks(source).stacks) {
        try {
            const loaded = loadStack(source, stack);
            const read = readStackConfig(loaded.config, { stackFile: loaded.file, now });
            if (!read.ok) {
                problems.push(...read.errors);
                continue;
            }
            const account = accountFromConfig(loaded.config, read.config.provider ?? "aws");
            for (const { key, model } of read.roles) {
                const facts: RoleFacts = roleFacts(stack, key, model, account);
                if (model.revocation !== undefined) facts.revokedBefore = model.revocation.cutoff;
                roles.push(facts);
            }
        } catch (error) {
            problems.push((error as Error).message);
        }
    }
    return { roles, problems };
}

/** A reachable role in words: `a -> b -> c (stack prod)`, then the reason for each link. */
export function chainInWords(from: RoleFacts, reach: Reach): { path: string; reasons: string[] } {
    const chain = chainOf(reach);
    const name = (r: RoleFacts) => (r.stack === from.stack ? r.key : `${r.key} (${r.stack})`);
    const path = [from, ...chain.map((l) => l.to)].map(name).join(" -> ");
    return { path, reasons: chain.map((l) => `${l.from.key} -> ${l.to.key}: ${l.reasons.join("; ")}`) };
}

/** The longest chain written out in full in a report; a longer one names its ends and its last link, whose start is listed before it. */
export const CHAIN_IN_FULL = 4;

/**
 * A reachable role in words of bounded length, so that a report of many chains grows with the
 * number of roles, not with the square of it: a chain of up to {@link CHAIN_IN_FULL} links in
 * full, a longer one as `a -> ... -> y -> z` with the reason of its last link only (the role it
 * comes from is reached by a shorter chain, listed earlier with its own reasons).
 */
export function chainInBrief(from: RoleFacts, reach: Reach): { path: string; reasons: string[] } {
    const depth = reach.depth;
    if (depth <= CHAIN_IN_FULL) return chainInWords(from, reach);
    const name = (r: RoleFacts) => (r.stack === from.stack ? r.key : `${r.key} (${r.stack})`);
    const last = reach.link;
    return {
        path: `${name(from)} -> ... -> ${name(last.from)} -> ${name(last.to)} (${depth} links)`,
        reasons: [`${last.from.key} -> ${last.to.key}: ${last.reasons.join("; ")}`],
    };
}

/** Who can still assume a role, one line per trust statement. */
export function stillTrusted(role: RoleFacts): string[] {
    return describeTrust(trustPolicy(role.trust, { partition: role.partition ?? "aws", accountId: role.account ?? PLACEHOLDER_ACCOUNT }));
}

/** What happens to EC2 instances' credentials on revocation, and when they recover, after whom they are (the instances with this role, or with a named profile). */
const ec2Workloads = (instances: string) =>
    `${instances}: the instance metadata service keeps serving the credentials it issued before the cutoff, now denied, until it rotates them. EC2 makes new credentials available at least five minutes before the old ones expire (EC2 User Guide, "Retrieve security credentials from instance metadata"); instance-profile credentials have been seen to live about 6 hours. The SDKs pick up the new credentials by themselves.`;

/** What happens to a service's workloads when their role is revoked, and when they recover, from AWS's documentation. */
const SERVICES: Record<string, string> = {
    "ec2.amazonaws.com": ec2Workloads("EC2 instances with this role in their instance profile"),
    "ecs-tasks.amazonaws.com":
        'ECS tasks with this task role: the ECS agent serves each task the role credentials it holds in its cache (ECS Developer Guide, "IAM roles for tasks"); they are denied until the agent holds credentials issued after the cutoff. New tasks get fresh credentials: force a new deployment of the service to recover at once.',
    "lambda.amazonaws.com":
        "Lambda functions with this execution role: each execution environment keeps the credentials it started with. Lambda's guide says to update the function's code or configuration to make running instances with outdated credentials stop and be replaced (Lambda Developer Guide, \"Lambda execution role\"); until then invocations on old environments see AccessDenied.",
};

/** The EC2 service principals, whose workloads are the instances of the role's instance profile. */
const EC2 = new Set(["ec2.amazonaws.com", "ec2.amazonaws.com.cn"]);

/** The workloads a revocation interrupts: the services the role trusts, each with what happens to it; EC2's by the instance profile the role declares. */
export function interruptedWorkloads(role: RoleFacts): string[] {
    const services = [
        ...(role.trust.services ?? []),
        ...(role.trust.statements ?? []).flatMap((s) =>
            s.Effect === "Allow" && s.Principal !== undefined && s.Principal !== "*" ? asList(s.Principal.Service) : [],
        ),
    ];
    const github = role.trust.githubActions?.repositories ?? [];
    const profile = role.instanceProfile;
    return [
        ...[...new Set(services.map((service) => (EC2.has(service) ? "ec2.amazonaws.com" : service)))].map((service) =>
            service === "ec2.amazonaws.com" && profile !== undefined
                ? ec2Workloads(`EC2 instances launched with the instance profile \`${profile}\`, which holds this role`)
                : (SERVICES[service] ??
                  `${service}: the service's sessions issued before the cutoff are denied; it recovers when it assumes the role again, usually for its next job or run.`),
        ),
        ...(github.length === 0
            ? []
            : [
                  `GitHub Actions runs of ${github.map((r) => `\`${r}\``).join(", ")} in progress at the cutoff: their credentials are denied from their next AWS call, so a deploy may stop half-way. Rerun them: a new run assumes the role again and gets a working session.`,
              ]),
        ...(role.trust.oidc === undefined && role.trust.saml === undefined
            ? []
            : ["Federated users signed in through the role before the cutoff: their sessions are denied; they sign in again."]),
        ...((role.trust.accounts?.length ?? 0) + (role.trust.principals?.length ?? 0) === 0
            ? []
            : [
                  "People and programs of the trusted accounts or principals with a session from before the cutoff: their calls are denied until they assume the role again (a long-running job must be restarted or refresh its credentials).",
              ]),
    ];
}

/** What no role policy can revoke, each with the action to take instead. */
export const NOT_COVERED: readonly string[] = [
    "Long-term access keys of IAM users carry no aws:TokenIssueTime, so the deny does not touch them: deactivate the keys.",
    "Sessions of IAM Identity Center permission sets: their roles are managed by Identity Center and cannot carry this policy; revoke the user organization-wide with `revoke --org --identity-center-user <id>` (a service control policy on identitystore:userId).",
    "Console sign-in sessions, and the refreshable credentials of `aws login` (AWS CLI 2.32 and later): revoke them through the AWS Sign-In service (BatchRevokeSessions); a role policy does not end them.",
    "Service-linked roles cannot be edited, so they cannot be revoked this way.",
    "Roles in stacks this repository does not hold: revoke them where they are declared, or by name in every member account with `revoke --org --role-name <name>` (not the management account, not service-linked roles).",
];

/** The containment analysis of one revoked role. */
export interface Containment {
    role: RoleFacts;
    trustedBy: string[];
    /** Reachable roles, with whether an equal or later cutoff already covers each; `chainInWords` says how. */
    reachable: { reach: Reach; covered: boolean }[];
    workloads: string[];
    /**
     * Roles of the repository that can undo the revocation (remove or rewrite it, delete the role,
     * rewrite its trust), directly or in hops, each with its shortest path.
     */
    undoneBy: UndoPath[];
}

/**
 * The roles of a repository, indexed once for every analysis of a run: by stack and key, by what
 * their trust lets in (for reachability), and by the rights that may undo a revocation.
 */
export class RepositoryIndex {
    readonly reach: ReachabilityIndex;
    private undoIndex?: UndoIndex;
    private readonly byKey = new Map<string, RoleFacts>();

    /** The undo analysis's index, built when first asked for (a leak's analysis never does). */
    get undo(): UndoIndex {
        this.undoIndex ??= new UndoIndex(this.roles);
        return this.undoIndex;
    }

    constructor(readonly roles: RoleFacts[]) {
        const passes = new PassIndex(roles);
        this.reach = new ReachabilityIndex(roles, (reached) => passes.search(reached));
        for (const role of roles) this.byKey.set(`${role.stack}\u0000${role.key}`, role);
    }

    /** The role of a stack by its key. */
    role(stack: string, key: string): RoleFacts | undefined {
        return this.byKey.get(`${stack}\u0000${key}`);
    }
}

/** Who can undo the revocation of `role`, each with its shortest path. */
function undoneBy(role: RoleFacts, index: RepositoryIndex): UndoPath[] {
    const undoers = index.undo.undoers(role);
    return undoers.roles.map((holder) => undoers.path(holder));
}

/** The analysis of a role revoked before `cutoff`, among the roles of the repository. */
export function containment(role: RoleFacts, roles: RoleFacts[] | RepositoryIndex, cutoff: Cutoff): Containment {
    const index = roles instanceof RepositoryIndex ? roles : new RepositoryIndex(roles);
    return {
        role,
        trustedBy: stillTrusted(role),
        reachable: reachable(role, index.reach).map((reach) => {
            const target = reach.role;
            return { reach, covered: target.revokedBefore !== undefined && !target.revokedBefore.isBefore(cutoff) };
        }),
        workloads: interruptedWorkloads(role),
        undoneBy: undoneBy(role, index),
    };
}

/** How much of an analysis a text lists in full; the rest is counted. Unlimited by default. */
export interface ListLimits {
    /** Revoked roles with a section of their own. */
    roles: number;
    /** Reachable roles and undo holders listed per revoked role. */
    perRole: number;
}

const UNLIMITED: ListLimits = { roles: Infinity, perRole: Infinity };

/** `- ... and N more` when a list was cut. */
function more(total: number, shown: number, what: string): string[] {
    return total > shown ? [`- ... and ${total - shown} more ${what} (the full report lists them)`] : [];
}

/** What a revocation leaves open besides the roles its sessions reach: who can still assume the role, the workloads it interrupts, and who can undo it. */
export type LeftOpen = Omit<Containment, "reachable">;

/**
 * {@link LeftOpen} for one revoked role: the analysis of a leak's revocation, whose own search
 * already lists every role the leaked source reaches (each revoked in the same change).
 */
export function leftOpen(role: RoleFacts, index: RepositoryIndex): LeftOpen {
    return { role, trustedBy: stillTrusted(role), workloads: interruptedWorkloads(role), undoneBy: undoneBy(role, index) };
}

/** One revoked role's section: who can still assume it, the roles its sessions reach (when analysed), the workloads, who can undo it. */
function roleSection(a: LeftOpen & Partial<Pick<Containment, "reachable">>, limits: ListLimits): string[] {
    const lines = [
        "",
        `#### \`${a.role.key}\` (${roleArn(a.role)})`,
        "",
        "**Who can still assume it** and get fresh, working sessions (tighten `trust` in this change if the leak came through one of them):",
        ...a.trustedBy.map((t) => `- ${t}`),
    ];
    if (a.reachable !== undefined) {
        lines.push(
            "",
            "**Roles reachable from its sessions** (a session created from a leaked one has its own, later issue time and survives this revocation for up to 1 hour, the role-chaining limit, unless that role is revoked too):",
        );
        if (a.reachable.length === 0)
            lines.push("- none: no role of this repository both trusts it (or its account) and may be assumed with its permissions");
        for (const r of a.reachable.slice(0, limits.perRole)) {
            const { path, reasons } = chainInBrief(a.role, r.reach);
            lines.push(
                `- \`${path}\`${r.covered ? " (already revoked with an equal or later cutoff)" : ""}`,
                ...reasons.map((reason) => `  - ${reason}`),
            );
        }
        lines.push(...more(a.reachable.length, limits.perRole, "reachable roles"));
    }
    lines.push("", "**Workloads interrupted** (their current credentials are denied too):");
    lines.push(
        ...(a.workloads.length === 0 ? ["- none: the role trusts only principals given as statements"] : a.workloads.map((w) => `- ${w}`)),
    );
    lines.push(
        "",
        "**Who can undo this revocation** without a pull request (roles that may remove or rewrite its policy, delete the role or rewrite its trust, directly or through roles they can assume, pass or change; identities outside this repository are not known here):",
    );
    if (a.undoneBy.length === 0) lines.push("- no role of this repository");
    for (const path of a.undoneBy.slice(0, limits.perRole)) {
        lines.push(`- \`${path.holder.key}\` (${path.holder.stack}, IAM role ${path.holder.roleName}): ${undoPathInWords(path)}`);
    }
    lines.push(...more(a.undoneBy.length, limits.perRole, "roles that can undo it"));
    return lines;
}

/**
 * What a leak's revocation leaves open, as a section of its pull request (markdown): per revoked
 * role, who can still assume it, the workloads interrupted and who can undo it, listing at most
 * `limits` in full.
 */
export function leftOpenMarkdown(analyses: LeftOpen[], limits: ListLimits = UNLIMITED): string {
    const lines = ["### What this revocation leaves open"];
    for (const a of analyses.slice(0, limits.roles)) lines.push(...roleSection(a, limits));
    lines.push(...moreRoles(analyses, limits, ""));
    return lines.join("\n");
}

/** The revoked roles past `limits`, named (the first ten) without their sections; `more` ends the sentence. */
function moreRoles(analyses: { role: { key: string } }[], limits: ListLimits, more: string): string[] {
    if (analyses.length <= limits.roles) return [];
    const named = analyses
        .slice(limits.roles, limits.roles + 10)
        .map((a) => `\`${a.role.key}\``)
        .join(", ");
    return [
        "",
        `#### ${analyses.length - limits.roles} more revoked roles`,
        "",
        `Not listed here: ${named}${analyses.length > limits.roles + 10 ? ", ..." : ""}${more}. The full report lists each.`,
    ];
}

/** The analysis as a section of a pull-request body (markdown), listing at most `limits` in full. */
export function containmentMarkdown(analyses: Containment[], followUps: string[], limits: ListLimits = UNLIMITED): string {
    const lines = ["### What this revocation leaves open"];
    for (const a of analyses.slice(0, limits.roles)) lines.push(...roleSection(a, limits));
    const reachable = analyses.slice(limits.roles).reduce((n, a) => n + a.reachable.filter((r) => !r.covered).length, 0);
    lines.push(...moreRoles(analyses, limits, `; together they reach ${reachable} roles no equal or later cutoff covers`));
    if (followUps.length > 0) {
        const shown = followUps.slice(0, limits.roles);
        lines.push("", "**Follow-ups in other stack files** (run each and open its pull request):", "", "```", ...shown, "```");
        if (followUps.length > shown.length)
            lines.push(`... and ${followUps.length - shown.length} more stack files (the full report lists them)`);
    }
    lines.push("", "### What no role revocation covers", "", ...NOT_COVERED.map((n) => `- ${n}`));
    if (analyses.some((a) => a.role.account === undefined)) {
        lines.push(
            "",
            `Account ${PLACEHOLDER_ACCOUNT} above stands for the deploying account, which the stack config does not settle (set \`aws:allowedAccountIds\` to its one account).`,
        );
    }
    return lines.join("\n");
}

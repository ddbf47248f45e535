/**
 * Which roles a holder of a role's session could reach, offline, from the stack configs of the
 * repository: a role is reachable when its trust lets the session in and the session's
 * permissions may call sts:AssumeRole on it, directly or through a chain. Sessions created that
 * way carry their own, later aws:TokenIssueTime, so revoking the first role does not touch them.
 *
 * Over-approximate, never under-approximate: conditions are taken as possibly true, unknown
 * accounts and unknown managed policy documents as possibly matching; a role is left out only
 * when it provably cannot be reached.
 */
import { KnownTrust, PLACEHOLDER_ACCOUNT } from "../iam/trust";
import { PolicyDocument, PolicyStatement, asList } from "../iam/policy";
import { RoleModel } from "../iam/role";
import { wildcardCovers } from "../iam/wildcard";
import { stackFileName } from "../config/files";
import { Cutoff } from "../iam/cutoff";
import { assumeRolePatterns, awsManagedName, coversAssumeRole, managedPolicyCatalog } from "../iam/managedPolicies";

/**
 * One role of one stack as the analyses reason about it (reachability, containment, who can undo
 * a revocation, what a leak reaches): the one role reference of analysis/ and guard/, made from a
 * role's model and its stack's account (see docs/design.md, "A role at each stage").
 */
export interface RoleFacts {
    stack: string;
    /** The role's key in its stack file. */
    key: string;
    roleName: string;
    path: string;
    /** The deploying account, when the stack's config settles it. */
    account?: string;
    /** The deploying partition, when the stack's config settles it. */
    partition?: string;
    trust: KnownTrust;
    inlinePolicies: { name: string; document: PolicyDocument }[];
    managedPolicyArns: string[];
    /** The instance profile that hands the role to EC2 instances, when the stack file declares one: its name. */
    instanceProfile?: string;
    /** The cutoff it is revoked before, when its stack file revokes it (set by the reader of the repository's roles). */
    revokedBefore?: Cutoff;
}

/** A role's facts from its model and its stack's account. */
export function roleFacts(stack: string, key: string, model: RoleModel, account: { accountId?: string; partition?: string }): RoleFacts {
    return {
        stack,
        key,
        roleName: model.roleName,
        path: model.path,
        ...(account.accountId !== undefined ? { account: account.accountId } : {}),
        ...(account.partition !== undefined ? { partition: account.partition } : {}),
        trust: model.trust,
        inlinePolicies: model.inlinePolicies.map((p) => ({ name: p.name, document: JSON.parse(p.policy) as PolicyDocument })),
        managedPolicyArns: model.managed.map((m) => m.arn),
        ...(model.instanceProfile === undefined ? {} : { instanceProfile: model.instanceProfile.name }),
    };
}

/** The role's ARN; an account the stack config does not settle shows as the placeholder, a partition as `aws`. */
export function roleArn(role: RoleFacts): string {
    return `arn:${role.partition ?? "aws"}:iam::${role.account ?? PLACEHOLDER_ACCOUNT}:role${role.path}${role.roleName}`;
}

/** Whether a resource pattern holds a policy variable (`${aws:username}`), whose value is known only per request. */
export function hasPolicyVariable(pattern: string): boolean {
    return pattern.includes("${");
}

/**
 * Whether a resource pattern may match a role's ARN; unknown parts of the ARN may match anything,
 * and so does a pattern with a policy variable, whose value only the request decides. Compared
 * regardless of case: IAM role names are unique regardless of case and a request may name the
 * role in any case, so a pattern written in another case (`role/VICTIM`, `arn:aws:IAM::`) is taken
 * to cover it rather than trusted not to.
 */
export function mayMatchArn(pattern: string, role: RoleFacts): boolean {
    if (pattern === "*" || hasPolicyVariable(pattern)) return true;
    const parts = pattern.split(":");
    if (parts.length < 6) {
        // The pattern's last part spans the rest of the ARN: with a part of it unknown, any wildcard may cover it.
        if ((role.account === undefined || role.partition === undefined) && hasWildcardIn(pattern)) return true;
        return wildcardCovers(pattern, roleArn(role), true);
    }
    const [arn, partition, service, region, account, ...resource] = parts;
    return (
        wildcardCovers(arn, "arn", true) &&
        (role.partition === undefined || wildcardCovers(partition, role.partition, true)) &&
        wildcardCovers(service, "iam", true) &&
        wildcardCovers(region, "", true) &&
        (role.account === undefined || wildcardCovers(account, role.account, true)) &&
        wildcardCovers(resource.join(":"), `role${role.path}${role.roleName}`, true)
    );
}

function hasWildcardIn(text: string): boolean {
    return text.includes("*") || text.includes("?");
}

/** How a target's trust lets a session of `from` in, if it may. */
interface TrustMatch {
    /** The session needs no permission of its own: the trust names it in the same account. */
    sufficient: boolean;
    reason: string;
}

function sameAccount(a: RoleFacts, b: RoleFacts): boolean | undefined {
    return a.account === undefined || b.account === undefined ? undefined : a.account === b.account;
}

/** An account principal: a 12-digit ID, or its `:root` ARN. */
export const ACCOUNT_PRINCIPAL: RegExp = /^(?:arn:[^:]+:iam::)?(\d{12})(?::root)?$/;

/** The ways a principal string of a trust policy may name a session of `from`. */
function principalMatch(principal: string, from: RoleFacts, to: RoleFacts, conditions: string): TrustMatch | undefined {
    const unknownAccount =
        from.account === undefined
            ? ` (${from.key}'s account is unknown; set aws:allowedAccountIds in ${stackFileName(from.stack)} to decide)`
            : "";
    if (principal === "*") {
        return { sufficient: false, reason: `${to.key}'s trust lets anyone in${conditions}` };
    }
    const account = ACCOUNT_PRINCIPAL.exec(principal)?.[1];
    if (account !== undefined) {
        if (from.account !== undefined && from.account !== account) return undefined;
        return {
            sufficient: false,
            reason: `${to.key}'s trust allows account ${account}${from.account === undefined ? ", which may be " + from.key + "'s" + unknownAccount : `, ${from.key}'s account`}${conditions}`,
        };
    }
    const role = /^arn:([^:]+):(?:iam::(\d{12}):role(\/(?:.*\/)?)([^/]+)|sts::(\d{12}):assumed-role\/([^/]+)\/.*)$/.exec(principal);
    if (role === null) return undefined;
    const [, partition, iamAccount, rolePath, iamName, stsAccount, stsName] = role;
    const named = iamName ?? stsName;
    const namedAccount = iamAccount ?? stsAccount;
    if (named.toLowerCase() !== from.roleName.toLowerCase() || (iamName !== undefined && rolePath !== from.path)) return undefined;
    if (from.account !== undefined && namedAccount !== from.account) return undefined;
    if (from.partition !== undefined && partition !== from.partition) return undefined;
    const same = sameAccount({ ...from, account: namedAccount }, to);
    return {
        sufficient: same === true,
        reason: `${to.key}'s trust names ${from.key}'s ARN (${principal})${unknownAccount}${conditions}${same === true ? "; in the same account that alone lets it assume the role" : ""}`,
    };
}

/**
 * The AWS principals of a trust that may let a role's session in, each with the conditions that
 * apply in words: its accounts and principals (under its ExternalId and MFA), and those of its
 * raw statements that allow sts:AssumeRole.
 */
export function sessionPrincipals(trust: KnownTrust): { principal: string; conditions: string }[] {
    const human = [trust.externalId !== undefined ? "with the ExternalId" : "", trust.requireMfa === true ? "with MFA" : ""]
        .filter((c) => c !== "")
        .join(" and ");
    const shortcuts = human === "" ? "" : ` (${human}, which a session's holder may have)`;
    return [
        ...[...(trust.accounts ?? []), ...(trust.principals ?? [])].map((principal) => ({ principal, conditions: shortcuts })),
        ...(trust.statements ?? [])
            .filter((s) => s.Effect === "Allow" && coversAssumeRole(s))
            .flatMap((s) => {
                const conditions = s.Condition !== undefined ? " (under conditions taken as possibly true)" : "";
                return (s.Principal === "*" ? ["*"] : asList(s.Principal?.AWS)).map((principal) => ({ principal, conditions }));
            }),
    ];
}

/** How `to`'s trust may let a session of `from` in, or undefined when it cannot. */
export function trustLetsIn(from: RoleFacts, to: RoleFacts): TrustMatch | undefined {
    const matches = sessionPrincipals(to.trust).flatMap(
        ({ principal, conditions }) => principalMatch(principal, from, to, conditions) ?? [],
    );
    return matches.find((m) => m.sufficient) ?? matches[0];
}

/** What a role's own permissions say about sts:AssumeRole on a target. */
export interface PermissionMatch {
    verdict: "allows" | "may" | "denies" | "no";
    reason: string;
}

function statementMatches(statement: PolicyStatement, to: RoleFacts): boolean {
    if (!coversAssumeRole(statement)) return false;
    if (statement.Resource !== undefined) return asList(statement.Resource).some((pattern) => mayMatchArn(pattern, to));
    // NotResource: everything but the listed; unknown parts, and policy variables, may fall outside them.
    return !asList(statement.NotResource).some(
        (pattern) => to.account !== undefined && to.partition !== undefined && !hasPolicyVariable(pattern) && mayMatchArn(pattern, to),
    );
}

/** Whether `from`'s permissions may allow sts:AssumeRole on `to`, and why. */
export function permissionsAllow(from: RoleFacts, to: RoleFacts): PermissionMatch {
    const found: PermissionMatch[] = [];
    let denied: PermissionMatch | undefined;
    for (const { name, document } of from.inlinePolicies) {
        // A Deny takes sts:AssumeRole away from its own document only: each inline policy deploys on its own.
        const deny = document.Statement.find(
            (s) =>
                s.Effect === "Deny" &&
                s.Condition === undefined &&
                s.Resource !== undefined &&
                statementMatches(s, to) &&
                asList(s.Resource).includes("*"),
        );
        if (deny !== undefined) {
            denied ??= { verdict: "denies", reason: `${from.key}'s inline policy ${name} denies sts:AssumeRole on every resource` };
            continue;
        }
        for (const statement of document.Statement.filter((s) => s.Effect === "Allow" && statementMatches(s, to))) {
            const on =
                statement.Resource !== undefined
                    ? asList(statement.Resource).find((p) => mayMatchArn(p, to))
                    : `everything but ${asList(statement.NotResource).join(", ")}`;
            const conditional = statement.Condition !== undefined ? " under conditions taken as possibly true" : "";
            found.push({
                verdict: conditional === "" ? "allows" : "may",
                reason: `${from.key}'s inline policy ${name} allows sts:AssumeRole on ${on}${conditional}`,
            });
        }
    }
    const catalog = managedPolicyCatalog();
    for (const arn of from.managedPolicyArns) {
        const name = awsManagedName(arn);
        const facts = name === undefined ? undefined : catalog.policies[name];
        const patterns = facts === undefined ? undefined : assumeRolePatterns(facts);
        if (patterns === undefined) {
            found.push({ verdict: "may", reason: `${from.key}'s managed policy ${arn} may allow it: its document is not known here` });
            continue;
        }
        const match = patterns.find((p) => (p.startsWith("NotResource:") ? true : mayMatchArn(p, to)));
        if (match !== undefined)
            found.push({ verdict: "allows", reason: `${from.key}'s managed policy ${name} allows sts:AssumeRole on ${match}` });
    }
    return (
        found.find((f) => f.verdict === "allows") ??
        found[0] ??
        denied ?? { verdict: "no", reason: `${from.key}'s permissions do not allow sts:AssumeRole on it` }
    );
}

/** One step of a chain: a session of `from` may assume `to`, or pass `to` to a service it starts (`pass`). */
export interface Link {
    from: RoleFacts;
    to: RoleFacts;
    reasons: string[];
    /** When `from` reaches `to` by passing it to a service: the service and the actions that start it. */
    pass?: { service: string; starts: string[] };
}

/** Whether a session of `from` may assume `to`, with the reasons, or undefined when it provably cannot. */
export function link(from: RoleFacts, to: RoleFacts): Link | undefined {
    if (from === to) return undefined;
    const trust = trustLetsIn(from, to);
    if (trust === undefined) return undefined;
    if (trust.sufficient) return { from, to, reasons: [trust.reason] };
    const permission = permissionsAllow(from, to);
    if (permission.verdict === "no" || permission.verdict === "denies") return undefined;
    return { from, to, reasons: [trust.reason, permission.reason] };
}

/**
 * A role reachable from another: the last link of the shortest chain that reaches it, and the
 * reach it came from (none for a first link). Chains share their beginnings, so a breadth-first
 * search over many roles keeps one link per role instead of a copied list per role.
 */
export interface Reach {
    role: RoleFacts;
    link: Link;
    previous?: Reach;
    /** The number of links of the chain. */
    depth: number;
}

/** The links of a reach's chain, first to last. */
export function chainOf(reach: Reach): Link[] {
    const chain: Link[] = [];
    for (let r: Reach | undefined = reach; r !== undefined; r = r.previous) chain.push(r.link);
    return chain.reverse();
}

/** What a trust policy may let in, for finding candidates fast: accounts, role names, anyone. */
export function trustedKeys(role: RoleFacts): { accounts: Set<string>; names: Set<string>; anyone: boolean } {
    const accounts = new Set<string>();
    const names = new Set<string>();
    let anyone = false;
    for (const { principal: value } of sessionPrincipals(role.trust)) {
        if (value === "*") anyone = true;
        const account = ACCOUNT_PRINCIPAL.exec(value)?.[1];
        if (account !== undefined) accounts.add(account);
        const name = /:(?:role\/(?:.*\/)?|assumed-role\/)([^/]+)(?:\/[^/]*)?$/.exec(value)?.[1];
        if (name !== undefined) names.add(name.toLowerCase());
    }
    return { accounts, names, anyone };
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
    const list = map.get(key);
    if (list === undefined) map.set(key, [value]);
    else list.push(value);
}

/**
 * The roles of a repository indexed by what their trust policies may let in, built once per run:
 * the roles a session may enter are those whose trust names its account, its role name or anyone,
 * found by lookup instead of a scan of every role.
 */
export class ReachabilityIndex {
    private readonly position = new Map<RoleFacts, number>();
    private readonly byAccount = new Map<string, RoleFacts[]>();
    private readonly byName = new Map<string, RoleFacts[]>();
    private readonly anyone: RoleFacts[] = [];
    /** Roles whose trust names any account: a session of an unknown account may be in any of them. */
    private readonly anyAccount: RoleFacts[] = [];

    /**
     * @param roles the repository's roles.
     * @param more the hops other than sts:AssumeRole, for one search that has reached the roles
     * `reached` names (analysis/passRole.ts's PassIndex: iam:PassRole to a service a role may
     * start): the links from a role to roles not reached yet; none by default.
     */
    constructor(
        readonly roles: readonly RoleFacts[],
        readonly more: (reached: (role: RoleFacts) => boolean) => (from: RoleFacts) => Link[] = () => () => [],
    ) {
        roles.forEach((role, i) => {
            this.position.set(role, i);
            const keys = trustedKeys(role);
            if (keys.anyone) this.anyone.push(role);
            if (keys.accounts.size > 0) this.anyAccount.push(role);
            for (const account of keys.accounts) push(this.byAccount, account, role);
            for (const name of keys.names) push(this.byName, name, role);
        });
    }

    /** The roles whose trust may let a session of `from` in, each once, in the repository's order. */
    candidates(from: RoleFacts): RoleFacts[] {
        const found = new Set<RoleFacts>([
            ...this.anyone,
            ...(this.byName.get(from.roleName.toLowerCase()) ?? []),
            ...(from.account === undefined ? this.anyAccount : (this.byAccount.get(from.account) ?? [])),
        ]);
        return [...found].sort((a, b) => this.position.get(a)! - this.position.get(b)!);
    }
}

/**
 * Every role reachable from `start`, directly or through chains, breadth first (shortest chains):
 * through sts:AssumeRole, and through the index's other hops (a RepositoryIndex's follow
 * iam:PassRole too).
 */
export function reachable(start: RoleFacts, roles: readonly RoleFacts[] | ReachabilityIndex): Reach[] {
    return reachableFrom([start], [], roles);
}

/**
 * Every role reachable, breadth first (shortest chains), from the sessions of `starts` and from
 * the roles already reached in `first` (each reached by a link from outside the repository);
 * neither the starts nor the first reaches are in the result.
 */
export function reachableFrom(
    starts: readonly RoleFacts[],
    first: readonly Reach[],
    roles: readonly RoleFacts[] | ReachabilityIndex,
): Reach[] {
    const index = roles instanceof ReachabilityIndex ? roles : new ReachabilityIndex(roles);
    const found: Reach[] = [];
    const seen = new Set<RoleFacts>([...starts, ...first.map((reach) => reach.role)]);
    const more = index.more((role) => seen.has(role));
    let frontier: { role: RoleFacts; reach?: Reach }[] = [
        ...starts.map((role) => ({ role })),
        ...first.map((reach) => ({ role: reach.role, reach })),
    ];
    while (frontier.length > 0) {
        const next: { role: RoleFacts; reach: Reach }[] = [];
        for (const { role, reach: from } of frontier) {
            const assumed = index.candidates(role).flatMap((target) => (seen.has(target) ? [] : (link(role, target) ?? [])));
            for (const step of [...assumed, ...more(role)]) {
                const target = step.to;
                if (seen.has(target)) continue;
                seen.add(target);
                const reach: Reach = {
                    role: target,
                    link: step,
                    depth: (from?.depth ?? 0) + 1,
                    ...(from === undefined ? {} : { previous: from }),
                };
                found.push(reach);
                next.push({ role: target, reach });
            }
        }
        frontier = next;
    }
    return found;
}

/**
 * The undo analysis's candidate filters: roles by account, and holders by the resources their
 * grants may cover, so that the closure (undo.ts) asks only the few holders that may cover a role
 * instead of every holder. They only narrow the search; the grants themselves decide.
 */
import { hasWildcard, wildcardCovers } from "../iam/wildcard";
import { RoleFacts, hasPolicyVariable, mayMatchArn } from "./reachability";
import { customerManaged } from "./rights";

/** Roles by account, with those of unknown account, which may be in any. */
export class ByAccount {
    private readonly known = new Map<string, RoleFacts[]>();
    private readonly unknown: RoleFacts[] = [];
    readonly all: RoleFacts[] = [];
    /** Every role added, for membership. */
    readonly members: Set<RoleFacts> = new Set();

    add(role: RoleFacts): void {
        this.all.push(role);
        this.members.add(role);
        if (role.account === undefined) this.unknown.push(role);
        else {
            const list = this.known.get(role.account);
            if (list === undefined) this.known.set(role.account, [role]);
            else list.push(role);
        }
    }

    /** The roles that may be in `account` (every role when it is unknown), without copying. */
    *in(account: string | undefined): Generator<RoleFacts> {
        if (account === undefined) {
            yield* this.all;
            return;
        }
        yield* this.known.get(account) ?? [];
        yield* this.unknown;
    }
}

/** The part of an IAM ARN pattern after `arn:partition:iam::account:`, when it holds no wildcard: `role/ops/deployer`. */
function exactResource(pattern: string): string | undefined {
    const parts = pattern.split(":");
    if (parts.length < 6 || parts[2].toLowerCase() !== "iam") return undefined;
    const resource = parts.slice(5).join(":");
    // Lower case, as the index looks roles up regardless of case.
    return hasWildcard(resource) || hasPolicyVariable(resource) ? undefined : resource.toLowerCase();
}

/**
 * Holders by the resources their grants may cover, to find the few that may cover a role without
 * asking every holder: an exact pattern is looked up by its resource (`role/ops/deployer`), a
 * wildcard pattern is tried once for all its holders, and holders that may cover anything are
 * kept by account. Only a candidate filter: the grant itself decides.
 */
export class ResourceIndex {
    private readonly exact = new Map<string, Set<RoleFacts>>();
    private readonly patterns = new Map<string, ByAccount>();
    /** Holders that may cover anything: the closure takes them once per breadth-first level, not once per role. */
    readonly anywhere: ByAccount = new ByAccount();
    /** Holders under more than one pattern: only they may be found twice. */
    private readonly several = new Set<RoleFacts>();

    /** Adds a holder with its patterns; undefined: it may cover anything. */
    add(holder: RoleFacts, patterns: readonly string[] | undefined): void {
        if (patterns === undefined || patterns.some(broad)) {
            this.anywhere.add(holder);
            return;
        }
        const distinct = new Set(patterns);
        if (distinct.size > 1) this.several.add(holder);
        for (const pattern of distinct) {
            const resource = exactResource(pattern);
            const [map, key] = resource === undefined ? [undefined, pattern] : [this.exact, resource];
            if (map !== undefined) {
                const set = map.get(key);
                if (set === undefined) map.set(key, new Set([holder]));
                else set.add(holder);
                continue;
            }
            let holders = this.patterns.get(pattern);
            if (holders === undefined) this.patterns.set(pattern, (holders = new ByAccount()));
            holders.add(holder);
        }
    }

    /**
     * The holders that may cover a role of `account` whose exact resources are `resources`
     * (`role/ops/deployer`, `policy/Audit`) and which the wildcard patterns `covering` match, each
     * once; with `anywhere` false, without the holders that may cover anything.
     */
    *candidates(
        account: string | undefined,
        resources: string[],
        covering: (pattern: string) => boolean,
        anywhere = true,
    ): Generator<RoleFacts> {
        if (anywhere) yield* this.anywhere.in(account);
        const seen = new Set<RoleFacts>();
        const fresh = (holder: RoleFacts) => !this.several.has(holder) || (!seen.has(holder) && seen.add(holder) !== undefined);
        for (const resource of resources) for (const holder of this.exact.get(resource) ?? []) if (fresh(holder)) yield holder;
        for (const [pattern, holders] of this.patterns) {
            if (!covering(pattern)) continue;
            for (const holder of holders.in(account)) if (fresh(holder)) yield holder;
        }
    }
}

/** Whether a pattern covers every role of the accounts it names, or may (`*`, `arn:aws:iam::*:role/*`, `arn:aws:iam::1:*`): its holders are kept with those that may cover anything. */
function broad(pattern: string): boolean {
    const parts = pattern.split(":");
    const resource = parts.length < 6 ? pattern : parts.slice(5).join(":");
    return resource.startsWith("*") || resource === "role/*" || resource.startsWith("role*");
}

/** Whether a pattern may cover a role's ARN or the ARN of a customer-managed policy attached to it. */
export function coversRoleOrPolicy(role: RoleFacts): (pattern: string) => boolean {
    const policies = customerManaged(role);
    return (pattern) => mayMatchArn(pattern, role) || policies.some((arn) => pattern === "*" || wildcardCovers(pattern, arn, true));
}

/** The resources of a role as the index knows them: its own, and its customer-managed policies'. */
export function resourcesOf(role: RoleFacts): string[] {
    return [`role${role.path}${role.roleName}`.toLowerCase(), ...customerManaged(role).flatMap((arn) => exactResource(arn) ?? [])];
}

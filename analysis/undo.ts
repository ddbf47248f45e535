/**
 * Who can undo a revocation without any pull request, directly or in hops, as PMapper finds
 * privilege escalation: over every role of the repository, an edge X -> Y when X can take on Y's
 * capabilities, because X can change Y's permissions or trust (an action of the undo class on Y's
 * ARN, or on a customer-managed policy attached to Y), X can assume Y (its permissions and Y's
 * trust let it: {@link link}), or X can pass Y to a service (`iam:PassRole` on Y). A role undoes
 * the revocation of T when it holds an action of the class on T (in T's account, or an unknown
 * one), or can change its own permissions or trust (then it can give itself anything in its
 * account, T's included), or reaches such a role through edges. An organization revocation is
 * undone by whoever holds an action of the class's Organizations part (in any account: delegated
 * administrators), or is administrator of the organization stack's account, or reaches either.
 *
 * The class is AWS's own catalog's (iam/capabilities.ts), and every statement is read to fail
 * closed: a resource with a policy variable, a NotResource, a NotAction statement's resources, and
 * a policy whose document is not known here cover every resource; conditions never narrow a grant;
 * an unknown account may be any account. Only an unconditional Deny on `*` takes actions away.
 *
 * Computed backwards from the roles that hold the means, over an index built once: roles whose
 * permissions allow nothing the class analysis judges are leaves, found only through the trust of
 * the role they may assume; the rest are indexed by account.
 */
import { asList } from "../iam/policy";
import { hasWildcard } from "../iam/wildcard";
import { RoleFacts, hasPolicyVariable, link, mayMatchArn, trustedKeys } from "./reachability";
import { PermissionGrant, rights, sameAccount, grantOn } from "./rights";
import { ByAccount, ResourceIndex, coversRoleOrPolicy, resourcesOf } from "./undoCandidates";
export { undoPathInWords } from "./undoWords";
export { PermissionGrant, Rights, rights } from "./rights";

/** One hop of a path: `from` takes on the capabilities of `to`. */
export type UndoStep =
    | { kind: "assume"; from: RoleFacts; to: RoleFacts; reasons: string[] }
    | { kind: "change" | "pass"; from: RoleFacts; to: RoleFacts; grant: PermissionGrant; resource: string };

/** How the last role of a path undoes the revocation. */
export interface UndoEnd {
    /**
     * `direct`: it holds an action of the class on the revoked role; `self`: it can change its own
     * permissions or trust, so it can give itself anything in its account; `create`: it can create a
     * role that trusts it and give that role anything; `organization`: it holds an action of the
     * class's Organizations part.
     */
    kind: "direct" | "self" | "create" | "organization";
    holder: RoleFacts;
    grant: PermissionGrant;
    resource: string;
    /** For `create`: the grant of iam:CreateRole where `grant` also reaches. */
    created?: { grant: PermissionGrant; resource: string };
}

/** A role that can undo a revocation, with the shortest way it can: its hops, then how the last role undoes it. */
export interface UndoPath {
    holder: RoleFacts;
    steps: UndoStep[];
    end: UndoEnd;
}

/** A role reached backwards from the roles that hold the means: its first hop towards them, or how it undoes the revocation itself. */
interface Node {
    depth: number;
    step?: UndoStep;
    end?: UndoEnd;
}

type Closure = Map<RoleFacts, Node>;

/** A hop from `from` into `target` by changing its permissions or trust, or passing it, if `from`'s grants allow one. */
export function changeOrPass(from: RoleFacts, target: RoleFacts): UndoStep | undefined {
    if (from === target || !sameAccount(from, target)) return undefined;
    const held = rights(from);
    const change = grantOn(held.role, target, true);
    if (change !== undefined) return { kind: "change", from, to: target, ...change };
    const pass = grantOn(held.passRole, target, false);
    return pass === undefined ? undefined : { kind: "pass", from, to: target, ...pass };
}

/**
 * A grant of iam:PassRole of `holder`'s that covers `target` (in its account), with the resource in
 * words: passing a role to a service that its trust lets in has the service act with fresh
 * sessions of it.
 */
export function passGrant(holder: RoleFacts, target: RoleFacts): { grant: PermissionGrant; resource: string } | undefined {
    if (!sameAccount(holder, target)) return undefined;
    return grantOn(rights(holder).passRole, target, false);
}

/** The services a trust lets in: its `services`, and the Service principals of its raw statements that allow an assume action. */
export function trustedServices(trust: RoleFacts["trust"]): string[] {
    const raw = (trust.statements ?? [])
        .filter((s) => s.Effect === "Allow" && s.Principal !== undefined && s.Principal !== "*")
        .flatMap((s) => asList((s.Principal as { Service?: string | string[] }).Service));
    return [...new Set([...(trust.services ?? []), ...raw])];
}

/** A hop from `from` into `target` by assuming it, if `from`'s permissions and `target`'s trust allow one. */
export function assumeHop(from: RoleFacts, target: RoleFacts): UndoStep | undefined {
    if (from === target) return undefined;
    const step = link(from, target);
    return step === undefined ? undefined : { kind: "assume", from, to: target, reasons: step.reasons };
}

/** How `holder` ends a path to undoing `target`'s revocation by itself: an action of the class on it, or on itself (then on anything of its account). */
export function undoEnd(holder: RoleFacts, target: RoleFacts): UndoEnd | undefined {
    if (!sameAccount(holder, target)) return undefined;
    const direct = grantOn(rights(holder).role, target, false);
    if (direct !== undefined) return { kind: "direct", holder, ...direct };
    return selfEnd(holder);
}

/**
 * Whether two resource patterns may name one resource: a sound over-approximation (any common
 * value starts with both literal prefixes and ends with both literal suffixes), regardless of case.
 */
function mayOverlap(a: string, b: string): boolean {
    if (a === "*" || b === "*" || hasPolicyVariable(a) || hasPolicyVariable(b)) return true;
    const [x, y] = [a.toLowerCase(), b.toLowerCase()];
    if (!hasWildcard(x) && !hasWildcard(y)) return x === y;
    const prefix = (p: string) => p.slice(0, Math.min(...["*", "?"].map((c) => (p.includes(c) ? p.indexOf(c) : p.length))));
    const suffix = (p: string) => p.slice(Math.max(p.lastIndexOf("*"), p.lastIndexOf("?")) + 1);
    const [px, py, sx, sy] = [prefix(x), prefix(y), suffix(x), suffix(y)];
    return (px.startsWith(py) || py.startsWith(px)) && (sx.endsWith(sy) || sy.endsWith(sx));
}

/**
 * How a role can give itself anything in its account: an action of the class on its own ARN
 * (its permissions or trust), or iam:CreateRole where an action of the class also reaches (it
 * creates a role that trusts it, gives that role any right and assumes it: in its own account a
 * trust that names it needs no permission of its own).
 */
function selfEnd(holder: RoleFacts): UndoEnd | undefined {
    const held = rights(holder);
    const self = grantOn(held.role, holder, true);
    if (self !== undefined) return { kind: "self", holder, ...self };
    for (const create of held.createRole) {
        for (const grant of held.role) {
            for (const made of create.resources ?? ["*"]) {
                const reached = (grant.resources ?? ["*"]).find((pattern) => mayOverlap(made, pattern));
                if (reached === undefined) continue;
                return {
                    kind: "create",
                    holder,
                    grant,
                    resource: grant.every ?? reached,
                    created: { grant: create, resource: create.every ?? made },
                };
            }
        }
    }
    return undefined;
}

/** The roles that can undo one revocation, in the repository's order, each with its shortest path. */
export interface Undoers {
    roles: RoleFacts[];
    path(role: RoleFacts): UndoPath;
}

/**
 * The roles of a repository (or of one side of a change) indexed once for the undo analysis:
 * who holds which rights, by account, and the roles by name for the trust that names them.
 * Closures towards administrators are computed once per account and shared by every revoked
 * role of that account.
 */
export class UndoIndex {
    private readonly position = new Map<RoleFacts, number>();
    private readonly byName = new Map<string, RoleFacts[]>();
    /** Roles with rights of the class's IAM part or iam:PassRole, by what they cover: the sources of change and pass edges. */
    private readonly changers = new ResourceIndex();
    /** Roles whose permissions may allow sts:AssumeRole, by where: the sources of assume edges through a trust that names an account or anyone. */
    private readonly assumers = new ResourceIndex();
    /** Roles that can change their own permissions or trust, with how. */
    private readonly admins: UndoEnd[] = [];
    /** Roles with rights of the class's IAM part that are not administrators, by what they cover: their grants are narrower than the account. */
    private readonly narrow = new ResourceIndex();
    /** Roles with rights of the class's Organizations part, with how. */
    private readonly organizers: UndoEnd[] = [];
    private readonly shared = new Map<string, { closure: Closure; roles: RoleFacts[] }>();

    constructor(readonly roles: readonly RoleFacts[]) {
        roles.forEach((role, i) => {
            this.position.set(role, i);
            const list = this.byName.get(role.roleName.toLowerCase());
            if (list === undefined) this.byName.set(role.roleName.toLowerCase(), [role]);
            else list.push(role);
            const held = rights(role);
            const grants = [...held.role, ...held.passRole];
            if (grants.length > 0)
                this.changers.add(role, grants.some((g) => g.resources === undefined) ? undefined : grants.flatMap((g) => g.resources!));
            if (held.assumes) this.assumers.add(role, held.assumeResources);
            const self = selfEnd(role);
            if (self !== undefined) this.admins.push(self);
            else if (held.role.length > 0)
                this.narrow.add(
                    role,
                    held.role.some((g) => g.resources === undefined) ? undefined : held.role.flatMap((g) => g.resources!),
                );
            // Any resource: the organization's policy IDs are not known offline.
            const organization = held.organization[0];
            if (organization !== undefined)
                this.organizers.push({
                    kind: "organization",
                    holder: role,
                    grant: organization,
                    resource: organization.every ?? organization.resources!.join(", "),
                });
        });
    }

    /** The roles whose sessions may assume `target`: those its trust names, and those of the accounts it trusts whose permissions may allow it; each once. */
    *assumeCandidates(target: RoleFacts, anywhere = true): Generator<RoleFacts> {
        const keys = trustedKeys(target);
        const named = new Set<RoleFacts>();
        for (const name of keys.names) for (const role of this.byName.get(name) ?? []) named.add(role);
        yield* named;
        if (!keys.anyone && keys.accounts.size === 0) return;
        const resources = resourcesOf(target).slice(0, 1);
        // Roles of unknown account are candidates of every account: with several, each is given once.
        const seen = keys.anyone || keys.accounts.size === 1 ? named : new Set(named);
        for (const account of keys.anyone ? [undefined] : keys.accounts) {
            for (const role of this.assumers.candidates(account, resources, (pattern) => mayMatchArn(pattern, target), anywhere)) {
                if (seen.has(role)) continue;
                if (seen !== named) seen.add(role);
                yield role;
            }
        }
    }

    /** The hops into `target` from roles that are not `settled`, but for the holders that may cover anything ({@link stepsFromAnywhere}). */
    private *stepsInto(target: RoleFacts, settled: (role: RoleFacts) => boolean): Generator<UndoStep> {
        for (const from of this.changers.candidates(target.account, resourcesOf(target), coversRoleOrPolicy(target), false)) {
            if (settled(from)) continue;
            const step = changeOrPass(from, target);
            if (step !== undefined) yield step;
        }
        for (const from of this.assumeCandidates(target, false)) {
            if (settled(from)) continue;
            const step = assumeHop(from, target);
            if (step !== undefined) yield step;
        }
    }

    /**
     * The hops into a level of the search from the holders that may cover anything, each at most
     * once: asked once per level rather than once per role of it, they cost the search their number
     * times its depth, not times its size.
     */
    private *stepsFromAnywhere(level: RoleFacts[], settled: (role: RoleFacts) => boolean): Generator<UndoStep> {
        const byAccount = new ByAccount();
        const trusting = new Map<string, RoleFacts[]>();
        const anyone: RoleFacts[] = [];
        const anyAccount: RoleFacts[] = [];
        for (const role of level) {
            byAccount.add(role);
            const keys = trustedKeys(role);
            if (keys.anyone) anyone.push(role);
            if (keys.accounts.size > 0) anyAccount.push(role);
            for (const account of keys.accounts) trusting.set(account, [...(trusting.get(account) ?? []), role]);
        }
        for (const from of this.changers.anywhere.all) {
            if (settled(from)) continue;
            for (const target of byAccount.in(from.account)) {
                const step = changeOrPass(from, target);
                if (step !== undefined) {
                    yield step;
                    break;
                }
            }
        }
        for (const from of this.assumers.anywhere.all) {
            if (settled(from)) continue;
            const targets = [...anyone, ...(from.account === undefined ? anyAccount : (trusting.get(from.account) ?? []))];
            for (const target of targets) {
                const step = assumeHop(from, target);
                if (step !== undefined) {
                    yield step;
                    break;
                }
            }
        }
    }

    /**
     * Every role that reaches one of `ends` (or is one), breadth first: each with its first hop of a
     * shortest path. A role `bound` already reaches at no greater depth is neither kept nor followed:
     * whatever it leads to, `bound` reaches as soon.
     */
    private closure(ends: UndoEnd[], bound?: Closure): Closure {
        const found: Closure = new Map();
        const settled = (role: RoleFacts, depth: number) => found.has(role) || (bound?.get(role)?.depth ?? Infinity) <= depth;
        let frontier: RoleFacts[] = [];
        for (const end of ends) {
            if (settled(end.holder, 0)) continue;
            found.set(end.holder, { depth: 0, end });
            frontier.push(end.holder);
        }
        for (let depth = 1; frontier.length > 0; depth++) {
            const next: RoleFacts[] = [];
            const skip = (role: RoleFacts) => settled(role, depth);
            const take = (step: UndoStep) => {
                if (skip(step.from)) return;
                found.set(step.from, { depth, step });
                next.push(step.from);
            };
            for (const step of this.stepsFromAnywhere(frontier, skip)) take(step);
            for (const role of frontier) for (const step of this.stepsInto(role, skip)) take(step);
            frontier = next;
        }
        return found;
    }

    /** The closure towards the administrators of `account` (any account when unknown), computed once, with its roles in order. */
    private adminClosure(account: string | undefined): { closure: Closure; roles: RoleFacts[] } {
        const key = `admin:${account ?? "*"}`;
        let found = this.shared.get(key);
        if (found === undefined) {
            const closure = this.closure(this.admins.filter((end) => sameAccount(end.holder, { account })));
            found = { closure, roles: this.ordered(closure.keys()) };
            this.shared.set(key, found);
        }
        return found;
    }

    private ordered(roles: Iterable<RoleFacts>): RoleFacts[] {
        return [...roles].sort((a, b) => this.position.get(a)! - this.position.get(b)!);
    }

    /** The roles of an ordered list and of a closure, in order: a merge, since the closure is usually small and the list long. */
    private union(list: RoleFacts[], closure: Closure): RoleFacts[] {
        const extra = this.ordered([...closure.keys()]);
        if (extra.length === 0) return list;
        const merged: RoleFacts[] = [];
        let i = 0;
        for (const role of list) {
            const at = this.position.get(role)!;
            while (i < extra.length && this.position.get(extra[i])! < at) merged.push(extra[i++]);
            if (i < extra.length && extra[i] === role) i++;
            merged.push(role);
        }
        while (i < extra.length) merged.push(extra[i++]);
        return merged;
    }

    /**
     * Who can undo the revocation of `target`, a role: the closure towards its account's
     * administrators, shared by every role of the account, and the one towards the roles holding
     * an action of the class on it that are not administrators already.
     */
    undoers(target: RoleFacts): Undoers {
        const admins = this.adminClosure(target.account);
        // An administrator of the account is already at the end of its path: only narrower grants add ends.
        const direct: UndoEnd[] = [];
        for (const holder of this.narrow.candidates(target.account, resourcesOf(target).slice(0, 1), (pattern) =>
            mayMatchArn(pattern, target),
        )) {
            if (!sameAccount(holder, target)) continue;
            const grant = grantOn(rights(holder).role, target, false);
            if (grant !== undefined) direct.push({ kind: "direct", holder, ...grant });
        }
        // A path that ends at an administrator that holds an action of the class on the target says so.
        const ending = (path: UndoPath): UndoPath => {
            if (path.end.kind !== "self" && path.end.kind !== "create") return path;
            const grant = grantOn(rights(path.end.holder).role, target, false);
            return grant === undefined ? path : { ...path, end: { kind: "direct", holder: path.end.holder, ...grant } };
        };
        if (direct.length === 0) return { roles: admins.roles, path: (role) => ending(pathIn(admins.closure, role)) };
        const closure = this.closure(direct, admins.closure);
        const roles = this.union(admins.roles, closure);
        return { roles, path: (role) => ending(pathIn(closure.has(role) ? closure : admins.closure, role)) };
    }

    /** Who can undo an organization revocation held by a stack of `account` (unknown: any). */
    organizationUndoers(account: string | undefined): Undoers {
        const admins = this.adminClosure(account);
        const key = `organization:${account ?? "*"}`;
        let found = this.shared.get(key);
        if (found === undefined) {
            const closure = this.closure(this.organizers, admins.closure);
            found = { closure, roles: this.union(admins.roles, closure) };
            this.shared.set(key, found);
        }
        const closure = found.closure;
        return { roles: found.roles, path: (role) => pathIn(closure.has(role) ? closure : admins.closure, role) };
    }
}

function pathIn(closure: Closure, holder: RoleFacts): UndoPath {
    const steps: UndoStep[] = [];
    let node = closure.get(holder)!;
    while (node.step !== undefined) {
        steps.push(node.step);
        node = closure.get(node.step.to)!;
    }
    return { holder, steps, end: node.end! };
}

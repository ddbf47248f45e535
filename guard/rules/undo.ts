/**
 * No one may be handed the means to undo a revocation in force, directly or in hops: the undo
 * analysis (analysis/undo.ts) runs over every role of every stack file at both sides of the
 * change, and a principal that can undo a revocation at the head but could not at the base fails,
 * with its path. So does a widened trust of a role that can undo it at both sides (whoever it now
 * lets in gets the means), and a grant of sts:AssumeRole that lets a role newly assume a revoked
 * one (a session it creates is issued after the cutoff: that is a wider trust, written on the
 * identity side).
 */
import { PLACEHOLDER_ACCOUNT, trustPolicy } from "../../iam/trust";
import { Cutoff } from "../../iam/cutoff";
import { RoleFacts, link } from "../../analysis/reachability";
import { trustChanges } from "../../analysis/trust";
import { UndoIndex, Undoers, passGrant, trustedServices, undoPathInWords } from "../../analysis/undo";
import { Finding, failure, role } from "../findings";
import { window } from "../sides";

/** A role revoked at the base, with its cutoff. */
export interface RevokedRole {
    facts: RoleFacts;
    cutoff: Cutoff;
}

/** An organization revocation in force at the base: its stack, its key (`role ci-deployer`), its cutoff, the stack's account if known. */
export interface RevokedInOrganization {
    stack: string;
    key: string;
    cutoff: Cutoff;
    account?: string;
}

/** Every role of every stack file at both sides of the change, and the stacks the change touches. */
export interface UndoSides {
    base: RoleFacts[];
    head: RoleFacts[];
    /** The stacks whose roles may differ between the sides; the others' roles are the same objects at both. */
    changed: Set<string>;
}

const id = (facts: RoleFacts) => `${facts.stack}\u0000${facts.key}`;

function renderedTrust(facts: RoleFacts) {
    return trustPolicy(facts.trust, { partition: facts.partition ?? "aws", accountId: facts.account ?? PLACEHOLDER_ACCOUNT });
}

/**
 * What the revocations of one run share: the roles of a list of undoers by id, the holders new in
 * one list against another, and each role's widened trust. Revocations of one account usually
 * share their lists (the closure towards the account's administrators), so each is compared once.
 */
class Comparisons {
    private readonly ids = new WeakMap<RoleFacts[], Set<string>>();
    private readonly fresh = new WeakMap<RoleFacts[], WeakMap<RoleFacts[], { added: RoleFacts[]; kept: RoleFacts[] }>>();
    private readonly widened = new Map<RoleFacts, string[]>();

    constructor(
        private readonly sides: UndoSides,
        private readonly baseById: Map<string, RoleFacts>,
    ) {}

    private idsOf(roles: RoleFacts[]): Set<string> {
        let found = this.ids.get(roles);
        if (found === undefined) this.ids.set(roles, (found = new Set(roles.map(id))));
        return found;
    }

    /** The roles of `head` that `base` lacks, and those of changed stacks that both hold. */
    split(base: RoleFacts[], head: RoleFacts[]): { added: RoleFacts[]; kept: RoleFacts[] } {
        let byHead = this.fresh.get(base);
        if (byHead === undefined) this.fresh.set(base, (byHead = new WeakMap()));
        let found = byHead.get(head);
        if (found === undefined) {
            const before = this.idsOf(base);
            found = { added: [], kept: [] };
            for (const holder of head) {
                if (!before.has(id(holder))) found.added.push(holder);
                else if (this.sides.changed.has(holder.stack)) found.kept.push(holder);
            }
            byHead.set(head, found);
        }
        return found;
    }

    /** How a role's trust is wider at the head than at the base, in words; empty when it is not, or the role is new. */
    widenedTrust(holder: RoleFacts): string[] {
        let found = this.widened.get(holder);
        if (found === undefined) {
            const was = this.baseById.get(id(holder));
            found = was === undefined ? [] : trustChanges(renderedTrust(was), renderedTrust(holder)).widened;
            this.widened.set(holder, found);
        }
        return found;
    }
}

/** The findings of one revocation: who can newly undo it, and widened trust of those who could already. */
function compare(what: string, base: Undoers, head: Undoers, shared: Comparisons): Finding[] {
    const findings: Finding[] = [];
    const { added, kept } = shared.split(base.roles, head.roles);
    for (const holder of added) {
        const path = head.path(holder);
        const tail =
            path.steps.length === 0 && path.end.kind === "direct"
                ? `; whoever can assume ${holder.roleName} could remove or rewrite the revocation in one call`
                : "";
        findings.push(failure(role(holder.stack, holder.key), `may now undo ${what}: ${undoPathInWords(path)}${tail}`));
    }
    for (const holder of kept) {
        for (const widened of shared.widenedTrust(holder)) {
            findings.push(failure(role(holder.stack, holder.key), `can undo ${what}, and its trust is widened: ${widened}`));
        }
    }
    return findings;
}

const fingerprints = new WeakMap<RoleFacts, string>();

/** Whether two versions of a role read the same to the analyses: name, path, account, trust and permissions. */
function unchanged(a: RoleFacts, b: RoleFacts): boolean {
    if (a === b) return true;
    const print = (facts: RoleFacts) => {
        let found = fingerprints.get(facts);
        if (found === undefined) {
            const { stack, key, ...rest } = facts;
            fingerprints.set(facts, (found = JSON.stringify([stack, key, rest])));
        }
        return found;
    };
    return print(a) === print(b);
}

/** Roles of changed stacks that may now assume a revoked role they could not assume at the base, by a grant of their own. */
function newlyAssuming(
    target: RevokedRole,
    head: UndoIndex,
    headTarget: RoleFacts,
    sides: UndoSides,
    baseById: Map<string, RoleFacts>,
): Finding[] {
    const findings: Finding[] = [];
    for (const from of head.assumeCandidates(headTarget)) {
        if (!sides.changed.has(from.stack) || (from.key === headTarget.key && from.stack === headTarget.stack)) continue;
        const was = baseById.get(id(from));
        // The same permissions, account and name assume the same roles: only a changed role can be new to the revoked one.
        if (was !== undefined && unchanged(was, from) && unchanged(target.facts, headTarget)) continue;
        const now = link(from, headTarget);
        // A trust that names the role alone lets it in: that is the trust's own widening, judged with the revoked role.
        if (now === undefined || now.reasons.length < 2) continue;
        if (was !== undefined && link(was, target.facts) !== undefined) continue;
        findings.push(
            failure(
                role(from.stack, from.key),
                `may now assume revoked role ${target.facts.stack}/${target.facts.key} (${window(target.cutoff)}): ${now.reasons.join("; ")}; its sessions would be issued after the cutoff, so this widens ${target.facts.key}'s trust`,
            ),
        );
    }
    return findings;
}

/**
 * Roles of changed stacks newly allowed to pass a revoked role to a service its trust lets in
 * (iam:PassRole): the service then acts with sessions of the role issued after the cutoff, which
 * the revocation does not deny. That is a wider trust, written on the identity side.
 */
function newlyPassing(target: RevokedRole, headTarget: RoleFacts, sides: UndoSides, baseById: Map<string, RoleFacts>): Finding[] {
    const services = trustedServices(headTarget.trust);
    if (services.length === 0) return [];
    const findings: Finding[] = [];
    for (const from of sides.head) {
        if (!sides.changed.has(from.stack) || (from.key === headTarget.key && from.stack === headTarget.stack)) continue;
        const now = passGrant(from, headTarget);
        if (now === undefined) continue;
        const was = baseById.get(id(from));
        if (was !== undefined && passGrant(was, target.facts) !== undefined) continue;
        findings.push(
            failure(
                role(from.stack, from.key),
                `may now pass revoked role ${target.facts.stack}/${target.facts.key} (${window(target.cutoff)}) to a service: ${headTarget.key}'s trust lets ${services.join(", ")} in; its ${now.grant.via} allows iam:PassRole on ${now.resource}; the service's sessions would be issued after the cutoff, so this widens ${target.facts.key}'s trust`,
            ),
        );
    }
    return findings;
}

/** The undo rules over both sides of the change, for every revocation in force at the base. */
export function undoRules(revoked: RevokedRole[], organizations: RevokedInOrganization[], sides: UndoSides): Finding[] {
    if (revoked.length === 0 && organizations.length === 0) return [];
    const [base, head] = [new UndoIndex(sides.base), new UndoIndex(sides.head)];
    const baseById = new Map(sides.base.map((facts) => [id(facts), facts]));
    const headById = new Map(sides.head.map((facts) => [id(facts), facts]));
    const shared = new Comparisons(sides, baseById);
    const findings: Finding[] = [];
    for (const target of revoked) {
        const facts = target.facts;
        const headTarget = headById.get(id(facts)) ?? facts;
        const what = `the revocation of ${facts.stack}/${facts.key} (IAM role ${facts.roleName}, in force until ${target.cutoff.safeToRemoveAfterText})`;
        findings.push(...compare(what, base.undoers(facts), head.undoers(headTarget), shared));
        findings.push(...newlyAssuming(target, head, headTarget, sides, baseById));
        findings.push(...newlyPassing(target, headTarget, sides, baseById));
    }
    for (const revocation of organizations) {
        const what = `the organization revocation of ${revocation.key} in ${revocation.stack} (in force until ${revocation.cutoff.safeToRemoveAfterText})`;
        findings.push(...compare(what, base.organizationUndoers(revocation.account), head.organizationUndoers(revocation.account), shared));
    }
    return findings;
}

/**
 * A way to undo a revocation in words, for the guard's findings and the pull request: each hop,
 * the grant it uses, and the end that rewrites or removes the revocation.
 */
import { actionsInWords } from "../iam/capabilities";
import { RoleFacts } from "./reachability";
import { PermissionGrant } from "./rights";
import type { UndoEnd, UndoPath, UndoStep } from "./undo";

/** A grant in words, owned by `owner` (`its`, `admin's`): `its inline policy p (statement 0) allows iam:PutRolePolicy on *`. */
export function grantInWords(owner: string, grant: PermissionGrant, resource: string): string {
    return `${owner} ${grant.via} ${grant.known ? "allows" : "may allow"} ${actionsInWords(grant.actions)} on ${resource}`;
}

export function accountInWords(role: RoleFacts): string {
    return role.account === undefined ? "its account (which may be any)" : `account ${role.account}`;
}

export function endInWords(end: UndoEnd, first: boolean): string {
    const name = first ? "it" : end.holder.key;
    const grant = grantInWords(first ? "its" : `${end.holder.key}'s`, end.grant, end.resource);
    switch (end.kind) {
        case "direct":
            return first ? grant : `${name} can undo it: ${grant}`;
        case "self":
            return `${name} can change its own permissions or trust, and so give itself any right in ${accountInWords(end.holder)}: ${grant}`;
        case "create":
            return `${name} can create a role that trusts it, give that role any right in ${accountInWords(end.holder)} and assume it: ${grantInWords(first ? "its" : `${end.holder.key}'s`, end.created!.grant, end.created!.resource)}, and ${grant.replace(/^its |^\S+'s /, "")}`;
        case "organization":
            return `${name} can change the organization's service control policies or the accounts they reach: ${grant}`;
    }
}

export function stepInWords(step: UndoStep): string {
    const [from, to] = [step.from.key, step.to.key];
    switch (step.kind) {
        case "assume":
            return `${from} can assume ${to} (${step.reasons.join("; ")})`;
        case "change":
            return `${from} can change ${to}'s permissions or trust (${grantInWords(`${from}'s`, step.grant, step.resource)})`;
        case "pass":
            return `${from} can pass ${to} to a service and act with its permissions (${grantInWords(`${from}'s`, step.grant, step.resource)})`;
    }
}

/**
 * A path in words, from its holder's point of view: `its inline policy p (statement 0) allows
 * iam:PutRolePolicy on *` for a role that holds the means itself, else `through a -> b (ops):
 * a can assume b (...); b can undo it: b's ...`, each hop with its reasons.
 */
export function undoPathInWords(path: UndoPath): string {
    if (path.steps.length === 0) return endInWords(path.end, true);
    const name = (role: RoleFacts) => (role.stack === path.holder.stack ? role.key : `${role.key} (${role.stack})`);
    const chain = [path.holder, ...path.steps.map((step) => step.to)].map(name).join(" -> ");
    return `through ${chain}: ${[...path.steps.map(stepInWords), endInWords(path.end, false)].join("; ")}`;
}

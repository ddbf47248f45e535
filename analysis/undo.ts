/**
 * Who can undo a revocation without any pull request: a role whose permissions allow
 * `iam:DeleteRolePolicy`, `iam:PutRolePolicy`, `iam:DeleteRole` or `iam:UpdateAssumeRolePolicy`
 * on the revoked role removes or rewrites its revocation, or lets anyone assume it, in one call.
 * Read from the roles' own policies, over-approximately like the reachability analysis:
 * conditions are taken as possibly true, an unknown account may match, and a managed policy whose
 * document is not known here may allow anything.
 */
import { PolicyStatement, asList } from "../iam/policy";
import { RoleFacts, mayMatchArn } from "./reachability";
import { UNDO_ACTIONS, awsManagedName, coversAction, managedPolicyCatalog, undoActionsOf } from "../iam/managedPolicies";

/** One way a role may undo another's revocation. */
export interface UndoGrant {
    /** Where the right comes from, in words: `inline policy janitor (statement 1)`, `managed policy IAMFullAccess`. */
    via: string;
    /** The undo actions it allows, as AWS spells them. */
    actions: string[];
    /** The resource pattern that covers the revoked role's ARN (`NotResource: ...` for an exclusion list). */
    resource: string;
    /** False when the policy's document is not known here: it may allow them. */
    known: boolean;
}

function sameAccount(a: RoleFacts, b: RoleFacts): boolean {
    return a.account === undefined || b.account === undefined || a.account === b.account;
}

/** The resource pattern of a statement that may cover the target's ARN, if any. */
function coveringResource(resources: string[], target: RoleFacts): string | undefined {
    const listed = resources.filter((r) => !r.startsWith("NotResource:"));
    if (listed.length > 0) return listed.find((pattern) => mayMatchArn(pattern, target));
    const excluded = resources.map((r) => r.slice("NotResource:".length));
    // Everything but the excluded: the target escapes unless an exclusion certainly covers it.
    const covered = target.account !== undefined && target.partition !== undefined && excluded.some((p) => mayMatchArn(p, target));
    return covered ? undefined : `NotResource: ${excluded.join(", ")}`;
}

/** The undo actions no unconditional Deny on every resource takes away again. */
function deniedActions(holder: RoleFacts): Set<string> {
    const denied = new Set<string>();
    for (const { document } of holder.inlinePolicies) {
        for (const statement of document.Statement) {
            if (statement.Effect !== "Deny" || statement.Condition !== undefined || !asList(statement.Resource).includes("*")) continue;
            for (const action of UNDO_ACTIONS) if (coversAction(statement, action)) denied.add(action);
        }
    }
    return denied;
}

function statementResources(statement: PolicyStatement): string[] {
    return statement.Resource !== undefined ? asList(statement.Resource) : asList(statement.NotResource).map((r) => `NotResource:${r}`);
}

/** The statements of a role's permissions that may allow an undo action, each with what it allows and where. */
export interface UndoProfile {
    statements: { via: string; actions: string[]; resources: string[]; known: boolean }[];
}

/** Profiles by role: a role's permissions are read once, however many revoked roles it is checked against. */
const profiles = new WeakMap<RoleFacts, UndoProfile>();

/** What `holder`'s permissions allow of the undo actions, on which resources; no statements when nothing. */
export function undoProfile(holder: RoleFacts): UndoProfile {
    const cached = profiles.get(holder);
    if (cached !== undefined) return cached;
    const denied = deniedActions(holder);
    const statements: UndoProfile["statements"] = [];
    const add = (via: string, actions: string[], resources: string[], known = true) => {
        const allowed = actions.filter((a) => !denied.has(a));
        if (allowed.length > 0) statements.push({ via, actions: allowed, resources, known });
    };
    for (const { name, document } of holder.inlinePolicies) {
        document.Statement.forEach((statement, index) => {
            if (statement.Effect === "Allow")
                add(`inline policy ${name} (statement ${index})`, undoActionsOf(statement), statementResources(statement));
        });
    }
    const catalog = managedPolicyCatalog();
    for (const arn of holder.managedPolicyArns) {
        const name = awsManagedName(arn);
        const facts = name === undefined ? undefined : catalog.policies[name];
        if (facts === undefined) {
            add(`managed policy ${arn}, whose document is not known here,`, [...UNDO_ACTIONS], ["*"], false);
            continue;
        }
        for (const [actions, resources] of facts.undo) {
            const statement: PolicyStatement = actions[0]?.startsWith("NotAction:")
                ? { Effect: "Allow", NotAction: actions.map((a) => a.slice("NotAction:".length)) }
                : { Effect: "Allow", Action: actions };
            add(`managed policy ${name}`, undoActionsOf(statement), resources);
        }
    }
    const profile = { statements };
    profiles.set(holder, profile);
    return profile;
}

/** Every way `holder`'s permissions may let it undo `target`'s revocation; empty when they provably cannot. */
export function undoGrants(holder: RoleFacts, target: RoleFacts): UndoGrant[] {
    if (holder === target || !sameAccount(holder, target)) return [];
    return undoProfile(holder).statements.flatMap(({ via, actions, resources, known }) => {
        const resource = coveringResource(resources, target);
        return resource === undefined ? [] : [{ via, actions, resource, known }];
    });
}

/** An undo grant in words: `its inline policy janitor (statement 0) allows iam:PutRolePolicy on *`. */
export function undoGrantInWords(grant: UndoGrant): string {
    const what = grant.known ? "allows" : "may allow";
    return `its ${grant.via} ${what} ${grant.actions.join(", ")} on ${grant.resource}`;
}

/** A grant's identity for comparing two versions of a role: the same right from the same policy, wherever its statement moved. */
export function undoGrantKey(grant: UndoGrant): string {
    return `${grant.via.replace(/ \(statement \d+\)$/, "")}|${[...grant.actions].sort().join(",")}|${grant.resource}`;
}

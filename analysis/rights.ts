/**
 * What a role's permissions allow of the actions the undo analysis judges, read once per role:
 * its grants of each capability class (changing or passing a role, the organization's policies),
 * where each comes from, and which resources each covers. The undo analysis (undo.ts) searches
 * over them.
 */
import { PolicyDocument, PolicyStatement, asList } from "../iam/policy";
import { capabilityClasses, inClass, judgedActionsOf } from "../iam/capabilities";
import { awsManagedName, managedPolicyCatalog, statementOfRight } from "../iam/managedPolicies";
import { wildcardCovers } from "../iam/wildcard";
import { RoleFacts, hasPolicyVariable, mayMatchArn } from "./reachability";

/** One Allow statement of a role's permissions, narrowed to the actions of one class. */
export interface PermissionGrant {
    /** Where it comes from, in words: `inline policy janitor (statement 1)`, `managed policy IAMFullAccess`. */
    via: string;
    /** The actions of the class it allows (less those an unconditional Deny takes away), in the class's order. */
    actions: readonly string[];
    /** Its resource patterns; undefined when it is taken to cover every resource. */
    resources?: readonly string[];
    /** Why it covers every resource, in words, when it does: `everything but ... (NotResource, taken as every resource)`. */
    every?: string;
    /** False when the policy's document is not known here: it may allow them. */
    known: boolean;
}

/** What a role's permissions allow of the actions the analysis judges, read once per role. */
export interface Rights {
    /** Grants of the undo class's IAM part. */
    role: PermissionGrant[];
    /** Grants of the undo class's Organizations part. */
    organization: PermissionGrant[];
    /** Grants of iam:PassRole. */
    passRole: PermissionGrant[];
    /** Grants of iam:CreateRole. */
    createRole: PermissionGrant[];
    /** Whether its permissions may allow sts:AssumeRole on anything: only then can it assume a role whose trust does not name it. */
    assumes: boolean;
    /**
     * The resource patterns on which they may allow sts:AssumeRole, for finding candidates (the
     * link itself is decided by {@link link}); undefined when anywhere (NotResource, a policy
     * variable, a policy whose document is not known here).
     */
    assumeResources?: string[];
}

/** The statements of a document as a list: a single statement may be written without the list around it. */
export function statementsOf(document: PolicyDocument): PolicyStatement[] {
    return Array.isArray(document.Statement) ? document.Statement : [document.Statement as PolicyStatement];
}

/** The resources of a statement as the analysis reads them: its patterns, or every resource and why. */
export function scopeOf(statement: PolicyStatement): Pick<PermissionGrant, "resources" | "every"> {
    if (statement.NotResource !== undefined)
        return { every: `everything but ${asList(statement.NotResource).join(", ")} (NotResource, taken as every resource)` };
    const resources = asList(statement.Resource);
    if (statement.NotAction !== undefined) return { every: `${resources.join(", ")} (in a NotAction statement, taken as every resource)` };
    const variable = resources.find(hasPolicyVariable);
    if (variable !== undefined) return { every: `${variable} (a policy variable, taken as every resource)` };
    return { resources };
}

const rightsOf: WeakMap<RoleFacts, Rights> = new WeakMap();

const NOTHING: ReadonlySet<string> = new Set();

/** The judged actions an unconditional Deny on `*` of a document takes away from that document's allows. */
function deniedByDocument(document: PolicyDocument): ReadonlySet<string> {
    const denied = new Set<string>();
    for (const statement of statementsOf(document)) {
        if (statement.Effect === "Deny" && statement.Condition === undefined && asList(statement.Resource).includes("*"))
            for (const action of judgedActionsOf(statement)) denied.add(action);
    }
    return denied;
}

/** What `holder`'s permissions allow of the actions the analysis judges. */
export function rights(holder: RoleFacts): Rights {
    const cached = rightsOf.get(holder);
    if (cached !== undefined) return cached;
    const classes = capabilityClasses();
    const found: Rights = { role: [], organization: [], passRole: [], createRole: [], assumes: false, assumeResources: [] };
    const add = (
        via: string,
        actions: readonly string[],
        scope: Pick<PermissionGrant, "resources" | "every">,
        known: boolean,
        statement?: PolicyStatement,
        denied: ReadonlySet<string> = NOTHING,
    ) => {
        const allowed = actions.filter((action) => !denied.has(action));
        if (allowed.includes("sts:AssumeRole")) {
            found.assumes = true;
            const resources = statement?.NotResource === undefined ? asList(statement?.Resource) : undefined;
            if (statement === undefined || resources === undefined || resources.some(hasPolicyVariable)) delete found.assumeResources;
            else found.assumeResources?.push(...resources);
        }
        const role = inClass(allowed, classes.role);
        if (role.length > 0) found.role.push({ via, actions: role, ...scope, known });
        const organization = inClass(allowed, classes.organization);
        if (organization.length > 0) found.organization.push({ via, actions: organization, ...scope, known });
        if (allowed.includes(classes.passRole)) found.passRole.push({ via, actions: [classes.passRole], ...scope, known });
        if (allowed.includes(classes.createRole)) found.createRole.push({ via, actions: [classes.createRole], ...scope, known });
    };
    for (const { name, document } of holder.inlinePolicies) {
        // A Deny takes actions away from its own document only: each inline policy deploys on its own,
        // and one that fails (or is deployed later) must not hide what another allows.
        const denied = deniedByDocument(document);
        statementsOf(document).forEach((statement, index) => {
            if (statement.Effect === "Allow")
                add(`inline policy ${name} (statement ${index})`, judgedActionsOf(statement), scopeOf(statement), true, statement, denied);
        });
    }
    const catalog = managedPolicyCatalog();
    for (const arn of holder.managedPolicyArns) {
        const name = awsManagedName(arn);
        const facts = name === undefined ? undefined : catalog.policies[name];
        if (facts === undefined) {
            add(`managed policy ${arn}, whose document is not known here,`, classes.judged, { every: "*" }, false);
            continue;
        }
        for (const right of facts.rights) {
            const statement = statementOfRight(right);
            add(`managed policy ${name}`, judgedActionsOf(statement), scopeOf(statement), true, statement);
        }
    }
    rightsOf.set(holder, found);
    return found;
}

/** Whether two roles may be in one account: equal, or either unknown (an unknown account may be any). */
export function sameAccount(a: { account?: string }, b: { account?: string }): boolean {
    return a.account === undefined || b.account === undefined || a.account === b.account;
}

/** The resource of a grant that may cover a role's ARN, in words, or undefined when none does. */
export function coveringResource(grant: PermissionGrant, target: RoleFacts): string | undefined {
    if (grant.resources === undefined) return grant.every;
    return grant.resources.find((pattern) => mayMatchArn(pattern, target));
}

/** The customer-managed policies attached to a role: their documents are the role's permissions too. */
export function customerManaged(role: RoleFacts): string[] {
    return role.managedPolicyArns.filter((arn) => awsManagedName(arn) === undefined);
}

/** The resource of a grant that may cover a policy ARN, in words, or undefined. */
export function coveringPolicy(grant: PermissionGrant, arn: string): string | undefined {
    if (grant.resources === undefined) return grant.every;
    return grant.resources.find((pattern) => pattern === "*" || wildcardCovers(pattern, arn, true));
}

/** A grant of `holder` that covers `target` (its ARN, or a customer-managed policy attached to it), with the resource in words. */
export function grantOn(
    grants: PermissionGrant[],
    target: RoleFacts,
    withPolicies: boolean,
): { grant: PermissionGrant; resource: string } | undefined {
    for (const grant of grants) {
        const resource = coveringResource(grant, target);
        if (resource !== undefined) return { grant, resource };
        if (!withPolicies) continue;
        for (const arn of customerManaged(target)) {
            const policy = coveringPolicy(grant, arn);
            if (policy !== undefined) return { grant, resource: `${policy}, ${target.key}'s managed policy ${arn}` };
        }
    }
    return undefined;
}

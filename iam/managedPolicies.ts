/**
 * What AWS-managed policies are and allow, from AWS's published documents: for every AWS-managed
 * policy known here, its path and the rights the capability analysis judges (iam/capabilities.ts:
 * the undo class, sts:AssumeRole*, iam:PassRole): each Allow statement that allows one of them,
 * with the action patterns that cover one and the statement's resources; and the actions that start
 * a service with a passed role (iam/passRole.ts) that it allows. Conditions are ignored, so the catalog never says a policy allows
 * less than AWS would. A policy not in this catalog, or a customer-managed one, is unknown, and
 * the analyses treat it as one that may allow anything.
 *
 * `npm run managed-policies` rebuilds iam/managedPolicyCatalog.json from the copies of AWS's
 * documents that moto's IAM server carries (MOTO_IAM_LOAD_MANAGED_POLICIES=true); a test checks
 * a sample of the catalog against that server.
 */
import * as fs from "fs";
import * as path from "path";
import { PolicyDocument, PolicyStatement, asList, decodePolicyDocument } from "./policy";
import { wildcardCovers } from "./wildcard";
import { judgedActionsOf, judgedActionsOfPattern } from "./capabilities";
import { closest } from "./suggest";
import { startActions } from "./passRole";

/** The catalog file. */
export const CATALOG_FILE: string = path.join(__dirname, "managedPolicyCatalog.json");

/** One AWS-managed policy as far as the analyses are concerned. */
export interface ManagedPolicyFacts {
    /** The IAM path: `/`, `/service-role/`, `/aws-service-role/`, ... */
    path: string;
    /**
     * The Allow statements that allow an action the capability analysis judges, as
     * `[action patterns, resource patterns]`: the statement's action patterns that cover such an
     * action (every entry of a NotAction, `NotAction:` prefixed), and its resources (every entry
     * of a NotResource, `NotResource:` prefixed). Empty: the policy allows none.
     */
    rights: [string[], string[]][];
    /**
     * The actions that start a service with a passed role (iam/passRole.ts) that its Allow
     * statements cover, whatever their resources and conditions; absent when none.
     */
    starts?: string[];
}

/** The catalog: where it comes from, and every AWS-managed policy by name. */
export interface ManagedPolicyCatalog {
    source: string;
    policies: Record<string, ManagedPolicyFacts>;
}

let catalog: ManagedPolicyCatalog | undefined;

/** The catalog, read once. */
export function managedPolicyCatalog(): ManagedPolicyCatalog {
    catalog ??= JSON.parse(fs.readFileSync(CATALOG_FILE, "utf8")) as ManagedPolicyCatalog;
    return catalog;
}

/** Whether a statement's Action (or NotAction) covers `action`, wildcards and case as IAM reads them. */
export function coversAction(statement: PolicyStatement, action: string): boolean {
    const lower = action.toLowerCase();
    if (statement.NotAction !== undefined)
        return !asList(statement.NotAction).some((pattern) => wildcardCovers(pattern.toLowerCase(), lower));
    return asList(statement.Action).some((pattern) => wildcardCovers(pattern.toLowerCase(), lower));
}

/** Whether a statement's actions cover `sts:AssumeRole`. */
export function coversAssumeRole(statement: PolicyStatement): boolean {
    return coversAction(statement, "sts:AssumeRole");
}

/** A statement's resource patterns, NotResource entries prefixed with `NotResource:`. */
export function resourcePatterns(statement: PolicyStatement): string[] {
    return statement.Resource !== undefined ? asList(statement.Resource) : asList(statement.NotResource).map((r) => `NotResource:${r}`);
}

/** A document's statements as a list: a single statement may be written without the list around it. */
function statementsOf(document: PolicyDocument): PolicyStatement[] {
    return Array.isArray(document.Statement) ? document.Statement : [document.Statement as PolicyStatement];
}

/**
 * A document's Allow statements that allow an action the capability analysis judges, as the
 * catalog records them ({@link ManagedPolicyFacts.rights}).
 */
export function judgedRights(document: PolicyDocument): [string[], string[]][] {
    return statementsOf(document)
        .filter((s) => s.Effect === "Allow" && judgedActionsOf(s).length > 0)
        .map((s) => [
            s.NotAction !== undefined
                ? asList(s.NotAction).map((a) => `NotAction:${a}`)
                : asList(s.Action).filter((a) => judgedActionsOfPattern(a).length > 0),
            resourcePatterns(s),
        ]);
}

/** A recorded right as the statement it stands for (Allow, without its conditions). */
export function statementOfRight([actions, resources]: [string[], string[]]): PolicyStatement {
    const notAction = actions.length > 0 && actions.every((a) => a.startsWith("NotAction:"));
    const notResource = resources.length > 0 && resources.every((r) => r.startsWith("NotResource:"));
    return {
        Effect: "Allow",
        ...(notAction ? { NotAction: actions.map((a) => a.slice("NotAction:".length)) } : { Action: actions }),
        ...(notResource ? { NotResource: resources.map((r) => r.slice("NotResource:".length)) } : { Resource: resources }),
    };
}

const assumePatterns = new WeakMap<ManagedPolicyFacts, string[]>();

/** The resource patterns on which a catalogued policy allows sts:AssumeRole (`NotResource:` prefixed for NotResource); empty: nowhere. */
export function assumeRolePatterns(facts: ManagedPolicyFacts): string[] {
    let found = assumePatterns.get(facts);
    if (found === undefined) {
        found = facts.rights.filter(([actions]) => coversAssumeRole(statementOfRight([actions, []]))).flatMap(([, resources]) => resources);
        assumePatterns.set(facts, found);
    }
    return found;
}

/** The AWS-managed policy name of an ARN, or undefined for a customer-managed policy. */
export function awsManagedName(arn: string): string | undefined {
    return /^arn:[^:]+:iam::aws:policy\/(?:.*\/)?([^/]+)$/.exec(arn)?.[1];
}

/** The path of an AWS-managed policy ARN (`/` when it has none). */
export function awsManagedPath(arn: string): string {
    const match = /^arn:[^:]+:iam::aws:policy(\/(?:.*\/)?)[^/]+$/.exec(arn);
    return match?.[1] ?? "/";
}

/** The catalog as written to its file: one policy per line, so that a rebuild's diff shows what AWS changed. */
export function catalogText(built: ManagedPolicyCatalog): string {
    const names = Object.keys(built.policies).sort((a, b) => a.localeCompare(b));
    const lines = names.map(
        (name, i) => `  ${JSON.stringify(name)}: ${JSON.stringify(built.policies[name])}${i < names.length - 1 ? "," : ""}`,
    );
    return `{\n "source": ${JSON.stringify(built.source)},\n "policies": {\n${lines.join("\n")}\n }\n}\n`;
}

/** The actions that start a service with a passed role that a document's Allow statements cover. */
export function startRights(document: PolicyDocument): string[] {
    const allows = statementsOf(document).filter((s) => s.Effect === "Allow");
    return startActions().filter((action) => allows.some((s) => coversAction(s, action)));
}

/** A policy's facts from its path and default document. */
export function policyFacts(policyPath: string, documentText: string): ManagedPolicyFacts {
    const document = decodePolicyDocument(documentText);
    const starts = startRights(document);
    return { path: policyPath, rights: judgedRights(document), ...(starts.length > 0 ? { starts } : {}) };
}

/**
 * Why an AWS-managed policy ARN of the `aws` partition names no policy in the catalog, with the
 * closest ARN that does (a missing or wrong path, such as `service-role/`, or a typo); undefined
 * for a catalogued one, a customer-managed one, or another partition's (their sets differ).
 */
export function awsManagedArnProblem(arn: string): string | undefined {
    const name = awsManagedName(arn);
    if (name === undefined || !arn.startsWith("arn:aws:iam::aws:policy/")) return undefined;
    const { policies, source } = managedPolicyCatalog();
    const known = Object.hasOwn(policies, name) ? policies[name] : undefined;
    if (known !== undefined && known.path === awsManagedPath(arn)) return undefined;
    const suggestion = known !== undefined ? name : closest(name, Object.keys(policies));
    const hint =
        suggestion === undefined
            ? `; if AWS published it after this catalog was made (${source}), update the catalog (npm run managed-policies) or revocable-roles`
            : `; did you mean ${JSON.stringify(`arn:aws:iam::aws:policy${policies[suggestion].path}${suggestion}`)}?`;
    return `${JSON.stringify(arn)} is not an AWS-managed policy${hint}`;
}

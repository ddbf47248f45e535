/**
 * What AWS-managed policies are and allow, from AWS's published documents: for every AWS-managed
 * policy known here, its path, the resource patterns on which an Allow statement allows
 * `sts:AssumeRole`, and the statements that allow an action able to undo a revocation (delete or
 * rewrite a role's inline policies, delete the role, rewrite its trust). Conditions are ignored,
 * so the catalog never says a policy allows less than AWS would. A policy not in this catalog,
 * or a customer-managed one, is unknown, and the analyses treat it as one that may allow anything.
 *
 * `npm run managed-policies` rebuilds analysis/managedPolicyCatalog.json from the copies of AWS's
 * documents that moto's IAM server carries (MOTO_IAM_LOAD_MANAGED_POLICIES=true); a test checks
 * a sample of the catalog against that server.
 */
import * as fs from "fs";
import * as path from "path";
import { PolicyDocument, PolicyStatement, asList, decodePolicyDocument } from "./policy";
import { wildcardCovers } from "./wildcard";
import { closest } from "./suggest";

/** The catalog file. */
export const CATALOG_FILE: string = path.join(__dirname, "managedPolicyCatalog.json");

/**
 * The IAM actions that can undo a revocation: remove or rewrite the role's inline policies (the
 * revocation among them), delete the role with them, or let anyone assume it again.
 */
export const UNDO_ACTIONS = ["iam:DeleteRolePolicy", "iam:PutRolePolicy", "iam:DeleteRole", "iam:UpdateAssumeRolePolicy"] as const;

/** One AWS-managed policy as far as the analyses are concerned. */
export interface ManagedPolicyFacts {
    /** The IAM path: `/`, `/service-role/`, `/aws-service-role/`, ... */
    path: string;
    /** Resource patterns on which the policy allows sts:AssumeRole (`NotResource:` prefixed for NotResource); empty: nowhere. */
    assumeRole: string[];
    /** The statements that allow an {@link UNDO_ACTIONS} action: `[action patterns, resource patterns]` (`NotResource:` prefixed likewise). */
    undo: [string[], string[]][];
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

/** The undo actions a statement's actions cover. */
export function undoActionsOf(statement: PolicyStatement): string[] {
    return UNDO_ACTIONS.filter((action) => coversAction(statement, action));
}

/** A statement's resource patterns, NotResource entries prefixed with `NotResource:`. */
export function resourcePatterns(statement: PolicyStatement): string[] {
    return statement.Resource !== undefined ? asList(statement.Resource) : asList(statement.NotResource).map((r) => `NotResource:${r}`);
}

/** A document's statements as a list: a single statement may be written without the list around it. */
function statementsOf(document: PolicyDocument): PolicyStatement[] {
    return Array.isArray(document.Statement) ? document.Statement : [document.Statement as PolicyStatement];
}

/** The resource patterns on which a document's Allow statements allow sts:AssumeRole (`NotResource:` prefixed for NotResource). */
export function assumeRolePatterns(document: PolicyDocument): string[] {
    return statementsOf(document)
        .filter((s) => s.Effect === "Allow" && coversAssumeRole(s))
        .flatMap(resourcePatterns);
}

/**
 * A document's Allow statements that allow an undo action, as the catalog records them: the
 * action patterns that cover one (or every NotAction entry, `NotAction:` prefixed), and the resources.
 */
export function undoStatements(document: PolicyDocument): [string[], string[]][] {
    return statementsOf(document)
        .filter((s) => s.Effect === "Allow" && undoActionsOf(s).length > 0)
        .map((s) => [
            s.NotAction !== undefined
                ? asList(s.NotAction).map((a) => `NotAction:${a}`)
                : asList(s.Action).filter((a) => undoActionsOf({ Effect: "Allow", Action: a }).length > 0),
            resourcePatterns(s),
        ]);
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

/** A policy's facts from its path and default document. */
export function policyFacts(policyPath: string, documentText: string): ManagedPolicyFacts {
    const document = decodePolicyDocument(documentText);
    return { path: policyPath, assumeRole: assumeRolePatterns(document), undo: undoStatements(document) };
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

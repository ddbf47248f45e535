/**
 * What a leak reaches: an incident starts from what leaked (a repository's OIDC tokens, a role's
 * or a user's credentials, an account, an identity provider), not from a role key. Every role of
 * every stack file that the source may assume directly (its trust lets the source in) or through
 * role chaining (the reachability analysis), with the path that reaches it.
 *
 * Over-approximate like the reachability analysis: conditions are taken as possibly true (except
 * GitHub's `sub`, which names the repository), and a principal whose permissions are not declared
 * here may call sts:AssumeRole on anything its trust admits.
 */
import { PLACEHOLDER_ACCOUNT, GITHUB_OIDC_HOST, trustPolicy } from "../iam/trust";
import { PolicyStatement, asList } from "../iam/policy";
import { show } from "../iam/problems";
import { coversAction } from "../iam/managedPolicies";
import { wildcardCovers } from "../iam/wildcard";
import { stackFileName } from "../config/files";
import { ACCOUNT_PRINCIPAL, Link, Reach, RoleFacts, reachableFrom } from "./reachability";
import { RepositoryIndex, chainInBrief } from "./containment";

/** What leaked, as `revoke --leaked` takes it. */
export type LeakedSource =
    | { kind: "github"; text: string; repository: string; subject?: string }
    | { kind: "role" | "user"; text: string; arn: string; partition: string; account: string; path: string; name: string }
    | { kind: "account"; text: string; account: string }
    | { kind: "saml" | "oidc"; text: string; arn: string };

/** The forms a source takes, for errors and help. */
export const LEAKED_FORMS: string =
    "github:<owner>/<repo> (optionally with the sub claim's suffix, such as github:acme/web:ref:refs/heads/main), an IAM role or user ARN, account:<12-digit id>, or a SAML or OIDC provider ARN";

const GITHUB = /^github:([A-Za-z0-9-]+\/[A-Za-z0-9._-]+)(?::(.+))?$/;
const IAM_ARN = /^arn:(aws|aws-cn|aws-us-gov):iam::(\d{12}):(role|user|saml-provider|oidc-provider)(\/.*)$/;

/** Parses a leaked source; throws an Error naming the value and the forms expected. */
export function parseLeakedSource(text: string): LeakedSource {
    const problem = (why: string) => new Error(`--leaked ${show(text)} ${why}; give ${LEAKED_FORMS}`);
    const github = GITHUB.exec(text);
    if (github !== null) {
        const [, repository, subject] = github;
        if (subject !== undefined && !/^(?:ref:refs\/(?:heads|tags)\/.+|environment:.+|pull_request)$/.test(subject)) {
            throw problem(
                `has a sub suffix ${show(subject)} that GitHub never writes (ref:refs/heads/<branch>, ref:refs/tags/<tag>, environment:<name> or pull_request)`,
            );
        }
        return subject === undefined ? { kind: "github", text, repository } : { kind: "github", text, repository, subject };
    }
    if (text.startsWith("github:")) throw problem("is not a GitHub repository in the form github:<owner>/<repo>");
    const account = /^account:(.*)$/.exec(text);
    if (account !== null) {
        if (!/^\d{12}$/.test(account[1])) throw problem(`names ${show(account[1])}, which is not a 12-digit AWS account ID`);
        return { kind: "account", text, account: account[1] };
    }
    const arn = IAM_ARN.exec(text);
    if (arn === null) throw problem("is not a source this command knows");
    const [, partition, id, type, rest] = arn;
    if (type === "saml-provider" || type === "oidc-provider") {
        if (rest.length < 2) throw problem(`names no ${type}`);
        return { kind: type === "saml-provider" ? "saml" : "oidc", text, arn: text };
    }
    const name = rest.slice(rest.lastIndexOf("/") + 1);
    if (name === "" || /[*?]/.test(rest)) throw problem(`names no single ${type}: a leak is of one principal, written without wildcards`);
    return { kind: type as "role" | "user", text, arn: text, partition, account: id, path: rest.slice(0, rest.lastIndexOf("/") + 1), name };
}

/** A role the leak reaches, with the chain from the source and its reasons. */
export interface LeakedReach {
    role: RoleFacts;
    /** `source -> a (stack) -> b (stack)`; long chains by their ends. */
    path: string;
    reasons: string[];
    /** Links from the source: 0 for the leaked role itself, 1 for a role the source assumes directly. */
    depth: number;
}

/** What the leak reaches: the leaked role itself first (when declared here), then breadth first. */
export interface Leak {
    source: LeakedSource;
    reached: LeakedReach[];
}

/** The values a condition block gives a key, under any operator. */
function conditionValues(statement: PolicyStatement, key: string): string[] | undefined {
    let values: string[] | undefined;
    for (const byKey of Object.values(statement.Condition ?? {})) {
        for (const [name, value] of Object.entries(byKey)) {
            if (name.toLowerCase() === key.toLowerCase()) values = [...(values ?? []), ...asList(value as string | string[])];
        }
    }
    return values;
}

/** Whether a GitHub `sub` pattern may match a token of the source's repository (and suffix). */
function subjectMatches(pattern: string, source: Extract<LeakedSource, { kind: "github" }>): boolean {
    if (source.subject !== undefined) return wildcardCovers(pattern, `repo:${source.repository}:${source.subject}`);
    // Any ref, environment or event of the repository may have leaked: the pattern's repository part decides.
    if (!pattern.startsWith("repo:")) return wildcardCovers(pattern, `repo:${source.repository}:x`) || /[*?]/.test(pattern);
    const repositoryPart = pattern.slice("repo:".length).split(":")[0];
    return wildcardCovers(repositoryPart, source.repository) || wildcardCovers(repositoryPart, `${source.repository}x`);
}

/** The account a principal (an ID or an IAM or STS ARN) belongs to. */
function principalAccount(principal: string): string | undefined {
    return /^(\d{12})$/.exec(principal)?.[1] ?? /^arn:[^:]+:(?:iam|sts)::(\d{12}):/.exec(principal)?.[1];
}

/**
 * How a role's trust may let the source in, in words (saying when the source's own permissions,
 * not declared here, must allow it too), or undefined when it cannot.
 */
function trustAdmits(source: LeakedSource, role: RoleFacts): string | undefined {
    const document = trustPolicy(role.trust, { partition: role.partition ?? "aws", accountId: role.account ?? PLACEHOLDER_ACCOUNT });
    for (const statement of document.Statement.filter((s) => s.Effect === "Allow")) {
        const principal = statement.Principal;
        const anyone = principal === "*" || statement.NotPrincipal !== undefined;
        const aws = principal === "*" || principal === undefined ? [] : asList(principal.AWS);
        const federated = principal === "*" || principal === undefined ? [] : asList(principal.Federated);
        const conditions = statement.Condition !== undefined ? " (under conditions taken as possibly true)" : "";
        switch (source.kind) {
            case "github": {
                const github = federated.find((p) => p.endsWith(`:oidc-provider/${GITHUB_OIDC_HOST}`));
                if ((github === undefined && !anyone) || !coversAction(statement, "sts:AssumeRoleWithWebIdentity")) continue;
                const subjects = conditionValues(statement, `${GITHUB_OIDC_HOST}:sub`);
                if (subjects === undefined) return `${role.key}'s trust lets in GitHub Actions tokens of any repository (no sub condition)`;
                const match = subjects.find((pattern) => subjectMatches(pattern, source));
                if (match !== undefined) return `${role.key}'s trust lets in GitHub Actions tokens whose sub matches ${match}`;
                continue;
            }
            case "saml":
            case "oidc": {
                const action = source.kind === "saml" ? "sts:AssumeRoleWithSAML" : "sts:AssumeRoleWithWebIdentity";
                if (!(anyone || federated.includes(source.arn)) || !coversAction(statement, action)) continue;
                return `${role.key}'s trust lets in identities of ${source.arn}${conditions}`;
            }
            default: {
                if (!coversAction(statement, "sts:AssumeRole")) continue;
                const named = anyone || aws.includes("*") ? "*" : aws.find((p) => namesPrincipalOf(p, source));
                if (named === undefined) continue;
                // A role named by its own ARN in the same account needs no permission of its own.
                const alone =
                    source.kind === "role" && named !== "*" && principalAccount(named) === role.account && !ACCOUNT_PRINCIPAL.test(named);
                return `${role.key}'s trust ${named === "*" ? "lets anyone in" : `names ${named}`}${conditions}${
                    alone
                        ? "; in the same account that alone lets it assume the role"
                        : "; the source's permissions are not declared here and may allow sts:AssumeRole"
                }`;
            }
        }
    }
    return undefined;
}

/** Whether an AWS principal of a trust names the source: its account, its ARN, or (a role's) sessions. */
function namesPrincipalOf(principal: string, source: Extract<LeakedSource, { kind: "role" | "user" | "account" }>): boolean {
    if (source.kind === "account") return principalAccount(principal) === source.account;
    if (ACCOUNT_PRINCIPAL.test(principal)) return principalAccount(principal) === source.account;
    if (principal === source.arn) return true;
    return source.kind === "role" && principal.startsWith(`arn:${source.partition}:sts::${source.account}:assumed-role/${source.name}/`);
}

/** The source as the start of a chain, for the words of a path. */
function sourceFacts(source: LeakedSource): RoleFacts {
    return { stack: "", key: source.text, roleName: "", path: "/", trust: {}, inlinePolicies: [], managedPolicyArns: [] };
}

/**
 * The declared roles a role source is: the one of the same partition, account, path and name, and
 * those of the same path and name in stacks that do not name their account (it may be one of them).
 */
function declaredRoles(source: LeakedSource, index: RepositoryIndex): { role: RoleFacts; reason: string }[] {
    if (source.kind !== "role") return [];
    return index.roles.flatMap((role) => {
        if (role.roleName !== source.name || role.path !== source.path || (role.partition ?? "aws") !== source.partition) return [];
        if (role.account === source.account) return [{ role, reason: "the leaked role itself" }];
        if (role.account !== undefined) return [];
        return [
            {
                role,
                reason: `may be the leaked role itself (${stackFileName(role.stack)} does not name its account; set aws:allowedAccountIds to decide)`,
            },
        ];
    });
}

/** Every role of the repository the source reaches, the leaked role itself first, then breadth first. */
export function leakReach(source: LeakedSource, index: RepositoryIndex): Leak {
    const from = sourceFacts(source);
    const itself = declaredRoles(source, index);
    const starts = new Set(itself.map((i) => i.role));
    const reached: LeakedReach[] = itself.map(({ role, reason }) => ({
        role,
        path: `${source.text} = ${role.key} (${role.stack})`,
        reasons: [reason],
        depth: 0,
    }));
    const first: Reach[] = [];
    // A role declared here is the source, with its own permissions: what it reaches is its reachability.
    const declared = itself.some((i) => i.role.account !== undefined);
    for (const role of declared ? [] : index.roles) {
        if (starts.has(role)) continue;
        const reason = trustAdmits(source, role);
        if (reason === undefined) continue;
        const link: Link = { from, to: role, reasons: [reason] };
        first.push({ role, link, depth: 1 });
    }
    const chained = reachableFrom([...starts], first, index.reach);
    for (const reach of [...first, ...chained].sort((x, y) => x.depth - y.depth)) {
        reached.push({ role: reach.role, ...chainInBrief(from, reach), depth: reach.depth });
    }
    return { source, reached };
}

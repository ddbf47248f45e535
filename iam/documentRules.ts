/**
 * The rules of a policy document, as zod schemas: the shapes of statements, actions, principals
 * and conditions, a trust that lets anyone in refused, and the lint against AWS's catalog of
 * names. The building blocks of a role's rules (rules.ts), which the component and the stack
 * config share.
 */
import { z } from "zod";
import { POLICY_VERSION, PolicyDocument, PolicyStatement, ACTION_PATTERN, asList, ConditionBlock } from "./policy";
import { describeType, show } from "./problems";
import { lintPolicy } from "./lint";

type Check<T> = (value: T) => string | undefined;

/** A refinement that reports `check`'s message, if any, at the value's own path. */
export function refine<T extends z.ZodType>(schema: T, check: Check<z.output<T>>): T {
    return schema.superRefine((value, ctx) => {
        const message = check(value);
        if (message !== undefined) {
            ctx.addIssue({ code: "custom", message, input: value });
        }
    }) as unknown as T;
}

/** A string matching `regex` (kept in the JSON Schema as `pattern`), else `<value> is not <expected>`. */
export function matching(regex: RegExp, expected: string): z.ZodString {
    return z.string().regex(regex, { error: (issue) => `${show(issue.input)} is not ${expected}` });
}

/** A whole number from `min` to `max` (kept as `minimum`/`maximum`), else `<value> is out of range; expected <range>`. */
export function wholeNumber(min: number, max: number, range: string): z.ZodNumber {
    const error = (issue: { input: unknown }) => `${show(issue.input)} is out of range; expected ${range}`;
    return z.number().int().min(min, { error }).max(max, { error });
}

/** `string` or a list of strings, each checked. */
function oneOrMany(item: z.ZodType<string> = z.string()) {
    return z.union([item, z.array(item).min(1)], {
        error: (issue) => `${show(issue.input)} is ${describeType(issue.input)}; expected a string or a list of strings`,
    });
}

const conditionValue = z.union([z.string(), z.number(), z.boolean(), z.array(z.union([z.string(), z.number(), z.boolean()]))], {
    error: (issue) => `${show(issue.input)} is ${describeType(issue.input)}; expected a string, number, boolean or a list of them`,
});

export const conditionBlock: z.ZodType<ConditionBlock> = z.record(z.string(), z.record(z.string(), conditionValue));

const actions = oneOrMany(matching(ACTION_PATTERN, 'an action of the form "service:Action" (wildcards allowed) or "*"'));

const principal = z.union(
    [
        z.literal("*"),
        z.strictObject({
            AWS: oneOrMany().optional(),
            Service: oneOrMany().optional(),
            Federated: oneOrMany().optional(),
            CanonicalUser: oneOrMany().optional(),
        }),
    ],
    { error: (issue) => `${show(issue.input)} is not a principal; expected "*" or a mapping of AWS, Service, Federated or CanonicalUser` },
);

/** What kind of document a statement belongs to: permissions (inline policies) or trust. */
export type DocumentKind = "permissions" | "trust";

/** `"*"`, or a principal mapping with `"*"` among its values. */
function trustsAnyone(principal: unknown): boolean {
    if (principal === "*") return true;
    if (typeof principal !== "object" || principal === null) return false;
    return Object.values(principal).some((value) => value === "*" || (Array.isArray(value) && value.includes("*")));
}

/** Condition keys that say who the caller is, and the form a value must have to name someone in particular. */
const CALLER_KEYS: Record<string, RegExp> = {
    "aws:principalorgid": /^o-[a-z0-9]{10,32}$/,
    "aws:sourceorgid": /^o-[a-z0-9]{10,32}$/,
    "aws:principalorgpaths": /^o-[a-z0-9]{10,32}\//,
    "aws:principalaccount": /^\d{12}$/,
    "aws:sourceaccount": /^\d{12}$/,
    "aws:principalarn": /^arn:[^:]+:[^:]*:[^:]*:\d{12}:/,
    "aws:sourcearn": /^arn:[^:]+:[^:]*:[^:]*:\d{12}:/,
};

/** The caller keys, as the message lists them. */
const CALLER_KEY_NAMES =
    "aws:PrincipalOrgID, aws:PrincipalOrgPaths, aws:PrincipalAccount, aws:PrincipalArn, aws:SourceAccount, aws:SourceArn, aws:SourceOrgID or a federated token claim";

/**
 * Whether a condition block limits who the caller is: a positive string or ARN match (never
 * IfExists, which is true when the key is absent, nor ForAllValues, true for an empty set) on a
 * caller key with specific values, or on a federated provider's token claim.
 */
export function constrainsCaller(condition: PolicyStatement["Condition"]): boolean {
    return Object.entries(condition ?? {}).some(
        ([operator, keys]) =>
            /^(?:ForAnyValue:)?(?:StringEquals|StringEqualsIgnoreCase|StringLike|ArnEquals|ArnLike)$/.test(operator) &&
            Object.entries(keys).some(([key, value]) => {
                const lower = key.toLowerCase();
                const values = asList(value);
                if (values.length === 0) return false;
                const form = CALLER_KEYS[lower];
                if (form !== undefined) return values.every((v) => form.test(v));
                // A federated provider's claim (token.actions.githubusercontent.com:sub, accounts.google.com:aud, SAML:aud).
                const claim = /^[a-z0-9-]+(?:\.[a-z0-9-]+)+(?:\/[^:]*)?:/.test(lower) || lower.startsWith("saml:");
                return claim && values.every((v) => !/^[*?]*$/.test(v));
            }),
    );
}

export function statementSchema(kind: DocumentKind): z.ZodType {
    return z
        .strictObject({
            Sid: matching(/^[A-Za-z0-9]*$/, "a statement ID of letters and digits").optional(),
            Effect: z.enum(["Allow", "Deny"]),
            ...(kind === "trust" ? { Principal: principal.optional(), NotPrincipal: principal.optional() } : {}),
            Action: actions.optional(),
            NotAction: actions.optional(),
            ...(kind === "permissions" ? { Resource: oneOrMany().optional(), NotResource: oneOrMany().optional() } : {}),
            Condition: conditionBlock.optional(),
        })
        .superRefine((statement, ctx) => {
            const s = statement as Record<string, unknown> & Pick<PolicyStatement, "Condition">;
            const problem = (message: string) => ctx.addIssue({ code: "custom", message, input: s });
            if (s.Action !== undefined && s.NotAction !== undefined) {
                problem("has both Action and NotAction; use one of them");
            } else if (s.Action === undefined && s.NotAction === undefined) {
                problem("has neither Action nor NotAction; expected one of them");
            }
            if (kind === "permissions" && s.Resource === undefined && s.NotResource === undefined) {
                problem('has no Resource; expected Resource or NotResource, such as "*"');
            }
            if (kind === "trust") {
                if (s.Principal === undefined && s.NotPrincipal === undefined) {
                    problem("has no Principal; expected who may assume the role");
                }
                if (s.Effect === "Allow" && s.NotPrincipal !== undefined) {
                    problem(
                        "allows NotPrincipal, which trusts everyone except the principals listed; name who may assume the role in Principal instead",
                    );
                }
                if (s.Effect === "Allow" && trustsAnyone(s.Principal)) {
                    if (Object.keys(s.Condition ?? {}).length === 0) {
                        problem('trusts principal "*" without any Condition, which lets anyone assume the role; add a Condition');
                    } else if (!constrainsCaller(s.Condition)) {
                        problem(
                            `trusts principal "*" and no condition limits who the caller is, which lets anyone assume the role; add a condition on ${CALLER_KEY_NAMES} with specific values (not IfExists, not a bare wildcard)`,
                        );
                    }
                }
            }
        });
}

/** A policy document in AWS's JSON shape, checked for structure and (through the lint) for real IAM names. */
export function documentSchema(kind: DocumentKind): z.ZodType {
    return z
        .strictObject({
            Version: z.literal(POLICY_VERSION, {
                error: (issue) => `${show(issue.input)} is not supported; expected Version "${POLICY_VERSION}"`,
            }),
            Id: z.string().optional(),
            Statement: z.array(statementSchema(kind)).min(1),
        })
        .superRefine((document, ctx) => {
            for (const problem of lintPolicy(document as PolicyDocument, kind)) {
                ctx.addIssue({ code: "custom", message: problem.message, path: problem.path, input: document });
            }
        });
}

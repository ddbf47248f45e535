/**
 * Values that arrive as Outputs: where they may appear, and what stands in for them while the
 * rest of a role is validated before anything is registered. Once an Output resolves, the whole
 * role is validated again with the real value, with the same messages, before it reaches AWS.
 */
import * as pulumi from "@pulumi/pulumi";
import { Problem } from "../iam/problems";

/** Whether a value is only known later: an Output or a Promise. */
export function isDeferred(value: unknown): boolean {
    return (
        pulumi.Output.isInstance(value) ||
        (typeof value === "object" && value !== null && typeof (value as { then?: unknown }).then === "function")
    );
}

type Placeholder = (path: readonly PropertyKey[]) => unknown;

/** A condition value that satisfies its operator's form, chosen by the operator at `path[index]`. */
const conditionValue =
    (index: number): Placeholder =>
    (path) => {
        const operator = String(path[index])
            .replace(/^For(?:Any|All)Value:/, "")
            .replace(/IfExists$/, "");
        if (operator.startsWith("Date")) return "2000-01-01T00:00:00Z";
        if (operator.startsWith("Numeric")) return "0";
        if (operator === "Bool" || operator === "Null") return "true";
        if (operator.startsWith("Arn")) return "arn:aws:iam::000000000000:role/deferred";
        if (operator.endsWith("IpAddress")) return "10.0.0.0/8";
        return "deferred";
    };

/** The positions that may hold an Input, with a valid stand-in for each. `*` is any key or index. */
const INPUT_POSITIONS: [pattern: string[], placeholder: Placeholder][] = [
    [["description"], () => "deferred"],
    [["permissionsBoundary"], () => "arn:aws:iam::000000000000:policy/deferred"],
    [["tags", "*"], () => "deferred"],
    [["trust", "accounts", "*"], () => "000000000000"],
    [["trust", "principals", "*"], () => "arn:aws:iam::000000000000:role/deferred"],
    [["trust", "externalId"], () => "deferred-external-id"],
    [["trust", "githubActions", "providerArn"], () => "arn:aws:iam::000000000000:oidc-provider/token.actions.githubusercontent.com"],
    [["trust", "oidc", "providerArn"], () => "arn:aws:iam::000000000000:oidc-provider/deferred.example.com"],
    [["trust", "saml", "providerArn"], () => "arn:aws:iam::000000000000:saml-provider/deferred"],
    [["trust", "oidc", "conditions", "*", "*"], conditionValue(3)],
    [["trust", "oidc", "conditions", "*", "*", "*"], conditionValue(3)],
    [["managedPolicies", "*"], () => "arn:aws:iam::000000000000:policy/deferred"],
    [["inlinePolicies", "*", "Statement", "*", "Resource", "*"], () => "*"],
    [["inlinePolicies", "*", "Statement", "*", "NotResource", "*"], () => "*"],
    [["inlinePolicies", "*", "Statement", "*", "Condition", "*", "*"], conditionValue(5)],
    [["inlinePolicies", "*", "Statement", "*", "Condition", "*", "*", "*"], conditionValue(5)],
];

function placeholderAt(path: readonly PropertyKey[]): Placeholder | undefined {
    return INPUT_POSITIONS.find(
        ([pattern]) => pattern.length === path.length && pattern.every((part, i) => part === "*" || part === path[i]),
    )?.[1];
}

/** Arguments with every Output replaced by a stand-in, whether any was, and the Outputs found where only plain values may go. */
export interface KnownShape<T> {
    known: T;
    deferred: boolean;
    problems: Problem[];
}

/**
 * Replaces each Output or Promise in an input position by a stand-in that passes validation,
 * so that everything known now can be validated now. An Output anywhere else is a problem: those
 * fields decide which resources exist or what they are called, and must be known when the
 * program runs.
 */
export function knownShape<T>(args: T): KnownShape<T> {
    let deferred = false;
    const problems: Problem[] = [];
    const visit = (value: unknown, path: PropertyKey[]): unknown => {
        if (isDeferred(value)) {
            const placeholder = placeholderAt(path);
            if (placeholder !== undefined) {
                deferred = true;
                return placeholder(path);
            }
            problems.push({
                path,
                message:
                    "is an Output or a Promise; this field must be a plain value when the program runs (it decides which resources exist, what they are called, or how they are compared); Inputs are taken by description, permissionsBoundary, tag values, trust.accounts, trust.principals, trust.externalId, provider ARNs, managedPolicies values, and Resource, NotResource and condition values of inline policies",
            });
            return undefined;
        }
        if (Array.isArray(value)) return value.map((item, i) => visit(item, [...path, i]));
        if (typeof value === "object" && value !== null && Object.getPrototypeOf(value) === Object.prototype) {
            return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, visit(item, [...path, key])]));
        }
        return value;
    };
    return { known: visit(args, []) as T, deferred, problems };
}

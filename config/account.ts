/**
 * The deploying account and partition, when the stack's own config settles them: the AWS
 * provider refuses to deploy to any account but the one `allowedAccountIds` lists, and a
 * region's name fixes its partition. Knowing them offline makes trust policies plain values
 * (no provider call per stack) and lets the containment analysis decide trust by account.
 */
import { AccountContext } from "../iam/trust";
import { configValue } from "./configValue";

/** The partition a region belongs to, from its name; undefined for a name that is not a region's. */
export function partitionOfRegion(region: string): string | undefined {
    const prefixes: [RegExp, string][] = [
        [/^cn-/, "aws-cn"],
        [/^us-gov-/, "aws-us-gov"],
        [/^us-isob-/, "aws-iso-b"],
        [/^us-isof-/, "aws-iso-f"],
        [/^eu-isoe-/, "aws-iso-e"],
        [/^us-iso-/, "aws-iso"],
    ];
    if (!/^[a-z]{2}(?:-[a-z]+)+-\d+$/.test(region)) return undefined;
    return prefixes.find(([pattern]) => pattern.test(region))?.[1] ?? "aws";
}

/** What the stack config says about the deploying account, for the provider package `backend`. */
export function accountFromConfig(cliConfig: Record<string, string>, backend: string): Partial<AccountContext> {
    const result: Partial<AccountContext> = {};
    const region = cliConfig[`${backend}:region`];
    const partition = region === undefined ? undefined : partitionOfRegion(region);
    if (partition !== undefined) result.partition = partition;
    const allowed = allowedAccounts(cliConfig, backend);
    if (allowed?.length === 1) result.accountId = allowed[0];
    return result;
}

/** The accounts the provider may deploy to (`allowedAccountIds`), or undefined when the stack config does not limit them. */
export function allowedAccounts(cliConfig: Record<string, string>, backend: string): string[] | undefined {
    const allowed = configValue(cliConfig[`${backend}:allowedAccountIds`] ?? "null");
    if (!Array.isArray(allowed) || allowed.length === 0 || !allowed.every((id) => /^\d{12}$/.test(String(id)))) return undefined;
    return allowed.map(String);
}

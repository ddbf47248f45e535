/**
 * Everything of a stack file but this project's namespace, compared while the stack holds a
 * revocation in force: provider and other configuration (`aws:region`, `aws:allowedAccountIds`,
 * ..., keys as the Pulumi CLI reads them, `secure:` values by their ciphertext) decides where and
 * how every resource deploys, and the offline plan cannot see what it replaces; the file's other
 * top-level keys (`secretsprovider`, `encryptedkey`, `encryptionsalt`) decide whether the deploy
 * job can decrypt and read the stack at all; and the stack's CI roles (`revocable-roles:ci`), which
 * deploy nothing themselves, decide which role the deploy job assumes.
 */
import { displayConfigValue, stackFileName } from "../../config/loader";
import { NAMESPACE, configValue } from "../../config/stackConfig";
import { StackChange, inForceByConfig } from "../sides";
import { inForceKeys } from "./deployment";
import { deployedInForce } from "./organization";
import { deployedOrganization } from "../../plan/organization";
import { show } from "../../iam/problems";
import { Finding, failure, file } from "../findings";

export function providerConfigRules({ stack, base: baseSide, head: headSide, now }: StackChange): Finding[] {
    const [base, head] = [baseSide.loaded, headSide.loaded];
    if (base === undefined || head === undefined) return [];
    // What the base deploys in force, or, when it cannot be planned, what its config holds.
    const revoked =
        baseSide.plan !== undefined
            ? [
                  ...inForceKeys(baseSide.plan, now),
                  ...[...deployedInForce(deployedOrganization(baseSide.plan), now).keys()].map((key) => `organization: ${key}`),
              ]
            : inForceByConfig(stack, baseSide.revocations ?? { roles: new Map() }, now).map((r) => r.key);
    if (revoked.length === 0) return [];
    const foreign = (config: Record<string, string>) =>
        Object.fromEntries(Object.entries(config).filter(([key]) => !key.startsWith(`${NAMESPACE}:`)));
    // The CI roles field by field, so that the finding shows which role changes (a whole value is cut to 80 characters).
    const ciKey = `${NAMESPACE}:ci`;
    const ciRoles = (config: Record<string, string>): Record<string, string> => {
        if (config[ciKey] === undefined) return {};
        const value = configValue(config[ciKey]);
        if (typeof value !== "object" || value === null || Array.isArray(value)) return { [ciKey]: config[ciKey] };
        return Object.fromEntries(
            Object.entries(value).map(([field, v]) => [`${ciKey}.${field}`, typeof v === "string" ? v : JSON.stringify(v)]),
        );
    };
    const held = `while ${revoked.join(", ")} ${revoked.length === 1 ? "is" : "are"} revoked`;
    const changes = (before: Record<string, string>, after: Record<string, string>, why: string) =>
        [...new Set([...Object.keys(before), ...Object.keys(after)])]
            .sort()
            .filter((key) => before[key] !== after[key])
            .map((key) =>
                failure(
                    file(stackFileName(stack), stack),
                    `${key} changes from ${show(displayConfigValue(key, before[key]))} to ${show(displayConfigValue(key, after[key]))} ${held}: ${why}`,
                ),
            );
    return [
        ...changes(
            base.settings,
            head.settings,
            "the stack file's keys other than config decide how the deploy job decrypts and reads the stack; after this change it may no longer decrypt or read it, and no later revocation of the stack could deploy",
        ),
        ...changes(
            foreign(base.config),
            foreign(head.config),
            "provider configuration decides where and how every resource of the stack deploys, and the offline plan cannot see what it replaces",
        ),
        ...changes(
            ciRoles(base.config),
            ciRoles(head.config),
            "the stack's CI roles decide which role its deploy assumes; after this change the deploy may assume another role, or none it can, and a later revocation of the stack might not deploy",
        ),
    ];
}

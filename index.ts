/**
 * The Pulumi program: one RevocableRole per role of the stack config. Every role is validated
 * before the first resource is registered; any problem stops the program with all of them.
 */
import * as pulumi from "@pulumi/pulumi";
import { RevocableRole, contextNeeded, deployingAccount } from "./components";
import { CONFIG_ERROR_HEADER, NAMESPACE, readStackConfig } from "./config/stackConfig";

const stackFile = `Pulumi.${pulumi.getStack()}.yaml`;
const config = new pulumi.Config(NAMESPACE);
const namespaced: Record<string, string> = {};
for (const key of Object.keys(pulumi.runtime.allConfig())) {
    if (key.startsWith(`${NAMESPACE}:`)) {
        namespaced[key] = config.get(key.slice(NAMESPACE.length + 1)) ?? "";
    }
}
const result = readStackConfig(namespaced, { stackFile });
if (!result.ok) {
    // RunError: Pulumi prints the message without a stack trace.
    throw new pulumi.RunError([CONFIG_ERROR_HEADER, ...result.errors].join("\n"));
}

// Ask the provider for the account once for the whole stack, not once per role.
const needs = result.roles.map(({ args }) => contextNeeded(args.trust));
const account = needs.some((n) => n.partition || n.accountId)
    ? deployingAccount(result.config.provider ?? "aws", { partition: true, accountId: needs.some((n) => n.accountId) })
    : undefined;

/** Per role: its ARN, physical name, and revocation state. */
export const roles = Object.fromEntries(
    result.roles.map(({ key, args }) => {
        const role = new RevocableRole(key, { ...args, account });
        return [
            key,
            {
                arn: role.arn,
                name: role.roleName,
                revokedBefore: role.revocation?.cutoff ?? null,
                safeToRemoveAfter: role.revocation?.safeToRemoveAfter ?? null,
            },
        ];
    }),
);

/**
 * The Pulumi program: one RevocableRole per role of the stack config. Every role is validated
 * before the first resource is registered; any problem stops the program with all of them.
 */
import * as pulumi from "@pulumi/pulumi";
import { RevocableRole, RevocableRoleArgs, contextNeeded, deployingAccount } from "./components";
import { accountFromConfig } from "./config/account";
import { CONFIG_ERROR_HEADER, readStackConfig } from "./config/stackConfig";

const cliConfig = pulumi.runtime.allConfig();
const result = readStackConfig(cliConfig, { stackFile: `Pulumi.${pulumi.getStack()}.yaml`, now: new Date() });
if (!result.ok) {
    // RunError: Pulumi prints the message without a stack trace.
    throw new pulumi.RunError([CONFIG_ERROR_HEADER, ...result.errors].join("\n"));
}

// The account once for the whole stack: from the stack's config when it settles it, else asked from the provider once.
const backend = result.config.provider ?? "aws";
const needs = result.roles.map(({ args }) => contextNeeded(args.trust));
const needed = { partition: needs.some((n) => n.partition || n.accountId), accountId: needs.some((n) => n.accountId) };
const known = accountFromConfig(cliConfig, backend);
const account =
    !needed.partition || (known.partition !== undefined && (!needed.accountId || known.accountId !== undefined))
        ? { partition: known.partition ?? "aws", accountId: known.accountId ?? "" }
        : deployingAccount(backend, needed);

/**
 * Per role: its ARN, physical name, and revocation state. Stack outputs are published once the
 * whole update is done, so the role resource's own ARN serves here.
 */
export const roles = Object.fromEntries(
    result.roles.map(({ key, args }) => {
        // The validated config's lists may be single strings, which the component accepts at run time.
        const role = new RevocableRole(key, Object.assign(args, { account }) as RevocableRoleArgs);
        return [
            key,
            {
                arn: role.role.arn,
                name: role.roleName,
                revokedBefore: role.revocation?.cutoff ?? null,
                safeToRemoveAfter: role.revocation?.safeToRemoveAfter ?? null,
            },
        ];
    }),
);

/**
 * The Pulumi program: one RevocableRole per role of the stack config. Every role is validated
 * before the first resource is registered; any problem stops the program with all of them.
 * Exported as a function, which the Pulumi CLI calls and awaits; what it returns is the stack's outputs.
 */
import * as pulumi from "@pulumi/pulumi";
import { RevocableRole, RevocableRoleArgs, deployingAccount } from "./component";
import { contextNeeded } from "./iam/trust";
import { accountFromConfig } from "./config/account";
import { CONFIG_ERROR_HEADER, readStackConfig } from "./config/stackConfig";
import { currentTime } from "./component/clock";

/** The stack output `roles`, per role key. */
interface RoleOutput {
    arn: pulumi.Output<string>;
    name: pulumi.Output<string>;
    revokedBefore: string | null;
    safeToRemoveAfter: string | null;
}

/** One turn of the event loop: lets the runtime carry the registrations declared so far as far as they can go. */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

export = async (): Promise<{ roles: Record<string, RoleOutput> }> => {
    const cliConfig = pulumi.runtime.allConfig();
    const result = readStackConfig(cliConfig, { stackFile: `Pulumi.${pulumi.getStack()}.yaml`, now: currentTime() });
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

    // Per role: its ARN, physical name, and revocation state. Stack outputs are published once the
    // whole update is done, so the role resource's own ARN serves here.
    const roles: Record<string, RoleOutput> = {};
    for (const { key, args } of result.roles) {
        // The validated config's lists may be single strings, which the component accepts at run time.
        const role = new RevocableRole(key, Object.assign(args, { account }) as RevocableRoleArgs);
        roles[key] = {
            arn: role.role.arn,
            name: role.roleName,
            revokedBefore: role.revocation?.cutoff ?? null,
            safeToRemoveAfter: role.revocation?.safeToRemoveAfter ?? null,
        };
        // One role at a time. The runtime holds each registration (its inputs, Outputs and promises)
        // in memory until it completes, so declaring every role at once held them all together; a
        // turn of the event loop per role lets each role's registrations start first, which more
        // than halves the offline plan's peak memory at 1,000 roles (docs/performance.md). Nothing
        // waits for AWS: registrations still run in parallel.
        await nextTurn();
    }
    return { roles };
};

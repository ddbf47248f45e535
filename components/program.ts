/**
 * The stack config program: one RevocableRole per role of the stack config (`revocable-roles:*`).
 * Every role is validated before the first resource is registered; any problem stops the program
 * with all of them. The reader hands each role's validated model to its component explicitly.
 */
import * as pulumi from "@pulumi/pulumi";
import { deployingAccount } from "./revocableRole";
import { StackConfigRole } from "./stackConfigRole";
import { OrganizationRevocations } from "./organizationRevocations";
import { accountFromConfig } from "../config/account";
import { stackFileName } from "../config/files";
import { CONFIG_ERROR_HEADER, readStackConfig } from "../config/stackConfig";

/** The stack output `roles`, per role key. */
export interface RoleOutput {
    arn: pulumi.Output<string>;
    name: pulumi.Output<string>;
    revokedBefore: string | null;
    safeToRemoveAfter: string | null;
    /** The instance profile's name, for a role that has one. */
    instanceProfile?: string;
}

/** The stack output `organization` of an organization stack. */
export interface OrganizationOutput {
    policyIds: pulumi.Output<string>[];
    targets: string[];
    revocations: { roleName?: string; identityCenterUserId?: string; revokeBefore: string }[];
}

/** One turn of the event loop: lets the runtime carry the registrations declared so far as far as they can go. */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** What the program is called with: nothing by the Pulumi CLI; the instant to judge the stack at by the offline tools. */
export interface ProgramContext {
    /** The instant cutoffs are validated at and revocations judged in force (protected). Default: the clock when the program runs. */
    now?: Date;
}

/**
 * Declares every role of the stack's config. Export it from a program's entry point
 * (`export = stackConfigProgram;`): the Pulumi CLI calls it (with no argument) and publishes what
 * it returns as the stack's outputs, `roles` with each role's `arn`, `name`, `revokedBefore`,
 * `safeToRemoveAfter` and, for a role that has one, `instanceProfile` (its name), and in an organization stack `organization`: its policies' IDs, targets and
 * revocations. The offline tools call it with the instant they plan as of.
 */
export async function stackConfigProgram(
    context: ProgramContext = {},
): Promise<{ roles: Record<string, RoleOutput>; organization?: OrganizationOutput }> {
    const now = context.now ?? new Date();
    const cliConfig = pulumi.runtime.allConfig();
    const result = readStackConfig(cliConfig, { stackFile: stackFileName(pulumi.getStack()), now });
    if (!result.ok) {
        // RunError: Pulumi prints the message without a stack trace.
        throw new pulumi.RunError([CONFIG_ERROR_HEADER, ...result.errors].join("\n"));
    }

    // The account once for the whole stack: from the stack's config when it settles it, else asked from the provider once.
    const backend = result.config.provider ?? "aws";
    const needed = {
        partition: result.roles.some(({ model }) => model.needs.partition || model.needs.accountId),
        accountId: result.roles.some(({ model }) => model.needs.accountId),
    };
    const known = accountFromConfig(cliConfig, backend);
    const account =
        !needed.partition || (known.partition !== undefined && (!needed.accountId || known.accountId !== undefined))
            ? { partition: known.partition ?? "aws", accountId: known.accountId ?? "" }
            : deployingAccount(backend, needed);

    // Per role: its ARN, physical name, and revocation state. Stack outputs are published once the
    // whole update is done, so the role resource's own ARN serves here.
    const roles: Record<string, RoleOutput> = {};
    for (const { key, model } of result.roles) {
        const role = new StackConfigRole(key, model, { now, account });
        roles[key] = {
            arn: role.role.arn,
            name: role.roleName,
            revokedBefore: role.revocation?.cutoff ?? null,
            safeToRemoveAfter: role.revocation?.safeToRemoveAfter ?? null,
            ...(model.instanceProfile === undefined ? {} : { instanceProfile: model.instanceProfile.name }),
        };
        // One role at a time. The runtime holds each registration (its inputs, Outputs and promises)
        // in memory until it completes, so declaring every role at once held them all together; a
        // turn of the event loop per role lets each role's registrations start first, which more
        // than halves the offline plan's peak memory at 1,000 roles (docs/performance.md). Nothing
        // waits for AWS: registrations still run in parallel.
        await nextTurn();
    }
    const organization = result.organization;
    if (organization === undefined) return { roles };
    const policies = new OrganizationRevocations("organization", organization, now);
    // Stack outputs are plain data: each cutoff leaves as its text.
    const revocations = organization.revocations.map((r) => ({ ...r, revokeBefore: r.revokeBefore.toString() }));
    return { roles, organization: { policyIds: policies.policyIds, targets: organization.targets, revocations } };
}

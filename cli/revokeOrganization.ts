/**
 * `revoke --org`: the command line of organization-wide revocation by role name (or pattern) or
 * IAM Identity Center user (the work is revocation/organization.ts's): its flags, what it
 * prints, the `--json` object and the exit code.
 */
import { IDENTITY_CENTER_USER_ID, ROLE_NAME_PATTERN } from "../config/organization";
import { show } from "../iam/problems";
import { OrganizationRequest, revokeOrganization as revokeInOrganization } from "../revocation/organization";
import { CommandIO, Values } from "./command";
import type { OrganizationFlags } from "./commands";
import { Environment } from "./environment";
import { INTERRUPTED, printPullRequest } from "./output";
import { UsageError } from "./io";

/** What `revoke --org` was asked to do, from its flags. */
function organizationRequestOf(values: Values<OrganizationFlags>): OrganizationRequest {
    if (values.now === true) {
        throw new UsageError(
            "--org has no --now: service control policies change when the organization stack deploys; merge and deploy its pull request (role revocations in member accounts can still be applied at once with revoke --stack <name> --role <key> --now)",
        );
    }
    if (values.role !== undefined || values.all !== undefined) {
        throw new UsageError(
            "--org takes --role-name and --identity-center-user, not --role or --all (those revoke a stack's declared roles)",
        );
    }
    const roleNames = [...new Set(values["role-name"] ?? [])];
    const users = [...new Set(values["identity-center-user"] ?? [])];
    if (roleNames.length + users.length === 0) throw new UsageError("--org needs at least one --role-name or --identity-center-user");
    for (const name of roleNames) {
        if (!ROLE_NAME_PATTERN.test(name) || /^[*?]+$/.test(name)) {
            throw new UsageError(
                `--role-name ${show(name)} is not an IAM role name of 1 to 64 characters of A-Za-z0-9+=,.@_-, or a pattern of them with * and ? that is more than wildcards (which would match every role)`,
            );
        }
    }
    for (const user of users) {
        if (!IDENTITY_CENTER_USER_ID.test(user)) {
            throw new UsageError(
                `--identity-center-user ${show(user)} is not an IAM Identity Center user ID such as 90676d4c3b-0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d`,
            );
        }
    }
    return {
        entries: [...roleNames.map((roleName) => ({ roleName })), ...users.map((identityCenterUserId) => ({ identityCenterUserId }))],
        ...(values.stack === undefined ? {} : { stack: values.stack }),
        at: values.at,
        reason: values.reason,
        dryRun: values["dry-run"] === true,
        ...(values["body-file"] === undefined ? {} : { bodyFile: values["body-file"] }),
    };
}

/** `revoke --org`: the organization stack's file written, and the pull request printed. */
export async function run(values: Values<OrganizationFlags>, { out, onInterrupt }: CommandIO, env: Environment): Promise<number> {
    const request = organizationRequestOf(values);
    onInterrupt(INTERRUPTED);
    const { decision, written, pullRequest: pr } = await revokeInOrganization(request, env);
    if (values.json === true) {
        const revocations = decision.outcomes.map((o) => ({ key: o.key, cutoff: o.now, previous: o.was ?? null }));
        out.write(
            `${JSON.stringify({ file: decision.file, written, cutoff: decision.cutoff, revocations, title: pr.title, body: pr.body })}\n`,
        );
        return 0;
    }
    const what = decision.outcomes.map((o) => o.key).join(", ");
    out.write(
        request.dryRun
            ? `Dry run: nothing was written. ${decision.file} would revoke ${what} before ${decision.cutoff}.\n\n`
            : decision.changed
              ? `Wrote ${decision.file}: ${what} revoked organization-wide before ${decision.cutoff}.\n\n`
              : `${decision.file} already records this revocation; nothing to write.\n\n`,
    );
    printPullRequest(out, pr);
    return 0;
}

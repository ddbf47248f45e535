/**
 * `revoke --org`: the command line of organization-wide revocation by role name (or pattern) or
 * IAM Identity Center user (the work is revocation/organization.ts's): its flags, what it
 * prints, the `--json` object and the exit code.
 */
import { IDENTITY_CENTER_USER_ID, ROLE_NAME_PATTERN } from "../config/organization";
import { ORGANIZATION_LIMITS } from "../iam/organizationPolicy";
import { show } from "../iam/problems";
import { OrganizationRequest, revokeOrganization as revokeInOrganization } from "../revocation/organization";
import { Command, Values, command } from "./command";
import { AT, BODY_FILE, DRY_RUN, INTERRUPTED, REASON, printPullRequest } from "./flags";
import { UsageError } from "./io";

/** The usage of `revoke --org`. */
export const ORGANIZATION_USAGE: string =
    "usage: npm run revoke -- --org (--role-name <name or pattern> | --identity-center-user <user id>) ... [--stack <name>] [--at <ISO-8601>] [--reason <text>] [--dry-run] [--json] [--body-file <path>]";

const FLAGS = {
    org: { type: "boolean" },
    "role-name": { type: "string", multiple: true, value: "<name>", description: "an IAM role name or pattern (repeat for several)" },
    "identity-center-user": {
        type: "string",
        multiple: true,
        value: "<id>",
        description: "an IAM Identity Center user ID (repeat for several)",
    },
    stack: {
        type: "string",
        value: "<name>",
        description: "the organization stack; default the one stack file with a revocable-roles:organization section",
    },
    at: AT,
    reason: REASON,
    "dry-run": DRY_RUN,
    json: { type: "boolean", description: "print one JSON object: {file, written, cutoff, revocations, title, body}" },
    "body-file": { ...BODY_FILE, description: "also write the pull request's body to a file" },
    // Taken only to refuse them with what to do instead.
    now: { type: "boolean" },
    role: { type: "string", multiple: true },
    all: { type: "boolean" },
} as const;

/** What `revoke --org` was asked to do, from its flags. */
function organizationRequestOf(values: Values<typeof FLAGS>): OrganizationRequest {
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

export const revokeOrganization: Command = command({
    usage: ORGANIZATION_USAGE,
    description:
        "Revokes, in every account of the organization, the sessions of a role name (any account's role of\nthat name, or a pattern such as ci-*) or of an IAM Identity Center user issued before the cutoff:\nadds them to revocable-roles:organization in the organization stack's file, which deploys them as\nservice control policies. Prints the pull request to open.",
    flags: FLAGS,
    notes: `What it cannot reach: ${ORGANIZATION_LIMITS}.\nThere is no --now: service control policies change when the organization stack deploys.`,
    async run(values, { out, onInterrupt }, env) {
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
    },
});

/**
 * The command table: every command of `revocable-roles` (and the repository's own
 * `managed-policies`), each declared once with its name, summary, usage, description, flags (type,
 * value, what they do and their default), variants and steps, and where its work is. The
 * dispatcher (command.ts) makes `--help`, the usage errors and exit code 2 from these
 * declarations; a command's module (its `run`) is loaded only when that command runs.
 */
import { DEPLOYED_COMMIT_TAG, GUARD_REPORT_FILE, REPORT_FILE } from "../revocation/workflowNames";
import { Command, entry, step } from "./command";

const INIT_FLAGS = {
    stack: { type: "string", value: "<name>", description: "the first stack; default dev" },
    account: {
        type: "string",
        value: "<id>",
        description:
            "the AWS account the stack deploys to; default 123456789012 (a placeholder: aws:allowedAccountIds then refuses every real account until you set yours)",
    },
    region: { type: "string", value: "<region>", description: "default us-east-1" },
    name: {
        type: "string",
        value: "<project>",
        description: "the Pulumi project's name, for a new Pulumi.yaml; default this folder's name",
    },
} as const;
/** The flags of `init`. */
export type InitFlags = typeof INIT_FLAGS;

const PLAN_FLAGS = {
    stack: { type: "string", value: "<name>", description: "the stack to plan" },
    json: {
        type: "boolean",
        description:
            'the plan as JSON: {"project", "stack", "resources": [{urn, type, name, parent, inputs, protect}], "roles": [{key, roleName, revokedBefore, reachable}]}',
    },
    diff: {
        type: "string",
        value: "<git-ref>",
        description: "what changes since the same stack at a git ref: + add, ~ change, +- replace, - remove",
    },
    "revocation-targets": {
        type: "boolean",
        description:
            "with --diff: the URNs of the changed revocation policies and of their roles (whose revoked-until tag changes with them), one per line, when every change is a revocation added or moved to a later cutoff; nothing otherwise",
    },
} as const;
/** The flags of `plan`. */
export type PlanFlags = typeof PLAN_FLAGS;

const REVOKE_FLAGS = {
    stack: { type: "string", value: "<name>", description: "the stack file to edit" },
    role: { type: "string", multiple: true, value: "<key>", description: "a role to revoke (repeat for several)" },
    all: { type: "boolean", description: "every role of the stack (revocable-roles:revokeAllBefore)" },
    at: { type: "string", value: "<ISO-8601>", description: "the cutoff, with a zone; default: now, rounded up to the next whole second" },
    reason: { type: "string", value: "<text>", description: "why, for the pull request" },
    "with-chained": {
        type: "boolean",
        description:
            "also revoke, with the same cutoff, every role of the stack file that the revoked roles' sessions could reach (chained sessions); roles reachable in other stack files are listed with the command that revokes them",
    },
    now: {
        type: "boolean",
        description:
            "also apply the same policy at once through the IAM API (the emergency path), after writing the stack file (when the file cannot be locked within 3 s or written, it applies anyway and prints NOT RECORDED with the edit to make); a role whose live policy already denies as much counts as applied, so a rerun is safe",
    },
    profile: {
        type: "string",
        multiple: true,
        value: "<a>=<p>",
        description:
            "with --now: the AWS config profile whose credentials act in account <a>, the one the stack file names (aws:allowedAccountIds); default the stack file's aws:profile, else the standard credential chain",
    },
    "role-arn": {
        type: "string",
        multiple: true,
        value: "<a>=<arn>",
        description:
            "with --now: a role of account <a> to assume for the calls, with the profile's credentials (else the standard chain's); default the stack file's aws:assumeRoles when it names one role",
    },
    "endpoint-url": { type: "string", value: "<url>", description: "with --now: another IAM endpoint (the one in use is always printed)" },
    deadline: {
        type: "string",
        value: "<seconds>",
        description:
            "with --now: when the whole run ends, waiting for the stack file's lock and every call included, reporting what was not applied; default 120",
    },
    json: {
        type: "boolean",
        description:
            "print one JSON object: {file, written, cutoff, roles, title, body, applied, endpoint, reportFile, notRecorded, checks}",
    },
    "body-file": {
        type: "string",
        value: "<path>",
        description: "also write the pull request's body to a file, for gh pr create --body-file",
    },
    "report-file": {
        type: "string",
        value: "<path>",
        description:
            "where the full report goes when the body is over GitHub's 65,536 characters and is summarised; default a file in the system's temporary folder",
    },
} as const;
/** The flags of `revoke --stack`. */
export type RevokeFlags = typeof REVOKE_FLAGS;

const LEAKED_FLAGS = {
    leaked: { type: "string", value: "<source>", description: "what leaked, in one of the forms below" },
    at: {
        type: "string",
        value: "<ISO-8601>",
        description:
            "the cutoff, with a zone; default: now, rounded up to the next whole second (AWS's playbook: the time of the earliest malicious AssumeRole)",
    },
    reason: { type: "string", value: "<text>", description: "why, for the pull request" },
    "dry-run": { type: "boolean", description: "show the roles, their paths and the pull request; write nothing" },
    now: {
        type: "boolean",
        description:
            "also apply the revocations at once through the IAM API, every account at the same time, after writing the stack files (a file that cannot be locked within 3 s or written is applied anyway and printed NOT RECORDED with its edit); each affected stack file must name its account (aws:allowedAccountIds), and nothing is applied in an account with credentials of another",
    },
    profile: {
        type: "string",
        multiple: true,
        value: "<a>=<p>",
        description:
            "with --now: the AWS config profile whose credentials act in account <a> (repeat per account); default the stack file's aws:profile, else the standard credential chain",
    },
    "role-arn": {
        type: "string",
        multiple: true,
        value: "<a>=<arn>",
        description:
            "with --now: a role of account <a> to assume for its calls, with the profile's credentials (else the standard chain's); default the stack file's aws:assumeRoles when it names one role",
    },
    "endpoint-url": { type: "string", value: "<url>", description: "with --now: another IAM endpoint" },
    deadline: {
        type: "string",
        value: "<seconds>",
        description:
            "with --now: when the whole run ends, waiting for the stack files' locks and every call included, reporting what was not applied; default 120",
    },
    json: {
        type: "boolean",
        description:
            "print one JSON object: {source, cutoff, written, stacks, roles, organization, title, body, applied, notRecorded, checks}",
    },
    "body-file": {
        type: "string",
        value: "<path>",
        description: "also write the pull request's body to a file, for gh pr create --body-file",
    },
    // Taken only to refuse them: the source decides the roles.
    stack: { type: "string" },
    role: { type: "string", multiple: true },
    all: { type: "boolean" },
    "with-chained": { type: "boolean" },
} as const;
/** The flags of `revoke --leaked`. */
export type LeakedFlags = typeof LEAKED_FLAGS;

const ORGANIZATION_FLAGS = {
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
    at: { type: "string", value: "<ISO-8601>", description: "the cutoff, with a zone; default: now, rounded up to the next whole second" },
    reason: { type: "string", value: "<text>", description: "why, for the pull request" },
    "dry-run": { type: "boolean", description: "show the change and the pull request; write nothing" },
    json: { type: "boolean", description: "print one JSON object: {file, written, cutoff, revocations, title, body}" },
    "body-file": { type: "string", value: "<path>", description: "also write the pull request's body to a file" },
    // Taken only to refuse them with what to do instead.
    now: { type: "boolean" },
    role: { type: "string", multiple: true },
    all: { type: "boolean" },
} as const;
/** The flags of `revoke --org`. */
export type OrganizationFlags = typeof ORGANIZATION_FLAGS;

const REVOCATIONS_FLAGS = {
    json: { type: "boolean", description: "the list as JSON: [{stack, role?, organization?, cutoff, safeToRemoveAfter, state}]" },
    prune: {
        type: "boolean",
        description: "remove the removable ones from the stack files (changing no other byte) and print the pull request to open",
    },
    reason: { type: "string", value: "<text>", description: "with --prune: why, for the pull request" },
    "report-file": {
        type: "string",
        value: "<p>",
        description:
            "with --prune: where the full report goes when the body is over GitHub's 65,536 characters and is summarised; default a file in the temporary folder",
    },
} as const;
/** The flags of `revocations`. */
export type RevocationsFlags = typeof REVOCATIONS_FLAGS;

const VERIFY_FLAGS = {
    stack: { type: "string", value: "<name>", description: "the stack whose revocations in force to read back" },
    repair: {
        type: "boolean",
        description:
            "re-apply, through the emergency path (the same retries and deadline as revoke --now), each role's revocation that is missing or weakened, and read it back again; exits 1 all the same, so that a scheduled run fails visibly when it had to repair",
    },
    json: {
        type: "boolean",
        description:
            "one JSON object per revocation: [{stack, role, roleName, source | organization, policy, targets, cutoff, safeToRemoveAfter, state, detail, verifiedAt, timeToContainSeconds, policies, repair}]",
    },
    "endpoint-url": {
        type: "string",
        value: "<url>",
        description: "another endpoint for IAM and Organizations (the one in use is always printed)",
    },
    profile: {
        type: "string",
        value: "<profile>",
        description: "the AWS config profile to read with; default the stack file's aws:profile, else the standard credential chain",
    },
    "role-arn": {
        type: "string",
        value: "<arn>",
        description:
            "a role to assume for the reads (with the profile's credentials, else the standard chain's); default the stack file's aws:assumeRoles when it names one role",
    },
    deadline: {
        type: "string",
        value: "<seconds>",
        description: "when to stop retrying and report what could not be read or repaired; default 120",
    },
} as const;
/** The flags of `verify`. */
export type VerifyFlags = typeof VERIFY_FLAGS;

const GUARD_FLAGS = {
    base: { type: "string", value: "<git-ref>", description: "the commit the change starts from" },
    head: {
        type: "string",
        value: "<git-ref>",
        description:
            "the commit to judge, read from git objects only and planned with this checkout's program, which must be the base's (the trusted judge CI runs); without it, the working tree, planned with its own program",
    },
    format: { type: "string", value: "<format>", description: "text (default) or markdown, for a pull-request comment" },
} as const;
/** The flags of `guard`. */
export type GuardFlags = typeof GUARD_FLAGS;

const CI_GUARD_FLAGS = { base: { type: "string" }, head: { type: "string" } } as const;
/** The flags of `ci guard`. */
export type CiGuardFlags = typeof CI_GUARD_FLAGS;
const CI_PULL_REQUEST_FLAGS = { base: { type: "string" } } as const;
/** The flags of `ci pull-request`. */
export type CiPullRequestFlags = typeof CI_PULL_REQUEST_FLAGS;
const CI_DEPLOY_FLAGS = { stack: { type: "string" } } as const;
/** The flags of `ci deploy`. */
export type CiDeployFlags = typeof CI_DEPLOY_FLAGS;
const CI_STACKS_FLAGS = {
    json: {
        type: "boolean",
        description: "print [{stack, account, region, previewRoleArn, deployRoleArn, changed, since, problems}]",
    },
    base: {
        type: "string",
        value: "<git-ref>",
        description:
            "judge the change since this ref; default the pull request's or merge queue's base, else each stack's deployed-commit tag",
    },
    all: { type: "boolean", description: "put every stack in the step output, changed or not (a workflow_dispatch run does)" },
} as const;
/** The flags of `ci stacks`. */
export type CiStacksFlags = typeof CI_STACKS_FLAGS;

const DRILL_FLAGS = {
    stack: { type: "string", value: "<name>", description: "the stack whose roles to practise on" },
    role: { type: "string", multiple: true, value: "<key>", description: "a role to revoke (repeat for several)" },
    all: { type: "boolean", description: "every role of the stack" },
    "endpoint-url": {
        type: "string",
        value: "<local url>",
        description: "a local IAM endpoint; default moto_server, started for the drill",
    },
} as const;
/** The flags of `drill`. */
export type DrillFlags = typeof DRILL_FLAGS;

const MANAGED_POLICIES_FLAGS = {
    "endpoint-url": { type: "string", value: "<url>", description: "moto's IAM endpoint; default moto_server, started for the run" },
    source: { type: "string", value: "<text>", description: "where the snapshot comes from, in words, for the catalog" },
} as const;
/** The flags of `managed-policies`. */
export type ManagedPoliciesFlags = typeof MANAGED_POLICIES_FLAGS;

/** The usage of `revoke --leaked`. */
export const LEAKED_USAGE: string =
    "usage: npm run revoke -- --leaked <source> [--at <ISO-8601>] [--reason <text>] [--dry-run] [--now [--profile <account>=<profile> ...] [--role-arn <account>=<role ARN> ...] [--endpoint-url <url>] [--deadline <seconds>]] [--json] [--body-file <path>]";

/** The usage of `revoke --org`. */
export const ORGANIZATION_USAGE: string =
    "usage: npm run revoke -- --org (--role-name <name or pattern> | --identity-center-user <user id>) ... [--stack <name>] [--at <ISO-8601>] [--reason <text>] [--dry-run] [--json] [--body-file <path>]";

/** Words from modules a command loads anyway, read only when its help is printed. */
/* eslint-disable @typescript-eslint/no-require-imports -- read only when a help asks for them */
const leakedForms = () => (require("../analysis/leaked") as typeof import("../analysis/leaked")).LEAKED_FORMS;
const organizationLimits = () => (require("../iam/organizationPolicy") as typeof import("../iam/organizationPolicy")).ORGANIZATION_LIMITS;
const catalogFile = () => (require("../iam/managedPolicies") as typeof import("../iam/managedPolicies")).CATALOG_FILE;
/* eslint-enable @typescript-eslint/no-require-imports */

/** Every command of `revocable-roles`, in the order the help lists them. */
export const COMMANDS: Readonly<Record<string, Command>> = {
    init: entry({
        summary: "set up a Pulumi project for revocable roles: program, first stack file, workflows",
        usage: "usage: revocable-roles init [--stack <name>] [--account <12-digit id>] [--region <region>] [--name <project>]",
        description:
            "Writes into this folder what a project needs for revocable roles, and never overwrites a file:\nPulumi.yaml (if absent), a one-line index.ts that declares every role of the stack files, a\npackage.json (in an existing one, only the npm scripts it lacks: plan, revoke, revocations,\nguard, drill, ci), tsconfig.json, .npmrc (ignore-scripts=true) and .gitignore, a first stack file\nPulumi.<stack>.yaml with one example role, the four GitHub Actions workflows\n(.github/workflows/revocable-roles-*.yml) and .github/CODEOWNERS.example. Prints what it wrote,\nadded and kept. Running it again writes nothing.",
        flags: INIT_FLAGS,
        load: async () => (await import("./init")).run,
    }),
    plan: entry({
        summary: "what a stack would deploy, offline; --diff <ref> for what changes since a commit",
        usage: "usage: npm run plan -- --stack <name> [--json] [--diff <git-ref> [--revocation-targets]]",
        description: "Runs the program offline against Pulumi.<name>.yaml (no AWS call, no Pulumi CLI) and prints what\nit would deploy.",
        flags: PLAN_FLAGS,
        load: async () => (await import("./plan")).run,
    }),
    revoke: entry({
        summary: "write a revocation into a stack file (and apply it at once with --now)",
        usage: "usage: npm run revoke -- --stack <name> (--role <key> ... | --all) [--at <ISO-8601>] [--reason <text>] [--with-chained] [--now [--profile <account>=<profile>] [--role-arn <account>=<role ARN>] [--endpoint-url <url>] [--deadline <seconds>]] [--json] [--body-file <path>] [--report-file <path>]",
        description:
            "Sets revokeBefore on each --role (or revocable-roles:revokeAllBefore with --all) in\nPulumi.<name>.yaml, changing no other byte of the file, and prints the pull request to open.",
        flags: REVOKE_FLAGS,
        notes: () =>
            "npm run revoke -- --leaked <source> revokes what a leak reaches, in every stack file at once\n(npm run revoke -- --leaked x --help for its options).\nnpm run revoke -- --org --role-name <name> revokes a role name or an Identity Center user in every\naccount of the organization (npm run revoke -- --org --help for its options).",
        load: async () => (await import("./revoke")).run,
        variants: {
            leaked: entry({
                usage: LEAKED_USAGE,
                description:
                    "Revokes, in every stack file of the project, every role the leaked source can assume directly (its\ntrust lets the source in) or through role chaining, with one cutoff, and prints one pull request.",
                flags: LEAKED_FLAGS,
                notes: () =>
                    `The forms of <source>: ${leakedForms()}.\n\nWhen a stack file has a revocable-roles:organization section (the organization stack), the same\nchange also revokes, organization-wide, the name of every role reached (and of a leaked role\nitself): the roles declared here get their own policy, and every account's role of that name is\ndenied by the organization's service control policy once that stack deploys (--now applies only\nthe role policies).\n\nNot with --leaked: --stack, --role, --all, --with-chained (the source decides the roles).`,
                load: async () => (await import("./revokeLeaked")).run,
            }),
            org: entry({
                usage: ORGANIZATION_USAGE,
                description:
                    "Revokes, in every account of the organization, the sessions of a role name (any account's role of\nthat name, or a pattern such as ci-*) or of an IAM Identity Center user issued before the cutoff:\nadds them to revocable-roles:organization in the organization stack's file, which deploys them as\nservice control policies. Prints the pull request to open.",
                flags: ORGANIZATION_FLAGS,
                notes: () =>
                    `What it cannot reach: ${organizationLimits()}.\nThere is no --now: service control policies change when the organization stack deploys.`,
                load: async () => (await import("./revokeOrganization")).run,
            }),
        },
    }),
    revocations: entry({
        summary: "every revocation, in force or removable; --prune removes the removable",
        usage: "usage: revocable-roles revocations [--json] [--prune [--reason <text>] [--report-file <path>]]",
        description:
            "Lists every revocation of every stack file (Pulumi.<stack>.yaml) of the project: the stack, the\nrole (or all roles, for revokeAllBefore, or an organization-wide revocation), the cutoff, and\nwhether it is in force (until cutoff + 13 h) or removable. --prune leaves organization-wide\nrevocations for you to remove from the list by hand.",
        flags: REVOCATIONS_FLAGS,
        load: async () => (await import("./revocations")).run,
    }),
    verify: entry({
        summary: "prove every revocation in force in a stack is live in AWS; --repair re-applies what drifted",
        usage: "usage: revocable-roles verify --stack <name> [--repair] [--json] [--endpoint-url <url>] [--profile <profile>] [--role-arn <arn>] [--deadline <seconds>]",
        description:
            "Reads back, from IAM, the revocation policies (RevokeOlderSessions, the console's AWSRevokeOlderSessions)\nof every role whose revocation is in force in Pulumi.<name>.yaml (its revokeBefore, or\nrevocable-roles:revokeAllBefore), and, for an organization stack, every service control policy and\nthe targets it is attached to, and reports each revocation live (a deny of * on * for sessions\nissued before the cutoff or later), missing, weakened (an earlier cutoff, a narrower action or\nresource, a condition added) or role missing, with the policy read. Exits 0 when every revocation\nis live, 1 otherwise, naming the stack, the role and what differs. When the stack file names its\naccounts (aws:allowedAccountIds), credentials of another account read nothing.",
        flags: VERIFY_FLAGS,
        load: async () => (await import("./verify")).run,
    }),
    guard: entry({
        summary: "fail a change that would weaken a revocation in force",
        usage: "usage: npm run guard -- --base <git-ref> [--head <git-ref>] [--format text|markdown]",
        description:
            "Plans every stack at the base and at the head, offline, and exits 1 when a change would weaken a\nrevocation in force: a cutoff moved earlier or removed inside its 13-hour window, a revoked role\nor its revocation policy deleted or replaced, its trust widened, a right to undo it handed to a\nrole, provider configuration changed, anything but stack files and documentation changed, or\nconfiguration the Pulumi CLI would read differently from this tool. A stack that holds a\nrevocation in force and cannot be read or planned fails too. New revocations, later cutoffs and\ntightened trust pass and are listed.",
        flags: GUARD_FLAGS,
        load: async () => (await import("./guard")).run,
    }),
    ci: entry({
        summary: "the GitHub Actions workflows' steps: guard, pull-request, deploy, stacks",
        usage: "usage: npm run ci -- guard [--base <sha> --head <sha>] | pull-request [--base <git-ref>] | deploy --stack <name> | stacks [--json] [--base <git-ref>] [--all]",
        description: "The workflows' steps:",
        flags: {},
        steps: {
            guard: step({
                description: `the trusted judge, run in a checkout of the base commit with its own dependencies: fetches the pull request's (or merge group's) head commit named by the event, and runs this checkout's guard on it from git objects only; writes ${GUARD_REPORT_FILE} for the comment; exit code 1 when a revocation would be weakened or the change cannot be judged. While revocations are in force, paths other than stack files and documentation pass only with the two-person override: the label revocable-roles/override and a code owner's approval of the head commit for each path, read through GitHub's API (GITHUB_API_URL, GITHUB_TOKEN, GITHUB_REPOSITORY)`,
                flags: CI_GUARD_FLAGS,
                load: async () => (await import("./ci")).guardStep,
            }),
            "pull-request": step({
                description: `the offline plan of every stack the change can deploy differently, against the base (default origin/$GITHUB_BASE_REF, or the merge queue's base commit), written to ${REPORT_FILE}; it runs the pull request's own code, so it informs and decides nothing`,
                flags: CI_PULL_REQUEST_FLAGS,
                load: async () => (await import("./ci")).pullRequestStep,
            }),
            deploy: step({
                description: `reads the commit deployed last from the stack tag ${DEPLOYED_COMMIT_TAG}, judges the change from it to HEAD with the guard (a failing finding stops the deploy; a change to frozen paths deploys only when the merged pull request's override still holds), then pulumi up --refresh: only the revocation policies (and their roles' revoked-until tags) when they are all that changed; sets the tag to HEAD after a successful update, then reads every revocation in force back from the account (verify, waiting up to two minutes for IAM), prints each one's time to contain and fails when one is not live. Without the tag: in full.`,
                flags: CI_DEPLOY_FLAGS,
                load: async () => (await import("./ci")).deployStep,
            }),
            stacks: step({
                description: `every stack with its account, region and CI roles (revocable-roles:ci, else the repository's), and whether the change can deploy it differently: since the pull request's or merge queue's base (as pull-request decides), else since each stack's ${DEPLOYED_COMMIT_TAG} tag (as deploy judges; a stack without the tag, or whose tag or file cannot be read, counts as changed); sets the step output stacks, the workflows' matrix of the changed stacks (every stack on workflow_dispatch)`,
                flags: CI_STACKS_FLAGS,
                load: async () => (await import("./ci")).stacksStep,
            }),
        },
    }),
    drill: entry({
        summary: "practise the emergency path against a local IAM endpoint",
        usage: "usage: revocable-roles drill --stack <name> (--role <key> ... | --all) [--endpoint-url <local url>]",
        description:
            "Practises revoke --now against a local IAM endpoint: moto_server started on 127.0.0.1 in the stack's\naccount (pip install \"moto[server]\"), or --endpoint-url on this machine, which must act in the\naccount the stack file names (moto: MOTO_ACCOUNT_ID), as revoke --now checks. The stack's roles are\ncreated there from the offline plan; revoke --now runs on a temporary copy of the project, so the\nstack file is not changed; then every role's RevokeOlderSessions policy is read back. Reports each\nrole's state and how long the emergency path took.",
        flags: DRILL_FLAGS,
        load: async () => (await import("./drill")).run,
    }),
};

/** The repository's own tools, run through the same dispatcher and left out of `revocable-roles --help`. */
export const TOOLS: Readonly<Record<string, Command>> = {
    "managed-policies": entry({
        summary: "rebuild iam/managedPolicyCatalog.json from moto's copy of the AWS-managed policies",
        usage: "usage: npm run managed-policies [-- --endpoint-url <moto endpoint>] [--source <text>]",
        description:
            "Rebuilds the catalog of AWS-managed policies from moto's copy of them: it starts moto_server on\n127.0.0.1 (or reads --endpoint-url), lists every policy with its path and default version, and\nwrites one line per policy.",
        flags: MANAGED_POLICIES_FLAGS,
        notes: () => `The catalog: ${catalogFile()}.`,
        load: async () => (await import("./managedPolicies")).run,
    }),
};

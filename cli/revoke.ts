/**
 * `revocable-roles revoke`: writes a revocation into a stack file (and, with --now, applies it at
 * once through the IAM API), then prints a ready pull request. `--leaked` and `--org` are its
 * variants (cli/revokeLeaked.ts, cli/revokeOrganization.ts). The work is revocation/revokeRoles.ts's.
 */
import { RevokeRolesRequest, revokeRoles } from "../revocation/revokeRoles";
import { revokeJson } from "../revocation/pullRequest";
import { resultTable } from "../apply/emergency";
import { Command, Main, Values, command, mainOf, parsedFlags } from "./command";
import { Environment } from "./environment";
import { AT, BODY_FILE, EMERGENCY_FLAGS, INTERRUPTED, REASON, STACK, emergencyOptions, printPullRequest, reportFailures } from "./flags";
import { UsageError } from "./io";
import { revokeLeaked } from "./revokeLeaked";
import { revokeOrganization } from "./revokeOrganization";

const FLAGS = {
    stack: STACK,
    role: { type: "string", multiple: true, value: "<key>", description: "a role to revoke (repeat for several)" },
    all: { type: "boolean", description: "every role of the stack (revocable-roles:revokeAllBefore)" },
    at: AT,
    reason: REASON,
    "with-chained": {
        type: "boolean",
        description:
            "also revoke, with the same cutoff, every role of the stack file that the revoked roles' sessions could reach (chained sessions); roles reachable in other stack files are listed with the command that revokes them",
    },
    now: {
        type: "boolean",
        description:
            "also apply the same policy at once through the IAM API (the emergency path), after writing the stack file; a role whose live policy already denies as much counts as applied, so a rerun is safe",
    },
    ...EMERGENCY_FLAGS,
    json: {
        type: "boolean",
        description: "print one JSON object: {file, written, cutoff, roles, title, body, applied, endpoint, reportFile}",
    },
    "body-file": BODY_FILE,
    "report-file": {
        type: "string",
        value: "<path>",
        description:
            "where the full report goes when the body is over GitHub's 65,536 characters and is summarised; default a file in the system's temporary folder",
    },
} as const;

/** What the command was asked to do, from its flags. */
function requestOf(values: Values<typeof FLAGS>): RevokeRolesRequest {
    const roles = [...new Set(values.role ?? [])];
    if (values.stack === undefined) throw new UsageError("--stack is required");
    if (roles.length > 0 === (values.all === true)) throw new UsageError("give either --role (one or more) or --all");
    const now = emergencyOptions(values);
    return {
        stack: values.stack,
        roles,
        all: values.all === true,
        at: values.at,
        reason: values.reason,
        withChained: values["with-chained"] === true,
        ...(now === undefined ? {} : { now }),
        bodyFile: values["body-file"],
        reportFile: values["report-file"],
    };
}

export const revoke: Command = command({
    usage: "usage: npm run revoke -- --stack <name> (--role <key> ... | --all) [--at <ISO-8601>] [--reason <text>] [--with-chained] [--now [--endpoint-url <url>] [--deadline <seconds>]] [--json] [--body-file <path>] [--report-file <path>]",
    description:
        "Sets revokeBefore on each --role (or revocable-roles:revokeAllBefore with --all) in\nPulumi.<name>.yaml, changing no other byte of the file, and prints the pull request to open.",
    flags: FLAGS,
    notes: "npm run revoke -- --leaked <source> revokes what a leak reaches, in every stack file at once\n(npm run revoke -- --leaked x --help for its options).\nnpm run revoke -- --org --role-name <name> revokes a role name or an Identity Center user in every\naccount of the organization (npm run revoke -- --org --help for its options).",
    variants: { leaked: revokeLeaked, org: revokeOrganization },
    async run(values, { out, err, onInterrupt }, env: Environment) {
        const request = requestOf(values);
        // With --json, the one object is all stdout carries; progress goes nowhere.
        const say = (text: string) => (values.json === true ? undefined : out.write(text));
        onInterrupt(INTERRUPTED);
        const outcome = await revokeRoles(request, env, {
            recorded: (decision) =>
                say(
                    decision.changed
                        ? `Wrote ${decision.file}: ${decision.subject} revoked before ${decision.cutoff}.\n\n`
                        : `${decision.file} already records this revocation; nothing to write.\n\n`,
                ),
            endpoint: (endpoint) => say(`IAM endpoint: ${endpoint}\n`),
            applied: (results) => say(`${resultTable(results)}\n\n`),
        });
        const pr = outcome.pullRequest;
        if (values.json === true) out.write(`${JSON.stringify(revokeJson(outcome.decision, pr, outcome.applied))}\n`);
        else printPullRequest(out, pr, request.bodyFile, pr.reportFile);
        const failed = reportFailures(
            err,
            (outcome.applied?.results ?? []).map((result) => ({ result })),
        );
        if (outcome.unrecorded.length > 0) err.write(`${outcome.unrecorded.join("\n")}\n`);
        return failed > 0 || outcome.unrecorded.length > 0 ? 1 : 0;
    },
});

/** The command line, as tests and drill call it. */
export const main: Main = mainOf(revoke);

/** The command's flags parsed into its request; undefined means `--help`. */
export function parseRequest(argv: string[]): RevokeRolesRequest | undefined {
    const values = parsedFlags(revoke as Command<typeof FLAGS>, argv);
    return values === undefined ? undefined : requestOf(values);
}

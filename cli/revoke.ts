/**
 * `npm run revoke`: writes a revocation into a stack file (and, with --now, applies it at once
 * through the IAM API), then prints a ready pull request. Everything is validated before the
 * first byte changes; the file is written once, atomically.
 */
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";
import { IAMClient } from "@aws-sdk/client-iam";
import { NAMESPACE, readStackConfig } from "../config/stackConfig";
import { REVOCATION_POLICY_NAME } from "../components/policy";
import { roleModel } from "../components/role";
import { closest } from "../components/suggest";
import { formatUtc, instantOf, parseTimestamp, safeToRemoveAfter, show } from "../components/timestamps";
import { EmergencyResult, EmergencyTarget, iamClient, resultTable, revokeNow } from "./emergency";
import { CliError, errorText, PROJECT_ROOT, programConfig, readStackFile, stackFileName } from "./project";
import { setRoleCutoff, setStackCutoff } from "./stackEdit";
import { Writer } from "./plan";

const USAGE =
    "usage: npm run revoke -- --stack <name> (--role <key> ... | --all) [--at <ISO-8601>] [--reason <text>] [--now [--endpoint-url <url>]]";

/** What the command needs from its surroundings, replaceable in tests. */
export interface RevokeEnvironment {
    root: string;
    now: () => Date;
    client: (endpoint: string | undefined, region: string | undefined) => IAMClient;
}

const defaults: RevokeEnvironment = { root: PROJECT_ROOT, now: () => new Date(), client: iamClient };

/** The cutoff: `--at` as given (never in the future), or now rounded up to the next whole second. */
export function chooseCutoff(at: string | undefined, now: Date): Date {
    if (at === undefined) {
        return new Date(Math.floor(now.getTime() / 1000) * 1000 + 1000);
    }
    const parsed = parseTimestamp(at);
    if (!parsed.ok) {
        throw new CliError(`--at ${show(at)} ${parsed.problem}`);
    }
    if (parsed.date.getTime() > now.getTime()) {
        throw new CliError(`--at ${show(at)} is in the future (now is ${formatUtc(now)}); a future cutoff would also deny every session issued until then`);
    }
    return parsed.date;
}

/** The existing cutoff when it is later than the new one: writing the new one would weaken it. */
function earlierThan(existing: unknown, cutoff: Date): Date | undefined {
    const date = instantOf(existing);
    return date !== undefined && date.getTime() > cutoff.getTime() ? date : undefined;
}

function sameAs(existing: unknown, cutoff: Date): boolean {
    return instantOf(existing)?.getTime() === cutoff.getTime();
}

interface PullRequest {
    title: string;
    body: string;
}

/** The pull request that records a revocation. */
export function pullRequest(options: {
    stack: string;
    roles: { key: string; roleName: string }[];
    all: boolean;
    cutoff: string;
    reason?: string;
    emergency?: EmergencyResult[];
}): PullRequest {
    const { stack, roles, all, cutoff } = options;
    const safe = formatUtc(safeToRemoveAfter(new Date(cutoff)));
    const subject = all ? `every role of ${stack}` : `${roles.map((r) => r.key).join(", ")} (${stack})`;
    const lines = [
        `## Revoke role sessions issued before ${cutoff}`,
        "",
        "| | |",
        "| --- | --- |",
        `| Stack | \`${stack}\` |`,
        `| Roles | ${all ? "all roles of the stack (`revokeAllBefore`): " : ""}${roles.map((r) => `\`${r.key}\` (IAM role \`${r.roleName}\`)`).join(", ")} |`,
        `| Cutoff | \`${cutoff}\` |`,
        `| Reason | ${options.reason ?? "not given"} |`,
        `| Safe to remove after | \`${safe}\` (cutoff + 13 h) |`,
        "",
        "### What this change does",
        `Puts the inline policy \`${REVOCATION_POLICY_NAME}\` on each role: every action of every session issued before the cutoff is denied. ` +
            "Identities the role still trusts can assume it again and get working credentials.",
        "",
        "**If the trust itself was abused** (a repository, account or provider that should not be trusted), tighten `trust` in this same change: the deny does nothing against someone who can still assume the role.",
        "",
        `**Do not remove** this revocation before \`${safe}\`: until then a session issued before the cutoff may still be alive. Long-term access keys of IAM users are not affected; deactivate them separately.`,
    ];
    if (options.emergency !== undefined) {
        lines.push("", "### Already applied (emergency path)", "Applied at once through the IAM API with `npm run revoke -- --now`; `pulumi up` adopts the identical policy.", "", "```", resultTable(options.emergency), "```");
    }
    return { title: `Revoke sessions of ${subject} issued before ${cutoff}`, body: lines.join("\n") };
}

function writeAtomically(file: string, text: string): void {
    const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
    fs.writeFileSync(temporary, text);
    fs.renameSync(temporary, file);
}

/** The command line; returns the exit code. */
export async function main(argv: string[], out: Writer = process.stdout, err: Writer = process.stderr, env: RevokeEnvironment = defaults): Promise<number> {
    try {
        const { values } = parseArgs({
            args: argv,
            options: {
                stack: { type: "string" },
                role: { type: "string", multiple: true },
                all: { type: "boolean" },
                at: { type: "string" },
                reason: { type: "string" },
                now: { type: "boolean" },
                "endpoint-url": { type: "string" },
            },
            strict: true,
        });
        const keys = values.role ?? [];
        if (values.stack === undefined) throw new CliError(`--stack is required\n${USAGE}`);
        if ((keys.length > 0) === (values.all === true)) throw new CliError(`give either --role (one or more) or --all\n${USAGE}`);
        if (values["endpoint-url"] !== undefined && values.now !== true) throw new CliError(`--endpoint-url only applies with --now\n${USAGE}`);
        const stack = values.stack;
        const stackFile = stackFileName(stack);
        const now = env.now();
        const text = readStackFile(stack, env.root);
        const current = readStackConfig(programConfig(text, stackFile), { stackFile, now });
        if (!current.ok) {
            throw new CliError(`${stackFile} is invalid; fix it before revoking:\n${current.errors.join("\n")}`);
        }
        const cutoff = chooseCutoff(values.at, now);
        const cutoffText = formatUtc(cutoff);
        const roleKeys = Object.keys(current.config.roles);
        const problems: string[] = [];
        let edited = text;
        if (values.all === true) {
            const existing = earlierThan(current.config.revokeAllBefore, cutoff);
            if (existing !== undefined) {
                problems.push(`${NAMESPACE}:revokeAllBefore is already ${formatUtc(existing)}; the new cutoff ${cutoffText} is earlier and would re-enable sessions that revocation denies`);
            } else if (!sameAs(current.config.revokeAllBefore, cutoff)) {
                edited = setStackCutoff(edited, cutoffText);
            }
        }
        for (const key of new Set(keys)) {
            const role = current.config.roles[key];
            if (role === undefined) {
                const suggestion = closest(key, roleKeys);
                const hint = suggestion === undefined ? "" : ` did you mean "${suggestion}"?`;
                problems.push(`unknown role "${key}" in ${stackFile};${hint} the roles are: ${roleKeys.join(", ")}`);
                continue;
            }
            const existing = earlierThan(role.revokeBefore, cutoff);
            if (existing !== undefined) {
                problems.push(`role "${key}" is already revoked before ${formatUtc(existing)}; the new cutoff ${cutoffText} is earlier and would re-enable sessions that revocation denies`);
            } else if (!sameAs(role.revokeBefore, cutoff)) {
                edited = setRoleCutoff(edited, key, cutoffText);
            }
        }
        if (problems.length > 0) throw new CliError(problems.join("\n"));
        const after = readStackConfig(programConfig(edited, stackFile), { stackFile, now });
        if (!after.ok) {
            throw new CliError(`the edited ${stackFile} would not pass validation; nothing was written:\n${after.errors.join("\n")}`);
        }
        const affected = after.roles.filter((r) => values.all === true || keys.includes(r.key));
        // The same code the component runs: the emergency policy is byte-identical to what pulumi up writes.
        const targets: EmergencyTarget[] = affected.map(({ key, args }) => {
            const model = roleModel(key, args, { now });
            return { key, roleName: model.roleName, cutoff: model.revocation!.cutoff, policy: model.revocation!.policy };
        });
        let emergency: EmergencyResult[] | undefined;
        if (values.now === true) {
            const region = programConfig(edited, stackFile)["aws:region"];
            const outcome = await revokeNow(env.client(values["endpoint-url"], region), targets);
            if (!outcome.applied) {
                throw new CliError(
                    outcome.later
                        .map((l) => `role "${l.target.key}" (${l.target.roleName}) already has a live ${REVOCATION_POLICY_NAME} denying sessions before ${l.liveCutoff}, later than ${l.target.cutoff}; nothing was applied or written; rerun with --at ${l.liveCutoff} or later`)
                        .join("\n"),
                );
            }
            emergency = outcome.results;
            out.write(`${resultTable(emergency)}\n\n`);
        }
        const file = path.join(env.root, stackFile);
        if (edited !== text) {
            writeAtomically(file, edited);
            out.write(`Wrote ${stackFile}: ${values.all === true ? `${NAMESPACE}:revokeAllBefore` : keys.join(", ")} revoked before ${cutoffText}.\n\n`);
        } else {
            out.write(`${stackFile} already records this revocation; nothing to write.\n\n`);
        }
        const pr = pullRequest({ stack, roles: targets, all: values.all === true, cutoff: cutoffText, reason: values.reason, emergency });
        out.write(`Pull request title:\n${pr.title}\n\nPull request body:\n${pr.body}\n`);
        const failed = emergency?.filter((r) => r.outcome === "failed") ?? [];
        if (failed.length > 0) {
            err.write(`${failed.length} of ${emergency!.length} roles were NOT revoked through the API:\n${failed.map((f) => `${f.target.key} (${f.target.roleName}): ${f.detail}`).join("\n")}\n`);
            return 1;
        }
        return 0;
    } catch (error) {
        err.write(`${errorText(error, USAGE)}\n`);
        return 1;
    }
}

if (require.main === module) {
    // The SDK's notice about its 2027 releases needing Node 22 is noise in the middle of an incident.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
    main(process.argv.slice(2)).then((code) => process.exit(code));
}

/**
 * The pull request of a leak's revocation: why each role is reachable, what the emergency path
 * applied per account and what is left to apply, the organization-wide part, and what no role
 * revocation covers; in full, and as a summary that names the roles by stack.
 */
import { stackFileName } from "../config/files";
import { NOT_COVERED } from "../analysis/containment";
import { Leak } from "../analysis/leaked";
import { roleArn } from "../analysis/reachability";
import { Cutoff } from "../iam/cutoff";
import { AccountResult } from "./applyNow";
import { Decision } from "./decide";
import { OrganizationDecision, organizationMarkdown } from "./organization";

/** The pull request of a leak's revocation: the full text, and a summary that names the roles by stack. */
export function leakPullRequest(
    leak: Leak,
    parts: Decision[],
    cutoff: Cutoff,
    reason: string | undefined,
    applied?: AccountResult[],
    organization?: OrganizationDecision,
): { title: string; full: string; summary: string } {
    const roles = leak.reached.length;
    const stacks = parts.map((p) => p.stack);
    const where = [
        ...(stacks.length === 0 ? [] : [`${roles} role${roles === 1 ? "" : "s"} in ${stacks.join(", ")}`]),
        ...(organization === undefined ? [] : ["organization-wide"]),
    ];
    const title = `Revoke sessions reachable by ${leak.source.text} issued before ${cutoff} (${where.join(", ")})`;
    const safe = cutoff.safeToRemoveAfterText;
    const head = [
        `## Revoke what ${leak.source.text} reaches`,
        "",
        ...(reason === undefined ? [] : [`Reason: ${reason}`, ""]),
        `Every role below denies every action to sessions issued before **${cutoff}**, in one change across ${stacks.length} stack file${stacks.length === 1 ? "" : "s"}: revoking one account or stack first would give whoever holds the leaked credentials time in the others.`,
        `Each role is reachable by the leaked source directly (its trust lets the source in) or through role chaining; a "may" reason is an unknown taken as possible. The revocations may be removed after ${safe}.`,
        "",
    ];
    const table = (limit: number) => {
        const lines: string[] = [];
        for (const stack of stacks) {
            const inStack = leak.reached.filter((r) => r.role.stack === stack);
            const accounts = [...new Set(inStack.map((r) => r.role.account ?? "unknown account"))];
            lines.push(
                `### ${stackFileName(stack)} (${accounts.join(", ")}): ${inStack.length} role${inStack.length === 1 ? "" : "s"}`,
                "",
            );
            lines.push("| role | ARN | path |", "| --- | --- | --- |");
            for (const reach of inStack.slice(0, limit)) lines.push(`| ${reach.role.key} | \`${roleArn(reach.role)}\` | ${reach.path} |`);
            if (inStack.length > limit) lines.push("", `and ${inStack.length - limit} more in the full report.`);
            lines.push("");
        }
        return lines;
    };
    const reasons = leak.reached.map((r) => `- ${r.path}: ${r.reasons.join("; ")}`);
    const notApplied = (p: Decision) =>
        applied === undefined
            ? p.targets
            : p.targets.filter((t) => applied.some((a) => a.results.some((r) => r.target === t && r.outcome === "failed")));
    const rerun = parts.filter((p) => notApplied(p).length > 0);
    const apply = [
        ...(applied === undefined
            ? []
            : [
                  "### Applied at once (emergency path)",
                  "",
                  ...applied.map(({ account, results }) => {
                      const done = results.filter((r) => r.outcome !== "failed").length;
                      return `- Account ${account}: ${done} of ${results.length} roles revoked through the IAM API with \`revoke --leaked --now\`${
                          done === results.length
                              ? "."
                              : `; **not applied**: ${results
                                    .filter((r) => r.outcome === "failed")
                                    .map((r) => `\`${r.target.key}\` (${r.detail})`)
                                    .join(", ")}`
                      }`;
                  }),
                  "",
              ]),
        ...(rerun.length === 0
            ? []
            : [
                  applied === undefined ? "### Applying it now (the emergency path)" : "### Applying the rest now",
                  "",
                  "Each stack's part, through the IAM API with that account's credentials:",
                  "",
                  ...rerun.map(
                      (p) =>
                          `- \`npm run revoke -- --stack ${p.stack} ${notApplied(p)
                              .map((t) => `--role ${t.key}`)
                              .join(" ")} --at ${cutoff} --now\``,
                  ),
                  "",
              ]),
        ...(organization === undefined ? [] : [...organizationMarkdown(organization), ""]),
        "### What no role revocation covers",
        "",
        ...NOT_COVERED.map((n) => `- ${n}`),
    ];
    return {
        title,
        full: [...head, ...table(Infinity), "### Why each role is reachable", "", ...reasons, "", ...apply].join("\n"),
        summary: [...head, ...table(20), ...apply].join("\n"),
    };
}

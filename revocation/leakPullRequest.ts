/**
 * The pull request of a leak's revocation: why each role is reachable, what each revocation leaves
 * open (who can still assume the role, the workloads interrupted, who can undo it), what the
 * emergency path applied per account and the exact commands for what is left to apply, the
 * organization-wide part, and what no role revocation covers; in full, and as a summary that
 * names the roles by stack.
 */
import { stackFileName } from "../config/files";
import { NOT_COVERED, leftOpenMarkdown } from "../analysis/containment";
import { roleArn } from "../analysis/reachability";
import { AccountResult } from "./applyNow";
import { Decision } from "./decide";
import { credentialFlags, stackRerun } from "./nextCommands";
import { organizationMarkdown } from "./organization";
import type { LeakChange } from "./revokeLeaked";

/** How many revoked roles a summary lists with what each leaves open, and how many holders per role. */
const SUMMARY_OPEN = { roles: 10, perRole: 20 };

/** The pull request of a leak's revocation: the full text, and a summary that names the roles by stack. */
export function leakPullRequest(
    leak: LeakChange["leak"],
    change: Pick<LeakChange, "parts" | "cutoff" | "organization" | "open">,
    reason: string | undefined,
    applied?: AccountResult[],
    rerun: { endpointUrl?: string } = {},
): { title: string; full: string; summary: string } {
    const parts: Decision[] = change.parts.map((p) => p.decision);
    const { cutoff, organization } = change;
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
    const left = parts.filter((p) => notApplied(p).length > 0);
    // Each stack's rerun carries the cutoff, the endpoint and its account's credentials, as given.
    const accountOf = (p: Decision) => change.parts.find((part) => part.decision === p)?.account;
    const flags = (p: Decision) => ({ ...rerun, credentials: credentialFlags(applied ?? [], [accountOf(p)]) });
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
        ...(left.length === 0
            ? []
            : [
                  applied === undefined ? "### Applying it now (the emergency path)" : "### Applying the rest now",
                  "",
                  "Each stack's part, through the IAM API with that account's credentials:",
                  "",
                  ...left.map(
                      (p) =>
                          `- \`${stackRerun(
                              p.stack,
                              notApplied(p).map((t) => t.key),
                              cutoff,
                              flags(p),
                          )}\``,
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
        full: [
            ...head,
            ...table(Infinity),
            "### Why each role is reachable",
            "",
            ...reasons,
            "",
            leftOpenMarkdown(change.open),
            "",
            ...apply,
        ].join("\n"),
        summary: [...head, ...table(20), leftOpenMarkdown(change.open, SUMMARY_OPEN), "", ...apply].join("\n"),
    };
}

/**
 * `verify`'s words: per revocation, its state and what was read, the time to contain, the lines of
 * a failure, and the JSON of `--json`. The reading itself is verify.ts's.
 */
import { NAMESPACE } from "../config/stackConfig";
import { formatUtc } from "../iam/timestamps";
import { alignedRows } from "../apply/emergency";
import { OrganizationCheck, RoleCheck, StackVerification, VerifyState } from "./verify";

/** A duration in words: `1 h 45 min`, `3 min 12 s`, `45 s`. */
export function durationWords(ms: number): string {
    const seconds = Math.max(0, Math.floor(ms / 1000));
    const parts = [
        [Math.floor(seconds / 86_400), "d"],
        [Math.floor((seconds % 86_400) / 3600), "h"],
        [Math.floor((seconds % 3600) / 60), "min"],
        [seconds % 60, "s"],
    ] as const;
    const shown = parts.filter(([value]) => value > 0).map(([value, unit]) => `${value} ${unit}`);
    return shown.length === 0 ? "0 s" : shown.join(" ");
}

/** The time to contain: from the cutoff to the moment the revocation was verified live. */
export function timeToContain(check: RoleCheck | OrganizationCheck): number | undefined {
    return check.state === "live" && check.readAt !== undefined ? check.readAt.getTime() - check.cutoff.instant.getTime() : undefined;
}

const WORD: Record<VerifyState, string> = {
    live: "live",
    missing: "MISSING",
    weakened: "WEAKENED",
    "role missing": "ROLE MISSING",
    unverified: "UNVERIFIED",
};

/** A check's result in words: its state, what it rests on, when it was verified live, and what a repair did. */
function resultWords(check: RoleCheck | OrganizationCheck): string {
    const contained = timeToContain(check);
    const when =
        contained === undefined ? "" : `; verified live at ${formatUtc(check.readAt!)}, ${durationWords(contained)} after the cutoff`;
    const repair =
        check.kind === "role" && check.repair !== undefined
            ? ` (was ${check.repair.found.state}: ${check.repair.found.detail}; repaired through the emergency path: ${check.repair.outcome})`
            : "";
    return `${WORD[check.state]}: ${check.detail}${when}${repair}`;
}

/** The verification as a table for a terminal: one row per revocation. */
export function verificationTable(verification: StackVerification): string {
    return alignedRows([
        ["revocation", "revokes", "state"],
        ...verification.checks.map((c) =>
            c.kind === "role" ? [`role ${c.key}`, c.roleName, resultWords(c)] : ["organization", c.key, resultWords(c)],
        ),
    ]);
}

/** One line per revocation that is not live: the stack, what it revokes, and what differs. */
export function failureLines(verification: StackVerification): string[] {
    return verification.checks
        .filter((c) => c.state !== "live")
        .map((c) =>
            c.kind === "role"
                ? `stack ${verification.stack}: role ${c.key} (${c.roleName}): ${c.state}: ${c.detail}`
                : `stack ${verification.stack}: organization revocation of ${c.key}: ${c.state}: ${c.detail}`,
        );
}

/** One JSON object per revocation: what it revokes, its cutoff, state, the policy read, when verified and any repair. */
export function verificationJson(verification: StackVerification): Record<string, unknown>[] {
    return verification.checks.map((c) => {
        const common = {
            stack: verification.stack,
            cutoff: c.cutoff.toString(),
            safeToRemoveAfter: c.cutoff.safeToRemoveAfterText,
            state: c.state,
            detail: c.detail,
            verifiedAt: c.state === "live" && c.readAt !== undefined ? formatUtc(c.readAt) : null,
            timeToContainSeconds: timeToContain(c) === undefined ? null : Math.floor(timeToContain(c)! / 1000),
        };
        if (c.kind === "role") {
            return {
                ...common,
                role: c.key,
                roleName: c.roleName,
                source: c.source === "revokeBefore" ? "revokeBefore" : `${NAMESPACE}:revokeAllBefore`,
                policies: c.policies,
                repair: c.repair ?? null,
            };
        }
        return {
            ...common,
            organization: c.key,
            policy: c.policy,
            targets: c.targets,
            policies: verification.policies.filter((p) => p.name === c.policy),
        };
    });
}

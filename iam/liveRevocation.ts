/**
 * Revocations read back from the account: whether the inline policies a role holds, or the
 * service control policies attached to a target, still deny what the stack deploys. A live
 * statement denies every action on every resource to every session issued before an instant no
 * earlier than the configured cutoff, under no other condition; anything else denies less, and is
 * named: an earlier cutoff, a narrower action or resource, a condition added or changed. Pure: the
 * documents are read by the caller.
 */
import { ConditionBlock, PolicyDocument, PolicyStatement, asList } from "./policy";
import { Cutoff } from "./cutoff";
import { formatUtc, parseTimestamp } from "./timestamps";
import { show } from "./problems";

/** Whether a revocation is live: denied as configured (or later), not there at all, or there but denying less. */
export type LiveState = "live" | "missing" | "weakened";

/** A state and what it rests on, in words. */
export interface LiveVerdict {
    state: LiveState;
    detail: string;
}

/** One statement compared with the revocation's: the instant before which it denies sessions, and every way it denies less. */
export interface StatementReading {
    before?: Date;
    differences: string[];
}

const TOKEN_ISSUE_TIME = "aws:tokenissuetime";

/** Whether a condition's values hold every expected value (a list is an OR: more values deny more). */
function holdsAll(actual: unknown, expected: unknown): boolean {
    const values = new Set(asList(actual));
    return asList(expected).every((value) => values.has(value));
}

/**
 * Reads one statement against the revocation's shape: Deny, `*` on `*`, `DateLessThan
 * aws:TokenIssueTime`, and exactly the `expected` other conditions (the organization's principal
 * or user; none on a role's policy). The instant is the latest value of the cutoff condition as
 * IAM holds it, never rounded: rounding up would count a policy that denies less as live. IAM
 * reads condition keys regardless of case and requires every key of a block: a block that names
 * the key twice in two spellings denies only before the earlier of the two.
 */
export function readStatement(statement: PolicyStatement, expected: ConditionBlock = {}): StatementReading {
    const differences: string[] = [];
    if (statement.Effect !== "Deny") differences.push(`its Effect is ${show(statement.Effect)}, not Deny`);
    if (statement.Principal !== undefined || statement.NotPrincipal !== undefined) differences.push("it names a principal");
    if (statement.NotAction !== undefined) differences.push(`NotAction ${show(statement.NotAction)} in place of Action *`);
    else if (!asList(statement.Action).includes("*")) differences.push(`Action ${show(statement.Action)} is narrower than *`);
    if (statement.NotResource !== undefined) differences.push(`NotResource ${show(statement.NotResource)} in place of Resource *`);
    else if (!asList(statement.Resource).includes("*")) differences.push(`Resource ${show(statement.Resource)} is narrower than *`);
    let before: Date | undefined;
    let cutoffSeen = false;
    const seen = new Set<string>();
    for (const [operator, block] of Object.entries(statement.Condition ?? {})) {
        for (const [key, value] of Object.entries(block ?? {})) {
            if (operator === "DateLessThan" && key.toLowerCase() === TOKEN_ISSUE_TIME) {
                cutoffSeen = true;
                const dates = asList(value).map((v) => parseTimestamp(v));
                if (dates.length === 0 || dates.some((d) => !d.ok)) {
                    differences.push(`DateLessThan aws:TokenIssueTime ${show(value)} is not a timestamp`);
                    continue;
                }
                // A key's values are alternatives (the latest counts); two spellings of the key in one block
                // (aws:TokenIssueTime, AWS:TokenIssueTime) are both conditions, so the earliest of them counts.
                const latest = Math.max(...dates.map((d) => (d.ok ? d.date.getTime() : 0)));
                before = before === undefined || latest < before.getTime() ? new Date(latest) : before;
                continue;
            }
            const wanted = Object.entries(expected[operator] ?? {}).find(([k]) => k.toLowerCase() === key.toLowerCase());
            if (wanted !== undefined && holdsAll(value, wanted[1])) {
                seen.add(`${operator} ${wanted[0].toLowerCase()}`);
                continue;
            }
            differences.push(`a condition was ${wanted === undefined ? "added" : "changed"}: ${operator} ${key} ${show(value)}`);
        }
    }
    for (const [operator, block] of Object.entries(expected)) {
        for (const [key, value] of Object.entries(block)) {
            const changed = Object.keys(statement.Condition?.[operator] ?? {}).some((k) => k.toLowerCase() === key.toLowerCase());
            if (!seen.has(`${operator} ${key.toLowerCase()}`) && !changed) {
                differences.push(`the condition ${operator} ${key} ${show(value)} is missing`);
            }
        }
    }
    if (!cutoffSeen) differences.push("it has no DateLessThan aws:TokenIssueTime condition");
    return before === undefined ? { differences } : { before, differences };
}

/** The latest instant before which a document's statements deny every session exactly as a revocation does; undefined when none does. */
export function liveCutoff(document: PolicyDocument, expected: ConditionBlock = {}): Date | undefined {
    const instants = (Array.isArray(document.Statement) ? document.Statement : [])
        .map((statement) => readStatement(statement, expected))
        .filter((reading) => reading.differences.length === 0 && reading.before !== undefined)
        .map((reading) => reading.before!.getTime());
    return instants.length === 0 ? undefined : new Date(Math.max(...instants));
}

/** A statement's reading in words, against the cutoff: what it denies less, or that its cutoff is earlier. */
function shortfall(reading: StatementReading, cutoff: Cutoff): string[] {
    if (reading.differences.length > 0) return reading.differences;
    return [`it denies only sessions issued before ${formatUtc(reading.before!)}, earlier than the cutoff ${cutoff}`];
}

/**
 * Judges the revocation policies read from a role (`RevokeOlderSessions`, the console's
 * `AWSRevokeOlderSessions`), against the cutoff the stack deploys: live when one denies at least
 * as much, missing when the role holds neither, weakened otherwise, with each policy's shortfall.
 */
export function judgeRolePolicies(policies: { name: string; document: PolicyDocument }[], cutoff: Cutoff): LiveVerdict {
    for (const { name, document } of policies) {
        const before = liveCutoff(document);
        if (before !== undefined && before >= cutoff.instant) {
            const later = before > cutoff.instant ? `, later than the cutoff ${cutoff}` : "";
            return { state: "live", detail: `${name} denies sessions issued before ${formatUtc(before)}${later}` };
        }
    }
    if (policies.length === 0)
        return { state: "missing", detail: "the role holds no RevokeOlderSessions or AWSRevokeOlderSessions policy" };
    const why = policies.map(({ name, document }) => {
        const statements = Array.isArray(document.Statement) ? document.Statement : [];
        const lines = statements.length === 0 ? ["it holds no statement"] : statements.flatMap((s) => shortfall(readStatement(s), cutoff));
        return `${name}: ${[...new Set(lines)].join("; ")}`;
    });
    return { state: "weakened", detail: why.join(" | ") };
}

/**
 * Judges one organization revocation on one target from the statements that hold its key in the
 * policies attached there (`expected`: its other conditions, as the stack renders them): live
 * when one denies at least as much, weakened when the statements there deny less, missing when
 * none holds it (`absent` says why).
 */
export function judgeOrganizationStatements(
    statements: PolicyStatement[],
    expected: ConditionBlock,
    cutoff: Cutoff,
    absent: string,
): LiveVerdict {
    const readings = statements.map((statement) => readStatement(statement, expected));
    const live = readings.find((r) => r.differences.length === 0 && r.before !== undefined && r.before >= cutoff.instant);
    if (live !== undefined) return { state: "live", detail: `denies sessions issued before ${formatUtc(live.before!)}` };
    if (readings.length === 0) return { state: "missing", detail: absent };
    return { state: "weakened", detail: [...new Set(readings.flatMap((r) => shortfall(r, cutoff)))].join("; ") };
}

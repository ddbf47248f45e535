/**
 * Cutoffs as written in the config, compared key by key: one moved earlier or removed inside its
 * window fails; a new one, a later one, or one removed after its window passes and is listed.
 */
import { NAMESPACE } from "../../config/stackConfig";
import { StackChange } from "../sides";
import { Cutoff } from "../../iam/cutoff";
import { Finding, Subject, failure, passing, role, wholeStack } from "../findings";

/** Compares one cutoff field across the change (a malformed new value is the validation's to report). */
export function compareCutoff(subject: Subject, field: string, before: unknown, after: unknown, now: Date): Finding[] {
    const old = Cutoff.read(before);
    const cur = Cutoff.read(after);
    if (old !== undefined && cur !== undefined) {
        if (cur.isBefore(old)) {
            return [failure(subject, `${field} moved earlier from ${old} to ${cur}, re-enabling sessions issued in between`)];
        }
        return cur.isAfter(old) ? [passing(subject, `${field} moved later from ${old} to ${cur}`)] : [];
    }
    if (old !== undefined && after === undefined) {
        const safe = old.safeToRemoveAfterText;
        return old.inForceAt(now)
            ? [failure(subject, `${field} ${old} removed before it is safe to remove (${safe})`)]
            : [passing(subject, `${field} ${old} removed after its safe-to-remove time (${safe})`)];
    }
    return cur !== undefined && old === undefined ? [passing(subject, `new revocation: ${field} ${cur}`)] : [];
}

/**
 * The cutoffs of a stack whose file exists and loads at the head (a head the loader refuses is
 * judged by that refusal alone, and a deleted file by what it deployed), compared with the base's.
 */
export function cutoffRules({ stack, base, head, now }: StackChange): Finding[] {
    const [before, after] = [base.revocations, head.revocations];
    if (!head.present || head.loaded === undefined || before === undefined || after === undefined) return [];
    const findings = compareCutoff(wholeStack(stack), `${NAMESPACE}:revokeAllBefore`, before.revokeAllBefore, after.revokeAllBefore, now);
    for (const [key, current] of after.roles) {
        findings.push(...compareCutoff(role(stack, key), "revokeBefore", before.roles.get(key)?.revokeBefore, current.revokeBefore, now));
    }
    return findings;
}

/**
 * Fail closed: a head the loader, the validation or the plan refuses fails with its own messages,
 * and a base that cannot be read, validated or planned fails when it holds (or may hold) a
 * revocation in force, since nothing is compared by a weaker method instead.
 */
import { stackFileName } from "../../config/loader";
import { Finding, failure, file, passing } from "../findings";
import { StackChange, inForceByConfig } from "../sides";

export function readabilityRules({ stack, base, head, now }: StackChange): Finding[] {
    const stackFile = stackFileName(stack);
    const subject = file(stackFile, stack);
    const findings = head.problems.map((problem) =>
        failure(subject, problem.startsWith(`${stackFile}: `) ? problem.slice(stackFile.length + 2) : problem),
    );
    if (!base.present || base.problems.length === 0) return findings;
    const held = base.revocations === undefined ? [] : inForceByConfig(stack, base.revocations, now);
    if (base.revocations === undefined || held.length > 0) {
        const what =
            base.revocations === undefined
                ? "it may hold revocations in force"
                : `it holds revocations in force (${held.map((r) => r.key).join(", ")})`;
        findings.push(
            failure(
                subject,
                `cannot be read, validated or planned at the base (${base.problems[0]}) and ${what}: the guard cannot tell what this change does to them; fix the base first`,
            ),
        );
    } else {
        findings.push(passing(subject, `at the base it could not be planned (${base.problems[0]}); it holds no revocation in force`));
    }
    return findings;
}

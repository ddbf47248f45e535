/**
 * No one may be handed the means to undo a revocation in force: a change that gives a role (new or
 * existing, in any stack of the revoked role's account) a right to remove or rewrite the revoked
 * role's inline policies, delete it or rewrite its trust fails, and so does a change that widens
 * who can assume a role already holding such a right.
 */
import { PLACEHOLDER_ACCOUNT, trustPolicy } from "../../iam/trust";
import { formatUtc, safeToRemoveAfter } from "../../iam/timestamps";
import { RoleFacts } from "../../analysis/reachability";
import { trustChanges } from "../../analysis/trust";
import { undoGrantInWords, undoGrantKey, undoGrants, undoProfile } from "../../analysis/undo";
import { Finding, failure, role } from "../findings";

/** A role revoked at the base, with its cutoff. */
export interface RevokedRole {
    facts: RoleFacts;
    cutoff: Date;
}

/** A role at both sides of the change; `base` is undefined for a new role. */
export interface ChangedRole {
    base?: RoleFacts;
    head: RoleFacts;
}

function renderedTrust(facts: RoleFacts) {
    return trustPolicy(facts.trust, { partition: facts.partition ?? "aws", accountId: facts.account ?? PLACEHOLDER_ACCOUNT });
}

export function undoRules(revoked: RevokedRole[], changed: ChangedRole[]): Finding[] {
    const findings: Finding[] = [];
    for (const { base, head } of changed) {
        // Most roles can undo nothing: read their permissions once, and skip them.
        if (undoProfile(head).statements.length === 0) continue;
        for (const target of revoked) {
            if (target.facts.stack === head.stack && target.facts.key === head.key) continue;
            const grants = undoGrants(head, target.facts);
            if (grants.length === 0) continue;
            const what = `the revocation of ${target.facts.stack}/${target.facts.key} (IAM role ${target.facts.roleName}, in force until ${formatUtc(safeToRemoveAfter(target.cutoff))})`;
            const before = new Set(base === undefined ? [] : undoGrants(base, target.facts).map(undoGrantKey));
            for (const grant of grants.filter((g) => !before.has(undoGrantKey(g)))) {
                findings.push(
                    failure(
                        role(head.stack, head.key),
                        `may now undo ${what}: ${undoGrantInWords(grant)}; whoever can assume ${head.roleName} could remove or rewrite the revocation in one call`,
                    ),
                );
            }
            if (base !== undefined && before.size > 0) {
                for (const widened of trustChanges(renderedTrust(base), renderedTrust(head)).widened) {
                    findings.push(failure(role(head.stack, head.key), `can undo ${what}, and its trust is widened: ${widened}`));
                }
            }
        }
    }
    return findings;
}

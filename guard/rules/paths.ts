/**
 * What the guard can judge is the stack files: it plans them with a program it trusts. A change to
 * anything else (the program, the components, package.json and its lock file, .npmrc,
 * tsconfig.json, .gitattributes, tools, tests, workflows, Pulumi.yaml) can change what `pulumi up`
 * runs in ways no offline plan shows, so while any revocation is in force only stack files and
 * documentation may change.
 */
import * as path from "path";
import { formatUtc } from "../../iam/timestamps";
import { Finding, failure } from "../findings";
import { ConfigRevocation } from "../sides";

/**
 * Whether a changed path (relative to the project folder) is a stack file or documentation. A
 * `CODEOWNERS` file is neither, wherever it lies: GitHub reads `docs/CODEOWNERS` as the code
 * owners when the repository has no other, and the override of the freeze trusts them.
 */
export function isStackFileOrDocumentation(changed: string): boolean {
    if (/^Pulumi\.[^/]+\.yaml$/.test(changed) && changed !== "Pulumi.yaml") return true;
    if (path.posix.basename(changed).toUpperCase() === "CODEOWNERS") return false;
    return /\.md$/.test(changed) || /^(?:\.\.\/)*docs\//.test(changed);
}

/**
 * The path rule: fails when anything but stack files and documentation changes while `inForce`
 * is not empty, or while a base stack file cannot be read to tell (`unreadable`).
 */
export function pathRules(changed: string[], inForce: ConfigRevocation[], unreadable: string[]): Finding[] {
    const judged = changed.filter((p) => !isStackFileOrDocumentation(p));
    if (judged.length === 0 || (inForce.length === 0 && unreadable.length === 0)) return [];
    const held = [
        ...inForce.map((r) => `${r.stack}/${r.key} until ${r.cutoff.safeToRemoveAfterText}`),
        ...unreadable.map((file) => `possibly in ${file}, which cannot be read at the base`),
    ];
    const last = inForce.reduce<Date | undefined>((latest, r) => {
        const safe = r.cutoff.safeToRemoveAfter;
        return latest === undefined || safe > latest ? safe : latest;
    }, undefined);
    const when =
        unreadable.length > 0
            ? "fix the unreadable stack files first, then merge once every revocation is safe to remove"
            : `merge after ${formatUtc(last!)}, when every revocation is safe to remove`;
    return [
        failure(
            { kind: "paths", paths: judged },
            `changed while revocations are in force (${held.join(", ")}): only stack files and documentation may change until every revocation is safe to remove, because the guard cannot judge what a change to the program, its packages, settings, tools or workflows deploys; ${when}`,
        ),
    ];
}

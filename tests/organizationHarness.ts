/** What the organization layer's tests share: the guard, the clock, a cutoff in force and one safe to remove, a user, and an organization stack file. */
import { commandMain } from "../cli/main";

export const guard = commandMain("guard");

export const NOW = new Date("2026-11-27T12:00:00Z");
/** In force until 2026-11-27T23:00:00Z. */
export const CUTOFF = "2026-11-27T10:00:00Z";
/** Safe to remove since 2026-11-27T11:00:00Z. */
export const OLD_CUTOFF = "2026-11-26T22:00:00Z";
export const USER = "90676d4c3b-0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d";

/** An organization stack file: its targets and `- roleName: …` / `- identityCenterUserId: …` entries. */
export function organizationStack(targets: string[], revocations: { role?: string; user?: string; cutoff: string }[], extra = ""): string {
    const entries = revocations.map((r) =>
        r.role !== undefined
            ? `      - roleName: ${r.role}\n        revokeBefore: "${r.cutoff}"\n`
            : `      - identityCenterUserId: "${r.user}"\n        revokeBefore: "${r.cutoff}"\n`,
    );
    const list = entries.length === 0 ? "    revocations: []\n" : `    revocations:\n${entries.join("")}`;
    return `config:\n  aws:region: us-east-1\n${extra}  revocable-roles:organization:\n    targets: ${JSON.stringify(targets)}\n${list}`;
}

/**
 * The footprint of a change: which resources a new plan adds, changes and removes compared with
 * the previous one. A revocation must touch the minimum: its policies, never a role.
 */
import { isDeepStrictEqual } from "util";
import { Plan } from "../cli/plan";

/** Resources added, changed and removed, by URN. */
export interface Footprint {
    added: string[];
    changed: string[];
    removed: string[];
}

/** Compares two plans of the same stack. */
export function footprint(before: Plan, after: Plan): Footprint {
    const old = new Map(before.resources.map((r) => [r.urn, r]));
    const now = new Set(after.resources.map((r) => r.urn));
    const added: string[] = [];
    const changed: string[] = [];
    for (const resource of after.resources) {
        const previous = old.get(resource.urn);
        if (previous === undefined) added.push(resource.urn);
        else if (!isDeepStrictEqual(previous.inputs, resource.inputs)) changed.push(resource.urn);
    }
    return { added, changed, removed: before.resources.filter((r) => !now.has(r.urn)).map((r) => r.urn) };
}

/** The URNs of a footprint, all kinds together. */
export function touched(f: Footprint): string[] {
    return [...f.added, ...f.changed, ...f.removed];
}

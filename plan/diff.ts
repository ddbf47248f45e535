/**
 * What changes between two plans of a stack, in words for reviewers, and the revocation policies
 * a targeted deploy updates when they are all that changed.
 */
import { Footprint, Plan, PlannedResource, footprint } from "./model";
import { ROLE_TYPES, revocationCutoff } from "./deployment";
import { backendOfType } from "../backends";
import { REVOKED_UNTIL_TAG } from "../iam/policy";
import { isDeepStrictEqual } from "util";
import { formatPath } from "../iam/problems";

function parsed(value: unknown): unknown {
    if (typeof value === "string" && /^\s*[{[]/.test(value)) {
        try {
            return JSON.parse(value);
        } catch {
            return value;
        }
    }
    return value;
}

/** Structural differences between two values, one line each, with JSON documents compared as data. */
export function structuralDiff(before: unknown, after: unknown, at: PropertyKey[] = []): string[] {
    const a = parsed(before);
    const b = parsed(after);
    if (JSON.stringify(a) === JSON.stringify(b)) return [];
    const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null;
    if (isObject(a) && isObject(b) && Array.isArray(a) === Array.isArray(b)) {
        const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
        return keys.flatMap((key) => structuralDiff(a[key], b[key], [...at, Array.isArray(a) ? Number(key) : key]));
    }
    const where = formatPath(at);
    if (a === undefined) return [`+ ${where}: ${JSON.stringify(b)}`];
    if (b === undefined) return [`- ${where}: ${JSON.stringify(a)}`];
    return [`~ ${where}: ${JSON.stringify(a)} -> ${JSON.stringify(b)}`];
}

/** What changes from one plan to another: resources added, updated, replaced (`+-`) and removed, with their differences. */
export function diffPlans(before: Plan, after: Plan, ref: string, f: Footprint = footprint(before, after)): string {
    const [added, changed, replaced] = [new Set(f.added), new Set(f.changed), new Set(f.replaced)];
    const old = new Map(before.resources.map((r) => [r.urn, r]));
    const label = (r: PlannedResource) => `${r.type} ${r.name}${r.protect ? " (protected)" : ""}`;
    const indent = (lines: string[]) => lines.map((l) => `    ${l}`);
    const lines: string[] = [];
    for (const resource of after.resources) {
        const prior = old.get(f.previous.get(resource.urn) ?? resource.urn);
        if (added.has(resource.urn)) lines.push(`+ ${label(resource)}`, ...indent(structuralDiff({}, resource.inputs)));
        if (changed.has(resource.urn)) lines.push(`~ ${label(resource)}`, ...indent(structuralDiff(prior!.inputs, resource.inputs)));
        if (replaced.has(resource.urn)) {
            const differences = structuralDiff(prior!.inputs, resource.inputs);
            lines.push(
                `+- ${label(resource)}`,
                ...indent(differences.length > 0 ? differences : ["(replaced with the resource it takes its role from)"]),
            );
        }
    }
    lines.push(...f.removed.map((urn) => `- ${label(old.get(urn)!)}`));
    const header = `Changes to stack "${after.stack}" since ${ref}: ${f.added.length} to add, ${f.changed.length} to change, ${f.replaced.length} to replace, ${f.removed.length} to remove.`;
    return [header, ...(lines.length > 0 ? ["", ...lines] : [])].join("\n");
}

/** Whether a role's only change is its revoked-until tag, added or moved later (a revocation added or moved later). */
function onlyRevocationTagLater(prior: PlannedResource, resource: PlannedResource): boolean {
    const differing = Object.keys({ ...prior.inputs, ...resource.inputs }).filter(
        (key) => !isDeepStrictEqual(prior.inputs[key], resource.inputs[key]),
    );
    if (differing.length !== 1) return false;
    const read = backendOfType(resource.type)!.read;
    const [{ [REVOKED_UNTIL_TAG]: was, ...before }, { [REVOKED_UNTIL_TAG]: until, ...after }] = [
        read.tags(prior.inputs),
        read.tags(resource.inputs),
    ];
    return until !== undefined && (was === undefined || was < until) && isDeepStrictEqual(before, after);
}

/**
 * The URNs to deploy with `pulumi up --target` when every change between the plans is a
 * revocation policy added, or changed to a later cutoff, on a role that already exists (with the
 * role's revoked-until tag, which changes with it); empty
 * when anything else changes (or nothing does), so that everything else deploys in full.
 */
export function revocationTargets(before: Plan, after: Plan, f: Footprint = footprint(before, after)): string[] {
    if (f.replaced.length > 0 || f.removed.length > 0) return [];
    const old = new Map(before.resources.map((r) => [r.urn, r]));
    const changed = new Set([...f.added, ...f.changed]);
    const targets = after.resources.filter((r) => changed.has(r.urn));
    for (const resource of targets) {
        const prior = old.get(f.previous.get(resource.urn) ?? resource.urn);
        // The role of a new or later revocation changes its revoked-until tag with it: targeted with its policy.
        if (ROLE_TYPES.has(resource.type)) {
            if (prior === undefined || !onlyRevocationTagLater(prior, resource)) return [];
            continue;
        }
        const cutoff = revocationCutoff(resource);
        if (cutoff === undefined) return [];
        const was = prior === undefined ? undefined : revocationCutoff(prior);
        if (prior !== undefined && (was === undefined || cutoff <= was)) return [];
    }
    return targets.map((r) => r.urn);
}

/**
 * An offline plan as data, and what changes between two plans the way the Pulumi engine would
 * see it: resources added, updated in place, replaced and removed.
 */
import { isDeepStrictEqual } from "util";
import { REPLACING_INPUTS } from "../backends";

/** A resource of the plan: the `--json` contract. */
export interface PlannedResource {
    urn: string;
    type: string;
    name: string;
    parent: string | null;
    inputs: Record<string, unknown>;
    /** Whether the engine refuses to delete or replace it (`protect`). */
    protect: boolean;
}

/** An alias a resource declares: an old URN, or the parts of one that differ. */
export type AliasRecord =
    { urn: string } | { name?: string; type?: string; stack?: string; project?: string; parentUrn?: string; noParent?: boolean };

/** What the engine also receives with a registration (not part of the `--json` contract). */
export interface RegistrationDetails {
    deleteBeforeReplace: boolean;
    /** Per input property, the URNs of the resources its value came from. */
    propertyDependencies: Record<string, string[]>;
    /** The aliases the resource declares. */
    aliases: AliasRecord[];
}

/** The plan of one stack. */
export interface Plan {
    project: string;
    stack: string;
    resources: PlannedResource[];
    details: Map<string, RegistrationDetails>;
}

/** Resources a new plan adds, updates in place, replaces and removes, by URN (of the new plan, or the old for removals). */
export interface Footprint {
    added: string[];
    changed: string[];
    replaced: string[];
    removed: string[];
    /** For changed and replaced resources, the URN they had in the old plan (different when an alias renamed them). */
    previous: Map<string, string>;
}

/**
 * Compares two plans of the same stack. A resource is replaced when an input its provider
 * cannot update changes, or when such an input takes its value from a replaced resource: the
 * engine replaces those dependents too (a policy whose `role` is the Output of a replaced role).
 */
export function footprint(before: Plan, after: Plan): Footprint {
    const old = new Map(before.resources.map((r) => [r.urn, r]));
    const previous = new Map<string, string>();
    const matched = new Set<string>();
    const f: Footprint = { added: [], changed: [], replaced: [], removed: [], previous };
    const replaced = new Set<string>();
    const previousOf = previousUrns(after);
    for (const resource of after.resources) {
        const candidates = [resource.urn, ...previousOf(resource.urn)];
        const match = candidates.find((urn) => old.has(urn) && !matched.has(urn));
        if (match === undefined) {
            f.added.push(resource.urn);
            continue;
        }
        matched.add(match);
        const prior = old.get(match)!;
        if (match !== resource.urn) previous.set(resource.urn, match);
        const replacing = REPLACING_INPUTS[resource.type] ?? [];
        const dependencies = after.details.get(resource.urn)?.propertyDependencies ?? {};
        const replacedInput = replacing.some(
            (input) =>
                !isDeepStrictEqual(prior.inputs[input], resource.inputs[input]) ||
                (dependencies[input] ?? []).some((urn) => replaced.has(urn)),
        );
        if (replacedInput) {
            replaced.add(resource.urn);
            f.replaced.push(resource.urn);
        } else if (!isDeepStrictEqual(prior.inputs, resource.inputs)) {
            f.changed.push(resource.urn);
        }
    }
    f.removed = before.resources.filter((r) => !matched.has(r.urn)).map((r) => r.urn);
    return f;
}

/** Every URN a footprint touches. */
export function touched(f: Footprint): string[] {
    return [...f.added, ...f.changed, ...f.replaced, ...f.removed];
}

/** The parts of a URN: `urn:pulumi:<stack>::<project>::<qualified type>::<name>`. */
export function urnParts(urn: string): { stack: string; project: string; qualifiedType: string; name: string } {
    const [head, project, qualifiedType, ...name] = urn.split("::");
    return { stack: head.replace(/^urn:pulumi:/, ""), project, qualifiedType, name: name.join("::") };
}

function urnOf(stack: string, project: string, qualifiedType: string, name: string): string {
    return `urn:pulumi:${stack}::${project}::${qualifiedType}::${name}`;
}

/**
 * The URNs each resource of a plan had before, by its declared aliases and its parent's (what the
 * engine would match against state), as a lookup by URN. Computed on demand: a plan is made far
 * more often than compared.
 */
export function previousUrns(plan: Plan): (urn: string) => string[] {
    const byUrn = new Map(plan.resources.map((r) => [r.urn, r]));
    const known = new Map<string, string[]>();
    const of = (urn: string): string[] => {
        let result = known.get(urn);
        if (result === undefined) {
            const resource = byUrn.get(urn);
            const aliases = plan.details.get(urn)?.aliases ?? [];
            result = resource === undefined ? [] : aliasedUrns(resource, aliases, resource.parent === null ? [] : of(resource.parent));
            known.set(urn, result);
        }
        return result;
    };
    return of;
}

function aliasedUrns(resource: { urn: string; parent: string | null }, aliases: AliasRecord[], parentPrevious: string[]): string[] {
    const parts = urnParts(resource.urn);
    const ownType = parts.qualifiedType.split("$").pop()!;
    const result = new Set<string>();
    const types = new Set([ownType]);
    const names = new Set([parts.name]);
    for (const alias of aliases) {
        if ("urn" in alias) result.add(alias.urn);
        else {
            if (alias.type !== undefined) types.add(alias.type);
            if (alias.name !== undefined) names.add(alias.name);
        }
    }
    const prefixes = new Set([parts.qualifiedType.split("$").slice(0, -1).join("$")]);
    for (const parentUrn of parentPrevious) prefixes.add(urnParts(parentUrn).qualifiedType);
    for (const prefix of prefixes) {
        for (const type of types) {
            for (const name of names) result.add(urnOf(parts.stack, parts.project, prefix === "" ? type : `${prefix}$${type}`, name));
        }
    }
    result.delete(resource.urn);
    return [...result];
}

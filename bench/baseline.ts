/** What the baseline program is given: the resources a plan registered, with what else the engine received for each. */
import { AliasRecord } from "../cli/offline";
import { Plan, PlannedResource } from "../analysis/plan";

/** A planned resource with its options and dependencies: the baseline program declares exactly that. */
export type BaselineResource = PlannedResource & {
    deleteBeforeReplace: boolean;
    propertyDependencies: Record<string, string[]>;
    aliases: AliasRecord[];
};

/** The baseline program's input for a plan. */
export function baselineOf(plan: Plan): BaselineResource[] {
    return plan.resources.map((r) => {
        const { deleteBeforeReplace, propertyDependencies, aliases } = plan.details.get(r.urn)!;
        return { ...r, deleteBeforeReplace, propertyDependencies, aliases };
    });
}

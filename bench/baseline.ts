/** What the baseline program is given: the resources a plan registered, with what else the engine received for each. */
import { Plan, PlannedResource, RegistrationDetails } from "../plan/model";

/** A planned resource with its options and dependencies: the baseline program declares exactly that. */
export type BaselineResource = PlannedResource & RegistrationDetails;

/** The baseline program's input for a plan. */
export function baselineOf(plan: Plan): BaselineResource[] {
    return plan.resources.map((r) => ({ ...r, ...plan.details.get(r.urn)! }));
}

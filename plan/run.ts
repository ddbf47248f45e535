/**
 * Planning a stack offline: the real program run under Pulumi's mock runtime (the recorder) with
 * the stack's configuration, its registrations turned into a plan.
 */
import * as path from "path";
import { Registration, loadProgram, runOffline } from "./recorder";
import { registerTypeScript } from "./typescript";
import { heapGrowthFor } from "./heap";
import { Plan, PlannedResource, RegistrationDetails } from "./model";
import { LoadedStack, loadProject, loadStack, stackFileName } from "../config/loader";
import { ProjectSource } from "../config/sources";
import { CONFIG_ERROR_HEADER } from "../config/stackConfig";
import { UserFacingError } from "../iam/errors";

/** Why a stack could not be planned: its config's problems, one per line, or the program's failure in one line. */
export class PlanError extends UserFacingError {
    constructor(message: string) {
        super(message);
        this.name = "PlanError";
    }
}

/**
 * Plans a loaded stack by running the program in `programRoot` (the project's, or a base's own
 * code written out to a temporary folder), as of `now`, which decides what is valid and in force.
 */
export async function planStack(loaded: LoadedStack, programRoot: string, now: Date): Promise<Plan> {
    registerTypeScript(programRoot);
    heapGrowthFor(loaded.text.length);
    const run = await runOffline(loadProgram(path.join(programRoot, "index.ts")), {
        project: loaded.project.name,
        stack: loaded.stack,
        config: loaded.config,
        now,
    });
    if (run.error !== undefined) {
        // Config errors: the lines themselves, one per problem, without the program's header; any other failure in one line.
        const message = run.error.message;
        throw new PlanError(
            message.startsWith(`${CONFIG_ERROR_HEADER}\n`) ? message.slice(CONFIG_ERROR_HEADER.length + 1) : message.split("\n")[0],
        );
    }
    return toPlan(loaded.project.name, loaded.stack, run.registrations);
}

/** A plan from recorded registrations. */
export function toPlan(project: string, stack: string, registrations: Registration[]): Plan {
    const details = new Map<string, RegistrationDetails>();
    const resources = registrations.map((r): PlannedResource => {
        details.set(r.urn, {
            deleteBeforeReplace: r.deleteBeforeReplace,
            propertyDependencies: r.propertyDependencies,
            aliases: r.aliases,
        });
        return { urn: r.urn, type: r.type, name: r.name, parent: r.parent ?? null, inputs: r.inputs, protect: r.protect };
    });
    return { project, stack, resources, details };
}

/** An empty plan: the stack as it is before its stack file exists. */
export function emptyPlan(project: string, stack: string): Plan {
    return { project, stack, resources: [], details: new Map() };
}

/** The plan of a stack in another source (a git ref), or an empty plan when the stack file does not exist there. */
export async function planAt(source: ProjectSource, stack: string, programRoot: string, now: Date): Promise<Plan> {
    if (!source.entries().has(stackFileName(stack))) return emptyPlan(loadProject(source).name, stack);
    return planStack(loadStack(source, stack), programRoot, now);
}

/**
 * `revocable-roles plan`: runs the real program against a stack's configuration under Pulumi's
 * mock runtime and shows what it would deploy, as text for people, as JSON for tools, or as a
 * diff against the same stack at a git ref (revocation/planReport.ts words it).
 */
import { loadStack, stackFileName } from "../config/loader";
import { directorySource, gitSource } from "../config/sources";
import { footprint } from "../plan/model";
import { diffPlans, revocationTargets } from "../plan/diff";
import { repositoryRoles } from "../analysis/containment";
import { containmentOf, describePlan, planJson } from "../revocation/planReport";
import { CommandIO } from "./command";
import type { PlanFlags } from "./commands";
import { Values } from "./command";
import { Environment } from "./environment";
import { CliError, UsageError } from "./io";

/** `plan`: the offline plan of a stack, or what changes since a git ref. */
export async function run(values: Values<PlanFlags>, { out }: CommandIO, env: Environment): Promise<number> {
    if (values.stack === undefined) throw new UsageError("--stack is required");
    if (values["revocation-targets"] === true && values.diff === undefined)
        throw new UsageError("--revocation-targets needs --diff <git-ref>");
    const { stack, diff } = { stack: values.stack, diff: values.diff };
    const source = directorySource(env.root);
    // The program's runtime (the Pulumi SDK and the providers) is loaded only when a plan runs.
    const { planAt, planStack } = await import("../plan/run");
    const after = await planStack(loadStack(source, stack), env.programRoot, env.now);
    if (diff === undefined) {
        const warnings = containmentOf(after, () => repositoryRoles(source, env.now).roles);
        out.write(`${values.json === true ? JSON.stringify(planJson(after, warnings)) : describePlan(after, warnings)}\n`);
        return 0;
    }
    const before = await planAt(gitSource(env.root, diff), stack, env.programRoot, env.now).catch((error: Error) => {
        throw new CliError(`${stackFileName(stack)} at ${diff}: ${error.message}`);
    });
    const f = footprint(before, after);
    if (values["revocation-targets"] === true)
        out.write(
            revocationTargets(before, after, f)
                .map((urn) => `${urn}\n`)
                .join(""),
        );
    else if (values.json === true) out.write(`${JSON.stringify({ before: planJson(before), after: planJson(after) })}\n`);
    else out.write(`${diffPlans(before, after, diff, f)}\n`);
    return 0;
}

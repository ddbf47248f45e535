/**
 * `revocable-roles ci`: the steps of the GitHub Actions workflows that do more than one thing, as
 * commands (the work is revocation/workflow.ts's).
 *
 *   ci guard                      the trusted judge: the base's guard on the pull request's head commit
 *   ci pull-request [--base ref]  the offline plan of every stack the change can deploy differently
 *   ci deploy --stack <name>      judge what was deployed last against HEAD, then pulumi up
 *   ci stacks [--json]            every stack's account, region and CI roles, and whether the change can deploy it differently
 */
import { WorkflowContext, eventCommits, guardPullRequest, pullRequestPlan } from "../revocation/workflow";
import { deploy } from "../revocation/deploy";
import { ChangeSince, printStacks } from "../revocation/stacks";
import { CommandIO, Values } from "./command";
import type { CiDeployFlags, CiGuardFlags, CiPullRequestFlags, CiStacksFlags } from "./commands";
import { Environment } from "./environment";
import { UsageError } from "./io";
import { gitHubAccess } from "../revocation/githubApi";

/** The steps' view of the environment. */
function workflow(env: Environment): WorkflowContext {
    return {
        root: env.root,
        programRoot: env.programRoot,
        now: env.now,
        variables: env.variables,
        debug: env.debug,
        github: gitHubAccess(env.variables, (ms) => env.time.timeout(ms)),
    };
}

/** `ci guard`: the trusted judge of a pull request. */
export async function guardStep(values: Values<CiGuardFlags>, { out }: CommandIO, env: Environment): Promise<number> {
    if ((values.base === undefined) !== (values.head === undefined)) throw new UsageError("give --base and --head together, or neither");
    return guardPullRequest(values, out, workflow(env));
}

/** `ci pull-request`: the offline plan of every stack the change can deploy differently. */
export async function pullRequestStep(values: Values<CiPullRequestFlags>, { out }: CommandIO, env: Environment): Promise<number> {
    const variables = env.variables;
    const queued = variables.GITHUB_EVENT_NAME === "merge_group" ? eventCommits(variables).base : undefined;
    const base = values.base ?? queued ?? (variables.GITHUB_BASE_REF ? `origin/${variables.GITHUB_BASE_REF}` : undefined);
    if (base === undefined) throw new UsageError("give --base, or run in a pull request (GITHUB_BASE_REF) or a merge queue");
    return pullRequestPlan(base, out, workflow(env));
}

/** `ci deploy`: one stack deployed, judged first against the commit deployed last. */
export async function deployStep(values: Values<CiDeployFlags>, { out, err }: CommandIO, env: Environment): Promise<number> {
    if (values.stack === undefined) throw new UsageError("--stack is required");
    return deploy(values.stack, out, err, { ...workflow(env), time: env.time, aws: env.aws });
}

/** `ci stacks`: every stack, and whether the change can deploy it differently: since the event's base in a pull request or a merge queue, else since each stack's deployed commit. */
export async function stacksStep(values: Values<CiStacksFlags>, { out, err }: CommandIO, env: Environment): Promise<number> {
    const variables = env.variables;
    const event = variables.GITHUB_EVENT_NAME;
    const base =
        values.base ??
        (event === "merge_group" ? eventCommits(variables).base : undefined) ??
        ((event === "pull_request" || event === "pull_request_target") && variables.GITHUB_BASE_REF
            ? `origin/${variables.GITHUB_BASE_REF}`
            : undefined);
    const since: ChangeSince = base === undefined ? { deployed: true } : { base };
    // A run started by hand deploys every stack: a refreshed update restores what drifted.
    return printStacks(
        { since, json: values.json === true, all: values.all === true || event === "workflow_dispatch" },
        out,
        err,
        workflow(env),
    );
}

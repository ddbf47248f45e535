/**
 * `revocable-roles ci`: the steps of the GitHub Actions workflows that do more than one thing, as
 * commands (the work is revocation/workflow.ts's).
 *
 *   ci guard                      the trusted judge: the base's guard on the pull request's head commit
 *   ci pull-request [--base ref]  the offline plan of every stack the change can deploy differently
 *   ci deploy --stack <name>      judge what was deployed last against HEAD, then pulumi up
 */
import {
    DEPLOYED_COMMIT_TAG,
    GUARD_REPORT_FILE,
    REPORT_FILE,
    WorkflowContext,
    deploy,
    eventCommits,
    guardPullRequest,
    pullRequestPlan,
} from "../revocation/workflow";
import { Command, Main, command, mainOf, step } from "./command";
import { Environment } from "./environment";
import { UsageError } from "./io";

/** The steps' view of the environment. */
function workflow(env: Environment): WorkflowContext {
    return { root: env.root, programRoot: env.programRoot, now: env.now, variables: env.variables, debug: env.debug };
}

export const ci: Command = command({
    usage: "usage: npm run ci -- guard [--base <sha> --head <sha>] | pull-request [--base <git-ref>] | deploy --stack <name>",
    description: "The workflows' steps:",
    flags: {},
    steps: {
        guard: step({
            description: `the trusted judge, run in a checkout of the base commit with its own dependencies: fetches the pull request's (or merge group's) head commit named by the event, and runs this checkout's guard on it from git objects only; writes ${GUARD_REPORT_FILE} for the comment; exit code 1 when a revocation would be weakened or the change cannot be judged`,
            flags: { base: { type: "string" }, head: { type: "string" } },
            async run(values, { out }, env) {
                if ((values.base === undefined) !== (values.head === undefined))
                    throw new UsageError("give --base and --head together, or neither");
                return guardPullRequest(values, out, workflow(env));
            },
        }),
        "pull-request": step({
            description: `the offline plan of every stack the change can deploy differently, against the base (default origin/$GITHUB_BASE_REF, or the merge queue's base commit), written to ${REPORT_FILE}; it runs the pull request's own code, so it informs and decides nothing`,
            flags: { base: { type: "string" } },
            async run(values, { out }, env) {
                const variables = env.variables;
                const queued = variables.GITHUB_EVENT_NAME === "merge_group" ? eventCommits(variables).base : undefined;
                const base = values.base ?? queued ?? (variables.GITHUB_BASE_REF ? `origin/${variables.GITHUB_BASE_REF}` : undefined);
                if (base === undefined) throw new UsageError("give --base, or run in a pull request (GITHUB_BASE_REF) or a merge queue");
                return pullRequestPlan(base, out, workflow(env));
            },
        }),
        deploy: step({
            description: `reads the commit deployed last from the stack tag ${DEPLOYED_COMMIT_TAG}, judges the change from it to HEAD with the guard (a failing finding stops the deploy), then pulumi up --refresh: only the revocation policies when they are all that changed; sets the tag to HEAD after a successful update. Without the tag: in full.`,
            flags: { stack: { type: "string" } },
            async run(values, { out, err }, env) {
                if (values.stack === undefined) throw new UsageError("--stack is required");
                return deploy(values.stack, out, err, workflow(env));
            },
        }),
    },
});

/** The command line, as tests call it. */
export const main: Main = mainOf(ci);

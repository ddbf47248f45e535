/**
 * `ci stacks`: every stack of the project as the workflows' matrix needs it (its account, region
 * and CI roles) and whether the change can deploy it differently: since the pull request's base,
 * as `ci pull-request` decides, or since the commit deployed last to it (its stack tag), as
 * `ci deploy` judges. What cannot be decided counts as changed: a stack whose file cannot be read,
 * or whose tag cannot be, runs, and its own job fails with the reason, while the others deploy.
 */
import { changedFiles } from "../config/repository";
import { ConfigSourceError, listStacks, loadStack, stackFileName } from "../config/loader";
import { directorySource, resolveRef } from "../config/sources";
import { NAMESPACE, configValue, readStackConfig } from "../config/stackConfig";
import { accountFromConfig } from "../config/account";
import { UserFacingError } from "../iam/errors";
import { Log, WorkflowContext, deployedCommit, pulumiRunner, setOutputs, stacksChangedBy } from "./workflow";
import { DEPLOYED_COMMIT_TAG } from "./workflowNames";

/** One stack as the workflows' matrix sees it. */
export interface StackEntry {
    stack: string;
    /** The account the stack deploys to (`allowedAccountIds` with one ID); null when its file does not settle it. */
    account: string | null;
    /** The provider's region; null when the file sets none. */
    region: string | null;
    /** The stack's own CI roles (`revocable-roles:ci`); null for the repository-wide ones. */
    previewRoleArn: string | null;
    deployRoleArn: string | null;
    /** Whether the change can deploy the stack differently; true when that cannot be decided. */
    changed: boolean;
    /** What the change is judged from: the base, or the commit deployed last; null when there is none (a new stack). */
    since: string | null;
    /** Why the stack's file or tag could not be read, if it could not: the stack then counts as changed. */
    problems: string[];
}

/** What a change is judged from: a base ref (a pull request, a merge queue), or each stack's deployed-commit tag (a deploy). */
export type ChangeSince = { base: string } | { deployed: true };

/** A stack's account, region and CI roles, as its file gives them; problems instead when it cannot be read or validated. */
function stackFacts(root: string, stack: string, now: Date): Omit<StackEntry, "changed" | "since"> {
    const entry = { stack, account: null, region: null, previewRoleArn: null, deployRoleArn: null, problems: [] };
    let config: Record<string, string>;
    try {
        config = loadStack(directorySource(root), stack).config;
    } catch (error) {
        return { ...entry, problems: error instanceof ConfigSourceError ? error.problems : [(error as Error).message] };
    }
    const provider = configValue(config[`${NAMESPACE}:provider`] ?? "null");
    const backend = provider === "aws-native" ? "aws-native" : "aws";
    const facts = { ...entry, account: accountFromConfig(config, backend).accountId ?? null, region: config[`${backend}:region`] ?? null };
    // The roles only from a file that validates: an invalid key never picks the role a deploy assumes.
    const read = readStackConfig(config, { stackFile: stackFileName(stack), now });
    if (!read.ok) return { ...facts, problems: read.errors };
    const ci = read.config.ci;
    return ci === undefined ? facts : { ...facts, previewRoleArn: ci.previewRoleArn, deployRoleArn: ci.deployRoleArn };
}

/** Whether the commits since the one deployed last to a stack can deploy it differently, or why that cannot be decided. */
function sinceDeployed(stack: string, stacks: string[], log: Log, ci: WorkflowContext): Pick<StackEntry, "changed" | "since" | "problems"> {
    let since: string | undefined;
    try {
        since = deployedCommit(stack, pulumiRunner(log, ci));
    } catch (error) {
        if (!(error instanceof UserFacingError)) throw error;
        return { changed: true, since: null, problems: [error.message] };
    }
    if (since === undefined) return { changed: true, since: null, problems: [] };
    try {
        resolveRef(ci.root, since);
    } catch {
        return {
            changed: true,
            since,
            problems: [`the commit deployed last (${since}, stack tag ${DEPLOYED_COMMIT_TAG}) is not in this clone`],
        };
    }
    return { changed: stacksChangedBy(changedFiles(ci.root, since, "HEAD"), stacks).includes(stack), since, problems: [] };
}

/**
 * Every stack of the project, in order, with whether the change can deploy it differently. Calls
 * of the Pulumi CLI (for the deployed-commit tags) are written to `log`.
 */
export function stackEntries(since: ChangeSince, log: Log, ci: WorkflowContext): StackEntry[] {
    const stacks = listStacks(directorySource(ci.root));
    const changed = "base" in since ? new Set(stacksChangedBy(changedFiles(ci.root, `${since.base}...HEAD`), stacks)) : undefined;
    return stacks.map((stack): StackEntry => {
        const { problems, ...facts } = stackFacts(ci.root, stack, ci.now);
        const change =
            changed === undefined
                ? sinceDeployed(stack, stacks, log, ci)
                : { changed: changed.has(stack), since: "base" in since ? since.base : null, problems: [] };
        return { ...facts, changed: change.changed, since: change.since, problems: [...problems, ...change.problems] };
    });
}

/** A stack in words, for people: `dev: account 111111111111, eu-west-1, its own CI roles; changed since main`. */
function stackLine(entry: StackEntry): string {
    const roles =
        entry.deployRoleArn === null
            ? "the repository's CI roles"
            : `preview role ${entry.previewRoleArn}, deploy role ${entry.deployRoleArn}`;
    const change =
        entry.since === null
            ? entry.changed
                ? "changed: never deployed"
                : "unchanged"
            : `${entry.changed ? "changed" : "unchanged"} since ${entry.since}`;
    return `${entry.stack}: account ${entry.account ?? "not settled"}, region ${entry.region ?? "not set"}, ${roles}; ${change}`;
}

/**
 * `ci stacks`: prints every stack (as JSON with `json`), writes the problems of those that cannot be
 * read to `err`, and sets the step output `stacks`: the matrix of the stacks to run (the changed
 * ones, or all with `all`), each with its account, region and roles where known.
 */
export function printStacks(options: { since: ChangeSince; json: boolean; all: boolean }, out: Log, err: Log, ci: WorkflowContext): number {
    const entries = stackEntries(options.since, err, ci);
    for (const entry of entries) for (const problem of entry.problems) err.write(`${entry.stack}: ${problem}\n`);
    out.write(options.json ? `${JSON.stringify(entries)}\n` : `${entries.map(stackLine).join("\n")}\n`);
    // A matrix entry leaves out what is not known, so the workflow falls back to the repository's settings.
    const matrix = entries
        .filter((entry) => options.all || entry.changed)
        .map(({ stack, account, region, previewRoleArn, deployRoleArn }) =>
            Object.fromEntries(Object.entries({ stack, account, region, previewRoleArn, deployRoleArn }).filter(([, v]) => v !== null)),
        );
    setOutputs(ci.variables, { stacks: JSON.stringify(matrix) });
    return 0;
}

/**
 * `ci deploy`: judges what the stack's commit deployed last (its stack tag) to HEAD changes, runs
 * `pulumi up --refresh` (only the revocation policies, and their roles' tags, when they are all
 * that changed), moves the tag, then reads every revocation in force back from the account.
 */
import * as path from "path";
import { changedFiles, changesProgram, checkoutAt, removeTemporaryFolder } from "../config/repository";
import { loadStack } from "../config/loader";
import { gitSource, resolveRef } from "../config/sources";
import { ORGANIZATION_TYPES } from "../backends/organization";
import { revocationTargets } from "../plan/diff";
import { ROLE_TYPES, POLICY_TYPES } from "../plan/deployment";
import { footprint, touched } from "../plan/model";
import { RevocationError } from "./errors";
import { Time } from "../apply/time";
import { AwsAccess } from "./context";
import { verifyStack } from "./verify";
import { failureLines, verificationTable } from "./verifyReport";
import { formatText } from "./guardReport";
import { overrideForDeploy } from "./override";
import { DEPLOYED_COMMIT_TAG } from "./workflowNames";
import { Log, WorkflowContext, changesEveryStack, deployedCommit, guardRules, planner, pulumiRunner, withOverride } from "./workflow";

/** The organization layer's resource types: a policy that moves or goes away, and its attachments, may have been protected. */
const ORGANIZATION_TYPE_SET: ReadonlySet<string> = new Set(Object.values(ORGANIZATION_TYPES));

/** What a deploy since the last deployed commit does: the revocation policies to target (or none: in full), why, and what to unprotect first. */
export interface DeployPlan {
    targets: string[];
    reason: string;
    /** Roles, revocation policies and organization policies and attachments the update deletes or replaces: protected while they held a revocation in force, which the guard checked they no longer need. */
    unprotect: string[];
}

/** The deploy of one stack from the deployed commit `since` to HEAD, decided from the two offline plans. */
export async function deployPlan(stack: string, since: string, ci: Omit<WorkflowContext, "github">): Promise<DeployPlan> {
    const program = changedFiles(ci.root, since, "HEAD").filter(changesEveryStack);
    const checkout = program.some(changesProgram) ? checkoutAt(ci.root, since, path.join(ci.programRoot, "node_modules")) : undefined;
    try {
        const { planAt, planStack } = await planner();
        const before = await planAt(gitSource(ci.root, since), stack, checkout ?? ci.programRoot, ci.now);
        const after = await planStack(loadStack(gitSource(ci.root, "HEAD"), stack), ci.programRoot, ci.now);
        const f = footprint(before, after);
        const kinds = new Map(before.resources.map((r) => [r.urn, r.type]));
        const unprotect = [...f.removed, ...f.replaced.map((urn) => f.previous.get(urn) ?? urn)].filter((urn) => {
            const type = kinds.get(urn);
            return type !== undefined && (ROLE_TYPES.has(type) || POLICY_TYPES.has(type) || ORGANIZATION_TYPE_SET.has(type));
        });
        if (program.length > 0) return { targets: [], reason: `the program or the project changed (${program.join(", ")})`, unprotect };
        const targets = revocationTargets(before, after, f);
        const policies = targets.filter((urn) => !ROLE_TYPES.has(after.resources.find((r) => r.urn === urn)!.type)).length;
        if (targets.length > 0)
            return { targets, reason: `only revocation policies changed (${policies}), with their roles' revoked-until tags`, unprotect };
        const count = touched(f).length;
        return {
            targets: [],
            reason:
                count === 0
                    ? "nothing changed since the last deploy: a refreshed update restores any drift"
                    : `${count} resource(s) other than revocation policies change`,
            unprotect,
        };
    } finally {
        if (checkout !== undefined) removeTemporaryFolder(checkout);
    }
}

/** What the deploy also needs: AWS and time, to verify what it deployed. */
export interface DeployContext extends WorkflowContext {
    time: Time;
    aws: AwsAccess;
}

/** How long the deploy waits for what it deployed to read back live (IAM is eventually consistent): two minutes. */
export const VERIFY_DEADLINE_MS = 120_000;

/**
 * After a successful update: reads back every revocation in force in the stack (waiting, up to
 * {@link VERIFY_DEADLINE_MS}, for IAM to show it), prints per revocation its time to contain (from
 * its cutoff to the moment it was verified live), and fails when one is not live.
 */
async function verifyDeployed(stack: string, out: Log, err: Log, ci: DeployContext): Promise<number> {
    const verification = await verifyStack({ stack, repair: false, deadlineMs: VERIFY_DEADLINE_MS, settle: true }, ci);
    if (verification.checks.length === 0) {
        out.write(`No revocation is in force in stack ${stack}: nothing to verify.\n`);
        return 0;
    }
    out.write(
        `Verifying the revocations in force in stack ${stack} (IAM endpoint ${verification.endpoint}):\n${verificationTable(verification)}\n`,
    );
    const failures = failureLines(verification);
    if (failures.length === 0) return 0;
    err.write(
        `${failures.join("\n")}\nThe deploy of stack ${stack} succeeded, but ${failures.length} revocation(s) in force are not live in the account.\n`,
    );
    return 1;
}

/**
 * Deploys one stack with the Pulumi CLI, judging first what it deploys: the commit deployed last
 * (the stack tag) is the base, HEAD the head, and any failing finding stops the deploy before
 * `pulumi up`. When every change since then is a revocation policy added or moved later, only
 * those policies are updated (and refreshed); if that fails, or anything else changed, the stack
 * is deployed in full. After a successful update the tag moves to HEAD, and every revocation in
 * force is read back from the account: one that is not live fails the deploy.
 */
export async function deploy(stack: string, out: Log, err: Log, ci: DeployContext): Promise<number> {
    const pulumi = pulumiRunner(out, ci);
    const head = resolveRef(ci.root, "HEAD");
    const since = deployedCommit(stack, pulumi);
    const full = ["up", "--yes", "--refresh", "--stack", stack];
    const deployed = async (code: number) => {
        if (code !== 0) return code;
        const tagged = pulumi(["stack", "tag", "set", DEPLOYED_COMMIT_TAG, head, "--stack", stack]);
        if (tagged.status !== 0)
            err.write(
                `the update succeeded, but the stack tag ${DEPLOYED_COMMIT_TAG} could not be set to ${head}; the next deploy will compare with the older commit\n`,
            );
        const verified = await verifyDeployed(stack, out, err, ci);
        return tagged.status !== 0 ? tagged.status : verified;
    };
    if (since === undefined) {
        out.write(`Deploying stack ${stack} in full: it has no ${DEPLOYED_COMMIT_TAG} tag yet.\n`);
        return deployed(pulumi(full).status);
    }
    try {
        resolveRef(ci.root, since);
    } catch {
        throw new RevocationError(
            `the commit deployed last to ${stack} (${since}, stack tag ${DEPLOYED_COMMIT_TAG}) is not in this clone, so the change cannot be judged and nothing was deployed: fetch the full history (actions/checkout with fetch-depth: 0), or, if that commit is gone for good, check the live revocations and remove the tag (pulumi stack tag rm ${DEPLOYED_COMMIT_TAG} --stack ${stack})`,
        );
    }
    const { judge } = await guardRules();
    const judged = await judge({
        root: ci.root,
        programRoot: ci.programRoot,
        now: ci.now,
        base: since,
        head: "HEAD",
        headProgram: "own",
    });
    // A frozen change deploys only when the override of the pull request that merged it still holds.
    const findings = await withOverride(judged, (finding) => overrideForDeploy(finding, { root: ci.root, since, head, github: ci.github }));
    out.write(`${formatText(findings, since)}\n`);
    if (findings.some((f) => f.verdict === "fail")) {
        err.write(
            `Not deploying stack ${stack}: the change since the commit deployed last (${since}) would weaken a revocation or cannot be judged.\n`,
        );
        return 1;
    }
    const plan = await deployPlan(stack, since, ci);
    if (plan.unprotect.length > 0) {
        // Deployed while in force, they are protected in the state; the guard has checked that their window is over.
        const unprotected = pulumi(["state", "unprotect", "--yes", "--stack", stack, ...plan.unprotect]);
        if (unprotected.status !== 0)
            err.write(`pulumi state unprotect failed (exit code ${unprotected.status}); the update may stop on a protected resource\n`);
    }
    if (plan.targets.length === 0) {
        out.write(`Deploying stack ${stack} in full: ${plan.reason}.\n`);
        return deployed(pulumi(full).status);
    }
    out.write(`Deploying stack ${stack}, revocation policies only: ${plan.reason}.\n`);
    const code = pulumi([...full, ...plan.targets.flatMap((urn) => ["--target", urn])]).status;
    if (code === 0) return deployed(0);
    out.write(`The targeted update failed (exit code ${code}); deploying stack ${stack} in full.\n`);
    return deployed(pulumi(full).status);
}

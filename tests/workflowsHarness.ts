/**
 * What the tests of the GitHub Actions workflows share: the two folders of workflows (this
 * repository's and the templates init writes), the one commit each action is pinned at, GitHub's
 * workflow schema, and a workflow read as data with its steps.
 */
import * as fs from "fs";
import * as path from "path";
import { validateWorkflow } from "@action-validator/core";
import { PROJECT_ROOT } from "../cli/project";

export const WORKFLOWS = path.join(PROJECT_ROOT, ".github", "workflows");
export const TEMPLATES = path.join(PROJECT_ROOT, "templates", "workflows");

/**
 * The one commit each action is used at, in every workflow of both folders: the latest release of
 * the major version used, resolved in the action's own repository (`git rev-parse <tag>^{commit}`).
 * A tag or a branch can be moved to other code by whoever controls the action's repository; a
 * commit cannot. Raise a pin here and in every file at once (docs/ci.md, "Pinned actions").
 */
export const PINS: Record<string, { sha: string; version: string }> = {
    "actions/checkout": { sha: "11d5960a326750d5838078e36cf38b85af677262", version: "v4.4.0" },
    "actions/setup-node": { sha: "49933ea5288caeca8642d1e84afbd3f7d6820020", version: "v4.4.0" },
    "actions/setup-python": { sha: "a26af69be951a213d495a4c3e4e4022e16d87065", version: "v5.6.0" },
    "actions/upload-artifact": { sha: "ea165f8d65b6e75b540449e92b4886f43607fa02", version: "v4.6.2" },
    "aws-actions/configure-aws-credentials": { sha: "7474bc4690e29a8392af63c5b98e7449536d5c3a", version: "v4.3.1" },
    "actions/github-script": { sha: "f28e40c7f34bde8b3046d885e986cb6290c5673b", version: "v7.1.0" },
    "pulumi/actions": { sha: "8582a9e8cc630786854029b4e09281acd6794b58", version: "v6.6.1" },
};
/** An action's `uses:` value, as every workflow writes it. */
export const pinned = (action: keyof typeof PINS & string) => `${action}@${PINS[action].sha}`;

/** Validates a file against GitHub's workflow schema with @action-validator/core (in process: its WebAssembly is compiled once). */
export function validate(file: string): { status: number; output: string } {
    const { errors } = validateWorkflow(fs.readFileSync(file, "utf8")) as { errors: unknown[] };
    return { status: errors.length === 0 ? 0 : 1, output: errors.length === 0 ? "" : JSON.stringify(errors, null, 2) };
}

export interface Step {
    name?: string;
    id?: string;
    if?: string;
    uses?: string;
    run?: string;
    with?: Record<string, unknown>;
    env?: Record<string, string>;
}
export interface Job {
    name?: string;
    needs?: string;
    if?: string;
    environment?: string;
    outputs?: Record<string, string>;
    permissions?: Record<string, string>;
    steps: Step[];
    concurrency?: { group: string; "cancel-in-progress": boolean };
    strategy?: { matrix: Record<string, unknown> };
}
export interface Workflow {
    on: Record<string, { branches?: string[]; types?: string[] } | null>;
    concurrency?: { group: string; "cancel-in-progress": boolean };
    permissions: Record<string, string>;
    jobs: Record<string, Job>;
}

export const steps = (workflow: Workflow) => Object.values(workflow.jobs).flatMap((job) => job.steps);
export const runs = (workflow: Workflow) => steps(workflow).flatMap((step) => (step.run === undefined ? [] : [step.run]));

import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { PROJECT_ROOT } from "../cli/project";

const WORKFLOWS = path.join(PROJECT_ROOT, ".github", "workflows");
const VALIDATOR = path.join(PROJECT_ROOT, "node_modules", "@action-validator", "cli", "cli.mjs");

/** Validates a file against GitHub's workflow schema with @action-validator/cli. */
function validate(file: string): { status: number | null; output: string } {
    const result = spawnSync(process.execPath, [VALIDATOR, file], { cwd: PROJECT_ROOT, encoding: "utf8" });
    return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

interface Step {
    uses?: string;
    run?: string;
    with?: Record<string, unknown>;
    env?: Record<string, string>;
}
interface Job {
    steps: Step[];
    concurrency?: { group: string; "cancel-in-progress": boolean };
    strategy?: { matrix: Record<string, unknown> };
}
interface Workflow {
    on: Record<string, { branches?: string[] } | null>;
    permissions: Record<string, string>;
    jobs: Record<string, Job>;
}

const load = (name: string) => YAML.parse(fs.readFileSync(path.join(WORKFLOWS, name), "utf8")) as Workflow;
const steps = (workflow: Workflow) => Object.values(workflow.jobs).flatMap((job) => job.steps);
const runs = (workflow: Workflow) => steps(workflow).flatMap((step) => (step.run === undefined ? [] : [step.run]));
const action = (workflow: Workflow, prefix: string) => steps(workflow).filter((step) => step.uses?.startsWith(prefix));

describe("the GitHub Actions workflows", () => {
    for (const name of ["pull-request.yml", "deploy.yml"]) {
        it(`${name} is valid against GitHub's workflow schema`, () => {
            assert.deepStrictEqual(validate(path.join(WORKFLOWS, name)), { status: 0, output: "" });
        });
    }

    it("the validator rejects a broken workflow, so the checks above can fail", () => {
        const broken = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "wf-")), "broken.yml");
        fs.writeFileSync(broken, fs.readFileSync(path.join(WORKFLOWS, "deploy.yml"), "utf8").replace("runs-on:", "runs_on:"));
        assert.strictEqual(validate(broken).status, 1);
    });

    it("runs tests, the guard against the base branch and the offline plan diff on every pull request", () => {
        const workflow = load("pull-request.yml");
        assert.deepStrictEqual(workflow.on.pull_request, { branches: ["main"] });
        const commands = runs(workflow).join("\n");
        for (const command of ["npm ci", "npm test", 'npm run --silent guard -- --base "$BASE" --format markdown', 'npm run --silent plan -- --stack "$s" --diff "$BASE"']) {
            assert.ok(commands.includes(command), `pull-request.yml does not run ${command}`);
        }
        assert.strictEqual(workflow.jobs.check.steps.filter((s) => s.uses === "actions/github-script@v7").length, 1);
    });

    it("previews each changed stack with pulumi/actions, refreshed and commented on the pull request", () => {
        const [preview] = action(load("pull-request.yml"), "pulumi/actions@");
        assert.deepStrictEqual(preview.with, {
            command: "preview",
            "stack-name": "${{ matrix.stack }}",
            refresh: true,
            "comment-on-pr": true,
            "github-token": "${{ secrets.GITHUB_TOKEN }}",
        });
    });

    it("deploys each stack on push to main, one at a time per stack, refreshed, through GitHub OIDC", () => {
        const workflow = load("deploy.yml");
        assert.deepStrictEqual(workflow.on.push, { branches: ["main"] });
        assert.strictEqual(workflow.permissions["id-token"], "write");
        assert.deepStrictEqual(workflow.jobs.up.concurrency, { group: "pulumi-up-${{ matrix.stack }}", "cancel-in-progress": false });
        assert.deepStrictEqual(workflow.jobs.up.strategy?.matrix, { stack: "${{ fromJSON(vars.PULUMI_STACKS) }}" });
        const [up] = action(workflow, "pulumi/actions@");
        assert.deepStrictEqual(up.with, { command: "up", "stack-name": "${{ matrix.stack }}", refresh: true });
        const [aws] = action(workflow, "aws-actions/configure-aws-credentials@");
        assert.deepStrictEqual(aws.with, { "role-to-assume": "${{ secrets.AWS_DEPLOY_ROLE_ARN }}", "aws-region": "${{ vars.AWS_REGION }}" });
        for (const name of ["deploy.yml", "pull-request.yml"]) {
            assert.ok(!/aws-access-key-id|aws-secret-access-key/.test(fs.readFileSync(path.join(WORKFLOWS, name), "utf8")), `${name} uses long-lived AWS keys`);
        }
    });
});

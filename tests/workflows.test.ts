import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { validateWorkflow } from "@action-validator/core";
import { PROJECT_ROOT } from "../cli/project";

const WORKFLOWS = path.join(PROJECT_ROOT, ".github", "workflows");
/** Validates a file against GitHub's workflow schema with @action-validator/core (in process: its WebAssembly is compiled once). */
function validate(file: string): { status: number; output: string } {
    const { errors } = validateWorkflow(fs.readFileSync(file, "utf8")) as { errors: unknown[] };
    return { status: errors.length === 0 ? 0 : 1, output: errors.length === 0 ? "" : JSON.stringify(errors, null, 2) };
}

interface Step {
    name?: string;
    id?: string;
    if?: string;
    uses?: string;
    run?: string;
    with?: Record<string, unknown>;
    env?: Record<string, string>;
}
interface Job {
    name?: string;
    permissions?: Record<string, string>;
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
    for (const name of ["guard.yml", "pull-request.yml", "deploy.yml"]) {
        it(`${name} is valid against GitHub's workflow schema`, () => {
            assert.deepStrictEqual(validate(path.join(WORKFLOWS, name)), { status: 0, output: "" });
        });
    }

    it("the validator rejects a broken workflow, so the checks above can fail", () => {
        const broken = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "wf-")), "broken.yml");
        fs.writeFileSync(broken, fs.readFileSync(path.join(WORKFLOWS, "deploy.yml"), "utf8").replace("runs-on:", "runs_on:"));
        assert.strictEqual(validate(broken).status, 1);
    });

    it("keeps every shell step to one command; anything longer is a script the project owns and tests", () => {
        const commands = ["guard.yml", "pull-request.yml", "deploy.yml"].flatMap((name) =>
            runs(load(name)).map((command) => ({ name, command })),
        );
        // Nine run steps in all, so the check below cannot pass on a workflow it failed to read.
        assert.strictEqual(commands.length, 9);
        for (const { name, command } of commands) {
            assert.ok(!/\n.|&&|\|\||;|\|/.test(command.trim()), `${name} runs more than one command: ${command}`);
        }
    });

    it("judges on pull_request_target from a checkout of the base, installing and running nothing of the head", () => {
        const workflow = load("guard.yml");
        assert.deepStrictEqual(workflow.on, { pull_request_target: { branches: ["main"] }, merge_group: null });
        // No cloud credentials: the guard is offline. Reading the code, and commenting.
        assert.deepStrictEqual(workflow.permissions, { contents: "read", "pull-requests": "write" });
        assert.deepStrictEqual(Object.keys(workflow.jobs), ["guard"]);
        const steps = workflow.jobs.guard.steps;
        assert.deepStrictEqual(
            steps.map((s) => s.uses ?? s.run),
            [
                "actions/checkout@v4",
                "actions/setup-node@v4",
                "npm ci",
                "npm run --silent ci -- guard",
                "actions/upload-artifact@v4",
                "actions/github-script@v7",
            ],
        );
        // The one checkout is the base commit, with no credentials left in the clone.
        assert.deepStrictEqual(steps[0].with, {
            ref: "${{ github.event.pull_request.base.sha || github.event.merge_group.base_sha }}",
            "fetch-depth": 0,
            "persist-credentials": false,
        });
        // No cache shared with jobs that run pull requests' code.
        assert.deepStrictEqual(steps[1].with, { "node-version": 24 });
        // The head is fetched by the base's own script, as git objects, with the token in its environment only.
        assert.deepStrictEqual(steps[3].env, { GITHUB_TOKEN: "${{ github.token }}" });
        // Nothing anywhere names the head's ref or code: no checkout of it, no expression that runs it.
        const text = fs.readFileSync(path.join(WORKFLOWS, "guard.yml"), "utf8");
        assert.deepStrictEqual(text.match(/head\.(?:sha|ref)|head_ref|merge_group\.head_sha/g), null);
        // A report too long for a comment is kept whole as an artifact; the comment is its summary.
        assert.deepStrictEqual(
            { if: steps[4].if, with: steps[4].with },
            {
                if: "${{ !cancelled() && steps.guard.outputs.full != '' }}",
                with: { name: "revocable-roles-guard", path: "${{ steps.guard.outputs.full }}" },
            },
        );
        assert.strictEqual(
            steps[5].if,
            "${{ !cancelled() && github.event_name == 'pull_request_target' && steps.guard.outputs.report != '' }}",
        );
    });

    it("installs what the tests need, runs them, then the offline plan through the project's script", () => {
        const workflow = load("pull-request.yml");
        assert.deepStrictEqual(workflow.on, { pull_request: { branches: ["main"] }, merge_group: null });
        assert.deepStrictEqual(runs(workflow), [
            'pip install "moto[server]==5.2.1"',
            "npm ci",
            "npm test",
            "npm run --silent ci -- pull-request",
            "npm ci",
        ]);
        assert.deepStrictEqual(action(workflow, "actions/setup-python@")[0].with, { "python-version": "3.12" });
        const comment = workflow.jobs.check.steps.find((s) => s.uses === "actions/github-script@v7")!;
        assert.deepStrictEqual(comment.env, { REPORT: "${{ steps.check.outputs.report }}" });
    });

    it("previews each changed stack with pulumi/actions, refreshed and commented on the pull request", () => {
        const [preview] = action(load("pull-request.yml"), "pulumi/actions@");
        assert.deepStrictEqual(preview.with, {
            command: "preview",
            "stack-name": "${{ matrix.stack }}",
            refresh: true,
            "comment-on-pr": "${{ github.event_name == 'pull_request' }}",
            "github-token": "${{ secrets.GITHUB_TOKEN }}",
        });
    });

    it("deploys each stack on push to main through the project's script, one at a time per stack, through GitHub OIDC, with nothing from the push event", () => {
        const workflow = load("deploy.yml");
        assert.deepStrictEqual(workflow.on.push, { branches: ["main"] });
        assert.strictEqual(workflow.permissions["id-token"], "write");
        assert.deepStrictEqual(workflow.jobs.up.concurrency, { group: "pulumi-up-${{ matrix.stack }}", "cancel-in-progress": false });
        assert.deepStrictEqual(workflow.jobs.up.strategy?.matrix, { stack: "${{ fromJSON(vars.PULUMI_STACKS) }}" });
        assert.deepStrictEqual(action(workflow, "actions/checkout@")[0].with, { "fetch-depth": 0 });
        const [cli] = action(workflow, "pulumi/actions@");
        assert.strictEqual(cli.with, undefined, "pulumi/actions without a command only installs the CLI");
        const up = workflow.jobs.up.steps.find((s) => s.run?.startsWith("npm run --silent ci -- deploy"))!;
        assert.deepStrictEqual(up, {
            name: "pulumi up",
            run: 'npm run --silent ci -- deploy --stack "$STACK"',
            env: {
                STACK: "${{ matrix.stack }}",
                PULUMI_ACCESS_TOKEN: "${{ secrets.PULUMI_ACCESS_TOKEN }}",
            },
        });
        assert.deepStrictEqual(fs.readFileSync(path.join(WORKFLOWS, "deploy.yml"), "utf8").match(/github\.event\./g), null);
        const [aws] = action(workflow, "aws-actions/configure-aws-credentials@");
        assert.deepStrictEqual(aws.with, {
            "role-to-assume": "${{ secrets.AWS_DEPLOY_ROLE_ARN }}",
            "aws-region": "${{ vars.AWS_REGION }}",
        });
        for (const name of ["deploy.yml", "pull-request.yml", "guard.yml"]) {
            assert.ok(
                !/aws-access-key-id|aws-secret-access-key/.test(fs.readFileSync(path.join(WORKFLOWS, name), "utf8")),
                `${name} uses long-lived AWS keys`,
            );
        }
    });
});

describe("the workflows revocable-roles init writes (templates/workflows)", () => {
    const TEMPLATES = path.join(PROJECT_ROOT, "templates", "workflows");
    const NAMES = ["guard", "pull-request", "deploy"];
    const template = (name: string) => fs.readFileSync(path.join(TEMPLATES, `revocable-roles-${name}.yml`), "utf8");

    for (const name of NAMES) {
        it(`revocable-roles-${name}.yml is valid against GitHub's workflow schema`, () => {
            assert.deepStrictEqual(validate(path.join(TEMPLATES, `revocable-roles-${name}.yml`)), { status: 0, output: "" });
        });
    }

    it("runs the installed command, never one npx would download, one command per step", () => {
        const commands = NAMES.flatMap((name) => runs(YAML.parse(template(name)) as Workflow));
        assert.deepStrictEqual(commands, [
            "npm ci",
            "npx --no-install revocable-roles ci guard",
            "npm ci",
            "npx --no-install revocable-roles ci pull-request",
            "npm ci",
            "npm ci",
            'npx --no-install revocable-roles ci deploy --stack "$STACK"',
        ]);
    });

    it("are this repository's judge and deploy, step for step, with the package's command in place of the npm script", () => {
        const asPackage = (text: string) => text.replace(/npm run --silent ci -- (\S+)/g, "npx --no-install revocable-roles ci $1");
        for (const [name, own] of [
            ["guard", "guard.yml"],
            ["deploy", "deploy.yml"],
        ]) {
            assert.strictEqual(template(name), asPackage(fs.readFileSync(path.join(WORKFLOWS, own), "utf8")), name);
        }
    });

    it("is the same preview as this repository's, without the project's own tests", () => {
        const own = YAML.parse(fs.readFileSync(path.join(WORKFLOWS, "pull-request.yml"), "utf8")) as Workflow;
        const theirs = YAML.parse(template("pull-request")) as Workflow;
        const withoutTests = (workflow: Workflow) =>
            Object.fromEntries(
                Object.entries(workflow.jobs).map(([key, job]) => [
                    key,
                    job.steps
                        .filter((s) => s.run !== "npm test" && !s.run?.startsWith("pip install") && s.uses !== "actions/setup-python@v5")
                        .map((s) => ({
                            ...s,
                            run: s.run?.replace(/npm run --silent ci -- (\S+)/, "npx --no-install revocable-roles ci $1"),
                        })),
                ]),
            );
        assert.deepStrictEqual(withoutTests(theirs), withoutTests(own));
        assert.deepStrictEqual(theirs.on, own.on);
        assert.deepStrictEqual(theirs.permissions, own.permissions);
    });
});

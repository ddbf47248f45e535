/**
 * This repository's GitHub Actions workflows, read as data: the judge, the tests, the preview and
 * the deploy, the scheduled check, the matrix of stacks, and the release. Pinned actions are
 * tests/workflowPins.test.ts; the workflows init writes, tests/workflowTemplates.test.ts.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { WORKFLOWS, Workflow, steps, validate, runs, pinned, TEMPLATES, Job } from "./workflowsHarness";

const load = (name: string) => YAML.parse(fs.readFileSync(path.join(WORKFLOWS, name), "utf8")) as Workflow;

const action = (workflow: Workflow, prefix: string) => steps(workflow).filter((step) => step.uses?.startsWith(prefix));

describe("the GitHub Actions workflows", () => {
    for (const name of ["guard.yml", "pull-request.yml", "deploy.yml", "release.yml", "verify.yml"]) {
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
        const commands = ["guard.yml", "pull-request.yml", "deploy.yml", "release.yml", "verify.yml"].flatMap((name) =>
            runs(load(name)).map((command) => ({ name, command })),
        );
        // Twenty-seven run steps in all, so the check below cannot pass on a workflow it failed to read.
        assert.strictEqual(commands.length, 27);
        for (const { name, command } of commands) {
            assert.ok(!/\n.|&&|\|\||;|\|/.test(command.trim()), `${name} runs more than one command: ${command}`);
        }
    });

    it("judges on pull_request_target from a checkout of the base, installing and running nothing of the head", () => {
        const workflow = load("guard.yml");
        // Labels and reviews too: the override of the freeze needs the label and a code owner's approval.
        assert.deepStrictEqual(workflow.on, {
            pull_request_target: { branches: ["main"], types: ["opened", "synchronize", "reopened", "labeled", "unlabeled"] },
            pull_request_review: { types: ["submitted", "dismissed"] },
            merge_group: null,
        });
        // The latest event's run replaces a run under way for the same pull request.
        assert.deepStrictEqual(workflow.concurrency, {
            group: "revocation-guard-${{ github.event.pull_request.number || github.ref }}",
            "cancel-in-progress": true,
        });
        // No cloud credentials: the guard is offline. Reading the code, and commenting.
        assert.deepStrictEqual(workflow.permissions, { contents: "read", "pull-requests": "write" });
        assert.deepStrictEqual(Object.keys(workflow.jobs), ["guard"]);
        const steps = workflow.jobs.guard.steps;
        assert.deepStrictEqual(
            steps.map((s) => s.uses ?? s.run),
            [
                pinned("actions/checkout"),
                pinned("actions/setup-node"),
                "npm ci",
                "npm run --silent ci -- guard",
                pinned("actions/upload-artifact"),
                pinned("actions/github-script"),
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
        // On every pull request's event; a review's run of a fork's pull request has a read-only token, so its comment may fail.
        assert.deepStrictEqual(
            { if: steps[5].if, "continue-on-error": (steps[5] as { "continue-on-error"?: string })["continue-on-error"] },
            {
                if: "${{ !cancelled() && github.event_name != 'merge_group' && steps.guard.outputs.report != '' }}",
                "continue-on-error": "${{ github.event_name == 'pull_request_review' }}",
            },
        );
    });

    it("installs what the tests need, runs them, has npm check the packed package, then the offline plan through the project's script", () => {
        const workflow = load("pull-request.yml");
        assert.deepStrictEqual(workflow.on, { pull_request: { branches: ["main"] }, merge_group: null });
        assert.deepStrictEqual(runs(workflow), [
            'pip install "moto[server]==5.2.1"',
            "npm ci",
            "npm test",
            "node tools/release.mjs",
            "npm run pack",
            'npm publish --dry-run --force "$TARBALL"',
            "npm run --silent ci -- pull-request",
            "npm run --silent ci -- stacks --json",
            "npm ci",
        ]);
        // The tarball npm run pack makes, named by tools/release.mjs from package.json's version.
        const publish = workflow.jobs.check.steps.find((s) => s.run?.startsWith("npm publish"))!;
        assert.deepStrictEqual(publish.env, { TARBALL: "${{ steps.package.outputs.tarball }}" });
        assert.deepStrictEqual(action(workflow, "actions/setup-python@")[0].with, { "python-version": "3.12" });
        const comment = workflow.jobs.check.steps.find((s) => s.uses === pinned("actions/github-script"))!;
        assert.deepStrictEqual(comment.env, { REPORT: "${{ steps.check.outputs.report }}" });
    });

    it("previews each changed stack with pulumi/actions, refreshed and commented on the pull request, with the read-only Pulumi token", () => {
        const [preview] = action(load("pull-request.yml"), "pulumi/actions@");
        assert.deepStrictEqual(preview.with, {
            command: "preview",
            "stack-name": "${{ matrix.stack }}",
            refresh: true,
            "comment-on-pr": "${{ github.event_name == 'pull_request' }}",
            "github-token": "${{ secrets.GITHUB_TOKEN }}",
        });
        assert.deepStrictEqual(preview.env, { PULUMI_ACCESS_TOKEN: "${{ secrets.PULUMI_PREVIEW_ACCESS_TOKEN }}" });
    });

    it("hands the Pulumi token that can update stacks and write their tags to the deploy alone, never to a job that runs a pull request's code", () => {
        const secrets = (file: string) => [...fs.readFileSync(file, "utf8").matchAll(/secrets\.(\w+)/g)].map((m) => m[1]).sort();
        assert.deepStrictEqual(
            {
                guard: secrets(path.join(WORKFLOWS, "guard.yml")),
                pullRequest: secrets(path.join(WORKFLOWS, "pull-request.yml")),
                deploy: secrets(path.join(WORKFLOWS, "deploy.yml")),
                release: secrets(path.join(WORKFLOWS, "release.yml")),
                verify: secrets(path.join(WORKFLOWS, "verify.yml")),
                templateVerify: secrets(path.join(TEMPLATES, "revocable-roles-verify.yml")),
                templatePullRequest: secrets(path.join(TEMPLATES, "revocable-roles-pull-request.yml")),
                templateDeploy: secrets(path.join(TEMPLATES, "revocable-roles-deploy.yml")),
            },
            {
                guard: [],
                pullRequest: ["AWS_PREVIEW_ROLE_ARN", "GITHUB_TOKEN", "PULUMI_PREVIEW_ACCESS_TOKEN"],
                // The read-only token too, for the stacks job to read the stack tags.
                deploy: ["AWS_DEPLOY_ROLE_ARN", "PULUMI_ACCESS_TOKEN", "PULUMI_PREVIEW_ACCESS_TOKEN"],
                release: ["NPM_TOKEN"],
                verify: ["AWS_DEPLOY_ROLE_ARN", "PULUMI_PREVIEW_ACCESS_TOKEN"],
                templateVerify: ["AWS_DEPLOY_ROLE_ARN", "PULUMI_PREVIEW_ACCESS_TOKEN"],
                templatePullRequest: ["AWS_PREVIEW_ROLE_ARN", "GITHUB_TOKEN", "PULUMI_PREVIEW_ACCESS_TOKEN"],
                templateDeploy: ["AWS_DEPLOY_ROLE_ARN", "PULUMI_ACCESS_TOKEN", "PULUMI_PREVIEW_ACCESS_TOKEN"],
            },
        );
    });

    it("deploys each stack on push to main through the project's script, one at a time per stack, through GitHub OIDC, with nothing from the push event", () => {
        const workflow = load("deploy.yml");
        assert.deepStrictEqual(workflow.on.push, { branches: ["main"] });
        assert.strictEqual(workflow.permissions["id-token"], "write");
        assert.deepStrictEqual(workflow.jobs.up.concurrency, { group: "pulumi-up-${{ matrix.stack }}", "cancel-in-progress": false });
        assert.deepStrictEqual(workflow.jobs.up.strategy?.matrix, { include: "${{ fromJSON(needs.stacks.outputs.stacks) }}" });
        assert.deepStrictEqual(
            action(workflow, "actions/checkout@").map((s) => s.with),
            [{ "fetch-depth": 0 }, { "fetch-depth": 0 }],
        );
        const clis = action(workflow, "pulumi/actions@");
        assert.deepStrictEqual(
            clis.map((cli) => cli.with),
            [undefined, undefined],
            "pulumi/actions without a command only installs the CLI",
        );
        const up = workflow.jobs.up.steps.find((s) => s.run?.startsWith("npm run --silent ci -- deploy"))!;
        assert.deepStrictEqual(up, {
            name: "pulumi up",
            run: 'npm run --silent ci -- deploy --stack "$STACK"',
            env: {
                STACK: "${{ matrix.stack }}",
                PULUMI_ACCESS_TOKEN: "${{ secrets.PULUMI_ACCESS_TOKEN }}",
                // Read only when a frozen change deploys: its merged pull request's override, checked again.
                GITHUB_TOKEN: "${{ github.token }}",
            },
        });
        assert.strictEqual(workflow.permissions["pull-requests"], "read");
        assert.deepStrictEqual(fs.readFileSync(path.join(WORKFLOWS, "deploy.yml"), "utf8").match(/github\.event\./g), null);
        const [aws] = action(workflow, "aws-actions/configure-aws-credentials@");
        assert.deepStrictEqual(aws.with, {
            "role-to-assume": "${{ matrix.deployRoleArn || secrets.AWS_DEPLOY_ROLE_ARN }}",
            "aws-region": "${{ matrix.region || vars.AWS_REGION }}",
        });
        for (const name of ["deploy.yml", "pull-request.yml", "guard.yml", "release.yml", "verify.yml"]) {
            assert.ok(
                !/aws-access-key-id|aws-secret-access-key/.test(fs.readFileSync(path.join(WORKFLOWS, name), "utf8")),
                `${name} uses long-lived AWS keys`,
            );
        }
    });
});

describe("the scheduled check (.github/workflows/verify.yml)", () => {
    const workflow = load("verify.yml");

    it("runs hourly, and by hand, reading nothing from an event", () => {
        assert.deepStrictEqual(workflow.on, { schedule: [{ cron: "17 * * * *" }], workflow_dispatch: null });
        assert.deepStrictEqual(workflow.permissions, { contents: "read", "id-token": "write" });
        assert.deepStrictEqual(fs.readFileSync(path.join(WORKFLOWS, "verify.yml"), "utf8").match(/github\.event\./g), null);
    });

    it("verifies and repairs every stack of ci stacks --all with its deploy role, in an environment of its own, never queued in the deploy's group", () => {
        const { stacks, verify: job } = workflow.jobs as Record<string, Job & { environment?: string; needs?: string; if?: string }>;
        assert.deepStrictEqual(stacks.outputs, { stacks: "${{ steps.stacks.outputs.stacks }}" });
        const list = stacks.steps.find((s) => s.id === "stacks")!;
        assert.deepStrictEqual(
            { run: list.run, env: list.env },
            {
                run: "npm run --silent ci -- stacks --json --all",
                env: { PULUMI_ACCESS_TOKEN: "${{ secrets.PULUMI_PREVIEW_ACCESS_TOKEN }}" },
            },
        );
        assert.deepStrictEqual(
            { needs: job.needs, if: job.if, environment: job.environment, matrix: job.strategy?.matrix },
            {
                needs: "stacks",
                if: "needs.stacks.outputs.stacks != '[]'",
                // Not the deploy's environment: its required reviewers would hold every hourly check.
                environment: "${{ matrix.stack }}-verify",
                matrix: { include: "${{ fromJSON(needs.stacks.outputs.stacks) }}" },
            },
        );
        assert.deepStrictEqual(job.concurrency, { group: "revocable-roles-verify-${{ matrix.stack }}", "cancel-in-progress": false });
        assert.deepStrictEqual(
            job.steps.map((s) => s.uses ?? s.run),
            [
                pinned("actions/checkout"),
                pinned("actions/setup-node"),
                "npm ci",
                pinned("aws-actions/configure-aws-credentials"),
                'npm run --silent verify -- --stack "$STACK" --repair',
            ],
        );
        assert.deepStrictEqual(job.steps[0].with, { "persist-credentials": false });
        assert.deepStrictEqual(job.steps[3].with, {
            "role-to-assume": "${{ matrix.deployRoleArn || secrets.AWS_DEPLOY_ROLE_ARN }}",
            "aws-region": "${{ matrix.region || vars.AWS_REGION }}",
        });
        assert.deepStrictEqual(job.steps[4].env, { STACK: "${{ matrix.stack }}" });
    });
});

describe("a role and an environment per stack: the matrix from ci stacks", () => {
    const workflows = [
        ["pull-request.yml", "revocable-roles-pull-request.yml"],
        ["deploy.yml", "revocable-roles-deploy.yml"],
    ].flatMap(([own, template]) => [
        { file: own, workflow: load(own), text: fs.readFileSync(path.join(WORKFLOWS, own), "utf8") },
        {
            file: template,
            workflow: YAML.parse(fs.readFileSync(path.join(TEMPLATES, template), "utf8")) as Workflow,
            text: fs.readFileSync(path.join(TEMPLATES, template), "utf8"),
        },
    ]);
    const stacksStep = (job: Job) => job.steps.find((s) => s.id === "stacks")!;

    it("deploys from a first job that runs ci stacks and exposes its output, each stack in the GitHub environment named after it, with its own role", () => {
        for (const { file, workflow } of workflows.filter((w) => w.file.includes("deploy"))) {
            assert.deepStrictEqual(Object.keys(workflow.jobs), ["stacks", "up"], file);
            const { stacks, up } = workflow.jobs;
            assert.deepStrictEqual(stacks.outputs, { stacks: "${{ steps.stacks.outputs.stacks }}" }, file);
            assert.match(stacksStep(stacks).run!, /ci(?: --)? stacks --json$/, file);
            // The tags are read with the read-only token; the one that writes them stays in the stacks' environments.
            assert.deepStrictEqual(stacksStep(stacks).env, { PULUMI_ACCESS_TOKEN: "${{ secrets.PULUMI_PREVIEW_ACCESS_TOKEN }}" }, file);
            assert.deepStrictEqual(
                { needs: up.needs, if: up.if, environment: up.environment, matrix: up.strategy?.matrix },
                {
                    needs: "stacks",
                    if: "needs.stacks.outputs.stacks != '[]'",
                    environment: "${{ matrix.stack }}",
                    matrix: { include: "${{ fromJSON(needs.stacks.outputs.stacks) }}" },
                },
                file,
            );
        }
    });

    it("previews from the check job's ci stacks output, with each stack's own read-only role, outside any environment (its sub stays pull_request)", () => {
        for (const { file, workflow } of workflows.filter((w) => w.file.includes("pull-request"))) {
            const { check, preview } = workflow.jobs;
            assert.deepStrictEqual(check.outputs, { stacks: "${{ steps.stacks.outputs.stacks }}" }, file);
            assert.match(stacksStep(check).run!, /ci(?: --)? stacks --json$/, file);
            assert.deepStrictEqual(
                { needs: preview.needs, if: preview.if, environment: preview.environment, matrix: preview.strategy?.matrix },
                {
                    needs: "check",
                    if: "needs.check.outputs.stacks != '[]'",
                    environment: undefined,
                    matrix: { include: "${{ fromJSON(needs.check.outputs.stacks) }}" },
                },
                file,
            );
            assert.deepStrictEqual(action(workflow, "aws-actions/configure-aws-credentials@")[0].with, {
                "role-to-assume": "${{ matrix.previewRoleArn || secrets.AWS_PREVIEW_ROLE_ARN }}",
                "aws-region": "${{ matrix.region || vars.AWS_REGION }}",
            });
        }
    });

    it("reads from the matrix only what ci stacks puts in it", () => {
        // The fields of a matrix entry (revocation/stacks.ts's printStacks); one the workflow reads but the step never writes would be empty.
        const fields = ["stack", "account", "region", "previewRoleArn", "deployRoleArn"];
        const read = [...new Set(workflows.flatMap(({ text }) => [...text.matchAll(/matrix\.(\w+)/g)].map((m) => m[1])))].sort();
        assert.deepStrictEqual(read, ["deployRoleArn", "previewRoleArn", "region", "stack"]);
        assert.deepStrictEqual(
            read.filter((field) => !fields.includes(field)),
            [],
        );
    });
});

describe("the release workflow (.github/workflows/release.yml)", () => {
    const workflow = load("release.yml");
    const job = workflow.jobs.publish as Job & { environment?: string };

    it("runs on a version tag, with the OIDC token npm's provenance needs and read access to the code", () => {
        assert.deepStrictEqual(workflow.on, { push: { tags: ["v*.*.*"] } });
        assert.deepStrictEqual(workflow.permissions, { contents: "read", "id-token": "write" });
        assert.deepStrictEqual(Object.keys(workflow.jobs), ["publish"]);
        // The npm token is a secret of this environment, which the repository restricts to version tags.
        assert.strictEqual(job.environment, "npm");
    });

    it("checks the tag against the version and the changelog, packs, has npm check the tarball, tests, then publishes that tarball with provenance", () => {
        assert.deepStrictEqual(
            job.steps.map((s) => s.uses ?? s.run),
            [
                pinned("actions/checkout"),
                pinned("actions/setup-node"),
                pinned("actions/setup-python"),
                'pip install "moto[server]==5.2.1"',
                "npm ci",
                'node tools/release.mjs "$TAG"',
                "npm run pack",
                'npm publish --dry-run "$TARBALL"',
                "npm test",
                "npm run test:install",
                'npm publish --provenance --access public "$TARBALL"',
            ],
        );
        assert.deepStrictEqual(job.steps[0].with, { "persist-credentials": false });
        // No dependency cache; the registry for the token setup-node writes into npm's user config.
        assert.deepStrictEqual(job.steps[1].with, { "node-version": 24, "registry-url": "https://registry.npmjs.org" });
        // The tag reaches the script as data in the environment, never spliced into the command.
        assert.deepStrictEqual({ id: job.steps[5].id, env: job.steps[5].env }, { id: "release", env: { TAG: "${{ github.ref_name }}" } });
        assert.deepStrictEqual(job.steps[7].env, { TARBALL: "${{ steps.release.outputs.tarball }}" });
        // The token is handed to the one step that publishes.
        assert.deepStrictEqual(job.steps[10].env, {
            TARBALL: "${{ steps.release.outputs.tarball }}",
            NODE_AUTH_TOKEN: "${{ secrets.NPM_TOKEN }}",
        });
    });
});

/** The workflows `revocable-roles init` writes (templates/workflows): valid, and this repository's own, step for step. */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { TEMPLATES, validate, runs, Workflow, WORKFLOWS, Step, pinned } from "./workflowsHarness";

describe("the workflows revocable-roles init writes (templates/workflows)", () => {
    const NAMES = ["guard", "pull-request", "deploy", "verify"];
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
            "npx --no-install revocable-roles ci stacks --json",
            "npm ci",
            "npm ci",
            "npx --no-install revocable-roles ci stacks --json",
            "npm ci",
            'npx --no-install revocable-roles ci deploy --stack "$STACK"',
            "npm ci",
            "npx --no-install revocable-roles ci stacks --json --all",
            "npm ci",
            'npx --no-install revocable-roles verify --stack "$STACK" --repair',
        ]);
    });

    it("are this repository's judge, deploy and scheduled check, step for step, with the package's command in place of the npm script", () => {
        const asPackage = (text: string) =>
            text.replace(/npm run --silent (ci|verify) -- (\S+)/g, "npx --no-install revocable-roles $1 $2");
        for (const [name, own] of [
            ["guard", "guard.yml"],
            ["deploy", "deploy.yml"],
            ["verify", "verify.yml"],
        ]) {
            assert.strictEqual(template(name), asPackage(fs.readFileSync(path.join(WORKFLOWS, own), "utf8")), name);
        }
    });

    it("is the same preview as this repository's, without the project's own tests and package check", () => {
        // The steps of this repository's own CI: its tests, and npm's check of its packed package.
        const OWN_CI: ((step: Step) => boolean)[] = [
            (s) => s.run === "npm test",
            (s) => s.run?.startsWith("pip install") === true,
            (s) => s.uses === pinned("actions/setup-python"),
            (s) => s.id === "package" && s.run === "node tools/release.mjs",
            (s) => s.run === "npm run pack",
            (s) => s.run?.startsWith("npm publish --dry-run") === true,
        ];
        const own = YAML.parse(fs.readFileSync(path.join(WORKFLOWS, "pull-request.yml"), "utf8")) as Workflow;
        const theirs = YAML.parse(template("pull-request")) as Workflow;
        const withoutTests = (workflow: Workflow) =>
            Object.fromEntries(
                Object.entries(workflow.jobs).map(([key, job]) => [
                    key,
                    job.steps
                        .filter((s) => !OWN_CI.some((own) => own(s)))
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

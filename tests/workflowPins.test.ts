/** Every action of both folders of workflows pinned to the commit of its release, and what the pin check refuses. */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { PROJECT_ROOT } from "../cli/project";
import { WORKFLOWS, TEMPLATES, PINS } from "./workflowsHarness";

/** Every `uses:` of a workflow's text, with the comment after it and what is wrong with it, if anything. */
function actionReferences(text: string): { uses: string; comment: string | undefined; problem?: string }[] {
    const found: { uses: string; comment: string | undefined; problem?: string }[] = [];
    YAML.visit(YAML.parseDocument(text), {
        Pair(_, pair) {
            if (!YAML.isScalar(pair.key) || pair.key.value !== "uses") return;
            const uses = YAML.isScalar(pair.value) ? String(pair.value.value) : JSON.stringify(pair.value);
            const comment = YAML.isScalar(pair.value) ? pair.value.comment?.trim() : undefined;
            const reference = /^([\w.-]+\/[\w.-]+(?:\/[\w./-]+)?)@(.*)$/.exec(uses);
            let problem: string | undefined;
            if (reference === null) problem = "not owner/repo@<commit>";
            else if (!/^[0-9a-f]{40}$/.test(reference[2])) problem = `${reference[2]} is not a full 40-hex commit SHA`;
            else if (comment === undefined || !/^v\d+\.\d+\.\d+$/.test(comment)) problem = "no version comment (# vX.Y.Z) after the SHA";
            found.push(problem === undefined ? { uses, comment } : { uses, comment, problem });
        },
    });
    return found;
}

describe("pinned actions", () => {
    const files = [
        ...fs.readdirSync(WORKFLOWS).map((name) => path.join(WORKFLOWS, name)),
        ...fs.readdirSync(TEMPLATES).map((name) => path.join(TEMPLATES, name)),
    ].filter((file) => /\.ya?ml$/.test(file));

    it("pins every action of both folders to the commit of its release, with that version in a comment", () => {
        assert.deepStrictEqual(
            files.map((file) => path.relative(PROJECT_ROOT, file)),
            [
                ".github/workflows/deploy.yml",
                ".github/workflows/guard.yml",
                ".github/workflows/pull-request.yml",
                ".github/workflows/release.yml",
                ".github/workflows/verify.yml",
                "templates/workflows/revocable-roles-deploy.yml",
                "templates/workflows/revocable-roles-guard.yml",
                "templates/workflows/revocable-roles-pull-request.yml",
                "templates/workflows/revocable-roles-verify.yml",
            ],
        );
        const references = files.flatMap((file) =>
            actionReferences(fs.readFileSync(file, "utf8")).map((r) => ({ file: path.relative(PROJECT_ROOT, file), ...r })),
        );
        // Every `uses:` of the nine files, so the checks below cannot pass on files they failed to read.
        assert.strictEqual(references.length, 54);
        assert.deepStrictEqual(
            references.filter((r) => r.problem !== undefined),
            [],
        );
        const unexpected = references.filter(({ uses, comment }) => {
            const [action, sha] = uses.split("@");
            return PINS[action]?.sha !== sha || PINS[action].version !== comment;
        });
        assert.deepStrictEqual(unexpected, []);
    });

    it("refuses a tag, a branch, a short or uppercase SHA, and a SHA without its version, in any YAML spelling", () => {
        const sha = PINS["actions/checkout"].sha;
        const text = [
            "jobs:",
            "  a:",
            "    steps:",
            "      - uses: actions/checkout@v4",
            "      - uses: actions/checkout@main",
            "      - uses: actions/checkout@11d5960",
            `      - uses: actions/checkout@${sha.toUpperCase()} # v4.4.0`,
            `      - uses: actions/checkout@${sha}`,
            `      - uses: actions/checkout@${sha} # v4`,
            `      - uses: actions/checkout@${sha} # pinned`,
            '      - { uses: "actions/checkout@v4" }',
            "      - uses: docker://alpine:3",
            `      - uses: "actions/checkout@${sha}" # v4.4.0`,
            `      - uses: actions/checkout@${sha}   #   v4.4.0`,
            "  b:",
            `    uses: acme/workflows/.github/workflows/x.yml@${sha} # v1.0.0`,
        ].join("\n");
        assert.deepStrictEqual(
            actionReferences(text).map((r) => r.problem ?? "ok"),
            [
                "v4 is not a full 40-hex commit SHA",
                "main is not a full 40-hex commit SHA",
                "11d5960 is not a full 40-hex commit SHA",
                `${sha.toUpperCase()} is not a full 40-hex commit SHA`,
                "no version comment (# vX.Y.Z) after the SHA",
                "no version comment (# vX.Y.Z) after the SHA",
                "no version comment (# vX.Y.Z) after the SHA",
                "v4 is not a full 40-hex commit SHA",
                "not owner/repo@<commit>",
                "ok",
                "ok",
                "ok",
            ],
        );
    });
});

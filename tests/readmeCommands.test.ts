/**
 * The reading of the README's install blocks that `npm run test:install` runs
 * (tests/readmeCommands.ts), and what README.md's blocks hold: an edit that would leave the
 * install test with nothing to check fails here, in `npm test`, without the registry.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { INSTALL_MARKER, commandKind, installBlocks, withTarball } from "./readmeCommands";
import { PROJECT_ROOT } from "../cli/project";

describe("the README's install blocks (npm run test:install)", () => {
    it("reads the commands of each marked ```sh block, in order, without blank lines and comments, and nothing unmarked", () => {
        const readme = [
            "# Title",
            "```sh",
            "npm run unmarked",
            "```",
            INSTALL_MARKER,
            "```sh",
            "npm install a b",
            "",
            "# a comment",
            "npx a init   # a trailing comment, left to the shell",
            "```",
            "text",
            `  ${INSTALL_MARKER}`,
            "```sh",
            "npx a plan",
            "```",
        ].join("\n");
        assert.deepStrictEqual(installBlocks(readme), [
            [
                { line: 7, text: "npm install a b" },
                { line: 10, text: "npx a init   # a trailing comment, left to the shell" },
            ],
            [{ line: 15, text: "npx a plan" }],
        ]);
    });

    it("refuses a marker without a ```sh block after it, a block never closed, and an empty one, naming the line", () => {
        assert.throws(() => installBlocks(`a\n${INSTALL_MARKER}\n\n\`\`\`sh\nnpm i\n\`\`\`\n`, "R.md"), {
            message: `R.md:3: the line after "${INSTALL_MARKER}" must open a block with \`\`\`sh`,
        });
        assert.throws(() => installBlocks(`${INSTALL_MARKER}\n\`\`\`bash\nnpm i\n\`\`\`\n`, "R.md"), {
            message: `R.md:2: the line after "${INSTALL_MARKER}" must open a block with \`\`\`sh`,
        });
        assert.throws(() => installBlocks(`${INSTALL_MARKER}\n\`\`\`sh\nnpm i\n`, "R.md"), {
            message: "R.md:2: the block is never closed with ```",
        });
        assert.throws(() => installBlocks(`${INSTALL_MARKER}\n\`\`\`sh\n# only a comment\n\`\`\`\n`, "R.md"), {
            message: "R.md:2: the block holds no command",
        });
    });

    it("puts the tarball in place of the package name where npm installs it, and nowhere else", () => {
        const tarball = "/tmp/it's here/revocable-roles-0.3.0.tgz";
        const quoted = `'/tmp/it'\\''s here/revocable-roles-0.3.0.tgz'`;
        assert.deepStrictEqual(withTarball("npm install revocable-roles @pulumi/pulumi typescript@5", tarball), {
            text: `npm install ${quoted} @pulumi/pulumi typescript@5`,
            replaced: 1,
        });
        assert.deepStrictEqual(withTarball("npm i -D typescript@5 && npm add revocable-roles", tarball), {
            text: `npm i -D typescript@5 && npm add ${quoted}`,
            replaced: 1,
        });
        for (const other of [
            "npx revocable-roles init --stack dev",
            "npm install revocable-roles@0.3.0",
            "npm install @acme/revocable-roles",
            "npm run revocable-roles",
        ]) {
            assert.deepStrictEqual(withTarball(other, tarball), { text: other, replaced: 0 });
        }
    });

    it("tells the package's commands from the others, through npx or an npm script", () => {
        assert.deepStrictEqual(
            [
                "npm install revocable-roles",
                "npx revocable-roles init --stack dev",
                "npx --no-install revocable-roles plan --stack dev",
                "npm run plan -- --stack dev",
                "npm run --silent revoke -- --stack dev --role r",
                "npx revocable-roles revocations",
                "npx revocable-roles guard --base HEAD",
                "npx revocable-roles drill --stack dev",
                "git checkout Pulumi.dev.yaml",
            ].map(commandKind),
            ["install", "init", "plan", "plan", "revoke", "revocations", "guard", "other", "other"],
        );
    });

    it("finds in README.md one install of the package, with TypeScript below 7, then init, plan, revoke, revocations and guard", () => {
        const commands = installBlocks(fs.readFileSync(path.join(PROJECT_ROOT, "README.md"), "utf8")).flat();
        const installs = commands.filter((c) => commandKind(c.text) === "install");
        assert.deepStrictEqual(
            installs.map((c) => withTarball(c.text, "x.tgz").replaced),
            [1],
        );
        // npm's latest TypeScript is 7, which @pulumi/pulumi refuses (ERESOLVE): the install names a major below it.
        assert.match(installs[0].text, /\stypescript@5(\s|$)/);
        assert.deepStrictEqual(
            commands.map((c) => commandKind(c.text)).filter((kind) => kind !== "other"),
            ["install", "init", "plan", "revoke", "revocations", "guard"],
        );
    });

    it("finds the same install in docs/adopting.md, which the test does not run", () => {
        const install = (file: string) =>
            fs
                .readFileSync(path.join(PROJECT_ROOT, file), "utf8")
                .split("\n")
                .filter((line) => /^npm (?:install|i|add) /.test(line) && withTarball(line, "x.tgz").replaced > 0);
        const [readme] = install("README.md");
        assert.match(readme, /^npm install revocable-roles /);
        assert.deepStrictEqual(install("docs/adopting.md"), [readme]);
    });
});

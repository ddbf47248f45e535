/** `revocable-roles init`: the project it writes in an empty folder, and what it refuses. */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { capture, environment } from "./helpers";
import { PROJECT_ROOT } from "../cli/project";
import { loadStack } from "../config/loader";
import { directorySource } from "../config/sources";
import { readStackConfig } from "../config/stackConfig";
import { plannedFiles } from "../revocation/projectFiles";
import { commandMain } from "../cli/main";

const init = commandMain("init");

const NOW = new Date("2026-11-28T12:00:00Z");

/** Runs a command's main with captured output. */

/** An empty folder with a given name, removed after the suite. */
const folders: string[] = [];
function emptyFolder(name: string): string {
    const parent = fs.mkdtempSync(path.join(os.tmpdir(), "revocable-roles-init-"));
    folders.push(parent);
    const root = path.join(parent, name);
    fs.mkdirSync(root);
    return root;
}
after(() => {
    for (const folder of folders.splice(0)) fs.rmSync(folder, { recursive: true, force: true });
});

/** Every file under a folder with its text, by relative path. */
function tree(root: string): Record<string, string> {
    return Object.fromEntries(
        (fs.readdirSync(root, { recursive: true, encoding: "utf8" }) as string[])
            .filter((file) => fs.statSync(path.join(root, file)).isFile())
            .sort()
            .map((file) => [file, fs.readFileSync(path.join(root, file), "utf8")]),
    );
}

const INIT_FILES = [
    "Pulumi.yaml",
    "index.ts",
    "package.json",
    "tsconfig.json",
    ".npmrc",
    ".gitignore",
    "Pulumi.dev.yaml",
    ".github/workflows/revocable-roles-guard.yml",
    ".github/workflows/revocable-roles-pull-request.yml",
    ".github/workflows/revocable-roles-deploy.yml",
    ".github/workflows/revocable-roles-verify.yml",
    ".github/CODEOWNERS.example",
];

describe("revocable-roles init", () => {
    const runInit = (root: string, argv: string[] = []) => capture((out, err) => init(argv, out, err, environment({ root })));

    it("writes a project into an empty folder: every file once, the stack file valid as written", async () => {
        const root = emptyFolder("acme-roles");
        const result = await runInit(root, ["--account", "222222222222", "--region", "eu-west-1"]);
        assert.deepStrictEqual(result, {
            code: 0,
            stdout: `${INIT_FILES.map((f) => `wrote  ${f}\n`).join("")}\nNext: npm install revocable-roles @pulumi/pulumi @pulumi/aws @pulumi/aws-native typescript@5\nthen: npm run plan -- --stack dev\n`,
            stderr: "",
        });
        const expected = plannedFiles({ name: "acme-roles", stack: "dev", account: "222222222222", region: "eu-west-1" });
        assert.deepStrictEqual(tree(root), Object.fromEntries(expected.map((p) => [p.file, p.text]).sort(([a], [b]) => (a < b ? -1 : 1))));
        assert.strictEqual(
            fs.readFileSync(path.join(root, "index.ts"), "utf8"),
            fs.readFileSync(path.join(PROJECT_ROOT, "index.ts"), "utf8"),
        );
        assert.match(fs.readFileSync(path.join(root, "Pulumi.yaml"), "utf8"), /^name: acme-roles\n/);
        const loaded = loadStack(directorySource(root), "dev");
        const read = readStackConfig(loaded.config, { stackFile: loaded.file, now: NOW });
        assert.deepStrictEqual(read.ok ? read.roles.map((r) => r.key) : read.errors, ["example-reader"]);
        assert.strictEqual(loaded.config["aws:allowedAccountIds"], '["222222222222"]');
    });

    it("is idempotent: a second run keeps every file and writes nothing", async () => {
        const root = emptyFolder("roles");
        await runInit(root);
        const before = tree(root);
        const again = await runInit(root);
        assert.deepStrictEqual(again, {
            code: 0,
            stdout: `${INIT_FILES.map((f) => `kept   ${f} (as init writes it)\n`).join("")}\nNothing to write: the project is set up.\n`,
            stderr: "",
        });
        assert.deepStrictEqual(tree(root), before);
    });

    it("keeps an existing Pulumi project's files and says what each needs", async () => {
        const root = emptyFolder("existing");
        fs.writeFileSync(path.join(root, "Pulumi.yaml"), "name: platform\nruntime: nodejs\n");
        fs.writeFileSync(path.join(root, "index.ts"), "export const x = 1;\n");
        const result = await runInit(root, ["--stack", "prod"]);
        assert.strictEqual(result.code, 0);
        assert.deepStrictEqual(result.stdout.split("\n").slice(0, 3), [
            'kept   Pulumi.yaml (it exists; check that it has runtime nodejs, and main: index.ts or a package.json with "main": "index.ts")',
            'kept   index.ts (it exists; to declare the roles of the stack files, make it: import { stackConfigProgram } from "revocable-roles"; export = stackConfigProgram;)',
            "wrote  package.json",
        ]);
        assert.strictEqual(fs.readFileSync(path.join(root, "Pulumi.yaml"), "utf8"), "name: platform\nruntime: nodejs\n");
        assert.strictEqual(fs.readFileSync(path.join(root, "index.ts"), "utf8"), "export const x = 1;\n");
        assert.ok(fs.existsSync(path.join(root, "Pulumi.prod.yaml")));
        // The stack file init writes for the stack named, with the placeholder account and the default region.
        const planned = plannedFiles({ name: "platform", stack: "prod", account: "123456789012", region: "us-east-1" });
        assert.strictEqual(
            fs.readFileSync(path.join(root, "Pulumi.prod.yaml"), "utf8"),
            planned.find((p) => p.file === "Pulumi.prod.yaml")!.text,
        );
    });

    it("finishes the set-up in a project npm install made: the scripts added to package.json, .npmrc written, .gitignore kept", async () => {
        const root = emptyFolder("platform");
        // What `npm install revocable-roles ...` leaves: npm's own formatting, and the package installed.
        const installed =
            '{\n  "dependencies": {\n    "@pulumi/pulumi": "^3.248.0",\n    "revocable-roles": "^0.3.0"\n  },\n  "devDependencies": {\n    "typescript": "^5.9.3"\n  }\n}\n';
        fs.writeFileSync(path.join(root, "package.json"), installed);
        fs.writeFileSync(path.join(root, ".gitignore"), "node_modules/\n");
        fs.mkdirSync(path.join(root, "node_modules", "revocable-roles"), { recursive: true });
        fs.writeFileSync(path.join(root, "node_modules", "revocable-roles", "package.json"), "{}\n");
        const result = await runInit(root);
        assert.deepStrictEqual(result, {
            code: 0,
            stdout: [
                "wrote  Pulumi.yaml",
                "wrote  index.ts",
                "added  scripts plan, revoke, revocations, verify, guard, drill, ci to package.json",
                "wrote  tsconfig.json",
                "wrote  .npmrc",
                "kept   .gitignore (it exists; add .Pulumi.*.yaml.lock, .Pulumi.*.yaml.*.tmp, dist/)",
                "wrote  Pulumi.dev.yaml",
                "wrote  .github/workflows/revocable-roles-guard.yml",
                "wrote  .github/workflows/revocable-roles-pull-request.yml",
                "wrote  .github/workflows/revocable-roles-deploy.yml",
                "wrote  .github/workflows/revocable-roles-verify.yml",
                "wrote  .github/CODEOWNERS.example",
                "",
                "Next: npm run plan -- --stack dev",
                "",
            ].join("\n"),
            stderr: "",
        });
        // Every field as it was, in the same bytes, and the scripts at the end.
        assert.strictEqual(
            fs.readFileSync(path.join(root, "package.json"), "utf8"),
            installed.replace(
                '    "typescript": "^5.9.3"\n  }\n}\n',
                '    "typescript": "^5.9.3"\n  },\n  "scripts": {\n    "plan": "revocable-roles plan",\n    "revoke": "revocable-roles revoke",\n    "revocations": "revocable-roles revocations",\n    "verify": "revocable-roles verify",\n    "guard": "revocable-roles guard",\n    "drill": "revocable-roles drill",\n    "ci": "revocable-roles ci"\n  }\n}\n',
            ),
        );
        assert.deepStrictEqual(
            [".npmrc", ".gitignore"].map((file) => fs.readFileSync(path.join(root, file), "utf8")),
            ["ignore-scripts=true\n", "node_modules/\n"],
        );
        // Run again: nothing left to add.
        const again = await runInit(root);
        assert.deepStrictEqual(again.stdout.split("\n").slice(2, 6), [
            "kept   package.json (it has every script init adds)",
            "kept   tsconfig.json (as init writes it)",
            "kept   .npmrc (as init writes it)",
            "kept   .gitignore (it exists; add .Pulumi.*.yaml.lock, .Pulumi.*.yaml.*.tmp, dist/)",
        ]);
    });

    it("keeps a script of the same name, an .npmrc without ignore-scripts and a package.json it cannot edit, saying so", async () => {
        const root = emptyFolder("own-scripts");
        fs.writeFileSync(path.join(root, "package.json"), '{ "scripts": { "plan": "pulumi preview" } }\n');
        fs.writeFileSync(path.join(root, ".npmrc"), "save-exact=true\n");
        fs.writeFileSync(path.join(root, ".gitignore"), "node_modules/\n.Pulumi.*.yaml.lock\n.Pulumi.*.yaml.*.tmp\ndist/\n");
        const result = await runInit(root);
        assert.deepStrictEqual(result.stdout.split("\n").slice(2, 7), [
            "added  scripts revoke, revocations, verify, guard, drill, ci to package.json",
            'kept   package.json (its script plan runs "pulumi preview"; npm run plan runs that, not "revocable-roles plan")',
            "wrote  tsconfig.json",
            "kept   .npmrc (it exists; add ignore-scripts=true, so that npm ci runs no dependency's install script (the Pulumi CLI installs the provider plugins itself))",
            "kept   .gitignore (it has what init writes)",
        ]);
        // Its own plan script stays, so the next step goes through npx.
        assert.deepStrictEqual(result.stdout.split("\n").slice(-3), [
            "Next: npm install revocable-roles @pulumi/pulumi @pulumi/aws @pulumi/aws-native typescript@5",
            "then: npx revocable-roles plan --stack dev",
            "",
        ]);
        assert.strictEqual(fs.readFileSync(path.join(root, ".npmrc"), "utf8"), "save-exact=true\n");

        const broken = emptyFolder("broken");
        fs.writeFileSync(path.join(broken, "package.json"), "{ name: 'not json' }\n");
        const kept = await runInit(broken);
        // The parser's own words, which differ between Node.js versions.
        const why = (() => {
            try {
                return JSON.parse("{ name: 'not json' }\n") as never;
            } catch (error) {
                return (error as Error).message;
            }
        })();
        assert.strictEqual(
            kept.stdout.split("\n")[2],
            `kept   package.json (it is not JSON (${why}); add the scripts by hand: "plan": "revocable-roles plan", "revoke": "revocable-roles revoke", "revocations": "revocable-roles revocations", "verify": "revocable-roles verify", "guard": "revocable-roles guard", "drill": "revocable-roles drill", "ci": "revocable-roles ci")`,
        );
        assert.strictEqual(fs.readFileSync(path.join(broken, "package.json"), "utf8"), "{ name: 'not json' }\n");
    });

    it("writes nothing at all when one of its paths is a folder", async () => {
        const root = emptyFolder("blocked");
        fs.mkdirSync(path.join(root, ".github", "workflows", "revocable-roles-deploy.yml"), { recursive: true });
        const result = await runInit(root);
        assert.deepStrictEqual(result, {
            code: 1,
            stdout: "",
            stderr: ".github/workflows/revocable-roles-deploy.yml exists and is not a regular file; nothing was written\n",
        });
        assert.deepStrictEqual(tree(root), {});
    });

    it("refuses an account that is not 12 digits as a usage error, writing nothing", async () => {
        const root = emptyFolder("bad");
        const result = await runInit(root, ["--account", "12345"]);
        assert.deepStrictEqual(result, {
            code: 2,
            stdout: "",
            stderr: '--account "12345" is not a 12-digit AWS account ID\nusage: revocable-roles init [--stack <name>] [--account <12-digit id>] [--region <region>] [--name <project>]\n',
        });
        assert.deepStrictEqual(tree(root), {});
    });
});

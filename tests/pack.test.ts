/**
 * The package as a team gets it: `npm pack` of the build, extracted into a new project in a
 * temporary folder as npm installs it (offline: every other dependency is this repository's own),
 * and used there: the command through node_modules/.bin, `init`, `plan`, `revoke`, `guard`, the
 * TypeScript example type-checked against the package's declarations and run under mocks, and
 * the multi-language package serving the committed schema.
 */
import * as assert from "assert";
import { execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { CommandRun, git, installPackage } from "./helpers";
import { PROJECT_ROOT } from "../cli/project";
import { runOffline } from "../plan/recorder";

const OWN = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8")) as {
    version: string;
    private: boolean;
    dependencies: Record<string, string>;
};

/** Runs a file of node_modules/.bin in `cwd`, as npx or an npm script would. */
function bin(cwd: string, name: string, args: string[]): Promise<CommandRun> {
    const child = spawn(path.join(cwd, "node_modules", ".bin", name), args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let [stdout, stderr] = ["", ""];
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    return new Promise((resolve) => child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr })));
}

describe("the packed package, installed into a new project", function () {
    this.timeout(60_000);
    let work: string;
    let tarball: string;
    let root: string;

    before(() => {
        work = fs.mkdtempSync(path.join(os.tmpdir(), "revocable-roles-pack-"));
        const packed = JSON.parse(
            execFileSync("npm", ["pack", path.join(PROJECT_ROOT, "dist"), "--pack-destination", work, "--json"], {
                cwd: work,
                encoding: "utf8",
                stdio: ["ignore", "pipe", "ignore"],
            }),
        ) as { filename: string }[];
        tarball = path.join(work, packed[0].filename);
        root = path.join(work, "team-roles");
        fs.mkdirSync(root);
        installPackage(root, { tarball, program: false });
    });
    after(() => fs.rmSync(work, { recursive: true, force: true }));

    it("is named by the version, and holds the library, its declarations, the command and the data, nothing else", () => {
        assert.strictEqual(path.basename(tarball), `revocable-roles-${OWN.version}.tgz`);
        const files = execFileSync("tar", ["-tzf", tarball], { encoding: "utf8" })
            .split("\n")
            .filter(Boolean)
            .map((f) => f.replace(/^package\//, ""));
        const top = [...new Set(files.map((f) => f.split("/")[0]))].sort();
        assert.deepStrictEqual(top, [
            "CHANGELOG.md",
            "LICENSE",
            "NOTICE",
            "README.md",
            "SECURITY.md",
            "analysis",
            "apply",
            "backends",
            "cli",
            "components",
            "config",
            "guard",
            "iam",
            "package",
            "package.json",
            "plan",
            "revocation",
            "schema",
            "templates",
        ]);
        const compiled = files.filter((f) => !f.startsWith("package/") && f.endsWith(".js"));
        assert.deepStrictEqual(
            compiled.map((f) => f.replace(/\.js$/, ".d.ts")),
            files.filter((f) => !f.startsWith("package/") && f.endsWith(".d.ts")),
        );
        assert.deepStrictEqual(
            files.filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts") && !f.startsWith("package/") && !f.startsWith("templates/")),
            [],
        );
        assert.strictEqual(OWN.private, true);
        const manifest = JSON.parse(fs.readFileSync(path.join(root, "node_modules", "revocable-roles", "package.json"), "utf8"));
        assert.deepStrictEqual(
            {
                version: manifest.version,
                private: manifest.private,
                homepage: manifest.homepage,
                repository: manifest.repository,
                bugs: manifest.bugs,
                exports: manifest.exports,
                bin: manifest.bin,
                dependencies: manifest.dependencies,
                peers: Object.keys(manifest.peerDependencies),
            },
            {
                version: OWN.version,
                // Published as it is: this repository's own package.json stays private, so that
                // npm publish in the checkout (the sources) fails; npm publish --dry-run does not
                // check it, so this does.
                private: undefined,
                // Where it comes from; npm publish --provenance requires the repository to be the
                // one whose workflow publishes it (.github/workflows/release.yml).
                homepage: "https://github.com/revocable-roles/revocable-roles#readme",
                repository: { type: "git", url: "git+https://github.com/revocable-roles/revocable-roles.git" },
                bugs: { url: "https://github.com/revocable-roles/revocable-roles/issues" },
                exports: {
                    ".": { types: "./components/index.d.ts", default: "./components/index.js" },
                    "./package.json": "./package.json",
                },
                bin: { "revocable-roles": "./cli/main.js" },
                dependencies: OWN.dependencies,
                peers: ["@pulumi/pulumi", "@pulumi/aws", "@pulumi/aws-native", "typescript"],
            },
        );
    });

    it("runs init, plan, revoke and guard in the project through node_modules/.bin", async () => {
        const init = await bin(root, "revocable-roles", ["init", "--account", "222222222222", "--region", "eu-west-1"]);
        assert.deepStrictEqual(
            { code: init.code, stderr: init.stderr, first: init.stdout.split("\n")[0] },
            { code: 0, stderr: "", first: "wrote  Pulumi.yaml" },
        );
        git(root, "init", "-q");
        fs.writeFileSync(path.join(root, ".gitignore"), "node_modules/\n");
        git(root, "add", "-A");
        git(root, "commit", "-qm", "init");

        const plan = await bin(root, "revocable-roles", ["plan", "--stack", "dev"]);
        assert.deepStrictEqual(plan, {
            code: 0,
            signal: null,
            stderr: "",
            stdout: [
                'Offline plan of stack "dev" (project team-roles): no AWS call was made.',
                "",
                "example-reader: role /example-reader",
                "  trusted by: account 222222222222 (MFA required)",
                "  managed:    arn:aws:iam::aws:policy/ReadOnlyAccess",
                "  inline:     none",
                "  revocation: not revoked",
                "",
                "1 roles, 3 resources.",
                "",
            ].join("\n"),
        });

        const revoke = await bin(root, "revocable-roles", ["revoke", "--stack", "dev", "--role", "example-reader", "--json"]);
        assert.deepStrictEqual({ code: revoke.code, stderr: revoke.stderr }, { code: 0, stderr: "" });
        const { cutoff, written } = JSON.parse(revoke.stdout) as { cutoff: string; written: boolean };
        assert.deepStrictEqual(
            { written, file: fs.readFileSync(path.join(root, "Pulumi.dev.yaml"), "utf8") },
            {
                written: true,
                file: git(root, "show", "HEAD:Pulumi.dev.yaml").replace(
                    '      managedPolicyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"]\n',
                    `      managedPolicyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"]\n      revokeBefore: "${cutoff}"\n`,
                ),
            },
        );
        // Committed, then undone in the working tree: the guard, run from the package, fails it.
        git(root, "commit", "-qam", "revoke");
        fs.writeFileSync(path.join(root, "Pulumi.dev.yaml"), git(root, "show", "HEAD~1:Pulumi.dev.yaml"));
        const failed = await bin(root, "revocable-roles", ["guard", "--base", "HEAD"]);
        assert.deepStrictEqual(
            { code: failed.code, stderr: failed.stderr, last: failed.stdout.split("\n").at(-2) },
            { code: 1, stderr: "", last: "1 change(s) would weaken a revocation since HEAD." },
        );
    });

    it("type-checks the TypeScript example against the package's declarations, with one copy of @pulumi/pulumi", () => {
        const example = path.join(root, "example");
        fs.mkdirSync(example);
        for (const file of ["index.ts", "tsconfig.json"])
            fs.copyFileSync(path.join(PROJECT_ROOT, "examples", "typescript", file), path.join(example, file));
        fs.symlinkSync(path.join(root, "node_modules"), path.join(example, "node_modules"));
        const tsc = path.join(root, "node_modules", "typescript", "bin", "tsc");
        assert.strictEqual(execFileSync(process.execPath, [tsc, "--noEmit", "-p", example], { encoding: "utf8" }), "");
        // The package resolves the peer from the project, the very copy the program uses.
        const fromPackage = require.resolve("@pulumi/pulumi", {
            paths: [path.join(root, "node_modules", "revocable-roles", "components")],
        });
        const fromProgram = require.resolve("@pulumi/pulumi", { paths: [example] });
        assert.strictEqual(fs.realpathSync(fromPackage), fs.realpathSync(fromProgram));
    });

    it("runs the TypeScript example under mocks: Outputs of other resources reach the role's trust and policy", async () => {
        const example = path.join(root, "example-run");
        fs.mkdirSync(example);
        fs.copyFileSync(path.join(PROJECT_ROOT, "examples", "typescript", "index.ts"), path.join(example, "index.ts"));
        fs.symlinkSync(path.join(root, "node_modules"), path.join(example, "node_modules"));
        let exported: Record<string, pulumi.Output<unknown> | unknown> = {};
        const run = await runOffline(
            () => {
                // eslint-disable-next-line @typescript-eslint/no-require-imports -- the program, loaded as Pulumi's Node.js host loads it
                exported = require(path.join(example, "index.ts")) as typeof exported;
            },
            {
                project: "platform-roles",
                stack: "dev",
                config: { "platform-roles:revokeBefore": "2026-11-27T10:15:00Z" },
                now: new Date("2026-11-27T12:00:00Z"),
            },
        );
        assert.strictEqual(run.error, undefined, run.error?.message);
        assert.deepStrictEqual(run.registrations.map((r) => `${r.type} ${r.name}`).sort(), [
            "aws:iam/openIdConnectProvider:OpenIdConnectProvider github",
            "aws:iam/role:Role ci-deployer-role",
            "aws:iam/rolePolicy:RolePolicy ci-deployer-policy-deploy-artifacts",
            "aws:iam/rolePolicy:RolePolicy ci-deployer-revocation",
            "aws:iam/rolePolicyAttachment:RolePolicyAttachment ci-deployer-managed-2a3bda39",
            "aws:s3/bucket:Bucket artifacts",
            "revocable-roles:index:RevocableRole ci-deployer",
        ]);
        const role = run.registrations.find((r) => r.type === "aws:iam/role:Role")!;
        const github = run.registrations.find((r) => r.name === "github")!;
        const bucket = run.registrations.find((r) => r.name === "artifacts")!;
        assert.deepStrictEqual(
            {
                federated: JSON.parse(role.inputs.assumeRolePolicy as string).Statement[0].Principal.Federated,
                trustFrom: [...role.propertyDependencies.assumeRolePolicy].sort(),
                description: role.inputs.description,
                descriptionFrom: [...role.propertyDependencies.description].sort(),
            },
            {
                federated: "arn:aws:iam::000000000000:oidc-provider/token.actions.githubusercontent.com",
                // The role is validated whole once every Output it takes has resolved, so each input waits for both.
                trustFrom: [github.urn, bucket.urn],
                description: "Deploys to artifacts-id from GitHub Actions",
                descriptionFrom: [github.urn, bucket.urn],
            },
        );
        const policy = run.registrations.find((r) => r.name === "ci-deployer-policy-deploy-artifacts")!;
        assert.deepStrictEqual(JSON.parse(policy.inputs.policy as string).Statement[0].Resource, ["arn:aws:s3:::artifacts/*"]);
        assert.strictEqual(exported.revokedBefore, "2026-11-27T10:15:00Z");
    });

    it("carries the multi-language package: the committed schema, and the very sources it is inferred from (tests/package.test.ts)", () => {
        const shipped = path.join(root, "node_modules", "revocable-roles", "package");
        const read = (...parts: string[]) => fs.readFileSync(path.join(...parts), "utf8");
        for (const file of ["PulumiPlugin.yaml", "package.json", "tsconfig.json", "schema.json"]) {
            assert.strictEqual(read(shipped, file), read(PROJECT_ROOT, "package", file), file);
        }
        assert.strictEqual(
            read(shipped, "index.ts"),
            read(PROJECT_ROOT, "package", "index.ts").replace(
                'from "../components/revocableRole"',
                'from "./src/components/revocableRole"',
            ),
        );
        const sources = (fs.readdirSync(path.join(shipped, "src"), { recursive: true, encoding: "utf8" }) as string[]).filter((f) =>
            f.endsWith(".ts"),
        );
        assert.deepStrictEqual(
            sources.filter((f) => read(shipped, "src", f) !== read(PROJECT_ROOT, f)),
            [],
        );
        assert.ok(sources.includes(path.join("components", "args.ts")) && sources.includes(path.join("iam", "role.ts")));
    });
});

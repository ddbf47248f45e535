/**
 * The guard as the trusted judge (`--head`): the five ways a pull request got past it before,
 * each reproduced on a real git repository whose base holds a revocation in force (cutoffs
 * relative to the test's own clock), and the benign changes that must still pass.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Capture, PROGRAM_ENTRIES, commitFiles, git, project, repository, environment } from "./helpers";
import { PROJECT_ROOT } from "../cli/project";
import { checkoutAt, removeTemporaryFolder } from "../config/repository";
import { commandMain } from "../cli/main";
import { ACCOUNT, Role, role, accountStack as stack } from "./guardHarness";

const guard = commandMain("guard");

const NOW = new Date("2026-11-27T12:00:00Z");
const hoursBefore = (hours: number) => new Date(NOW.getTime() - hours * 3_600_000).toISOString().replace(".000Z", "Z");
/** Two hours ago: in force until eleven hours from now. */
const CUTOFF = hoursBefore(2);
const SAFE = "2026-11-27T23:00:00Z";

const victim = (r: Role = {}) => role("victim", { revokeBefore: CUTOFF, ...r });
const BASE = stack(victim() + role("bystander"));

/** A repository whose main holds `base` and whose branch `feature` changes it to `head`, checked out at main (the judge's checkout). */
function pullRequest(base: Record<string, string>, head: Record<string, string | undefined>): string {
    const root = repository(base);
    git(root, "checkout", "-q", "-b", "feature");
    commitFiles(root, head, "the pull request");
    git(root, "checkout", "-q", "main");
    return root;
}

/** The trusted judge on a pull request: this checkout's program plans both sides. */
async function judge(base: Record<string, string>, head: Record<string, string | undefined>, root = pullRequest(base, head)) {
    const out = new Capture();
    const err = new Capture();
    const code = await guard(["--base", "main", "--head", "feature"], out, err, environment(environment({ root, now: NOW })));
    return { code, lines: out.text.split("\n").slice(0, -1), stderr: err.text };
}

const FAILED = (n: number) => `${n} change(s) would weaken a revocation since main.`;
const PASSED = "No revocation is weakened since main.";
const pathRule = (paths: string) =>
    `FAIL project: ${paths}: changed while revocations are in force (dev/victim until ${SAFE}): only stack files and documentation may change until every revocation is safe to remove, because the guard cannot judge what a change to the program, its packages, settings, tools or workflows deploys; merge after ${SAFE}, when every revocation is safe to remove`;

/** The program's own files, as a base commit holds them. */
function programFiles(): Record<string, string> {
    const files: Record<string, string> = {};
    const add = (relative: string) => {
        const full = path.join(PROJECT_ROOT, relative);
        if (fs.statSync(full).isDirectory()) for (const entry of fs.readdirSync(full)) add(path.join(relative, entry));
        else files[relative] = fs.readFileSync(full, "utf8");
    };
    for (const entry of PROGRAM_ENTRIES) add(entry);
    return files;
}

describe("the trusted judge: the pull request cannot change the guard's verdict", function () {
    this.timeout(30_000);

    it("reads the head from git objects only: its .npmrc, package.json, program, tsconfig.json, .gitattributes and tools never run, and changing them fails", async () => {
        const marker = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "revocable-roles-marker-")), "ran");
        const base: Record<string, string> = { ...programFiles(), "Pulumi.dev.yaml": BASE };
        const head = {
            ".npmrc": "ignore-scripts=true\nnode-options=--require ./preload.js\n",
            "preload.js": `require("fs").writeFileSync(${JSON.stringify(marker)}, "preload");\n`,
            // The program drops the revocation only under a real engine, or on push.
            "index.ts": `${base["index.ts"]}\nif (process.env.PULUMI_NODEJS_MONITOR || process.env.GITHUB_EVENT_NAME === "push") require("fs").writeFileSync(${JSON.stringify(marker)}, "program");\nrequire("fs").writeFileSync(${JSON.stringify(marker)}, "program");\n`,
            // Pulumi.yaml pins main: index.ts, so only type still changes how the CLI loads the program.
            "package.json": base["package.json"].replace('"main": "index.ts",', '"main": "index.ts",\n    "type": "module",'),
            "tsconfig.json": base["tsconfig.json"].replace('"strict": true', '"strict": true, "allowJs": true'),
            ".gitattributes": "components/** export-ignore\n",
            "tools/lint.mjs": "process.exit(0);\n",
        };
        const result = await judge(base, head);
        assert.deepStrictEqual(result, {
            code: 1,
            lines: [
                'FAIL project: package.json: type: "module" makes the Pulumi CLI load the program as an ES module, which the tools do not; remove it',
                pathRule(".gitattributes, .npmrc, index.ts, package.json, preload.js, tools/lint.mjs, tsconfig.json"),
                FAILED(2),
            ],
            stderr: "",
        });
        assert.strictEqual(fs.existsSync(marker), false, "code of the head ran");
    });

    it("writes a base's own program from git objects, whatever its .gitattributes say (no export-ignore)", () => {
        const root = repository({
            ".gitattributes": "components/** export-ignore\n* text eol=crlf\n",
            "components/kept.ts": "export const kept = 1;\n",
        });
        const copy = checkoutAt(root, "main", path.join(PROJECT_ROOT, "node_modules"));
        try {
            assert.deepStrictEqual(
                [
                    fs.readFileSync(path.join(copy, "components", "kept.ts"), "utf8"),
                    fs.readFileSync(path.join(copy, ".gitattributes"), "utf8"),
                ],
                ["export const kept = 1;\n", "components/** export-ignore\n* text eol=crlf\n"],
            );
        } finally {
            removeTemporaryFolder(copy);
        }
        assert.strictEqual(fs.existsSync(copy), false);
    });

    it("fails closed: a base it cannot plan, holding a revocation in force, fails instead of being compared by its config", async () => {
        // The base holds an un-namespaced key the loader refuses; the head "fixes" it and widens the revoked role's trust.
        const result = await judge(
            { "Pulumi.dev.yaml": `${BASE}  roles: {}\n` },
            { "Pulumi.dev.yaml": stack(victim({ trust: `        accounts: ["${ACCOUNT}", "333333333333"]` }) + role("bystander")) },
        );
        assert.deepStrictEqual(result, {
            code: 1,
            lines: [
                "FAIL dev: Pulumi.dev.yaml: cannot be read, validated or planned at the base (Pulumi.dev.yaml: roles: has no namespace; the Pulumi CLI reads it as revocable-roles:roles, and beside the namespaced key which one wins is not defined; write it as revocable-roles:roles) and it holds revocations in force (victim): the guard cannot tell what this change does to them; fix the base first",
                FAILED(1),
            ],
            stderr: "",
        });
    });

    it("fails closed on a base stack file that cannot be read at all: it may hold revocations", async () => {
        const result = await judge({ "Pulumi.dev.yaml": "config: [unclosed\n" }, { "Pulumi.dev.yaml": BASE, "index.ts": "export = 1;\n" });
        assert.deepStrictEqual(result.lines, [
            "FAIL project: index.ts: changed while revocations are in force (possibly in Pulumi.dev.yaml, which cannot be read at the base): only stack files and documentation may change until every revocation is safe to remove, because the guard cannot judge what a change to the program, its packages, settings, tools or workflows deploys; fix the unreadable stack files first, then merge once every revocation is safe to remove",
            "FAIL dev: Pulumi.dev.yaml: cannot be read, validated or planned at the base (Pulumi.dev.yaml: line 2: is not valid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]) and it may hold revocations in force: the guard cannot tell what this change does to them; fix the base first",
            FAILED(2),
        ]);
    });

    it("passes a base it cannot plan when it holds no revocation in force, saying so", async () => {
        const result = await judge(
            { "Pulumi.dev.yaml": `${stack(role("victim"))}  roles: {}\n` },
            { "Pulumi.dev.yaml": stack(role("victim")) },
        );
        assert.deepStrictEqual(result.lines, [
            "ok   dev: Pulumi.dev.yaml: at the base it could not be planned (Pulumi.dev.yaml: roles: has no namespace; the Pulumi CLI reads it as revocable-roles:roles, and beside the namespaced key which one wins is not defined; write it as revocable-roles:roles); it holds no revocation in force",
            PASSED,
        ]);
    });

    it("refuses a line break go-yaml honours and ours does not: a comment that would move the cutoff to another role", async () => {
        const hidden = BASE.replace(
            `      revokeBefore: "${CUTOFF}"\n`,
            `      # moved\u2028    hidden:\n      revokeBefore: "${CUTOFF}"\n`,
        );
        const result = await judge({ "Pulumi.dev.yaml": BASE }, { "Pulumi.dev.yaml": hidden });
        assert.deepStrictEqual(result.lines, [
            "FAIL dev: Pulumi.dev.yaml: line 8, column 14: U+2028 (line separator) is a line break to the Pulumi CLI's YAML reader and an ordinary character to this tool, so the two would read different keys; remove it",
            FAILED(1),
        ]);
        const value = BASE.replace("eu-west-1", "eu-west-1\u0085");
        assert.deepStrictEqual((await judge({ "Pulumi.dev.yaml": BASE }, { "Pulumi.dev.yaml": value })).lines, [
            "FAIL dev: Pulumi.dev.yaml: line 2, column 24: U+0085 (next line) is a line break to the Pulumi CLI's YAML reader and an ordinary character to this tool, so the two would read different keys; remove it",
            FAILED(1),
        ]);
    });
});

describe("the trusted judge: no one is handed the means to undo a revocation", function () {
    this.timeout(30_000);
    const WHAT = `the revocation of dev/victim (IAM role victim, in force until ${SAFE})`;
    const inline = (name: string, actions: string, resource: string) =>
        `      inlinePolicies:\n        ${name}:\n          Version: "2012-10-17"\n          Statement:\n            - Effect: Allow\n              Action: ${actions}\n              Resource: "${resource}"`;

    it("fails a new role allowed to delete and rewrite the revoked role's inline policies", async () => {
        const janitor = role("janitor", {
            trust: '        githubActions:\n          repositories: ["acme/cleanup"]',
            extra: inline("cleanup", "[iam:DeleteRolePolicy, iam:PutRolePolicy]", "arn:aws:iam::*:role/*"),
        });
        const result = await judge({ "Pulumi.dev.yaml": BASE }, { "Pulumi.dev.yaml": BASE + janitor });
        assert.deepStrictEqual(result.lines, [
            `FAIL dev: role janitor: may now undo ${WHAT}: its inline policy cleanup (statement 0) allows iam:DeleteRolePolicy, iam:PutRolePolicy on arn:aws:iam::*:role/*; whoever can assume janitor could remove or rewrite the revocation in one call`,
            FAILED(1),
        ]);
    });

    it("fails an existing role given IAMFullAccess, and a customer-managed policy whose document is unknown", async () => {
        const managed = (arn: string) => role("bystander", { extra: `      managedPolicyArns: ["${arn}"]` });
        assert.deepStrictEqual(
            (
                await judge(
                    { "Pulumi.dev.yaml": BASE },
                    { "Pulumi.dev.yaml": stack(victim() + managed("arn:aws:iam::aws:policy/IAMFullAccess")) },
                )
            ).lines,
            [
                `FAIL dev: role bystander: may now undo ${WHAT}: its managed policy IAMFullAccess allows iam:DeleteRolePolicy, iam:PutRolePolicy, iam:DeleteRole, iam:UpdateAssumeRolePolicy and 20 more permissions-management actions on *; whoever can assume bystander could remove or rewrite the revocation in one call`,
                FAILED(1),
            ],
        );
        const custom = `arn:aws:iam::${ACCOUNT}:policy/RoleRotation`;
        assert.deepStrictEqual((await judge({ "Pulumi.dev.yaml": BASE }, { "Pulumi.dev.yaml": stack(victim() + managed(custom)) })).lines, [
            `FAIL dev: role bystander: may now undo ${WHAT}: its managed policy ${custom}, whose document is not known here, may allow iam:DeleteRolePolicy, iam:PutRolePolicy, iam:DeleteRole, iam:UpdateAssumeRolePolicy and 20 more permissions-management actions on *; whoever can assume bystander could remove or rewrite the revocation in one call`,
            `FAIL dev: role bystander: may now assume revoked role dev/victim (revoked before ${CUTOFF}, safe to remove after ${SAFE}): victim's trust allows account ${ACCOUNT}, bystander's account; bystander's managed policy ${custom} may allow it: its document is not known here; its sessions would be issued after the cutoff, so this widens victim's trust`,
            FAILED(2),
        ]);
    });

    it("fails the grant from another stack of the same account, and passes it in another account", async () => {
        const admin = stack(role("rotator", { extra: inline("rotate", '"iam:*"', "*") }));
        assert.deepStrictEqual((await judge({ "Pulumi.dev.yaml": BASE }, { "Pulumi.ops.yaml": admin })).lines, [
            `FAIL ops: role rotator: may now undo ${WHAT}: its inline policy rotate (statement 0) allows iam:DeleteRolePolicy, iam:PutRolePolicy, iam:DeleteRole, iam:UpdateAssumeRolePolicy and 20 more permissions-management actions on *; whoever can assume rotator could remove or rewrite the revocation in one call`,
            FAILED(1),
        ]);
        const elsewhere = stack(role("rotator", { extra: inline("rotate", '"iam:*"', "*") }), "222222222222");
        assert.deepStrictEqual((await judge({ "Pulumi.dev.yaml": BASE }, { "Pulumi.ops.yaml": elsewhere })).lines, [PASSED]);
    });

    it("fails widening the trust of a role that already holds the means", async () => {
        const holder = (accounts: string) =>
            role("rotator", { trust: `        accounts: [${accounts}]`, extra: inline("rotate", "iam:PutRolePolicy", "*") });
        const result = await judge(
            { "Pulumi.dev.yaml": stack(victim() + holder(`"${ACCOUNT}"`)) },
            { "Pulumi.dev.yaml": stack(victim() + holder(`"${ACCOUNT}", "444444444444"`)) },
        );
        assert.deepStrictEqual(result.lines, [
            `FAIL dev: role rotator: can undo ${WHAT}, and its trust is widened: now grants sts:assumerole to account 444444444444, which it did not`,
            FAILED(1),
        ]);
    });

    it("passes a grant on a path that does not cover the revoked role", async () => {
        const scoped = role("deployer", { extra: inline("apps", "iam:PutRolePolicy", `arn:aws:iam::${ACCOUNT}:role/apps/*`) });
        assert.deepStrictEqual((await judge({ "Pulumi.dev.yaml": BASE }, { "Pulumi.dev.yaml": BASE + scoped })).lines, [PASSED]);
    });
});

describe("the trusted judge: benign changes pass", function () {
    this.timeout(30_000);
    const cases: [string, Record<string, string>, Record<string, string | undefined>, string[]][] = [
        [
            "a cutoff moved later",
            { "Pulumi.dev.yaml": BASE },
            { "Pulumi.dev.yaml": stack(victim({ revokeBefore: hoursBefore(1) }) + role("bystander")) },
            [`ok   dev: role victim: revokeBefore moved later from ${CUTOFF} to ${hoursBefore(1)}`, PASSED],
        ],
        [
            "a new revocation",
            { "Pulumi.dev.yaml": BASE },
            { "Pulumi.dev.yaml": stack(victim() + role("bystander", { revokeBefore: hoursBefore(1) })) },
            [`ok   dev: role bystander: new revocation: revokeBefore ${hoursBefore(1)}`, PASSED],
        ],
        ["a README edit", { "Pulumi.dev.yaml": BASE }, { "README.md": "# Roles of the platform\n" }, [PASSED]],
        [
            "a description edit",
            { "Pulumi.dev.yaml": BASE },
            { "Pulumi.dev.yaml": stack(victim({ extra: "      description: Deploys the web app" }) + role("bystander")) },
            [PASSED],
        ],
        [
            "a code change while no revocation is in force",
            { "Pulumi.dev.yaml": stack(victim({ revokeBefore: hoursBefore(14) }) + role("bystander")) },
            { "components/extra.ts": "export const extra = 1;\n", "package-lock.json": "{}\n" },
            [PASSED],
        ],
    ];
    for (const [name, base, head, lines] of cases) {
        it(`passes ${name}`, async () => {
            assert.deepStrictEqual(await judge(base, head), { code: 0, lines, stderr: "" });
        });
    }

    it("exits 2 on a usage error, naming it", async () => {
        const err = new Capture();
        const code = await guard(["--base", "main", "--head"], new Capture(), err, environment({ root: project({}), now: NOW }));
        assert.deepStrictEqual({ code, first: err.text.split("\n")[0] }, { code: 2, first: "Option '--head <value>' argument missing" });
    });
});

/**
 * The config loader: the config as the Pulumi CLI hands it to the program, stack files on disk and
 * at a git ref, package.json's program, and a project of another name. What the Pulumi CLI or a
 * JavaScript reader could read differently is tests/loaderMisreadings.test.ts.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { ConfigSourceError, UnknownStackError, listStacks, loadStack, packageJsonProblems, scanStacks } from "../config/loader";
import { directorySource, gitSource } from "../config/sources";
import { readStackConfig } from "../config/stackConfig";
import { PROJECT_YAML, git, memorySource, project, repository } from "./helpers";
import { stackFile, role, problems } from "./loaderHarness";

describe("the config loader", () => {
    it("hands over the config exactly as the Pulumi CLI passes it: strings as written, everything else as JSON", () => {
        const loaded = loadStack(
            memorySource({
                "Pulumi.dev.yaml": stackFile(`  revocable-roles:revokeAllBefore: "2026-11-27T10:00:00Z"\n  aws:maxRetries: 5\n`),
            }),
            "dev",
        );
        assert.deepStrictEqual(loaded.config, {
            "aws:region": "eu-west-1",
            "revocable-roles:roles": '{"ci":{"trust":{"accounts":["111111111111"]}}}',
            "revocable-roles:revokeAllBefore": "2026-11-27T10:00:00Z",
            "aws:maxRetries": "5",
        });
        assert.deepStrictEqual([loaded.stack, loaded.file, loaded.project.name], ["dev", "Pulumi.dev.yaml", "revocable-roles"]);
    });

    it("reads a structured value given as a JSON string exactly as the program does", () => {
        const json = JSON.stringify({ ci: { trust: { accounts: ["111111111111"] }, revokeBefore: "2026-11-27T10:00:00Z" } });
        const asString = loadStack(memorySource({ "Pulumi.dev.yaml": `config:\n  revocable-roles:roles: '${json}'\n` }), "dev");
        const asYaml = loadStack(
            memorySource({
                "Pulumi.dev.yaml": `config:\n  revocable-roles:roles:\n    ci:\n      trust:\n        accounts: ["111111111111"]\n      revokeBefore: "2026-11-27T10:00:00Z"\n`,
            }),
            "dev",
        );
        const now = new Date("2026-11-27T12:00:00Z");
        const [a, b] = [
            readStackConfig(asString.config, { stackFile: "Pulumi.dev.yaml", now }),
            readStackConfig(asYaml.config, { stackFile: "Pulumi.dev.yaml", now }),
        ];
        assert.ok(a.ok && b.ok);
        assert.deepStrictEqual(a.roles, b.roles);
        assert.strictEqual(a.roles[0].args.revokeBefore, "2026-11-27T10:00:00Z");
    });

    it("reads the legacy spelling ns:config:name as the key ns:name, as the CLI does, in the stack file and the project file", () => {
        const projectFile = `${PROJECT_YAML}config:\n  aws:config:region: us-east-1\n`;
        const text = `config:\n  aws:config:allowedAccountIds: ["111111111111"]\n  ${role}`;
        const loaded = loadStack(memorySource({ "Pulumi.yaml": projectFile, "Pulumi.dev.yaml": text }), "dev");
        assert.deepStrictEqual(loaded.config, {
            "aws:region": "us-east-1",
            "aws:allowedAccountIds": '["111111111111"]',
            "revocable-roles:roles": '{"ci":{"trust":{"accounts":["111111111111"]}}}',
        });
    });

    it("hands over the stack file's other top-level keys as written, whichever reader reads the file", () => {
        const settings = "secretsprovider: awskms://alias/pulumi\nencryptedkey: AQICAHh\n";
        for (const text of [
            `${settings}${stackFile()}`,
            `${settings}${stackFile("  # a comment that sends the file to the full parser # here\n")}`,
        ]) {
            assert.deepStrictEqual(loadStack(memorySource({ "Pulumi.dev.yaml": text }), "dev").settings, {
                secretsprovider: "awskms://alias/pulumi",
                encryptedkey: "AQICAHh",
            });
        }
    });

    it("adds project-level config of other namespaces, which the stack file overrides", () => {
        const projectFile = `${PROJECT_YAML}config:\n  aws:region: us-east-1\n  aws:allowedAccountIds:\n    value: ["111111111111"]\n`;
        const loaded = loadStack(memorySource({ "Pulumi.yaml": projectFile, "Pulumi.dev.yaml": stackFile() }), "dev");
        assert.strictEqual(loaded.config["aws:region"], "eu-west-1");
        assert.strictEqual(loaded.config["aws:allowedAccountIds"], '["111111111111"]');
    });

    const refusals: [string, Record<string, string>, string[]][] = [
        [
            "an un-namespaced key, which the CLI namespaces with the project name",
            { "Pulumi.dev.yaml": stackFile("  roles: {}\n") },
            [
                "Pulumi.dev.yaml: roles: has no namespace; the Pulumi CLI reads it as revocable-roles:roles, and beside the namespaced key which one wins is not defined; write it as revocable-roles:roles",
            ],
        ],
        [
            "a namespace that differs only in case",
            { "Pulumi.dev.yaml": stackFile('  Revocable-Roles:revokeAllBefore: "2026-11-27T10:00:00Z"\n') },
            [
                'Pulumi.dev.yaml: Revocable-Roles:revokeAllBefore: namespace "Revocable-Roles" differs from "revocable-roles" only in case; write revocable-roles:revokeAllBefore',
            ],
        ],
        [
            "project-level config of this namespace",
            {
                "Pulumi.yaml": `${PROJECT_YAML}config:\n  revocable-roles:revokeAllBefore: "2026-11-27T10:00:00Z"\n  provider: aws-native\n`,
                "Pulumi.dev.yaml": stackFile(),
            },
            [
                "Pulumi.yaml: config.revocable-roles:revokeAllBefore: project-level config of the revocable-roles namespace applies to every stack, which this tool does not model; set it in each Pulumi.<stack>.yaml",
                "Pulumi.yaml: config.provider: project-level config without a namespace belongs to the project's own namespace and applies to every stack, which this tool does not model; set it in each Pulumi.<stack>.yaml",
            ],
        ],
        [
            "stackConfigDir, main and plugins in the project file",
            {
                "Pulumi.yaml": `${PROJECT_YAML}stackConfigDir: stacks\nmain: other/\nplugins:\n  providers: []\n`,
                "Pulumi.dev.yaml": stackFile(),
            },
            [
                "Pulumi.yaml: stackConfigDir: is not supported: it moves the stack files; keep them next to Pulumi.yaml",
                'Pulumi.yaml: main: "other/" is not supported: it points the CLI at another program; the offline plan runs index.ts',
                "Pulumi.yaml: plugins: is not supported: it replaces provider plugins with local builds the offline plan cannot see",
            ],
        ],
        [
            "a Pulumi.json project file beside Pulumi.yaml",
            { "Pulumi.json": '{"name": "revocable-roles", "runtime": "nodejs"}', "Pulumi.dev.yaml": stackFile() },
            ["Pulumi.json: only a Pulumi.yaml project file is supported; the Pulumi CLI may read Pulumi.json instead, so remove it"],
        ],
        [
            "a stack file in another format beside the YAML one",
            { "Pulumi.dev.yaml": stackFile(), "Pulumi.dev.json": "{}" },
            ["Pulumi.dev.json: only Pulumi.<stack>.yaml stack files are supported; rename it to Pulumi.dev.yaml or remove it"],
        ],
        [
            "a YAML merge key",
            { "Pulumi.dev.yaml": 'config:\n  revocable-roles:roles:\n    ci:\n      <<: {trust: {accounts: ["111111111111"]}}\n' },
            [
                'Pulumi.dev.yaml: line 4: YAML merge key "<<" is not supported; the Pulumi CLI merges it and this tool does not, so write the keys out',
            ],
        ],
        [
            "a YAML alias",
            {
                "Pulumi.dev.yaml":
                    'config:\n  revocable-roles:roles:\n    ci:\n      trust: &t {accounts: ["111111111111"]}\n    db:\n      trust: *t\n',
            },
            [
                "Pulumi.dev.yaml: line 6: YAML alias *t is not supported; the Pulumi CLI and this tool could read it differently, so write the value out",
            ],
        ],
        [
            "an explicit YAML tag",
            { "Pulumi.dev.yaml": stackFile("      maxSessionDuration: !!int 3600\n") },
            ["Pulumi.dev.yaml: line 7: YAML tag tag:yaml.org,2002:int is not supported; write the value without a tag"],
        ],
        [
            "a Pulumi ESC environment",
            { "Pulumi.dev.yaml": `environment:\n  - acme/prod\n${stackFile()}` },
            [
                "Pulumi.dev.yaml: environment: Pulumi ESC environments add config this tool cannot see; set the values in Pulumi.dev.yaml instead",
            ],
        ],
        [
            "a secret in this namespace",
            { "Pulumi.dev.yaml": "config:\n  revocable-roles:revokeAllBefore:\n    secure: v1:abc\n" + `  ${role}` },
            [
                "Pulumi.dev.yaml: revocable-roles:revokeAllBefore: is a secret (secure:); the offline plan cannot decrypt it and nothing in this namespace is secret, so write the value in plain text",
            ],
        ],
        [
            "numbers and booleans the CLI could read differently",
            { "Pulumi.dev.yaml": stackFile("      maxSessionDuration: 0x1000\n      trust2: {requireMfa: True}\n") },
            [
                "Pulumi.dev.yaml: revocable-roles:roles.ci.maxSessionDuration: number 0x1000 may be read differently by the Pulumi CLI; write it in plain decimal, or quote it if it is an ID",
                "Pulumi.dev.yaml: revocable-roles:roles.ci.trust2.requireMfa: True may be read differently by the Pulumi CLI; write true or false",
            ],
        ],
        [
            "Pulumi Deployments settings",
            { "Pulumi.dev.yaml": stackFile(), "Pulumi.dev.deploy.yaml": "settings: {}\n" },
            [
                "Pulumi.dev.deploy.yaml: Pulumi Deployments settings can run commands and set the environment of a deploy, which this tool does not model; remove it",
            ],
        ],
        [
            "a key the CLI does not read in a stack file",
            { "Pulumi.dev.yaml": `imports: [other]\n${stackFile()}` },
            ["Pulumi.dev.yaml: imports: is not a stack file key the Pulumi CLI reads; remove it"],
        ],
        [
            "a misindented key: one line naming the line, the role and what to fix",
            {
                "Pulumi.dev.yaml":
                    'config:\n  revocable-roles:roles:\n    web:\n      description: x\n     trust:\n        accounts: ["111111111111"]\n',
            },
            [
                'Pulumi.dev.yaml: line 5, in role "web": is not valid YAML: All mapping items must start at the same column; check the indentation of "     trust:": every key of a mapping starts at the same column, with spaces',
            ],
        ],
        [
            "an account ID with a leading zero, unquoted",
            { "Pulumi.dev.yaml": stackFile("      trust2: {accounts: [012345678901]}\n") },
            [
                'Pulumi.dev.yaml: revocable-roles:roles.ci.trust2.accounts[0]: 012345678901 is read as a number, and its leading zero may be dropped; an account ID is a string: quote it, as "012345678901"',
            ],
        ],
        [
            "two spellings of one key, which the CLI reads as one and keeps only one of",
            {
                "Pulumi.dev.yaml": `config:\n  aws:allowedAccountIds: ["111111111111"]\n  aws:config:allowedAccountIds: ["222222222222"]\n  ${role}`,
            },
            [
                "Pulumi.dev.yaml: line 3: aws:config:allowedAccountIds is the key aws:allowedAccountIds, already set on line 2; the Pulumi CLI keeps only one of the two, so the tools could read the other; write it once, as aws:allowedAccountIds",
            ],
        ],
        [
            "two spellings of a key of this namespace",
            { "Pulumi.dev.yaml": stackFile("  revocable-roles:config:roles: {}\n") },
            [
                "Pulumi.dev.yaml: line 7: revocable-roles:config:roles is the key revocable-roles:roles, already set on line 3; the Pulumi CLI keeps only one of the two, so the tools could read the other; write it once, as revocable-roles:roles",
            ],
        ],
        [
            "the legacy spelling of a key of this namespace, which the tools would not edit",
            { "Pulumi.dev.yaml": `config:\n  revocable-roles:config:revokeAllBefore: "2026-11-27T10:00:00Z"\n  ${role}` },
            [
                "Pulumi.dev.yaml: line 2: revocable-roles:config:revokeAllBefore is the legacy spelling of revocable-roles:revokeAllBefore, which the Pulumi CLI reads as the same key; the tools read and edit this namespace's keys in the short form only; write it as revocable-roles:revokeAllBefore",
            ],
        ],
        [
            "keys the CLI cannot parse, and keys with an empty part",
            { "Pulumi.dev.yaml": stackFile("  aws:x:region: eu-west-1\n  aws:config:x:y: z\n  :region: eu-west-1\n  acme:config:: x\n") },
            [
                "Pulumi.dev.yaml: line 7: config key aws:x:region is refused by the Pulumi CLI: could not parse aws:x:region as a configuration key (configuration keys should be of the form `<namespace>:<name>`); write it as <namespace>:<name>",
                "Pulumi.dev.yaml: line 8: config key aws:config:x:y is refused by the Pulumi CLI: could not parse aws:config:x:y as a configuration key (configuration keys should be of the form `<namespace>:<name>`); write it as <namespace>:<name>",
                "Pulumi.dev.yaml: line 9: config key :region has an empty namespace, which no program reads; write it as <namespace>:<name>",
                "Pulumi.dev.yaml: line 10: config key acme:config: has an empty name, which no program reads; write it as <namespace>:<name>",
            ],
        ],
        [
            "two spellings of one key in the project file",
            {
                "Pulumi.yaml": `${PROJECT_YAML}config:\n  aws:region: us-east-1\n  aws:config:region: eu-west-1\n`,
                "Pulumi.dev.yaml": stackFile(),
            },
            [
                "Pulumi.yaml: line 10: aws:config:region is the key aws:region, already set on line 9; the Pulumi CLI keeps only one of the two, so the tools could read the other; write it once, as aws:region",
            ],
        ],
        [
            "a second YAML document, which the CLI would ignore",
            { "Pulumi.dev.yaml": `${stackFile()}---\nconfig: {}\n` },
            ["Pulumi.dev.yaml: line 7: a second YAML document (---) is not supported; the Pulumi CLI reads only the first, so remove it"],
        ],
    ];
    for (const [what, files, expected] of refusals) {
        it(`refuses ${what}`, () => {
            const found = problems(files);
            if (files["Pulumi.dev.deploy.yaml"] !== undefined) {
                assert.deepStrictEqual(scanStacks(memorySource(files)).problems, expected);
            } else {
                assert.deepStrictEqual(found, expected);
            }
        });
    }

    it("refuses a stack file that is a symlink, on disk and at a git ref", () => {
        const root = repository({ "Pulumi.real.yaml": stackFile() });
        fs.symlinkSync("Pulumi.real.yaml", path.join(root, "Pulumi.dev.yaml"));
        git(root, "add", "-A");
        git(root, "commit", "-qm", "link");
        const expected = [
            "Pulumi.dev.yaml: is a symlink; stack files must be regular files (a symlink could make the CLI read another file than the one reviewed)",
        ];
        for (const source of [directorySource(root), gitSource(root, "HEAD")]) {
            assert.throws(
                () => loadStack(source, "dev"),
                (error: unknown) => error instanceof ConfigSourceError && assert.deepStrictEqual(error.problems, expected) === undefined,
            );
            assert.deepStrictEqual(scanStacks(source), { stacks: ["real"], problems: expected });
        }
    });

    it("names the stacks that exist when a stack has no stack file", () => {
        const root = project({ "Pulumi.dev.yaml": stackFile(), "Pulumi.prod.yaml": stackFile() });
        assert.throws(
            () => loadStack(directorySource(root), "staging"),
            (error: unknown) => {
                assert.ok(error instanceof UnknownStackError);
                assert.strictEqual(error.message, 'unknown stack "staging": there is no Pulumi.staging.yaml; stacks: dev, prod');
                return true;
            },
        );
        assert.deepStrictEqual(listStacks(directorySource(root)), ["dev", "prod"]);
    });

    it("reads a git ref exactly as the working tree", () => {
        const root = repository(
            { "Pulumi.dev.yaml": stackFile() },
            { "Pulumi.dev.yaml": stackFile('  revocable-roles:revokeAllBefore: "2026-11-27T10:00:00Z"\n') },
        );
        assert.deepStrictEqual(
            loadStack(gitSource(root, "main"), "dev").config,
            loadStack(memorySource({ "Pulumi.dev.yaml": stackFile() }), "dev").config,
        );
        assert.strictEqual(loadStack(directorySource(root), "dev").config["revocable-roles:revokeAllBefore"], "2026-11-27T10:00:00Z");
    });
});

describe("packageJsonProblems: the program the Pulumi CLI's Node.js host would run", () => {
    const check = (packageJson: string | undefined) =>
        packageJsonProblems(memorySource(packageJson === undefined ? {} : { "package.json": packageJson }));
    const cases: [string, string | undefined, string[]][] = [
        ["main index.ts", '{"main": "index.ts"}', []],
        ["main ./index.ts, type commonjs", '{"main": "./index.ts", "type": "commonjs"}', []],
        [
            "no package.json",
            undefined,
            [
                'package.json: not found; the Pulumi CLI would look for one in the folders above and could run another program; add one with "main": "index.ts"',
            ],
        ],
        [
            "main elsewhere",
            '{"main": "tools/other.ts"}',
            [
                'package.json: main "tools/other.ts" points elsewhere; the Pulumi CLI would run that instead of index.ts, the program the tools plan',
            ],
        ],
        [
            "exports, which the host reads before main",
            '{"main": "index.ts", "exports": {".": {"require": "./evil.js"}}}',
            [
                'package.json: exports {".":{"require":"./evil.js"}} sets the program\'s entry point; the Pulumi CLI would run that instead of index.ts, the program the tools plan',
            ],
        ],
        [
            "no main, where an index.js would win",
            "{}",
            [
                'package.json: main: is not set; the Pulumi CLI would run index.js in place of index.ts if one existed; set "main": "index.ts"',
            ],
        ],
        [
            "type module",
            '{"main": "index.ts", "type": "module"}',
            ['package.json: type: "module" makes the Pulumi CLI load the program as an ES module, which the tools do not; remove it'],
        ],
        ["text that is not JSON", "{main", ["package.json: is not valid JSON; fix it so that the program's entry point can be read"]],
    ];
    for (const [what, packageJson, expected] of cases) {
        it(`${expected.length === 0 ? "accepts" : "refuses"} ${what}`, () => {
            assert.deepStrictEqual(check(packageJson), expected);
        });
    }

    it("lets Pulumi.yaml's main: index.ts pin the program, so package.json may export a library, but never type module", () => {
        const library = '{"name": "revocable-roles", "main": "index.ts", "exports": {".": "./component/index.ts"}}';
        assert.deepStrictEqual(packageJsonProblems(memorySource({ "package.json": library }), true), []);
        assert.deepStrictEqual(packageJsonProblems(memorySource({ "package.json": '{"exports": "./x.js", "type": "module"}' }), true), [
            'package.json: type: "module" makes the Pulumi CLI load the program as an ES module, which the tools do not; remove it',
        ]);
        assert.strictEqual(problems({ "Pulumi.yaml": `${PROJECT_YAML}main: index.ts\n`, "Pulumi.dev.yaml": stackFile() }), "loaded");
    });
});

describe("the config loader in a project of another name", () => {
    it("reads this namespace as revocable-roles:* whatever the project is called, and names where a key without one would go", () => {
        const projectFile = PROJECT_YAML.replace("name: revocable-roles", "name: platform-roles");
        const loaded = loadStack(memorySource({ "Pulumi.yaml": projectFile, "Pulumi.dev.yaml": stackFile() }), "dev");
        assert.deepStrictEqual(Object.keys(loaded.config), ["aws:region", "revocable-roles:roles"]);
        assert.deepStrictEqual(
            problems({ "Pulumi.yaml": projectFile, "Pulumi.dev.yaml": stackFile(`  revokeAllBefore: "2026-11-27T10:00:00Z"\n`) }),
            [
                "Pulumi.dev.yaml: revokeAllBefore: has no namespace; the Pulumi CLI reads it as platform-roles:revokeAllBefore, which the program never reads: it reads revocable-roles:* only; write it as revocable-roles:revokeAllBefore",
            ],
        );
    });
});

/**
 * The config loader against what could be read two ways: bytes the Pulumi CLI reads differently
 * (line breaks, invalid UTF-8, sizes, runtime options), and what a JavaScript reader or a clock
 * could misread.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { ConfigSourceError, loadStack } from "../config/loader";
import { directorySource, gitSource } from "../config/sources";
import { readStackConfig } from "../config/stackConfig";
import { PROJECT_YAML, git, memorySource, project, repository } from "./helpers";
import { problems, stackFile } from "./loaderHarness";

describe("the config loader: bytes the Pulumi CLI reads differently", () => {
    // The attack: a comment that go-yaml ends at U+2028, so that the line after it moves to another role.
    const hidden = (separator: string) =>
        `config:\n  revocable-roles:roles:\n    victim:\n      trust:\n        accounts: ["111111111111"]\n      # note${separator}    hidden:\n      revokeBefore: "2026-11-27T10:00:00Z"\n`;
    const linePosition = "line 6, column 13";

    it("shows why: with U+2028 read as a line break, the cutoff belongs to another role", async () => {
        const YAML = await import("yaml");
        const ours = YAML.parse(hidden("\u2028")) as { config: Record<string, Record<string, unknown>> };
        const cli = YAML.parse(hidden("\u2028").replace("\u2028", "\n")) as { config: Record<string, Record<string, unknown>> };
        assert.deepStrictEqual(
            [Object.keys(ours.config["revocable-roles:roles"]), Object.keys(cli.config["revocable-roles:roles"])],
            [["victim"], ["victim", "hidden"]],
        );
    });

    const breaks: [string, string][] = [
        ["\u0085", "U+0085 (next line)"],
        ["\u2028", "U+2028 (line separator)"],
        ["\u2029", "U+2029 (paragraph separator)"],
    ];
    for (const [character, name] of breaks) {
        const message = (where: string) =>
            `Pulumi.dev.yaml: ${where}: ${name} is a line break to the Pulumi CLI's YAML reader and an ordinary character to this tool, so the two would read different keys; remove it`;
        it(`refuses ${name} in a comment`, () => {
            assert.deepStrictEqual(problems({ "Pulumi.dev.yaml": hidden(character) }), [message(linePosition)]);
        });
        it(`refuses ${name} in a value`, () => {
            assert.deepStrictEqual(problems({ "Pulumi.dev.yaml": stackFile(`      description: "a${character}b"\n`) }), [
                message("line 7, column 22"),
            ]);
        });
    }

    const controls: [string, string][] = [
        ["NUL", "\u0000"],
        ["BEL", "\u0007"],
        ["VT", "\u000b"],
        ["ESC", "\u001b"],
        ["DEL", "\u007f"],
        ["a C1 control", "\u009b"],
    ];
    for (const [name, character] of controls) {
        const code = `U+${character.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`;
        it(`refuses ${name} in a value and in a key`, () => {
            assert.deepStrictEqual(problems({ "Pulumi.dev.yaml": stackFile(`      description: "x${character}"\n`) }), [
                `Pulumi.dev.yaml: line 7, column 22: control character ${code} is refused by the Pulumi CLI's YAML reader; remove it`,
            ]);
            assert.deepStrictEqual(problems({ "Pulumi.dev.yaml": stackFile(`  aws:re${character}gion: eu-west-1\n`) }), [
                `Pulumi.dev.yaml: line 7, column 9: control character ${code} is refused by the Pulumi CLI's YAML reader; remove it`,
            ]);
        });
    }

    it("accepts tabs in a comment, carriage returns and a byte order mark at the start, and refuses one further in", () => {
        assert.strictEqual(problems({ "Pulumi.dev.yaml": `\uFEFF${stackFile("  # a\tcomment\r\n")}` }), "loaded");
        assert.deepStrictEqual(problems({ "Pulumi.dev.yaml": stackFile("  # a\uFEFFcomment\n") }), [
            "Pulumi.dev.yaml: line 7, column 6: a byte order mark (U+FEFF) inside the file is not supported; remove it",
        ]);
    });

    it("refuses the same characters in the project file", () => {
        assert.deepStrictEqual(problems({ "Pulumi.yaml": `${PROJECT_YAML}# x\u2028`, "Pulumi.dev.yaml": stackFile() }), [
            "Pulumi.yaml: line 8, column 4: U+2028 (line separator) is a line break to the Pulumi CLI's YAML reader and an ordinary character to this tool, so the two would read different keys; remove it",
        ]);
    });

    it("refuses invalid UTF-8, naming the line and column, on disk and at a git ref, instead of reading it as U+FFFD", () => {
        const text = stackFile().replace(
            'accounts: ["111111111111"]',
            'accounts: ["111111111111"]\n      githubActions: {repositories: ["acme/web:ref:refs/heads/m#in"]}',
        );
        const bytes = Buffer.from(text, "utf8");
        bytes[bytes.indexOf("m#in") + 1] = 0xff;
        const root = repository({});
        fs.writeFileSync(path.join(root, "Pulumi.dev.yaml"), bytes);
        git(root, "add", "-A");
        git(root, "commit", "-qm", "invalid");
        const expected = [
            "Pulumi.dev.yaml: line 7, column 64: byte 0xff is not valid UTF-8; the Pulumi CLI refuses the file: save it as UTF-8",
        ];
        for (const source of [directorySource(root), gitSource(root, "HEAD")]) {
            assert.throws(
                () => loadStack(source, "dev"),
                (error: unknown) => error instanceof ConfigSourceError && assert.deepStrictEqual(error.problems, expected) === undefined,
            );
        }
    });

    it("refuses a stack file above 20 MiB before reading it", () => {
        const root = project({ "Pulumi.dev.yaml": stackFile() + `  # ${"x".repeat(20 * 1024 * 1024)}\n` });
        assert.throws(
            () => loadStack(directorySource(root), "dev"),
            (error: unknown) =>
                error instanceof ConfigSourceError &&
                assert.deepStrictEqual(error.problems, [
                    "Pulumi.dev.yaml: is 20.0 MiB; files above 20 MiB are refused (that is far more roles than IAM's 5,000 per account); split the stack",
                ]) === undefined,
        );
    });

    it("refuses runtime options that change how the Pulumi CLI starts the program", () => {
        const options = PROJECT_YAML.replace(
            "    packagemanager: npm\n",
            "    packagemanager: npm\n    nodeargs: --require ./preload.js\n    tsconfig: other.json\n",
        ).replace("typescript: true", "typescript: false");
        assert.deepStrictEqual(problems({ "Pulumi.yaml": options, "Pulumi.dev.yaml": stackFile() }), [
            "Pulumi.yaml: runtime.options.typescript: false is not supported; the program is index.ts, so it must be true",
            "Pulumi.yaml: runtime.options.nodeargs: is not supported: it changes how the Pulumi CLI starts the program, which the offline tools cannot model; remove it",
            "Pulumi.yaml: runtime.options.tsconfig: is not supported: it changes how the Pulumi CLI starts the program, which the offline tools cannot model; remove it",
        ]);
    });
});

describe("the config loader: what a JavaScript reader or a clock could misread", () => {
    const now = new Date("2026-11-27T12:00:00Z");
    /** Every error of a stack file, from the loader or the config reader, or "valid". */
    const errors = (text: string): string[] | "valid" => {
        const found = problems({ "Pulumi.dev.yaml": text });
        if (found !== "loaded") return found;
        const read = readStackConfig(loadStack(memorySource({ "Pulumi.dev.yaml": text }), "dev").config, {
            stackFile: "Pulumi.dev.yaml",
            now,
        });
        return read.ok ? "valid" : read.errors;
    };
    const roles = (body: string) => `config:\n  revocable-roles:roles:\n${body}`;
    const trust = '      trust:\n        accounts: ["111111111111"]\n';

    const cases: [string, string, string[]][] = [
        [
            "a year written with two digits, read with its year exactly as written and refused as before 2006",
            roles(`    ci:\n${trust}      revokeBefore: "0026-11-27T10:00:00Z"\n`),
            [
                'Pulumi.dev.yaml: revocable-roles:roles.ci.revokeBefore: "0026-11-27T10:00:00Z" is before 2006, earlier than any AWS session could be issued, so it would deny nothing; write the year in full, such as 2026-11-27T10:00:00Z',
            ],
        ],
        [
            "a cutoff before the epoch",
            roles(`    ci:\n${trust}      revokeBefore: "1969-12-31T23:59:59Z"\n`),
            [
                'Pulumi.dev.yaml: revocable-roles:roles.ci.revokeBefore: "1969-12-31T23:59:59Z" is before 2006, earlier than any AWS session could be issued, so it would deny nothing; write the year in full, such as 2026-11-27T10:00:00Z',
            ],
        ],
        [
            "a role keyed __proto__, which a JavaScript reader would drop",
            roles(`    __proto__:\n${trust}    ci:\n${trust}`),
            [
                'Pulumi.dev.yaml: line 3: the key "__proto__" is not supported: JavaScript readers drop it or turn it into a prototype, so the tools would not see what the Pulumi CLI reads; rename it',
            ],
        ],
        [
            "a role keyed __proto__ inside a JSON string",
            `config:\n  revocable-roles:roles: '{"__proto__": {"trust": {"accounts": ["111111111111"]}}}'\n`,
            [
                'Pulumi.dev.yaml: revocable-roles:roles.__proto__: the key "__proto__" is not supported: JavaScript readers drop it or turn it into a prototype, so the tools would not see it; rename it',
            ],
        ],
        [
            "roles keyed constructor and prototype",
            roles(`    constructor:\n${trust}    prototype:\n${trust}`),
            [
                'Pulumi.dev.yaml: revocable-roles:roles.constructor: "constructor" is a name every JavaScript object inherits, which tools could misread as a role; rename the key and keep the IAM role name with name: constructor',
                'Pulumi.dev.yaml: revocable-roles:roles.prototype: "prototype" is a name every JavaScript object inherits, which tools could misread as a role; rename the key and keep the IAM role name with name: prototype',
            ],
        ],
        [
            "a provider credential in plain text",
            `config:\n  aws:accessKey: AKIAEXAMPLE\n  aws:secretKey: wJalrXUtnFEMI/K7MDENG\n${roles(`    ci:\n${trust}`).slice("config:\n".length)}`,
            [
                "Pulumi.dev.yaml: aws:accessKey: is a credential in plain text, readable by anyone with the repository; store it encrypted with pulumi config set --secret aws:accessKey, or better, give the deploy a role through OIDC or a profile",
                "Pulumi.dev.yaml: aws:secretKey: is a credential in plain text, readable by anyone with the repository; store it encrypted with pulumi config set --secret aws:secretKey, or better, give the deploy a role through OIDC or a profile",
            ],
        ],
    ];
    for (const [what, text, expected] of cases) {
        it(`refuses ${what}`, () => {
            assert.deepStrictEqual(errors(text), expected);
        });
    }

    it("accepts a credential stored encrypted (secure:) and a role named constructor through name", () => {
        assert.strictEqual(
            errors(
                `config:\n  aws:secretKey:\n    secure: AAABAKx\n  revocable-roles:roles:\n    builder:\n      name: constructor\n${trust}`,
            ),
            "valid",
        );
    });

    it("refuses a credential in plain text in the project file", () => {
        assert.deepStrictEqual(
            problems({ "Pulumi.yaml": `${PROJECT_YAML}config:\n  aws:token: FwoGZXIvYXdz\n`, "Pulumi.dev.yaml": stackFile() }),
            [
                "Pulumi.yaml: config.aws:token: is a credential in plain text, readable by anyone with the repository; store it encrypted with pulumi config set --secret aws:token, or better, give the deploy a role through OIDC or a profile",
            ],
        );
    });
});

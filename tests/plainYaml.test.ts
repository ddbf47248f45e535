/**
 * The plain-style reader is a shortcut, never a second opinion: whatever it reads, it reads
 * exactly as the full parser does, and the loader's result is the same whichever reads the file.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { DEV_STACK, FIXTURES } from "./helpers";
import { readPlainYaml } from "../config/plainYaml";
import { parsedStackConfig, plainStackConfig, stackConfig } from "../config/loader";
import { syntheticStack } from "../bench/synthetic";

/** Every fixture stack file, by its path under tests/fixtures. */
function fixtureStackFiles(folder = FIXTURES): string[] {
    return fs.readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
        const full = path.join(folder, entry.name);
        if (entry.isDirectory()) return fixtureStackFiles(full);
        return entry.name.endsWith(".yaml") && entry.name !== "Pulumi.yaml" ? [path.relative(FIXTURES, full)] : [];
    });
}

/**
 * The plain reader agrees with the full parser on the document and with the full reader on the
 * config, or stands aside. Returns how far it read: not at all, the document, or the config too.
 */
function assertAgrees(text: string): "no" | "document" | "config" {
    const plain = readPlainYaml(text);
    if (plain === undefined) return "no";
    const document = YAML.parseDocument(text);
    assert.deepStrictEqual([...document.errors, ...document.warnings], [], text);
    assert.deepStrictEqual(plain, document.toJSON(), text);
    const config = plainStackConfig("Pulumi.fuzz.yaml", text);
    if (config === undefined) return "document";
    assert.deepStrictEqual(config, parsedStackConfig("Pulumi.fuzz.yaml", text), text);
    return "config";
}

/** A deterministic pseudo-random sequence (mulberry32), so that every run tries the same texts. */
function random(seed: number): () => number {
    let state = seed;
    return () => {
        state = (state + 0x6d2b79f5) | 0;
        let t = Math.imul(state ^ (state >>> 15), 1 | state);
        t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

/** Fragments with a meaning in YAML, or in the loader's rules. */
const FRAGMENTS = [
    ...[" ", "  ", ":", ": ", "-", "- ", "#", " # note", '"', "'", "\\", ",", ", ", '", "', "[", "]", "[]", "{", "}", "{}"],
    ...["*a", "&a ", "!!str ", "!", "<<: ", "? ", "|", ">", "%", "@", "`", "~", "---\n", "...\n", "\t", "\r", "\n", "\u00e9"],
    ...["null", "Null", "True", "true", "false", "yes", "0", "0x1F", "0o7", "1e3", ".5", "-1", "012", "+1", "1.0", ".inf"],
    ...["__proto__", "secure: x", "environment: x\n", "config:\n", "aws:", "Revocable-Roles:", "revocable-roles:", "x:\n"],
];

/** One random edit: a fragment inserted, a few characters deleted or replaced, a line repeated, removed or re-indented. */
function mutate(text: string, next: () => number): string {
    const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)];
    const at = Math.floor(next() * (text.length + 1));
    const lines = text.split("\n");
    const line = Math.floor(next() * lines.length);
    switch (pick(["insert", "delete", "replace", "repeat", "remove", "indent"] as const)) {
        case "insert":
            return text.slice(0, at) + pick(FRAGMENTS) + text.slice(at);
        case "delete":
            return text.slice(0, at) + text.slice(at + 1 + Math.floor(next() * 3));
        case "replace":
            return text.slice(0, at) + pick(FRAGMENTS) + text.slice(at + 1);
        case "repeat":
            return [...lines.slice(0, line + 1), ...lines.slice(line)].join("\n");
        case "remove":
            return [...lines.slice(0, line), ...lines.slice(line + 1)].join("\n");
        case "indent": {
            const shift = pick([-2, -1, 1, 2]);
            const edited = shift > 0 ? " ".repeat(shift) + lines[line] : lines[line].replace(new RegExp(`^ {0,${-shift}}`), "");
            return [...lines.slice(0, line), edited, ...lines.slice(line + 1)].join("\n");
        }
    }
}

/** Every construct the plain reader accepts, in one small stack file. */
const PLAIN_STACK = `# a comment
config:
  aws:region: eu-west-1
  aws:allowedAccountIds: ["111111111111", "222222222222"]
  revocable-roles:revokeAllBefore: "2026-11-20T08:00:00Z"
  revocable-roles:roles:
    ci:
      description: Deploys (main branch), nightly
      maxSessionDuration: 3600
      trust:
        accounts:
        - '111111111111'
        requireMfa: true
      inlinePolicies:
        write:
          Version: "2012-10-17"
          Statement:
            - Effect: Allow
              Action:
                - s3:PutObject
              Resource: arn:aws:s3:::bucket/*
              Condition:
                Bool:
                  aws:SecureTransport: "true"
      managedPolicyArns: []
      revokeBefore: "2026-11-27T10:15:00Z"
`;

describe("the plain-style stack file reader", () => {
    it("reads every construct of the plain style exactly as the yaml package does", () => {
        assert.strictEqual(assertAgrees(PLAIN_STACK), "config");
        const roles = readPlainYaml(PLAIN_STACK) as { config: Record<string, unknown> };
        assert.deepStrictEqual(roles.config["revocable-roles:roles"], {
            ci: {
                description: "Deploys (main branch), nightly",
                maxSessionDuration: 3600,
                trust: { accounts: ["111111111111"], requireMfa: true },
                inlinePolicies: {
                    write: {
                        Version: "2012-10-17",
                        Statement: [
                            {
                                Effect: "Allow",
                                Action: ["s3:PutObject"],
                                Resource: "arn:aws:s3:::bucket/*",
                                Condition: { Bool: { "aws:SecureTransport": "true" } },
                            },
                        ],
                    },
                },
                managedPolicyArns: [],
                revokeBefore: "2026-11-27T10:15:00Z",
            },
        });
    });

    // Each of these is valid YAML the full parser reads (or refuses with a message); the plain reader leaves it to it.
    const leftToTheParser: [string, string][] = [
        ["an anchor and an alias", "a: &x 1\nb: *x\n"],
        ["a tag", "a: !!str 1\n"],
        ["a merge key", "a:\n  <<: {b: 1}\n"],
        ["a block scalar", "a: |\n  text\n"],
        ["a plain scalar over two lines", "a: one\n  two\n"],
        ["a flow mapping", "a: {b: 1}\n"],
        ["a flow sequence of plain scalars", "a: [b, c]\n"],
        ["a comment after a value", "a: b # note\n"],
        ["a quoted key", '"a": b\n'],
        ["a complex key", "? a\n: b\n"],
        ["a document marker", "---\na: b\n"],
        ["a second document", "a: b\n---\nc: d\n"],
        ["a tab", "a:\n\tb: c\n"],
        ["a carriage return", "a: b\r\n"],
        ["a byte order mark", "\ufeffa: b\n"],
        ["a non-ASCII character", "a: caf\u00e9\n"],
        ["trailing spaces", "a: b \n"],
        ["two spaces after the colon", "a:  b\n"],
        ["a key without a value", "a:\nb: c\n"],
        ["a duplicate key", "a: 1\na: 2\n"],
        ["a __proto__ key", "__proto__: 1\n"],
        ["a key that is a boolean", "true: 1\n"],
        ["a key that is null", "null: 1\n"],
        ["null", "a: null\n"],
        ["~", "a: ~\n"],
        ["True", "a: True\n"],
        ["a hexadecimal number", "a: 0x1F\n"],
        ["an octal number", "a: 0o17\n"],
        ["a float", "a: 1.0\n"],
        ["an exponent", "a: 1e3\n"],
        ["a negative number", "a: -1\n"],
        ["a leading zero", "a: 012\n"],
        ["sixteen digits", "a: 1234567890123456\n"],
        ["a YAML 1.1 boolean", "a: yes\n"],
        ["a YAML 1.1 boolean as a key", "on: 1\n"],
        ["a one-letter YAML 1.1 boolean as a key", "n: 1\n"],
        ["a YAML 1.1 number with underscores", "a: 1_000\n"],
        ["a YAML 1.1 binary number", "a: 0b1\n"],
        ["a sexagesimal number", "a: 1:20\n"],
        ["a hexadecimal number go-yaml reads and YAML does not", "a: 0X1F\n"],
        ["a number go-yaml reads with its underscore dropped", "a: -_1\n"],
        ["a single quote escaped by doubling", "a: 'it''s'\n"],
        ["a double-quoted escape", 'a: "\\u0041"\n'],
        ["a nested sequence on one line", "a:\n  - - b\n"],
        ["an item with extra spaces", "a:\n  -   b\n"],
        ["a value with a colon and a space", "a: b: c\n"],
        ["a value ending with a colon", "a: b:\n"],
        ["an indented root", "  a: b\n"],
        ["a sequence after a scalar value", "a: b\n- c\n"],
        ["a deeper line after a scalar item", "a:\n  - b\n    c: d\n"],
        ["an empty file", ""],
        ["only comments", "# nothing\n"],
    ];
    for (const [name, text] of leftToTheParser) {
        it(`leaves ${name} to the full parser`, () => {
            assert.strictEqual(readPlainYaml(text), undefined);
        });
    }

    it("resolves plain scalars as YAML 1.2's core schema does: dates stay strings, canonical integers are numbers", () => {
        const text =
            "a: 2012-10-17\nb: 2026-11-27T10:15:00Z\nc: 3600\nd: 0\ne: false\nf: 111111111111\ng: arn:aws:iam::aws:policy/X\nh: /a/b/\n";
        assert.strictEqual(assertAgrees(text), "document");
        assert.deepStrictEqual(readPlainYaml(text), {
            a: "2012-10-17",
            b: "2026-11-27T10:15:00Z",
            c: 3600,
            d: 0,
            e: false,
            f: 111111111111,
            g: "arn:aws:iam::aws:policy/X",
            h: "/a/b/",
        });
    });

    it("reads 55 of the 61 fixture stack files as the yaml package does, and leaves the other 6 to it", () => {
        const files = [...fixtureStackFiles(), "../../Pulumi.dev.yaml"];
        const left = files.filter((file) => assertAgrees(fs.readFileSync(path.join(FIXTURES, file), "utf8")) === "no");
        assert.deepStrictEqual(left.sort(), [
            "bad/account-as-number.yaml",
            "bad/bad-role-key.yaml",
            "bad/empty-roles.yaml",
            "bad/no-principal.yaml",
            "revoke/Pulumi.commented.yaml",
            "sources/merge-key.yaml",
        ]);
        assert.strictEqual(files.length - left.length, 55);
    });

    it("leaves to the full reader a file it reads but whose config that reader refuses or names", () => {
        const refused = [
            "config:\n  roles: x\n",
            "config:\n  Revocable-Roles:roles: x\n",
            "config:\n  revocable-roles:token:\n    secure: abc\n",
            "environment: dev\n",
            "config:\n  aws:region: eu-west-1\nextra: 1\n",
            "config: x\n",
            "- config\n",
        ];
        for (const text of refused) {
            assert.notStrictEqual(readPlainYaml(text), undefined, text);
            assert.strictEqual(plainStackConfig("Pulumi.test.yaml", text), undefined, text);
        }
        // Secrets of other namespaces are the CLI's business, as with the full reader.
        assert.deepStrictEqual(plainStackConfig("Pulumi.test.yaml", "config:\n  aws:token:\n    secure: abc\n"), {
            "aws:token": '{"secure":"abc"}',
        });
    });

    it("agrees with the full parser, or stands aside, on 3,000 random edits of stack files", () => {
        const bases = [PLAIN_STACK, DEV_STACK, syntheticStack(2)];
        const next = random(20261128);
        const outcomes = { no: 0, document: 0, config: 0 };
        for (let i = 0; i < 3000; i++) {
            let text = bases[i % bases.length];
            for (let edits = 1 + Math.floor(next() * 2); edits > 0; edits--) text = mutate(text, next);
            outcomes[assertAgrees(text)]++;
        }
        // Every side is exercised: edits that leave the plain style, edits that keep it, with a config the loader takes or not.
        assert.deepStrictEqual(outcomes, { no: 1974, document: 21, config: 1005 });
    });

    it("gives the loader the same config whichever reader reads the file", () => {
        const text = syntheticStack(3, { revokeAllBefore: "2026-11-27T11:00:00Z" });
        assert.notStrictEqual(plainStackConfig("Pulumi.bench.yaml", text), undefined);
        assert.deepStrictEqual(stackConfig("Pulumi.bench.yaml", text), parsedStackConfig("Pulumi.bench.yaml", text));
    });
});

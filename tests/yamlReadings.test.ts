/**
 * One reading of every Pulumi file, or none: what YAML 1.2 (this tool), YAML 1.1 and go-yaml v2
 * (the Pulumi CLI) read differently is refused with the line, both readings and the fix; what
 * they read alike is read once, the same by the full reader and the plain-style fast path.
 */
import * as assert from "assert";
import * as fc from "fast-check";
import * as YAML from "yaml";
import { ConfigSourceError, loadProject, parsedStackConfig, plainStackConfig, stackConfig } from "../config/loader";
import { readPlainYaml } from "../config/plainYaml";
import { YAML_1_1, goYamlScalar } from "../config/yamlReadings";
import { PROJECT_YAML, memorySource } from "./helpers";

const FILE = "Pulumi.dev.yaml";
const TRUST = '      trust:\n        accounts: ["111111111111"]\n';
/** A stack file with one role `ci` (lines 1 to 6); `extra` is appended from line 7. */
const stack = (extra = "") => `config:\n  aws:region: eu-west-1\n  revocable-roles:roles:\n    ci:\n${TRUST}${extra}`;

/** The problems the loader names for a stack file, or its config. */
function read(text: string): string[] | Record<string, string> {
    try {
        return stackConfig(FILE, text);
    } catch (error) {
        assert.ok(error instanceof ConfigSourceError, String(error));
        return error.problems;
    }
}

const NOT_A_STRING_KEY =
    'the Pulumi CLI refuses a file with a key that is not a string ("expected only string keys"), so nothing of this stack could deploy';
const differently = "so the Pulumi CLI and this tool could read it differently";
const DIRECTIVE =
    "is not supported: it changes how YAML readers read the file, and the Pulumi CLI's reader (go-yaml, which refuses %YAML other than 1.1) and this tool's treat it differently; remove it";

describe("one reading of every Pulumi file, or none", () => {
    const refused: [string, string, string[]][] = [
        [
            "a role keyed on, a boolean to YAML 1.1",
            `config:\n  revocable-roles:roles:\n    on:\n${TRUST}`,
            [
                `${FILE}: line 3: the key on is the boolean true in YAML 1.1 and the string "on" in YAML 1.2; ${NOT_A_STRING_KEY}; quote it: "on"`,
            ],
        ],
        [
            "a key n, go-yaml's one-letter false",
            stack("      tags:\n        n: x\n"),
            [
                `${FILE}: line 8: the key n is the boolean false in YAML 1.1 and the string "n" in YAML 1.2; ${NOT_A_STRING_KEY}; quote it: "n"`,
            ],
        ],
        [
            "a key yes in another namespace",
            `config:\n  acme:flags:\n    yes: 1\n${stack().slice("config:\n".length)}`,
            [
                `${FILE}: line 3: the key yes is the boolean true in YAML 1.1 and the string "yes" in YAML 1.2; ${NOT_A_STRING_KEY}; quote it: "yes"`,
            ],
        ],
        [
            "a value yes in a role",
            stack("      description: yes\n"),
            [
                `${FILE}: line 7: yes is the boolean true in YAML 1.1 and the string "yes" in YAML 1.2, ${differently}; quote it ("yes") if it is text, or write true or false`,
            ],
        ],
        [
            "a value Off in a list of another namespace",
            `config:\n  acme:modes: [a, Off]\n${stack().slice("config:\n".length)}`,
            [
                `${FILE}: line 2: Off is the boolean false in YAML 1.1 and the string "Off" in YAML 1.2, ${differently}; quote it ("Off") if it is text, or write true or false`,
            ],
        ],
        [
            "a binary number",
            stack("      description: 0b1\n"),
            [
                `${FILE}: line 7: 0b1 is the number 1 in YAML 1.1 and the string "0b1" in YAML 1.2, ${differently}; quote it ("0b1") if it is text, or write the number in plain decimal`,
            ],
        ],
        [
            "a number with an underscore",
            stack("      description: 1_000\n"),
            [
                `${FILE}: line 7: 1_000 is the number 1000 in YAML 1.1 and the string "1_000" in YAML 1.2, ${differently}; quote it ("1_000") if it is text, or write the number in plain decimal`,
            ],
        ],
        [
            "a leading zero, octal to YAML 1.1",
            `config:\n  acme:mode: 0777\n${stack().slice("config:\n".length)}`,
            [
                `${FILE}: line 2: 0777 is the number 511 in YAML 1.1 and the number 777 in YAML 1.2, ${differently}; quote it ("0777") if it is text, or write the number in plain decimal`,
            ],
        ],
        [
            "a sexagesimal number",
            stack("      description: 1:20\n"),
            [
                `${FILE}: line 7: 1:20 is the number 80 in YAML 1.1 and the string "1:20" in YAML 1.2, ${differently}; quote it ("1:20") if it is text, or write the number in plain decimal`,
            ],
        ],
        [
            "an octal number YAML 1.1 does not know",
            stack("      description: 0o17\n"),
            [
                `${FILE}: line 7: 0o17 is the string "0o17" in YAML 1.1 and the number 15 in YAML 1.2, ${differently}; quote it ("0o17") if it is text, or write the number in plain decimal`,
            ],
        ],
        [
            "a hexadecimal prefix in capitals, a number only to go-yaml",
            stack("      description: 0X1F\n"),
            [
                `${FILE}: line 7: 0X1F is the number 31 to go-yaml, the Pulumi CLI's YAML reader, and the string "0X1F" in YAML 1.2, ${differently}; quote it ("0X1F") if it is text, or write the number in plain decimal`,
            ],
        ],
        [
            "an underscore after the sign, a number only to go-yaml",
            stack("      description: -_1\n"),
            [
                `${FILE}: line 7: -_1 is the number -1 to go-yaml, the Pulumi CLI's YAML reader, and the string "-_1" in YAML 1.2, ${differently}; quote it ("-_1") if it is text, or write the number in plain decimal`,
            ],
        ],
        [
            "infinity, which JSON cannot carry",
            `config:\n  acme:limit: .inf\n${stack().slice("config:\n".length)}`,
            [
                `${FILE}: line 2: .inf is the number Infinity, which JSON cannot carry, so the Pulumi CLI and this tool would hand the program different values; quote it (".inf") if it is text`,
            ],
        ],
        [
            "an integer above 2^53",
            `config:\n  acme:id: 12345678901234567890\n${stack().slice("config:\n".length)}`,
            [
                `${FILE}: line 2: 12345678901234567890 is a number too large for this tool to read exactly (above 2^53); quote it ("12345678901234567890") if it is an ID`,
            ],
        ],
        ["a %YAML 1.2 directive", `%YAML 1.2\n---\n${stack()}`, [`${FILE}: line 1: the YAML directive %YAML 1.2 ${DIRECTIVE}`]],
        ["a %YAML 1.1 directive", `%YAML 1.1\n---\n${stack()}`, [`${FILE}: line 1: the YAML directive %YAML 1.1 ${DIRECTIVE}`]],
        [
            "a %TAG directive",
            `%TAG !e! tag:example.com,2000:\n---\n${stack()}`,
            [`${FILE}: line 1: the YAML directive %TAG !e! tag:example.com,2000: ${DIRECTIVE}`],
        ],
        [
            "a sequence as a key",
            stack("      ? [a, b]\n      : c\n"),
            [`${FILE}: line 7: the key [a, b] is a sequence; ${NOT_A_STRING_KEY}, and this tool would read it as text; write a plain key`],
        ],
        [
            "a flow mapping as a key",
            stack("      tags: {{a: 1}: c}\n"),
            [`${FILE}: line 7: the key {a: 1} is a mapping; ${NOT_A_STRING_KEY}, and this tool would read it as text; write a plain key`],
        ],
        [
            "keys that are a number, null, empty and a boolean in every reading",
            stack("      tags:\n        1: a\n        ~: b\n        true: d\n      other:\n        : c\n"),
            [
                `${FILE}: line 8: the key 1 is the number 1 in every YAML reading, not a string; ${NOT_A_STRING_KEY}; quote it: "1"`,
                `${FILE}: line 9: the key ~ is null in every YAML reading, not a string; ${NOT_A_STRING_KEY}; quote it: "~"`,
                `${FILE}: line 10: the key true is the boolean true in every YAML reading, not a string; ${NOT_A_STRING_KEY}; quote it: "true"`,
                `${FILE}: line 12: the key (empty) is null in every YAML reading, not a string; ${NOT_A_STRING_KEY}; quote it: ""`,
            ],
        ],
    ];
    for (const [what, text, expected] of refused) {
        it(`refuses ${what}`, () => {
            assert.deepStrictEqual(read(text), expected);
            assert.strictEqual(plainStackConfig(FILE, text), undefined, "the fast path stands aside");
        });
    }

    it("refuses the same in the project file", () => {
        assert.throws(
            () => loadProject(memorySource({ "Pulumi.yaml": `${PROJECT_YAML}template:\n  config:\n    on: x\n` })),
            (error: unknown) =>
                error instanceof ConfigSourceError &&
                assert.deepStrictEqual(error.problems, [
                    `Pulumi.yaml: line 10: the key on is the boolean true in YAML 1.1 and the string "on" in YAML 1.2; ${NOT_A_STRING_KEY}; quote it: "on"`,
                ]) === undefined,
        );
    });

    it("refuses an unquoted timestamp, which go-yaml v3 (the CLI's reader since Pulumi 3.49) hands the program as a Go time, in a value and in a key", () => {
        const text = stack("      revokeBefore: 2026-11-27T10:15:00Z\n      tags:\n        2026-01-01: x\n");
        const rendering =
            'which hands the program Go\'s rendering of it (such as "2026-11-27 10:15:00 +0000 UTC" for 2026-11-27T10:15:00Z), not the text';
        assert.deepStrictEqual(read(text), [
            `${FILE}: line 7: 2026-11-27T10:15:00Z is a timestamp to the Pulumi CLI's YAML reader (go-yaml v3), ${rendering}; quote it: "2026-11-27T10:15:00Z"`,
            `${FILE}: line 9: the key 2026-01-01 is a timestamp to the Pulumi CLI's YAML reader (go-yaml v3), ${rendering}; quote it: "2026-01-01"`,
        ]);
    });

    it("reads quoted spellings and null alike everywhere, and a key without a value as the empty string, as the CLI passes it", () => {
        const text = `config:\n  acme:empty: ~\n${stack("      description: \"yes\"\n      tags: {a: 'on', b: null}\n").slice("config:\n".length)}`;
        assert.deepStrictEqual(read(text), {
            "acme:empty": "",
            "aws:region": "eu-west-1",
            "revocable-roles:roles": '{"ci":{"trust":{"accounts":["111111111111"]},"description":"yes","tags":{"a":"on","b":null}}}',
        });
    });
});

describe("goYamlScalar: plain scalars as go-yaml v2 resolves them", () => {
    const cases: [string, ReturnType<typeof goYamlScalar>][] = [
        ["eu-west-1", { kind: "str" }],
        ["", { kind: "null" }],
        ["~", { kind: "null" }],
        ["NULL", { kind: "null" }],
        ["nULL", { kind: "str" }],
        ["y", { kind: "bool", value: true }],
        ["N", { kind: "bool", value: false }],
        ["oN", { kind: "str" }],
        ["0777", { kind: "int", value: 511n }],
        ["0o17", { kind: "int", value: 15n }],
        ["0X1F", { kind: "int", value: 31n }],
        ["+0b11", { kind: "int", value: 3n }],
        ["1_000", { kind: "int", value: 1000n }],
        ["-_1", { kind: "int", value: -1n }],
        ["08", { kind: "float", value: 8 }],
        ["18446744073709551615", { kind: "int", value: 18446744073709551615n }],
        ["-9223372036854775809", { kind: "float", value: Number("-9223372036854775809") }],
        ["1e3", { kind: "float", value: 1000 }],
        [".5", { kind: "float", value: 0.5 }],
        [".5_0", { kind: "str" }],
        ["1e999", { kind: "str" }],
        ["-.Inf", { kind: "float", value: -Infinity }],
        ["1:20", { kind: "str" }],
        ["2026-11-27T10:15:00Z", { kind: "timestamp" }],
        ["<<", { kind: "str" }],
        ["+", { kind: "str" }],
    ];
    for (const [text, expected] of cases) {
        it(`reads ${JSON.stringify(text)} as ${expected.kind}${"value" in expected ? ` ${String(expected.value)}` : ""}`, () => {
            assert.deepStrictEqual(goYamlScalar(text), expected);
        });
    }
});

/** Plain scalars that one YAML reader or another reads as something else than text, in case variants, and plain text. */
const NEAR_MISSES = [
    ...["yes", "Yes", "YES", "yEs", "no", "No", "on", "On", "ON", "oN", "off", "OFF", "y", "Y", "n", "N", "true", "True", "tRUE", "false"],
    ...["null", "Null", "NULL", "nULL", "~", ""],
    ...["1_000", "0b1", "0B1", "0x1F", "0X1F", "0o17", "0O17", "0777", "08", "012", "1:20", "-_1", "+1", "-0", "1.0", "1.", "1e3", "1E3"],
    ...[".5", "+.5", ".", ".inf", "-.Inf", ".nan", "12345678901234567890", "3600", "0", "111111111111"],
    ...["2026-11-27T10:15:00Z", "2026-11-27", "2026-11-27 10:15:00", "2026-11-27t10:15:00+01:00", "2012-10-17"],
];
const TEXTS = ["eu-west-1", "arn:aws:iam::aws:policy/ReadOnlyAccess", "s3:GetObject", "acme/infra:ref:refs/heads/main", "Deploys it", "x"];
const CONFIG_KEYS = [
    ...["aws:region", "aws:config:region", "aws:allowedAccountIds", "aws:config:allowedAccountIds", "acme:setting", "acme:config:setting"],
    ...["revocable-roles:roles", "revocable-roles:config:roles", "revocable-roles:revokeAllBefore", "roles", "aws:x:region", ":x"],
];

type Value = { scalar: string } | { flow: string[] } | { block: string[] } | { map: [string, Value][] } | { complex: string };

/** A scalar written plain, double-quoted or single-quoted, mostly plain text and now and then a near miss. */
const written = (texts: string[]) =>
    fc
        .tuple(
            fc.oneof({ arbitrary: fc.constantFrom(...texts), weight: 12 }, { arbitrary: fc.constantFrom(...NEAR_MISSES), weight: 1 }),
            fc.constantFrom("plain", "plain", "double", "single"),
        )
        .map(([text, style]) => (style === "plain" ? text : style === "double" ? JSON.stringify(text) : `'${text}'`));
const scalars = written(TEXTS);
const keys = written([...TEXTS, "description", "revokeBefore", "trust"]);
const value: fc.Arbitrary<Value> = fc.letrec<{ value: Value }>((tie) => ({
    value: fc.oneof(
        { depthSize: "small", withCrossShrink: true },
        { arbitrary: scalars.map((scalar): Value => ({ scalar })), weight: 12 },
        {
            arbitrary: fc
                .array(
                    scalars.filter((s) => s !== ""),
                    { maxLength: 3 },
                )
                .map((flow): Value => ({ flow })),
            weight: 2,
        },
        {
            arbitrary: fc
                .array(
                    scalars.filter((s) => s !== ""),
                    { minLength: 1, maxLength: 3 },
                )
                .map((block): Value => ({ block })),
            weight: 2,
        },
        {
            arbitrary: fc
                .uniqueArray(fc.tuple(keys, tie("value")), { minLength: 1, maxLength: 3, selector: ([k]) => k })
                .map((map): Value => ({ map })),
            weight: 4,
        },
        { arbitrary: fc.constantFrom("[a, b]", "{a: 1}").map((complex): Value => ({ complex })), weight: 1 },
    ),
})).value;

/** The lines of `key: value` at `indent` spaces, with an optional comment after a scalar. */
function render(key: string, item: Value, indent: number, comment: boolean): string[] {
    const pad = " ".repeat(indent);
    if ("complex" in item) return [`${pad}? ${item.complex}`, `${pad}: ${key === "" ? "x" : key}`];
    if ("scalar" in item) return [`${pad}${key}: ${item.scalar}${comment && item.scalar !== "" ? " # note" : ""}`.trimEnd()];
    if ("flow" in item) return [`${pad}${key}: [${item.flow.join(", ")}]`];
    if ("block" in item) return [`${pad}${key}:`, ...item.block.map((s) => `${pad}  - ${s}`)];
    return [`${pad}${key}:`, ...item.map.flatMap(([k, v]) => render(k, v, indent + 2, comment))];
}

const stackFiles = fc
    .record({
        directive: fc.oneof(
            { arbitrary: fc.constant(""), weight: 20 },
            {
                arbitrary: fc.constantFrom("%YAML 1.2\n---\n", "%YAML 1.1\n---\n", "%TAG !e! tag:example.com,2000:\n---\n", "---\n"),
                weight: 1,
            },
        ),
        comment: fc.oneof({ arbitrary: fc.constant(false), weight: 3 }, { arbitrary: fc.constant(true), weight: 1 }),
        secretsprovider: fc.option(
            scalars.filter((s) => s !== ""),
            { nil: undefined },
        ),
        config: fc.uniqueArray(
            fc.tuple(
                fc.oneof(
                    { arbitrary: fc.constantFrom(...CONFIG_KEYS.slice(0, 4)), weight: 6 },
                    { arbitrary: fc.constantFrom(...CONFIG_KEYS), weight: 1 },
                ),
                value,
            ),
            { minLength: 1, maxLength: 4, selector: ([k]) => k },
        ),
    })
    .map(({ directive, comment, secretsprovider, config }) =>
        [
            directive,
            comment ? "# a stack file\n" : "",
            secretsprovider === undefined ? "" : `secretsprovider: ${secretsprovider}\n`,
            "config:\n",
            ...config.map(([key, item]) => `${render(key, item, 2, comment).join("\n")}\n`),
        ].join(""),
    );

/** go-yaml's reading of every plain scalar of a YAML 1.2 document, compared with the document's own. */
function goAgrees(node: unknown): boolean {
    if (YAML.isMap(node)) return node.items.every((pair) => goAgrees(pair.key) && goAgrees(pair.value));
    if (YAML.isSeq(node)) return node.items.every(goAgrees);
    if (!YAML.isScalar(node) || node.type !== "PLAIN") return true;
    const go = goYamlScalar(node.source ?? "");
    if (go.kind === "str" || go.kind === "timestamp") return node.value === node.source;
    if (go.kind === "null") return node.value === null;
    if (go.kind === "bool") return node.value === go.value;
    return Number(go.value) === node.value;
}

describe("every stack file is read alike by every reader, or refused (fast-check)", () => {
    it("reads every accepted file identically as YAML 1.2, as YAML 1.1 and as go-yaml, and the fast path agrees whenever it reads one", () => {
        const seen = { refused: 0, accepted: 0, fastPath: 0 };
        fc.assert(
            fc.property(stackFiles, (text) => {
                let config: Record<string, string>;
                try {
                    config = parsedStackConfig(FILE, text);
                } catch (error) {
                    assert.ok(error instanceof ConfigSourceError, String(error));
                    seen.refused++;
                    assert.strictEqual(plainStackConfig(FILE, text), undefined, text);
                    return;
                }
                seen.accepted++;
                assert.deepStrictEqual(YAML.parse(text, YAML_1_1), YAML.parse(text), text);
                assert.ok(goAgrees(YAML.parseDocument(text).contents), text);
                const plain = readPlainYaml(text);
                if (plain !== undefined) assert.deepStrictEqual(plain, YAML.parse(text), text);
                const fast = plainStackConfig(FILE, text);
                if (fast !== undefined) {
                    seen.fastPath++;
                    assert.deepStrictEqual(fast, config, text);
                }
                assert.deepStrictEqual(stackConfig(FILE, text), config, text);
            }),
            { seed: 20261127, numRuns: 600 },
        );
        // Every side is exercised: files refused, files accepted, and files the fast path reads.
        assert.deepStrictEqual(seen, { refused: 384, accepted: 216, fastPath: 121 });
    });
});

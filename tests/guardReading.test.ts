/**
 * The guard reads a stack file as the Pulumi CLI reads it, and compares the whole file: each
 * attack on a real git repository whose base holds a revocation in force (cutoffs relative to
 * the test's `now`), and the reformatting that must still pass.
 */
import * as assert from "assert";
import { lenientRevocations } from "../guard/sides";
import { CUTOFF, expectGuard, FAILED, PASSED, Role, role, stack } from "./guardHarness";

const victim = (r: Role = {}) => role("victim", { revokeBefore: CUTOFF, ...r });
/** victim on lines 4 to 7, bystander on lines 8 to 10. */
const BASE = stack(victim() + role("bystander"));

const NOT_A_STRING_KEY =
    'the Pulumi CLI refuses a file with a key that is not a string ("expected only string keys"), so nothing of this stack could deploy';
const DIRECTIVE =
    "is not supported: it changes how YAML readers read the file, and the Pulumi CLI's reader (go-yaml, which refuses %YAML other than 1.1) and this tool's treat it differently; remove it";
const SETTINGS =
    "the stack file's keys other than config decide how the deploy job decrypts and reads the stack; after this change it may no longer decrypt or read it, and no later revocation of the stack could deploy";
const PROVIDER =
    "provider configuration decides where and how every resource of the stack deploys, and the offline plan cannot see what it replaces";

describe("npm run guard: one reading of the stack file, as the Pulumi CLI reads it", () => {
    it("fails a role keyed on, a boolean to the CLI, which would then refuse the whole file", async () => {
        await expectGuard({ "Pulumi.dev.yaml": BASE }, { "Pulumi.dev.yaml": BASE + role("on") }, 1, [
            `FAIL dev: Pulumi.dev.yaml: line 11: the key on is the boolean true in YAML 1.1 and the string "on" in YAML 1.2; ${NOT_A_STRING_KEY}; quote it: "on"`,
            FAILED(1),
        ]);
    });

    it("fails a yes in a role, a boolean to the CLI and a string to YAML 1.2", async () => {
        await expectGuard(
            { "Pulumi.dev.yaml": BASE },
            { "Pulumi.dev.yaml": stack(victim({ extra: "      description: yes" }) + role("bystander")) },
            1,
            [
                'FAIL dev: Pulumi.dev.yaml: line 7: yes is the boolean true in YAML 1.1 and the string "yes" in YAML 1.2, so the Pulumi CLI and this tool could read it differently; quote it ("yes") if it is text, or write true or false',
                FAILED(1),
            ],
        );
    });

    it("fails a %YAML 1.2 directive, which the CLI refuses", async () => {
        await expectGuard({ "Pulumi.dev.yaml": BASE }, { "Pulumi.dev.yaml": `%YAML 1.2\n---\n${BASE}` }, 1, [
            `FAIL dev: Pulumi.dev.yaml: line 1: the YAML directive %YAML 1.2 ${DIRECTIVE}`,
            FAILED(1),
        ]);
    });

    it("fails a %TAG directive", async () => {
        await expectGuard({ "Pulumi.dev.yaml": BASE }, { "Pulumi.dev.yaml": `%TAG !aws! tag:amazonaws.com,2026:\n---\n${BASE}` }, 1, [
            `FAIL dev: Pulumi.dev.yaml: line 1: the YAML directive %TAG !aws! tag:amazonaws.com,2026: ${DIRECTIVE}`,
            FAILED(1),
        ]);
    });

    it("fails aws:config:allowedAccountIds beside aws:allowedAccountIds, two spellings of one key of which the CLI keeps one", async () => {
        const account = '  aws:allowedAccountIds: ["111111111111"]\n';
        await expectGuard(
            { "Pulumi.dev.yaml": stack(victim() + role("bystander"), account) },
            { "Pulumi.dev.yaml": stack(victim() + role("bystander"), `${account}  aws:config:allowedAccountIds: ["999999999999"]\n`) },
            1,
            [
                "FAIL dev: Pulumi.dev.yaml: line 4: aws:config:allowedAccountIds is the key aws:allowedAccountIds, already set on line 3; the Pulumi CLI keeps only one of the two, so the tools could read the other; write it once, as aws:allowedAccountIds",
                FAILED(1),
            ],
        );
    });

    it("reads aws:config:allowedAccountIds alone as the stack's account: a role name already used in that account fails", async () => {
        await expectGuard(
            { "Pulumi.dev.yaml": stack(victim(), '  aws:allowedAccountIds: ["123456789012"]\n') },
            { "Pulumi.prod.yaml": stack(role("Victim"), '  aws:config:allowedAccountIds: ["123456789012"]\n') },
            1,
            [
                "FAIL prod: role Victim: IAM role Victim is also declared by dev/victim in account 123456789012; IAM role names are unique per account regardless of case, so one stack would take over or fail on the other's role",
                FAILED(1),
            ],
        );
    });

    it("reads aws:config:allowedAccountIds alone as the stack's account: a grant on roles named victim in another account passes", async () => {
        const janitor = role("janitor", {
            extra: '      inlinePolicies:\n        cleanup:\n          Version: "2012-10-17"\n          Statement:\n            - Effect: Allow\n              Action: iam:DeleteRolePolicy\n              Resource: arn:aws:iam::*:role/victim',
        });
        await expectGuard(
            { "Pulumi.dev.yaml": stack(victim(), '  aws:allowedAccountIds: ["111111111111"]\n') },
            { "Pulumi.prod.yaml": stack(janitor, '  aws:config:allowedAccountIds: ["222222222222"]\n') },
            0,
            [PASSED],
        );
    });

    it("protects what a base the loader refuses could hold in any reading: a role keyed on is the role true to the CLI", async () => {
        const base = stack(role("on", { revokeBefore: CUTOFF }) + role("bystander"));
        await expectGuard({ "Pulumi.dev.yaml": base }, { "Pulumi.dev.yaml": stack(role("bystander")) }, 1, [
            `FAIL dev: Pulumi.dev.yaml: cannot be read, validated or planned at the base (Pulumi.dev.yaml: line 4: the key on is the boolean true in YAML 1.1 and the string "on" in YAML 1.2; ${NOT_A_STRING_KEY}; quote it: "on") and it holds revocations in force (on, true): the guard cannot tell what this change does to them; fix the base first`,
            FAILED(1),
        ]);
    });

    it("protects a revocation a refused base holds under the legacy spelling revocable-roles:config:roles", async () => {
        const base = `config:\n  aws:region: eu-west-1\n  revocable-roles:config:roles:\n${victim()}`;
        await expectGuard({ "Pulumi.dev.yaml": base }, { "Pulumi.dev.yaml": stack(role("victim")) }, 1, [
            "FAIL dev: Pulumi.dev.yaml: cannot be read, validated or planned at the base (Pulumi.dev.yaml: line 3: revocable-roles:config:roles is the legacy spelling of revocable-roles:roles, which the Pulumi CLI reads as the same key; the tools read and edit this namespace's keys in the short form only; write it as revocable-roles:roles) and it holds revocations in force (victim): the guard cannot tell what this change does to them; fix the base first",
            "FAIL dev: role victim: revokeBefore 2026-11-27T10:00:00Z removed before it is safe to remove (2026-11-27T23:00:00Z)",
            FAILED(2),
        ]);
    });
});

describe("npm run guard: the whole stack file is compared while a revocation is in force", () => {
    it("fails a switched secretsprovider: the deploy job may no longer decrypt the stack", async () => {
        await expectGuard(
            { "Pulumi.dev.yaml": `secretsprovider: awskms://alias/deploy\n${BASE}` },
            { "Pulumi.dev.yaml": `secretsprovider: awskms://alias/attacker\n${BASE}` },
            1,
            [
                `FAIL dev: Pulumi.dev.yaml: secretsprovider changes from "awskms://alias/deploy" to "awskms://alias/attacker" while victim is revoked: ${SETTINGS}`,
                FAILED(1),
            ],
        );
    });

    it("fails a changed encryptionsalt", async () => {
        await expectGuard(
            { "Pulumi.dev.yaml": `encryptionsalt: v1:c2FsdA==:v1:Qk9CQg==\n${BASE}` },
            { "Pulumi.dev.yaml": `encryptionsalt: v1:b3RoZXI=:v1:Qk9CQg==\n${BASE}` },
            1,
            [
                `FAIL dev: Pulumi.dev.yaml: encryptionsalt changes from "v1:c2FsdA==:v1:Qk9CQg==" to "v1:b3RoZXI=:v1:Qk9CQg==" while victim is revoked: ${SETTINGS}`,
                FAILED(1),
            ],
        );
    });

    it("fails a new encryptedkey", async () => {
        await expectGuard({ "Pulumi.dev.yaml": BASE }, { "Pulumi.dev.yaml": `encryptedkey: AQICAHhKZXk=\n${BASE}` }, 1, [
            `FAIL dev: Pulumi.dev.yaml: encryptedkey changes from undefined to "AQICAHhKZXk=" while victim is revoked: ${SETTINGS}`,
            FAILED(1),
        ]);
    });

    it("compares provider config after reading its keys as the CLI does: a legacy spelling with another region fails", async () => {
        await expectGuard(
            { "Pulumi.dev.yaml": BASE },
            { "Pulumi.dev.yaml": BASE.replace("aws:region: eu-west-1", "aws:config:region: us-east-1") },
            1,
            [
                `FAIL dev: Pulumi.dev.yaml: aws:region changes from "eu-west-1" to "us-east-1" while victim is revoked: ${PROVIDER}`,
                FAILED(1),
            ],
        );
    });

    it("compares secure values by their ciphertext, never printing them", async () => {
        const secret = (value: string) => stack(victim() + role("bystander"), `  acme:token:\n    secure: ${value}\n`);
        await expectGuard({ "Pulumi.dev.yaml": secret("v1:AAAAold") }, { "Pulumi.dev.yaml": secret("v1:AAAAnew") }, 1, [
            `FAIL dev: Pulumi.dev.yaml: acme:token changes from "[secret]" to "[secret]" while victim is revoked: ${PROVIDER}`,
            FAILED(1),
        ]);
    });
});

describe("npm run guard: reformatting passes", () => {
    const reformatted = [
        "config:",
        "  # the deploy's region",
        "  aws:config:region: 'eu-west-1'",
        "  acme:token: {secure: 'v1:AAAA'}",
        "  revocable-roles:roles:",
        '    "victim":',
        "      trust: {accounts: ['111111111111']}",
        "      revokeBefore: '2026-11-27T10:00:00Z'   # the incident",
        "    bystander:",
        "      trust:",
        "        accounts:",
        '          - "111111111111"',
        "",
    ].join("\n");
    const cases: [string, string, Record<string, string>][] = [
        [
            "the same stack with other quotes, flow and block lists, comments and the legacy spelling of a provider key",
            stack(victim() + role("bystander"), "  acme:token:\n    secure: v1:AAAA\n"),
            { "Pulumi.dev.yaml": reformatted },
        ],
        ["a documentation change", BASE, { "README.md": "# Roles\n", "docs/incident.md": "Revoke first.\n" }],
    ];
    for (const [what, base, head] of cases) {
        it(`passes ${what}`, async () => {
            await expectGuard({ "Pulumi.dev.yaml": base }, head, 0, [PASSED]);
        });
    }
});

describe("lenientRevocations: what a base the loader refuses may hold, in any reading", () => {
    const revoked = (text: string) => {
        const found = lenientRevocations("revocable-roles", text);
        return found === undefined ? undefined : { ...found, roles: Object.fromEntries(found.roles) };
    };

    it("counts both readings of a key, the legacy spelling, and every time a key or role is written", () => {
        const text = [
            "config:",
            "  revocable-roles:roles:",
            "    on: {revokeBefore: 2026-11-27T09:00:00Z}",
            "    victim: {revokeBefore: 2026-11-27T10:00:00Z}",
            "    victim: {revokeBefore: 2026-11-27T08:00:00Z}",
            "  revocable-roles:config:roles:",
            '    other: {revokeBefore: "2026-11-27T11:00:00Z", revokeBefore: "2026-11-27T07:00:00Z"}',
            "  revocable-roles:config:revokeAllBefore: 2026-11-27T06:00:00Z",
            "",
        ].join("\n");
        assert.deepStrictEqual(revoked(text), {
            revokeAllBefore: "2026-11-27T06:00:00Z",
            roles: {
                on: { name: undefined, revokeBefore: "2026-11-27T09:00:00Z" },
                victim: { name: undefined, revokeBefore: "2026-11-27T10:00:00Z" },
                other: { name: undefined, revokeBefore: "2026-11-27T11:00:00Z" },
                true: { name: undefined, revokeBefore: "2026-11-27T09:00:00Z" },
            },
        });
    });

    it("reads roles given as a JSON string, and nothing from a text that is YAML in neither reading", () => {
        const json = JSON.stringify({ victim: { revokeBefore: CUTOFF } });
        assert.deepStrictEqual(revoked(`config:\n  revocable-roles:config:roles: '${json}'\n`), {
            roles: { victim: { name: undefined, revokeBefore: CUTOFF } },
        });
        assert.strictEqual(revoked("config: [\n"), undefined);
    });
});

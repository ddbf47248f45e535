/**
 * Sizes as AWS counts them, never fewer: a role's inline policies against IAM's 10,240-character
 * quota (with room kept for the revocation) and a service control policy against 5,120, counted
 * as UTF-8 bytes of the minified JSON, each character as long as any writer on the way to AWS
 * may send it. Both backends, the plan, the guard and revoke refuse a role left without room.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { Capture, capture, memorySource, project, repository, environment } from "./helpers";
import { INLINE_POLICY_QUOTA, PolicyDocument, REVOCATION_RESERVE, countedSize, quotaSize, serializePolicy } from "../iam/policy";
import { Cutoff } from "../iam/cutoff";
import { SCP_MAX_CHARACTERS, organizationPolicies, scpCharacters } from "../iam/organizationPolicy";
import { readStackConfig } from "../config/stackConfig";
import { roleProblems } from "../iam/rules";
import { formatPath } from "../iam/problems";
import { loadStack } from "../config/loader";
import { commandMain } from "../cli/main";

const guard = commandMain("guard");

const planCommand = commandMain("plan");

const revoke = commandMain("revoke");

const NOW = new Date("2026-11-27T12:00:00Z");
const CUTOFF = "2026-11-27T10:00:00Z";

/** A one-statement document whose resource is `resource` and, when given, a condition on a principal tag. */
const documentWith = (resource: string, tag?: string): PolicyDocument => ({
    Version: "2012-10-17",
    Statement: [
        {
            Effect: "Allow",
            Action: "s3:GetObject",
            Resource: resource,
            ...(tag === undefined ? {} : { Condition: { StringEquals: { "aws:PrincipalTag/team": tag } } }),
        },
    ],
});

/** The length of the document's minified JSON with an ASCII resource, to which each case adds what it counts. */
const ascii = serializePolicy(documentWith("arn:aws:s3:::ab")).length;

describe("sizes as AWS counts them", () => {
    const cases: [name: string, document: PolicyDocument, counted: number][] = [
        ["an ASCII document: the length of its minified JSON", documentWith("arn:aws:s3:::ab"), ascii],
        // \s stripped U+00A0 and counted nothing; UTF-8 has two bytes.
        ["a no-break space (U+00A0) inside a string: two bytes", documentWith("arn:aws:s3:::a\u00a0b"), ascii + 2],
        // .length counted two UTF-16 units; UTF-8 has four bytes.
        ["an emoji: four bytes", documentWith("arn:aws:s3:::a🔑b"), ascii + 4],
        ["an ASCII space inside a string: counted, as IAM may", documentWith("arn:aws:s3:::a b"), ascii + 1],
        // "données" is 7 characters and 8 bytes; the condition adds its own ASCII.
        [
            "non-ASCII in a condition value: its UTF-8 bytes",
            documentWith("arn:aws:s3:::ab", "données"),
            ascii + ',"Condition":{"StringEquals":{"aws:PrincipalTag/team":"donnes"}}'.length + 2,
        ],
        // The aws provider re-marshals documents with Go's encoding/json, which writes <, > and & as \u003c, \u003e, \u0026.
        ["&, < and >: six each, as Go's encoder escapes them", documentWith("arn:aws:s3:::a&<>b"), ascii + 18],
        ["a line separator (U+2028): six, as Go's encoder escapes it", documentWith("arn:aws:s3:::a\u2028b"), ascii + 6],
        ["a quote and a backslash: two each, escaped", documentWith('arn:aws:s3:::a"\\b'), ascii + 4],
        ["a backspace: six, as Go's encoder escapes it", documentWith("arn:aws:s3:::a\bb"), ascii + 6],
    ];
    for (const [name, document, counted] of cases) {
        it(`counts ${name}`, () => {
            assert.deepStrictEqual([countedSize(document), quotaSize(document), scpCharacters(document)], [counted, counted, counted]);
        });
    }

    it("never counts fewer than the UTF-8 bytes of the minified JSON", () => {
        for (const [, document] of cases) {
            assert.ok(countedSize(document) >= Buffer.byteLength(JSON.stringify(document), "utf8"), JSON.stringify(document));
        }
    });

    it("keeps 163 characters for the revocation policy, all ASCII", () => {
        assert.strictEqual(REVOCATION_RESERVE, 163);
    });
});

/** A role whose one inline policy counts `size` characters, its resource padded with ASCII, and `swap` replacing the padding's last characters. */
function roleWithPolicyOf(size: number, swap = ""): PolicyDocument {
    const padding = size - countedSize(documentWith("arn:aws:s3:::"));
    const document = documentWith(`arn:aws:s3:::${"x".repeat(padding - Buffer.byteLength(swap, "utf8"))}${swap}`);
    return document;
}

/** A stack file with one role `app` holding `document` inline, on `provider`. */
function stackWith(document: PolicyDocument, provider?: string): string {
    return [
        "config:",
        "  aws:region: eu-west-1",
        ...(provider === undefined ? [] : [`  revocable-roles:provider: ${provider}`]),
        "  revocable-roles:roles:",
        "    app:",
        "      trust:",
        '        accounts: ["111111111111"]',
        "      inlinePolicies:",
        `        p: ${JSON.stringify(document)}`,
        "",
    ].join("\n");
}

const FULL = INLINE_POLICY_QUOTA - REVOCATION_RESERVE;
const over = (used: number) =>
    `Pulumi.dev.yaml: revocable-roles:roles.app.inlinePolicies: use ${used} characters, plus 163 kept for the RevokeOlderSessions policy, ${used + 163} in all; IAM allows 10240 per role (counted as UTF-8 bytes of the minified JSON, so never fewer than IAM counts): move statements into managed policies`;

function errorsOf(text: string): string[] {
    const result = readStackConfig(loadStack(memorySource({ "Pulumi.dev.yaml": text }), "dev").config, {
        stackFile: "Pulumi.dev.yaml",
        now: NOW,
    });
    return result.ok ? [] : result.errors;
}

describe("room kept for the revocation", () => {
    it("accepts inline policies that leave exactly the revocation's 163 characters, on both backends", () => {
        const exact = roleWithPolicyOf(FULL);
        assert.strictEqual(quotaSize(exact), FULL);
        assert.deepStrictEqual([errorsOf(stackWith(exact)), errorsOf(stackWith(exact, "aws-native"))], [[], []]);
    });

    it("refuses one byte more, on both backends: a no-break space, an emoji, non-ASCII in a condition value", () => {
        // Each swap keeps the UTF-16 length of the exact fit, or shortens it: .length and \s removal would have accepted them all.
        for (const swap of ["\u00a0", "🔑"]) {
            const document = roleWithPolicyOf(FULL + 1, swap);
            assert.ok(serializePolicy(document).replace(/\s/g, "").length <= FULL, swap);
            assert.deepStrictEqual(
                [errorsOf(stackWith(document)), errorsOf(stackWith(document, "aws-native"))],
                [[over(FULL + 1)], [over(FULL + 1)]],
            );
        }
        const tagged = documentWith("arn:aws:s3:::", "é");
        const padded = documentWith(`arn:aws:s3:::${"x".repeat(FULL + 1 - countedSize(tagged))}`, "é");
        assert.strictEqual(JSON.stringify(padded).length, FULL);
        assert.deepStrictEqual(errorsOf(stackWith(padded)), [over(FULL + 1)]);
    });

    it("refuses it in the component's own arguments too, as the RevocableRole of a TypeScript program takes them", () => {
        const args = (document: PolicyDocument) => ({
            roleName: "app",
            trust: { accounts: ["111111111111"] },
            inlinePolicies: { p: document },
        });
        assert.deepStrictEqual(
            [roleProblems(args(roleWithPolicyOf(FULL)), NOW), roleProblems(args(roleWithPolicyOf(FULL + 1, "🔑")), NOW)].map((problems) =>
                problems.map((p) => `${formatPath(p.path)}: ${p.message}`),
            ),
            [[], [over(FULL + 1).replace("Pulumi.dev.yaml: revocable-roles:roles.app.", "")]],
        );
    });

    it("refuses it in the plan, the guard and revoke, writing nothing", async () => {
        const bad = stackWith(roleWithPolicyOf(FULL + 1, "\u00a0"));
        const root = project({ "Pulumi.dev.yaml": bad });
        const planned = await capture((out, err) =>
            planCommand(["--stack", "dev"], out, err, environment(environment({ root, now: NOW }))),
        );
        assert.deepStrictEqual(planned, { code: 1, stdout: "", stderr: `${over(FULL + 1)}\n` });

        const repo = repository({ "Pulumi.dev.yaml": stackWith(roleWithPolicyOf(FULL)) }, { "Pulumi.dev.yaml": bad });
        const out = new Capture();
        const err = new Capture();
        const code = await guard(["--base", "main"], out, err, environment(environment({ root: repo, now: NOW })));
        assert.deepStrictEqual(
            { code, lines: out.text.split("\n").slice(0, -1) },
            { code: 1, lines: [`FAIL dev: ${over(FULL + 1)}`, "1 change(s) would weaken a revocation since main."] },
        );

        const revoked = await capture((o, e) =>
            revoke(["--stack", "dev", "--role", "app", "--at", "2026-11-27T10:00:00Z"], o, e, environment(environment({ root, now: NOW }))),
        );
        assert.deepStrictEqual(revoked, {
            code: 1,
            stdout: "",
            stderr: `Pulumi.dev.yaml is invalid; fix it before revoking:\n${over(FULL + 1)}\n`,
        });
        assert.strictEqual(fs.readFileSync(path.join(root, "Pulumi.dev.yaml"), "utf8"), bad);
    });
});

describe("service control policies at the size limit", () => {
    const revocations = (last: string, user: string) => [
        ...Array.from({ length: 13 }, (_, i) => ({
            roleName: `${String(i).padStart(2, "0")}${"n".repeat(62)}`,
            revokeBefore: Cutoff.read(CUTOFF)!,
        })),
        { roleName: last, revokeBefore: Cutoff.read(CUTOFF)! },
        { identityCenterUserId: user, revokeBefore: Cutoff.read(CUTOFF)! },
    ];

    it("fits a policy of exactly 5,120 characters", () => {
        const [policy] = organizationPolicies(revocations("z".repeat(58), "90676d4c3b-0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d"), 1);
        assert.deepStrictEqual([policy.Statement.length, scpCharacters(policy)], [15, SCP_MAX_CHARACTERS]);
    });

    it("refuses one character more, naming the policy and its size", () => {
        assert.throws(() => organizationPolicies(revocations("z".repeat(64), "0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d"), 1), {
            message:
                "15 revocations fall into revocable-roles-revocations-1, 5121 characters, more than the 5120 a service control policy holds (a revocation's policy is chosen by a hash of what it revokes, so that no change moves one from policy to policy): remove revocations past their window (cutoff + 13 h), use a name pattern for roles that share a prefix, or raise policyBudget while no organization revocation is in force",
        });
    });
});

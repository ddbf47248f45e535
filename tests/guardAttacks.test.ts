/**
 * The guard attacked after issue 28: the pull requests an attacker (or a hurried engineer) would
 * write to weaken a revocation in force and still get a green guard, for variants of every class
 * of the issue. Each bypass found is kept here with its exact failure; variants the guard already
 * failed are kept where no other test covers them. Where the verdict follows from a pure function
 * (the loader's refusal, a role's rights), the test calls that function; a few cases per class run
 * the guard on a real git repository whose base holds a revocation in force (cutoffs relative to
 * the test's clock), and the benign changes still pass.
 *
 * The Pulumi CLI has read stack files with go-yaml v3 since Pulumi 3.49, and reads them twice: it
 * decodes the file, writes the result back as YAML and decodes that (LoadProjectStackBytes). The
 * expectations of class 1 were found by reading thousands of generated files with go-yaml v2 and
 * v3 through that sequence and with the loader, and keeping every file the loader accepted and
 * the CLI read otherwise or refused.
 */
import * as assert from "assert";
import { Capture, commitFiles, environment, repository } from "./helpers";
import { PROJECT_ROOT } from "../cli/project";
import { ConfigSourceError, readStackFile } from "../config/loader";
import { RoleFacts, mayMatchArn } from "../analysis/reachability";
import { ACCOUNT, CUTOFF, expectGuard, FAILED, guard, NOW, PASSED, role, WINDOW } from "./guardHarness";

const FILE = "Pulumi.dev.yaml";

/** A stack file: the region on line 2, the account on line 3 (when known), the roles from line 5. */
const stack = (roles: string, account: string | undefined = ACCOUNT, top = "") =>
    `config:\n  aws:region: eu-west-1\n${account === undefined ? "" : `  aws:allowedAccountIds: ["${account}"]\n`}${top}  revocable-roles:roles:\n${roles}`;
const victim = (trust?: string) => role("victim", { revokeBefore: CUTOFF, trust });
/** victim on lines 5 to 8, bystander on lines 9 to 11. */
const BASE = stack(victim() + role("bystander"));

/** An inline policy of one Allow statement, as stack-file YAML. */
const allow = (name: string, action: string, resource: string) =>
    `      inlinePolicies:\n        ${name}:\n          Version: "2012-10-17"\n          Statement:\n            - Effect: Allow\n              Action: ${action}\n              Resource: "${resource}"`;
const WHAT = "the revocation of dev/victim (IAM role victim, in force until 2026-11-27T23:00:00Z)";

/** A role's facts for the pure analyses: victim at path /, in ACCOUNT and aws unless told. */
function facts(overrides: Partial<RoleFacts> = {}): RoleFacts {
    return {
        stack: "dev",
        key: "victim",
        roleName: "victim",
        path: "/",
        account: ACCOUNT,
        partition: "aws",
        trust: { accounts: [ACCOUNT] },
        inlinePolicies: [],
        managedPolicyArns: [],
        ...overrides,
    };
}

/** The loader's problems for a stack file, or its config and settings when it reads it. */
function read(text: string): string[] | { config: Record<string, string>; settings: Record<string, string> } {
    try {
        return readStackFile(FILE, text);
    } catch (error) {
        assert.ok(error instanceof ConfigSourceError, String(error));
        return error.problems;
    }
}

const GO_YAML = "the Pulumi CLI's YAML reader (go-yaml)";
const TIMESTAMP = (what: string, quoted: string) =>
    `${what} is a timestamp to the Pulumi CLI's YAML reader (go-yaml v3), which hands the program Go's rendering of it (such as "2026-11-27 10:15:00 +0000 UTC" for 2026-11-27T10:15:00Z), not the text; quote it: ${quoted}`;
const ESCAPE = (escape: string) =>
    `the escape ${escape} in a double-quoted string is refused by ${GO_YAML}, so nothing of this stack could deploy; write the character itself, or another escape`;
const FLOW = (text: string) =>
    `${text} in a flow collection ([...] or {...}) is read otherwise by ${GO_YAML}, which ends a plain scalar at ? and reads a : at its start or end as an indicator; quote it: ${JSON.stringify(text)}`;
const NO_VALUE = (key: string) =>
    `the key ${key} in a flow mapping has no value, which ${GO_YAML} reads otherwise (an x: before a , or } is the text "x:" to it); write the value: null or ""`;
const TAB = `a tab outside a quoted string or a comment; ${GO_YAML} refuses tabs in indentation (on comment and blank lines too) and after - and ?, and reads them elsewhere otherwise than this tool; use spaces`;
const LEADING = (what: string) =>
    `${what} that starts with a space, tab or line break and holds a line break does not survive the Pulumi CLI's reading: it decodes the file with go-yaml v3, writes it back and decodes it again, which drops leading line breaks or refuses the result; remove the leading whitespace`;
const SETTING = (key: string, value: string) =>
    `${FILE}: ${key}: ${value} is not a string; the Pulumi CLI reads ${key} as text, refusing a list or a mapping and reading a number or a boolean otherwise than this tool; quote it, or remove the key`;

describe("attacks on the guard after issue 28", function () {
    this.timeout(30_000);

    describe("class 1: the Pulumi CLI (go-yaml v3, reading the file twice) reads the file differently", () => {
        /** The role ci on lines 4 to 6; `extra` from line 7. */
        const ci = (extra = "") =>
            `config:\n  aws:region: eu-west-1\n  revocable-roles:roles:\n    ci:\n      trust:\n        accounts: ["${ACCOUNT}"]\n${extra}`;
        const refused: [string, string, string[]][] = [
            [
                "an unquoted policy version, a date that reaches the program as 2012-10-17 00:00:00 +0000 UTC",
                ci("      inlinePolicies:\n        p:\n          Version: 2012-10-17\n          Statement: []\n"),
                [`${FILE}: line 9: ${TIMESTAMP("2012-10-17", '"2012-10-17"')}`],
            ],
            [
                "an unquoted cutoff with a zone offset, in a list of another namespace",
                `config:\n  acme:windows:\n    - 2026-11-27T10:15:00+02:00\n`,
                [`${FILE}: line 3: ${TIMESTAMP("2026-11-27T10:15:00+02:00", '"2026-11-27T10:15:00+02:00"')}`],
            ],
            [
                "a date-only role key",
                `config:\n  revocable-roles:roles:\n    2026-1-2:\n      name: jan\n`,
                [`${FILE}: line 3: ${TIMESTAMP("the key 2026-1-2", '"2026-1-2"')}`],
            ],
            ["the escape \\/, which go-yaml does not know", ci('      description: "a\\/b"\n'), [`${FILE}: line 7: ${ESCAPE("\\/")}`]],
            [
                "a surrogate pair written as two escapes",
                ci('      description: "\\ud83d\\ude00"\n'),
                [`${FILE}: line 7: ${ESCAPE("\\ud83d")}`],
            ],
            ["a ? inside a plain scalar of a flow mapping", ci("      tags: {team: a?b}\n"), [`${FILE}: line 7: ${FLOW("a?b")}`]],
            ["a plain scalar starting with : in a flow list", `config:\n  acme:list: [":x", :y]\n`, [`${FILE}: line 2: ${FLOW(":y")}`]],
            ["x: before ], a pair to YAML 1.2 and text to go-yaml", `config:\n  acme:list: [x:]\n`, [`${FILE}: line 2: ${NO_VALUE("x")}`]],
            ["a flow mapping key without a value", `config:\n  acme:map: {a:}\n`, [`${FILE}: line 2: ${NO_VALUE("a")}`]],
            ["a comment line indented with a tab", ci("\t# the incident\n"), [`${FILE}: line 7, column 1: ${TAB}`]],
            ["a tab after a list's dash", `config:\n  acme:list:\n    -\tx\n`, [`${FILE}: line 3, column 6: ${TAB}`]],
            [
                'a role key "\\nci", which the second reading makes ci',
                ci('    "\\nci":\n      trust:\n        accounts: ["111111111111"]\n'),
                [`${FILE}: line 7: ${LEADING("a key")}`],
            ],
            [
                "a literal block that starts with an empty line",
                ci("      description: |\n\n        x\n"),
                [`${FILE}: line 7: ${LEADING("a string")}`],
            ],
            [
                'a string "\\tx\\ny", which go-yaml v3 writes back as YAML it refuses',
                ci('      description: "\\tx\\ny"\n'),
                [`${FILE}: line 7: ${LEADING("a string")}`],
            ],
            [
                "a key of 1,100 characters in a flow mapping",
                `config:\n  acme:map: {${"k".repeat(1100)}: v}\n`,
                [`${FILE}: line 2: a key of 1100 characters is longer than the 1,024 that ${GO_YAML} reads as a key; shorten it`],
            ],
            [
                "an anchor named a:b, which go-yaml ends at the colon and reads the rest as the value",
                `config:\n  acme:x: &a:b v\n`,
                [
                    `${FILE}: line 2: YAML anchor &a:b is not supported; ${GO_YAML} allows only letters, digits, _ and - in anchor names and reads other characters as part of the value; remove it`,
                ],
            ],
            ["a secrets provider written as a number", `secretsprovider: -0.0\nconfig:\n  acme:x: v\n`, [SETTING("secretsprovider", "0")]],
            ["a secrets provider written as a list", `secretsprovider: [a]\nconfig:\n  acme:x: v\n`, [SETTING("secretsprovider", '["a"]')]],
        ];
        for (const [name, text, problems] of refused) {
            it(`refuses ${name}`, () => {
                assert.deepStrictEqual(read(text), problems);
            });
        }

        it("reads alike what every reader reads alike: quoted timestamps, a tab inside a comment, an anchor of letters", () => {
            const text = ci(`      revokeBefore: '${CUTOFF}'  # a\tcomment\n      description: &note "2012-10-17"\n`);
            assert.deepStrictEqual(read(text), {
                config: {
                    "aws:region": "eu-west-1",
                    "revocable-roles:roles": `{"ci":{"trust":{"accounts":["${ACCOUNT}"]},"revokeBefore":"${CUTOFF}","description":"2012-10-17"}}`,
                },
                settings: {},
            });
        });

        it("fails the revoked role's cutoff rewritten unquoted, which passed as the same cutoff and left the stack unable to deploy", async () => {
            await expectGuard({ [FILE]: BASE }, { [FILE]: BASE.replace(`"${CUTOFF}"`, CUTOFF) }, 1, [
                `FAIL dev: ${FILE}: line 8: ${TIMESTAMP(CUTOFF, `"${CUTOFF}"`)}`,
                FAILED(1),
            ]);
        });

        it("passes the revoked role's cutoff single-quoted, with a tab inside a comment", async () => {
            await expectGuard({ [FILE]: BASE }, { [FILE]: BASE.replace(`"${CUTOFF}"`, `'${CUTOFF}' # the\tincident`) }, 0, [PASSED]);
        });

        it("fails a tab-indented comment beside the revoked role, which made the CLI refuse the whole file", async () => {
            await expectGuard({ [FILE]: BASE }, { [FILE]: `${BASE}\t# see the incident\n` }, 1, [
                `FAIL dev: ${FILE}: line 12, column 1: ${TAB}`,
                FAILED(1),
            ]);
        });
    });

    describe("class 3: IAM capabilities, resources read to fail closed", () => {
        it("fails iam:DeleteRolePolicy on role/VICTIM: IAM role names are unique regardless of case, and the ARN was compared with case", async () => {
            const janitor = role("janitor", { extra: allow("p", "iam:DeleteRolePolicy", `arn:aws:iam::${ACCOUNT}:role/VICTIM`) });
            await expectGuard({ [FILE]: BASE }, { [FILE]: BASE + janitor }, 1, [
                `FAIL dev: role janitor: may now undo ${WHAT}: its inline policy p (statement 0) allows iam:DeleteRolePolicy on arn:aws:iam::${ACCOUNT}:role/VICTIM; whoever can assume janitor could remove or rewrite the revocation in one call`,
                FAILED(1),
            ]);
        });

        it("fails sts:AssumeRole on arn:aws:IAM::...:role/Victim, a widened trust written in another case", async () => {
            const ci = role("ci", { extra: allow("p", "sts:AssumeRole", `arn:aws:IAM::${ACCOUNT}:role/Victim`) });
            await expectGuard({ [FILE]: BASE }, { [FILE]: BASE + ci }, 1, [
                `FAIL dev: role ci: may now assume revoked role dev/victim ${WINDOW}: victim's trust allows account ${ACCOUNT}, ci's account; ci's inline policy p allows sts:AssumeRole on arn:aws:IAM::${ACCOUNT}:role/Victim; its sessions would be issued after the cutoff, so this widens victim's trust`,
                FAILED(1),
            ]);
        });

        const patterns: [string, string, Partial<RoleFacts>, boolean][] = [
            ["the role's name in upper case", `arn:aws:iam::${ACCOUNT}:role/VICTIM`, {}, true],
            ["the service in upper case", `arn:aws:IAM::${ACCOUNT}:role/victim`, {}, true],
            ["a partition in upper case, and a ? for one character", `arn:AWS:iam::${ACCOUNT}:role/victi?`, {}, true],
            [
                "a five-part pattern of another partition, while the stack's partition is unknown",
                "arn:aws-cn:iam::*",
                { partition: undefined },
                true,
            ],
            [
                "a five-part pattern naming an account, while the stack's account is unknown",
                `arn:aws:iam::${ACCOUNT}*`,
                { account: undefined },
                true,
            ],
            ["a five-part pattern of another partition, when the partition is known", "arn:aws-cn:iam::*", {}, false],
            ["another account's role of the same name", "arn:aws:iam::222222222222:role/VICTIM", {}, false],
            ["another path", `arn:aws:iam::${ACCOUNT}:role/sandbox/*`, {}, false],
        ];
        for (const [name, pattern, overrides, expected] of patterns) {
            it(`${expected ? "takes" : "does not take"} ${name} to cover the role`, () => {
                assert.strictEqual(mayMatchArn(pattern, facts(overrides)), expected);
            });
        }
    });

    describe("class 3: a Deny takes actions away from its own inline policy only", () => {
        /** Two inline policies of janitor: `a` allows iam:* on everything, `d` denies it with the given resources. */
        const split = (resources: string) =>
            `      inlinePolicies:\n        a:\n          Version: "2012-10-17"\n          Statement:\n            - Effect: Allow\n              Action: "iam:*"\n              Resource: "*"\n        d:\n          Version: "2012-10-17"\n          Statement:\n            - Effect: Deny\n              Action: "iam:*"\n              Resource: ${resources}`;

        it("fails iam:* allowed in one policy and denied in another that IAM refuses (a resource that is not an ARN), which passed", async () => {
            await expectGuard({ [FILE]: BASE }, { [FILE]: BASE + role("janitor", { extra: split('["*", "not-an-arn"]') }) }, 1, [
                `FAIL dev: role janitor: may now undo ${WHAT}: its inline policy a (statement 0) allows iam:DeleteRolePolicy, iam:PutRolePolicy, iam:DeleteRole, iam:UpdateAssumeRolePolicy and 20 more permissions-management actions on *; whoever can assume janitor could remove or rewrite the revocation in one call`,
                FAILED(1),
            ]);
        });
    });

    describe("class 3: iam:PassRole of a revoked role whose trust lets a service in", () => {
        const LAMBDA = '        services: ["lambda.amazonaws.com"]';
        const base = stack(victim(LAMBDA) + role("bystander"));

        it("fails iam:PassRole on the revoked role: a function run with it gets sessions issued after the cutoff", async () => {
            const builder = role("builder", { extra: allow("deploy", "iam:PassRole", `arn:aws:iam::${ACCOUNT}:role/victim`) });
            await expectGuard({ [FILE]: base }, { [FILE]: base + builder }, 1, [
                `FAIL dev: role builder: may now pass revoked role dev/victim ${WINDOW} to a service: victim's trust lets lambda.amazonaws.com in; its inline policy deploy (statement 0) allows iam:PassRole on arn:aws:iam::${ACCOUNT}:role/victim; the service's sessions would be issued after the cutoff, so this widens victim's trust`,
                FAILED(1),
            ]);
        });

        it("passes iam:PassRole on another role, and on the revoked role in another account", async () => {
            const builder = role("builder", {
                extra: allow("deploy", "iam:PassRole", `arn:aws:iam::${ACCOUNT}:role/bystander`),
            });
            await expectGuard(
                { [FILE]: base },
                {
                    [FILE]: base + builder,
                    "Pulumi.prod.yaml": stack(
                        role("ops", { extra: allow("deploy", "iam:PassRole", "arn:aws:iam::*:role/victim") }),
                        "222222222222",
                    ),
                },
                0,
                [PASSED],
            );
        });
    });

    describe("class 3: the organization's Write actions undo an organization revocation", () => {
        const ORG = `config:\n  aws:region: eu-west-1\n  aws:allowedAccountIds: ["999999999999"]\n  revocable-roles:organization:\n    targets: ["ou-ab12-cd34ef56"]\n    revocations:\n      - roleName: ci-deployer\n        revokeBefore: "${CUTOFF}"\n`;

        it("fails organizations:MoveAccount, which moves an account out of the revoked OU, and its peers", async () => {
            const mover = role("mover", { extra: allow("org", '["organizations:MoveAccount", "organizations:DisablePolicyType"]', "*") });
            await expectGuard({ "Pulumi.org.yaml": ORG, [FILE]: BASE }, { "Pulumi.org.yaml": ORG, [FILE]: BASE + mover }, 1, [
                "FAIL dev: role mover: may now undo the organization revocation of role ci-deployer in org (in force until 2026-11-27T23:00:00Z): it can change the organization's service control policies or the accounts they reach: its inline policy org (statement 0) allows organizations:DisablePolicyType, organizations:MoveAccount on *",
                FAILED(1),
            ]);
        });
    });

    describe("class 3: iam:CreateRole where a permissions-management action also reaches", () => {
        it("fails iam:CreateRole and iam:PutRolePolicy on role/sandbox/*: a role it creates there can be given anything and assumed", async () => {
            const sandbox = role("sandbox", {
                extra: allow("p", '["iam:CreateRole", "iam:PutRolePolicy"]', `arn:aws:iam::${ACCOUNT}:role/sandbox/*`),
            });
            await expectGuard({ [FILE]: BASE }, { [FILE]: BASE + sandbox }, 1, [
                `FAIL dev: role sandbox: may now undo ${WHAT}: it can create a role that trusts it, give that role any right in account ${ACCOUNT} and assume it: its inline policy p (statement 0) allows iam:CreateRole on arn:aws:iam::${ACCOUNT}:role/sandbox/*, and inline policy p (statement 0) allows iam:PutRolePolicy on arn:aws:iam::${ACCOUNT}:role/sandbox/*`,
                FAILED(1),
            ]);
        });

        it("passes iam:PutRolePolicy on role/sandbox/* alone, and iam:CreateRole where no such action reaches", async () => {
            const sandbox = role("sandbox", { extra: allow("p", "iam:PutRolePolicy", `arn:aws:iam::${ACCOUNT}:role/sandbox/*`) });
            const maker = role("maker", {
                extra: `${allow("p", "iam:CreateRole", `arn:aws:iam::${ACCOUNT}:role/apps/*`)}\n            - Effect: Allow\n              Action: iam:AttachRolePolicy\n              Resource: "arn:aws:iam::${ACCOUNT}:role/sandbox/*"`,
            });
            await expectGuard({ [FILE]: BASE }, { [FILE]: BASE + sandbox + maker }, 0, [PASSED]);
        });
    });

    describe("generic: .gitattributes that make git check out other bytes than the guard reads", () => {
        /** Nothing in force: a change that holds no revocation. */
        const QUIET = stack(role("bystander"));
        const REWRITES =
            "makes git check out other bytes than it stores, and the guard and the plan read what git stores: the deploy would read stack files or a program that nobody reviewed as they are checked out; remove the attribute";

        it("fails at any time a working-tree-encoding, a filter (git-lfs) or ident on any path, which passed while nothing was in force", async () => {
            await expectGuard(
                { [FILE]: QUIET },
                {
                    ".gitattributes": "# encodings\nPulumi.*.yaml working-tree-encoding=ISO-8859-1 -text\n*.md -ident\n",
                    "src/.gitattributes": "index.ts filter=lfs diff=lfs merge=lfs\n",
                },
                1,
                [
                    `FAIL project: .gitattributes: line 2: Pulumi.*.yaml working-tree-encoding=ISO-8859-1 ${REWRITES}`,
                    `FAIL project: src/.gitattributes: line 1: index.ts filter=lfs ${REWRITES}`,
                    FAILED(2),
                ],
            );
        });

        it("reads the head's attributes from git's objects as the trusted judge (--head)", async () => {
            const root = repository({ [FILE]: QUIET });
            const base = commitFiles(root, {}, "base");
            const head = commitFiles(root, { "docs/.gitattributes": "*.md ident\n" }, "head");
            const out = new Capture();
            const code = await guard(
                ["--base", base, "--head", head],
                out,
                new Capture(),
                environment({ root, programRoot: PROJECT_ROOT, now: NOW }),
            );
            assert.deepStrictEqual(
                { code, lines: out.text.split("\n").slice(0, -1) },
                {
                    code: 1,
                    lines: [
                        `FAIL project: docs/.gitattributes: line 1: *.md ident ${REWRITES}`,
                        `1 change(s) would weaken a revocation since ${base}.`,
                    ],
                },
            );
        });

        it("passes line endings and diff settings while nothing is in force", async () => {
            await expectGuard({ [FILE]: QUIET }, { ".gitattributes": "*.sh text eol=lf\n*.png binary\n" }, 0, [PASSED]);
        });
    });
});

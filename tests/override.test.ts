/**
 * The override's decision, as a table: who approved, on which commit, owning what, with which
 * label; exact words for each refusal. The trusted judge and the deploy read the same decision
 * from GitHub in tests/ciOverride.test.ts and tests/ciDeploy.test.ts.
 */
import * as assert from "assert";
import { parseCodeowners } from "../guard/codeowners";
import { Membership, OVERRIDE_LABEL, PullRequestFacts, decideOverride, membershipKey } from "../guard/override";

const HEAD = "a".repeat(40);
const EARLIER = "b".repeat(40);
const CODEOWNERS = parseCodeowners(
    ".github/CODEOWNERS",
    [
        "*                    @alice @acme/platform",
        "/.github/workflows/  @bob",
        "/tools/              ops@example.com",
        "/Pulumi.*.yaml",
    ].join("\n"),
);

const pr = (reviews: PullRequestFacts["reviews"], labels = [OVERRIDE_LABEL]): PullRequestFacts => ({
    number: 7,
    author: "mallory",
    head: HEAD,
    labels,
    reviews,
});
const approved = (login: string, commit = HEAD) => ({ login, state: "APPROVED", commit });

function decide(paths: string[], facts: PullRequestFacts, memberships: [string, string, Membership][] = []) {
    const map = new Map(memberships.map(([team, login, m]) => [membershipKey({ kind: "team", org: "acme", slug: team }, login), m]));
    // Every reviewer here may write to the repository; tests/guardAttacksOverride.test.ts has one who may not.
    const writers = new Map(facts.reviews.map((r) => [r.login.toLowerCase(), { member: true as const }]));
    const { granted, text } = decideOverride({ paths, codeowners: CODEOWNERS, pr: facts, memberships: map, writers });
    return { granted, text };
}

const DOES_NOT_APPLY = `the override (label ${OVERRIDE_LABEL} on pull request #7) does not apply`;

describe("the override's decision", () => {
    it("grants when an owner of every path, not the author, approved the head commit, naming who approved which paths", () => {
        assert.deepStrictEqual(decide(["index.ts", ".github/workflows/guard.yml"], pr([approved("bob"), approved("Alice")])), {
            granted: true,
            text: `allowed by the override of pull request #7 (label ${OVERRIDE_LABEL}): code owners approved its head commit ${HEAD.slice(0, 12)}: @Alice for index.ts; @bob for .github/workflows/guard.yml`,
        });
    });

    it("counts a team's active member, and says why a member it cannot confirm does not count", () => {
        assert.strictEqual(decide(["index.ts"], pr([approved("carol")]), [["platform", "carol", { member: true }]]).granted, true);
        assert.deepStrictEqual(
            decide(["index.ts"], pr([approved("carol")]), [
                ["platform", "carol", { member: false, why: "GitHub answered 403 to whether @carol is a member of @acme/platform" }],
            ]),
            {
                granted: false,
                text: `${DOES_NOT_APPLY}: no code owner other than the author approved the head commit ${HEAD.slice(0, 12)} for index.ts (owners @alice @acme/platform by .github/CODEOWNERS line 1) (GitHub answered 403 to whether @carol is a member of @acme/platform)`,
            },
        );
    });

    it("refuses without the label, saying how to ask for the override", () => {
        assert.deepStrictEqual(decide(["index.ts"], pr([approved("alice")], ["bug"])), {
            granted: false,
            text: `to open the freeze for this change, add the label ${OVERRIDE_LABEL} to pull request #7 and have a code owner of every path other than its author approve its head commit ${HEAD.slice(0, 12)}`,
        });
    });

    it("refuses the author's approval, an approval of an earlier commit, one withdrawn by a later request for changes, and an owner of some of the paths only", () => {
        const author = { ...pr([approved("mallory")]), author: "Mallory" };
        const refusals = [
            decide(["index.ts"], author).text,
            decide(["index.ts"], pr([approved("alice", EARLIER)])).text,
            decide(
                ["index.ts"],
                pr([
                    approved("alice"),
                    { login: "alice", state: "COMMENTED", commit: HEAD },
                    { login: "ALICE", state: "CHANGES_REQUESTED", commit: HEAD },
                ]),
            ).text,
            decide(["index.ts", ".github/workflows/guard.yml"], pr([approved("bob")])).text,
        ];
        assert.deepStrictEqual(refusals, [
            `${DOES_NOT_APPLY}: no code owner other than the author approved the head commit ${HEAD.slice(0, 12)} for index.ts (owners @alice @acme/platform by .github/CODEOWNERS line 1) (@mallory is the author)`,
            `${DOES_NOT_APPLY}: no code owner other than the author approved the head commit ${HEAD.slice(0, 12)} for index.ts (owners @alice @acme/platform by .github/CODEOWNERS line 1) (@alice approved an earlier commit ${EARLIER.slice(0, 12)}, not the head ${HEAD.slice(0, 12)})`,
            `${DOES_NOT_APPLY}: no code owner other than the author approved the head commit ${HEAD.slice(0, 12)} for index.ts (owners @alice @acme/platform by .github/CODEOWNERS line 1)`,
            `${DOES_NOT_APPLY}: no code owner other than the author approved the head commit ${HEAD.slice(0, 12)} for index.ts (owners @alice @acme/platform by .github/CODEOWNERS line 1)`,
        ]);
        // A comment after an approval leaves it standing.
        assert.strictEqual(
            decide(["index.ts"], pr([approved("alice"), { login: "alice", state: "COMMENTED", commit: HEAD }])).granted,
            true,
        );
    });

    it("refuses paths nobody can approve: no owner, owners by email only, a name with a wildcard, and no CODEOWNERS or an unreadable one", () => {
        assert.deepStrictEqual(decide(["Pulumi.yaml.bak/x", "Pulumi.dev.yaml", "tools/run.sh", "a*.ts"], pr([approved("alice")])), {
            granted: false,
            text: `${DOES_NOT_APPLY}: no code owner other than the author approved the head commit ${HEAD.slice(0, 12)} for Pulumi.dev.yaml (no owner: .github/CODEOWNERS line 4 names none), tools/run.sh (owners ops@example.com by .github/CODEOWNERS line 3; an email address cannot be matched to a reviewer), a*.ts (its name holds * or ?, which a CODEOWNERS pattern is not matched against exactly here)`,
        });
        assert.deepStrictEqual(
            decideOverride({ paths: ["index.ts"], pr: pr([approved("alice")]), memberships: new Map(), writers: new Map() }).text,
            `${DOES_NOT_APPLY}: the base has no CODEOWNERS file (.github/CODEOWNERS, CODEOWNERS or docs/CODEOWNERS), so no path has a code owner`,
        );
        const broken = parseCodeowners("CODEOWNERS", "* @alice\n!index.ts @bob\n");
        assert.deepStrictEqual(
            decideOverride({
                paths: ["index.ts"],
                codeowners: broken,
                pr: pr([approved("alice")]),
                memberships: new Map(),
                writers: new Map(),
            }).text,
            `${DOES_NOT_APPLY}: the base's CODEOWNERS cannot be read exactly as GitHub reads it: CODEOWNERS: line 2: the pattern "!index.ts" is refused: negation (!) is not supported in CODEOWNERS`,
        );
    });
});

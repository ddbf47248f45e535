/**
 * CODEOWNERS read as GitHub reads it: the patterns of GitHub's own documented example, each with
 * the paths it owns and those it does not; the last matching line wins; what GitHub does not
 * support or document is refused with its line, and a long path against many stars costs no more
 * than their product.
 */
import * as assert from "assert";
import { Codeowners, ownerRule, parseCodeowners, ruleMatches } from "../guard/codeowners";

const rule = (pattern: string) => {
    const read = parseCodeowners("CODEOWNERS", `${pattern} @owner\n`);
    assert.deepStrictEqual(read.problems, []);
    return read.rules[0];
};

/** Each pattern with the paths it matches (true) and those it does not (false). */
const PATTERNS: Record<string, Record<string, boolean>> = {
    // Everything, at any depth.
    "*": { "a.ts": true, "docs/a/b.md": true },
    // One segment matches at any depth, files and what is below a directory of that name.
    "*.js": { "a.js": true, "src/deep/a.js": true, "a.jsx": false, "a.js/inner.txt": true },
    apps: { apps: true, "apps/x.ts": true, "src/apps/x.ts": true, "apps.ts": false },
    // A trailing slash: what is below a directory of that name, never a file so named.
    "apps/": { apps: false, "apps/x.ts": true, "src/apps/y/x.ts": true },
    "/build/logs/": { "build/logs/a.log": true, "build/logs/deep/a.log": true, "x/build/logs/a.log": false, "build/logs": false },
    // A lone * as the last segment: one segment, nothing below it.
    "docs/*": { "docs/getting-started.md": true, "docs/build-app/troubleshooting.md": false, docs: false },
    "/docs/": { "docs/a.md": true, "docs/a/b.md": true, "x/docs/a.md": false },
    // A slash in the middle anchors at the root; any other last segment owns what is below it too.
    "docs/getting-started.md": { "docs/getting-started.md": true, "x/docs/getting-started.md": false },
    "/scripts": { scripts: true, "scripts/a.sh": true, "x/scripts/a.sh": false },
    "**/logs": { logs: true, "a/logs": true, "a/b/logs/x.log": true, "a/logsx": false },
    "foo/**/bar": { "foo/bar": true, "foo/x/y/bar": true, "foo/x/bar/z": true, "x/foo/bar": false },
    "foo/**": { foo: false, "foo/a": true, "foo/a/b": true },
    "f?o": { foo: true, fo: false, fooo: false, "x/fao/y": true },
    "/f*": { foo: true, "foo/bar": true, "bar/foo": false },
    "/*": { foo: true, "foo/bar": false },
    "**": { a: true, "a/b": true },
    ".github/workflows/*.yml": { ".github/workflows/guard.yml": true, ".github/workflows/x/guard.yml": false },
};

describe("CODEOWNERS patterns", () => {
    for (const [pattern, paths] of Object.entries(PATTERNS)) {
        it(`${pattern} matches exactly the paths GitHub's reading does`, () => {
            const found = Object.fromEntries(Object.keys(paths).map((p) => [p, ruleMatches(rule(pattern), p)]));
            assert.deepStrictEqual(found, paths);
        });
    }

    it("gives a path the owners of the last line that matches it, and none for a line without owners", () => {
        const file = parseCodeowners(
            ".github/CODEOWNERS",
            [
                "# The platform team owns everything,",
                "*                 @acme/platform-security",
                "",
                "  # but the workflows are the release team's and a person's,",
                "/.github/workflows/ @acme/release @Alice  ops@example.com",
                "# and the stack files have no owner.",
                "/Pulumi.*.yaml",
            ].join("\n"),
        );
        const owners = (p: string) => {
            const r = ownerRule(file, p);
            return r === undefined ? undefined : { line: r.line, owners: r.owners };
        };
        assert.deepStrictEqual(
            {
                problems: file.problems,
                index: owners("index.ts"),
                workflow: owners(".github/workflows/guard.yml"),
                stack: owners("Pulumi.dev.yaml"),
            },
            {
                problems: [],
                index: { line: 2, owners: [{ kind: "team", org: "acme", slug: "platform-security" }] },
                workflow: {
                    line: 5,
                    owners: [
                        { kind: "team", org: "acme", slug: "release" },
                        { kind: "user", login: "Alice" },
                        { kind: "email", address: "ops@example.com" },
                    ],
                },
                stack: { line: 7, owners: [] },
            },
        );
        assert.strictEqual(ownerRule(parseCodeowners("CODEOWNERS", "/docs/ @a\n"), "index.ts"), undefined);
    });

    it("refuses, with the line, what GitHub does not support or document: negation, ranges, escapes, three stars, comments after a pattern, owners it cannot read", () => {
        const file: Codeowners = parseCodeowners(
            "CODEOWNERS",
            [
                "!keep.ts @a",
                "[ab].ts @a",
                "with\\ space @a",
                "a/***/b @a",
                "*.ts @a # the TypeScript owner",
                "*.md alice",
                "a//b @a",
                "/ @a",
                "*.go @a",
            ].join("\n"),
        );
        assert.deepStrictEqual(file.problems, [
            'CODEOWNERS: line 1: the pattern "!keep.ts" is refused: negation (!) is not supported in CODEOWNERS',
            'CODEOWNERS: line 2: the pattern "[ab].ts" is refused: character ranges ([ ]) are not supported in CODEOWNERS',
            'CODEOWNERS: line 3: the pattern "with\\\\" is refused: GitHub does not document how it reads a backslash in a pattern',
            'CODEOWNERS: line 4: the pattern "a/***/b" is refused: three consecutive asterisks match nothing GitHub documents',
            'CODEOWNERS: line 5: "#" after the pattern: GitHub does not document comments after a pattern; put the comment on a line of its own',
            'CODEOWNERS: line 6: "alice" is not an owner GitHub reads (@user, @org/team or an email address)',
            'CODEOWNERS: line 7: the pattern "a//b" is refused: it has an empty segment (//)',
            'CODEOWNERS: line 8: the pattern "/" is refused: a / alone names no path GitHub documents',
        ]);
        assert.deepStrictEqual(
            file.rules.map((r) => r.line),
            [9],
        );
        assert.deepStrictEqual(parseCodeowners("CODEOWNERS", "x".repeat(3 * 1024 * 1024 + 1)).problems, [
            "CODEOWNERS is larger than 3 MB, and GitHub ignores it",
        ]);
    });

    it("matches a pattern of many ** against a deep path in time bounded by their product, never retrying a star", () => {
        const pattern = Array.from({ length: 200 }, () => "**").join("/") + "/z";
        const deep = Array.from({ length: 2000 }, () => "a").join("/");
        // Memoised over the two positions: 201 × 2001 steps at most, however the stars fall.
        assert.strictEqual(ruleMatches(rule(pattern), deep), false);
        assert.strictEqual(ruleMatches(rule(pattern), `${deep}/z`), true);
    });
});

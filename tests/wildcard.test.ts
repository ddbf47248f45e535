/**
 * The one wildcard matcher: IAM's `*` and `?`, case folded on request, a value that may itself be
 * a pattern, and no backtracking across stars. A property test compares it with a reference
 * written the obvious way (memoized over positions), on patterns and values over a small
 * alphabet, so that every corner of the greedy matching is reached.
 */
import * as assert from "assert";
import fc from "fast-check";
import { foldCase, wildcardCovers } from "../iam/wildcard";

/** The reference: whether pattern[i..] covers value[j..], memoized, with the same rules written directly. */
function reference(pattern: string, value: string, ignoreCase: boolean): boolean {
    const [p, v] = ignoreCase ? [foldCase(pattern), foldCase(value)] : [pattern, value];
    const memo = new Map<number, boolean>();
    const covers = (i: number, j: number): boolean => {
        const key = i * (v.length + 1) + j;
        const known = memo.get(key);
        if (known !== undefined) return known;
        let result: boolean;
        if (i === p.length) result = j === v.length;
        else if (p[i] === "*") result = covers(i + 1, j) || (j < v.length && covers(i, j + 1));
        else if (j === v.length) result = false;
        else if (p[i] === "?") result = v[j] !== "*" && covers(i + 1, j + 1);
        else result = p[i] === v[j] && covers(i + 1, j + 1);
        memo.set(key, result);
        return result;
    };
    return covers(0, 0);
}

describe("wildcardCovers", () => {
    const cases: [pattern: string, value: string, ignoreCase: boolean, matches: boolean][] = [
        ["s3:Get*", "s3:GetObject", false, true],
        ["s3:?etObject", "s3:GetObject", false, true],
        ["s3:?etObject", "s3:etObject", false, false],
        ["sts:assumerole", "sts:AssumeRole", false, false],
        ["sts:assumerole", "sts:AssumeRole", true, true],
        ["iam:*policy*", "iam:PutRolePolicy", true, true],
        ["iam:*Policy*", "iam:PutRolePermissionsBoundary", true, false],
        // Only * and ? are wildcards: a dot is a dot, and a regular expression's characters are characters.
        ["arn:aws:s3:::a.b", "arn:aws:s3:::axb", false, false],
        ["role/(a|b)+", "role/(a|b)+", false, true],
        ["role/(a|b)+", "role/a", false, false],
        // A ? covers one character of another pattern, never its *.
        ["sts:Assume?ole", "sts:Assume*ole", false, false],
        ["sts:Assume*", "sts:Assume*ole", false, true],
        ["*", "line one\nline two", false, true],
        ["*", "", false, true],
        ["?", "", false, false],
        // The first segment is a prefix and the last a suffix; they may not overlap.
        ["ab*ba", "aba", false, false],
        ["ab*ba", "abba", false, true],
        ["a*b*c", "abcbc", false, true],
        ["a*?c", "ac", false, false],
        ["**********-scratch-1", "arn:aws:iam::111111111111:role/victim", false, false],
        ["arn:aws:iam::*:role/*-scratch-?", "arn:aws:iam::111111111111:role/x-scratch-1", false, true],
    ];
    for (const [pattern, value, ignoreCase, matches] of cases) {
        it(`${matches ? "covers" : "does not cover"} ${JSON.stringify(value)} with ${pattern}${ignoreCase ? " ignoring case" : ""}`, () => {
            assert.deepStrictEqual([wildcardCovers(pattern, value, ignoreCase), reference(pattern, value, ignoreCase)], [matches, matches]);
        });
    }

    it("decides as the reference does on any pattern and value over a small alphabet, stars and question marks included", () => {
        const text = (max: number) => fc.string({ unit: fc.constantFrom("a", "b", "A", "/", "*", "?"), maxLength: max });
        fc.assert(
            fc.property(text(12), text(12), fc.boolean(), (pattern, value, ignoreCase) => {
                assert.strictEqual(wildcardCovers(pattern, value, ignoreCase), reference(pattern, value, ignoreCase));
            }),
            { numRuns: 5_000 },
        );
    });

    it("decides the patterns of the attack at once: thousands of stars and question marks against a long ARN", () => {
        const arn = `arn:aws:iam::111111111111:role/${"platform/".repeat(50)}${"x".repeat(64)}`;
        const stars = `${"*".repeat(5_000)}-scratch-1`;
        const mixed = `${"*?".repeat(2_500)}-scratch-1`;
        const long = `arn:aws:iam::*:role/${"*a".repeat(2_000)}*`;
        assert.deepStrictEqual(
            [stars, mixed, long, `${"*?".repeat(100)}*`].map((pattern) => wildcardCovers(pattern, arn)),
            [false, false, false, true],
        );
    });
});

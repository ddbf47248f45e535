/**
 * What the tests of role validation share: the clock, a valid role to vary, and one test per case
 * of a table, each stating exactly the problems reported.
 */
import * as assert from "assert";
import { roleProblems } from "../iam/rules";
import { formatPath } from "../iam/problems";

export const now = new Date("2026-11-27T12:00:00Z");
export const base = { roleName: "app", trust: { accounts: ["111111111111"] } };

/** The forms of GitHub's sub claim, as the messages list them. */
export const SUB_FORMS =
    "after the repository, GitHub's sub claim has ref:refs/heads/<branch>, ref:refs/tags/<tag>, environment:<name> or pull_request (* and ? are wildcards)";

/** One test per case: validation reports exactly its problems (`path: message`), or accepts it when it lists none. */
export function validates(cases: { name: string; args: unknown; problems: string[] }[]): void {
    for (const { name, args, problems } of cases) {
        it(`${problems.length === 0 ? "accepts" : "refuses"} ${name}`, () => {
            assert.deepStrictEqual(
                roleProblems(args, now).map((p) => `${formatPath(p.path)}: ${p.message}`),
                problems,
            );
        });
    }
}

/**
 * The guard's newest parts attacked, as the outside testers will: the two-person override of the
 * freeze (CODEOWNERS, approvals, the merge queue, the deploy's re-check), the organization's lock,
 * the per-stack CI roles and the workflows' matrix, instance profiles, the revoked-until tag and
 * verify's reading of a live revocation. Every attack that got through is kept with its exact
 * failure; variants that already failed are kept where no other test covers them; benign changes
 * still pass. Where the verdict follows from a pure function the test calls it; the rest run the
 * guard (or the trusted judge, or the deploy, against a fake GitHub) on real git repositories whose
 * base holds a revocation in force, with cutoffs relative to the test's clock.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { Capture, commitFiles, environment, repository } from "./helpers";
import { PROJECT_ROOT } from "../cli/project";
import { commandMain } from "../cli/main";
import { parseCodeowners } from "../guard/codeowners";
import { readCodeowners } from "../revocation/override";

const guard = commandMain("guard");

const NOW = new Date("2026-11-27T12:00:00Z");
/** In force until 2026-11-27T23:00:00Z. */
const CUTOFF = "2026-11-27T10:00:00Z";
const SAFE = "2026-11-27T23:00:00Z";
const ACCOUNT = "111111111111";
const PASSED = "No revocation is weakened since main.";
const FAILED = (n: number) => `${n} change(s) would weaken a revocation since main.`;

/** Stack dev: victim (revoked, trusting EC2) and bystander, in ACCOUNT; `victimExtra` and `top` add lines. */
const dev = (victimExtra = "", top = "", bystanderExtra = "") =>
    `config:\n  aws:region: eu-west-1\n  aws:allowedAccountIds: ["${ACCOUNT}"]\n${top}  revocable-roles:roles:\n    victim:\n      trust:\n        services: ["ec2.amazonaws.com"]\n      revokeBefore: "${CUTOFF}"\n${victimExtra}    bystander:\n      trust:\n        accounts: ["${ACCOUNT}"]\n${bystanderExtra}`;

/** Runs the guard on a repository whose base is `base` and whose working tree is `head`. */
async function run(base: Record<string, string>, head: Record<string, string | undefined>, now = NOW) {
    const root = repository(base, head);
    const [out, err] = [new Capture(), new Capture()];
    const code = await guard(["--base", "main"], out, err, environment({ root, programRoot: PROJECT_ROOT, now }));
    return { code, lines: out.text.split("\n").slice(0, -1), stderr: err.text };
}

const FROZEN = (paths: string, held = `dev/victim until ${SAFE}`) =>
    `FAIL project: ${paths}: changed while revocations are in force (${held}): only stack files and documentation may change until every revocation is safe to remove, because the guard cannot judge what a change to the program, its packages, settings, tools or workflows deploys; merge after ${SAFE}, when every revocation is safe to remove`;

describe("attacks on the guard's newest parts (issues 30 to 32)", function () {
    this.timeout(30_000);

    describe("1. the two-person override of the freeze", () => {
        it("fails a change to docs/CODEOWNERS while revocations are in force: GitHub reads it as the code owners when the repository has no other, so it is no documentation", async () => {
            // Before: docs/ counted as documentation, so the code owners the override trusts changed behind a green guard.
            const base = { "Pulumi.dev.yaml": dev(), "docs/CODEOWNERS": "* @alice\n", "docs/guide.md": "# Guide\n" };
            assert.deepStrictEqual(await run(base, { "docs/CODEOWNERS": "* @mallory-friend\n", "docs/guide.md": "# Guide, edited\n" }), {
                code: 1,
                lines: [FROZEN("docs/CODEOWNERS"), FAILED(1)],
                stderr: "",
            });
            // Documentation beside it still passes.
            assert.deepStrictEqual(await run(base, { "docs/guide.md": "# Guide, edited\n" }), { code: 0, lines: [PASSED], stderr: "" });
        });

        it("refuses a CODEOWNERS that GitHub may read otherwise than this tool: a byte order mark, a no-break space, a lone carriage return, a / alone", () => {
            // Before: trim() dropped the byte order mark and the no-break space, and / matched nothing; the file was read.
            const problems = (text: string) => parseCodeowners(".github/CODEOWNERS", text).problems;
            assert.deepStrictEqual(
                [
                    problems("\uFEFF*  @alice\n"),
                    problems("*  @alice\n\u00A0/tools/  @bob\n"),
                    problems("*  @alice\r/tools/  @bob\n"),
                    problems("/tools/  @bob\n/  @carol\n"),
                    problems("*  @alice\u2028/tools/  @bob\n"),
                ],
                [
                    [
                        ".github/CODEOWNERS: line 1: starts with a byte order mark (U+FEFF), which GitHub does not document reading; save the file without it",
                    ],
                    [
                        ".github/CODEOWNERS: line 2: holds the character U+00A0, a control character or whitespace other than a space or a tab, which GitHub may read otherwise than this tool; remove it",
                    ],
                    [
                        ".github/CODEOWNERS: line 1: holds the character U+000D, a control character or whitespace other than a space or a tab, which GitHub may read otherwise than this tool; remove it",
                    ],
                    ['.github/CODEOWNERS: line 2: the pattern "/" is refused: a / alone names no path GitHub documents'],
                    [
                        ".github/CODEOWNERS: line 1: holds the character U+2028, a control character or whitespace other than a space or a tab, which GitHub may read otherwise than this tool; remove it",
                    ],
                ],
            );
            // Windows line ends are read as GitHub reads them.
            assert.deepStrictEqual(problems("*  @alice\r\n/tools/  @bob\r\n"), []);
        });

        it("refuses a base CODEOWNERS that is a symbolic link or a folder, whose text is not what GitHub reads as owners", () => {
            // Before: git show printed the link's target ("* @mallory") or the folder's listing and that was parsed as the owners.
            const root = repository({ "Pulumi.dev.yaml": dev(), CODEOWNERS: "* @alice\n" });
            fs.mkdirSync(path.join(root, ".github"), { recursive: true });
            fs.symlinkSync("* @mallory", path.join(root, ".github", "CODEOWNERS"));
            const linked = commitFiles(root, {}, "a link");
            fs.rmSync(path.join(root, ".github", "CODEOWNERS"));
            const folder = commitFiles(root, { ".github/CODEOWNERS/README": "* @mallory\n" }, "a folder");
            fs.rmSync(path.join(root, ".github", "CODEOWNERS"), { recursive: true });
            const plain = commitFiles(root, { ".github/CODEOWNERS": "* @bob\n" }, "a file");
            assert.deepStrictEqual(
                [linked, folder].map((commit) => readCodeowners(root, commit)?.problems),
                [
                    [".github/CODEOWNERS is a symbolic link, not a regular file; GitHub's reading of it is not documented"],
                    [".github/CODEOWNERS is a folder, not a regular file; GitHub's reading of it is not documented"],
                ],
            );
            assert.deepStrictEqual(readCodeowners(root, plain)?.rules[0].owners, [{ kind: "user", login: "bob" }]);
        });
    });
});

/**
 * A stack file's edit as a unified diff, for an edit `--now` applied in IAM but could not write:
 * exact, as `git apply` takes it, with every byte of the file put back.
 */
import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { project } from "./helpers";
import { unifiedDiff } from "../revocation/editDiff";

describe("the edit of a stack file as a unified diff", () => {
    it("says nothing when nothing changes", () => {
        assert.strictEqual(unifiedDiff("Pulumi.qa.yaml", "a\n", "a\n"), "");
    });

    it("shows added lines with three lines of context, and a change far from another in a hunk of its own", () => {
        const before = Array.from({ length: 14 }, (_, i) => `line ${i + 1}\n`).join("");
        const after = before.replace("line 2\n", 'line 2\n  revokeBefore: "x"\n').replace("line 13\n", "line 13 changed\n");
        assert.strictEqual(
            unifiedDiff("Pulumi.qa.yaml", before, after),
            [
                "--- a/Pulumi.qa.yaml",
                "+++ b/Pulumi.qa.yaml",
                "@@ -1,5 +1,6 @@",
                " line 1",
                " line 2",
                '+  revokeBefore: "x"',
                " line 3",
                " line 4",
                " line 5",
                "@@ -10,5 +11,5 @@",
                " line 10",
                " line 11",
                " line 12",
                "-line 13",
                "+line 13 changed",
                " line 14",
                "",
            ].join("\n"),
        );
    });

    it("is applied by git apply to exactly the edited text: a flow mapping changed in place, CRLF lines, a last line without a line break", () => {
        const cases: [string, string][] = [
            [
                'config:\n  roles:\n    app: {trust: {services: [ec2.amazonaws.com]}, description: "app"}\n',
                'config:\n  roles:\n    app: {trust: {services: [ec2.amazonaws.com]}, description: "app", revokeBefore: "2026-11-27T10:00:00Z"}\n',
            ],
            ["config:\r\n  a: 1\r\n", 'config:\r\n  revokeAllBefore: "x"\r\n  a: 1\r\n'],
            ["config:\n  a: 1", "config:\n  a: 1\n  b: 2\n"],
        ];
        for (const [before, after] of cases) {
            const root = project({ "Pulumi.qa.yaml": before, "edit.diff": unifiedDiff("Pulumi.qa.yaml", before, after) });
            execFileSync("git", ["apply", "edit.diff"], { cwd: root });
            assert.strictEqual(fs.readFileSync(path.join(root, "Pulumi.qa.yaml"), "utf8"), after);
        }
    });
});

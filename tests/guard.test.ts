import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Capture } from "./helpers";
import { PROJECT_ROOT } from "../cli/project";
import { main as guard } from "../cli/guard";

const NOW = new Date("2026-11-27T12:00:00Z");


const stackFile = (roles: string, top = "") => `config:\n${top}  revocable-roles:roles:\n${roles}`;
const role = (key: string, extra = "") => `    ${key}:\n      trust:\n        accounts: ["111111111111"]\n${extra}`;

/** A real git repository with `base` committed on main and `head` in the working tree. */
function repository(base: Record<string, string>, head: Record<string, string | undefined>): string {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "guard-"));
    const git = (...args: string[]) => execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", ...args], { cwd: root, stdio: "pipe" });
    fs.copyFileSync(path.join(PROJECT_ROOT, "Pulumi.yaml"), path.join(root, "Pulumi.yaml"));
    for (const [name, text] of Object.entries(base)) fs.writeFileSync(path.join(root, name), text);
    git("init", "-q", "-b", "main");
    git("add", ".");
    git("commit", "-qm", "base");
    for (const [name, text] of Object.entries(head)) {
        if (text === undefined) fs.rmSync(path.join(root, name));
        else fs.writeFileSync(path.join(root, name), text);
    }
    return root;
}

async function run(base: Record<string, string>, head: Record<string, string | undefined>, format = "text") {
    const root = repository(base, head);
    const out = new Capture();
    const err = new Capture();
    const code = await guard(["--base", "main", "--format", format], out, err, root, NOW);
    fs.rmSync(root, { recursive: true, force: true });
    return { code, stdout: out.text, stderr: err.text };
}

const revoked = (at: string) => `      revokeBefore: "${at}"\n`;

describe("npm run guard", () => {
    const cases: [string, Record<string, string>, Record<string, string | undefined>, number, string[]][] = [
        ["passes an unchanged stack", { "Pulumi.dev.yaml": stackFile(role("ci")) }, {}, 0, ["No revocation is weakened since main."]],
        [
            "lists a new revocation as passing",
            { "Pulumi.dev.yaml": stackFile(role("ci")) },
            { "Pulumi.dev.yaml": stackFile(role("ci", revoked("2026-11-27T10:00:00Z"))) },
            0,
            ["ok   dev: role ci: new revocation: revokeBefore 2026-11-27T10:00:00Z", "No revocation is weakened since main."],
        ],
        [
            "lists a later cutoff as passing",
            { "Pulumi.dev.yaml": stackFile(role("ci", revoked("2026-11-27T10:00:00Z"))) },
            { "Pulumi.dev.yaml": stackFile(role("ci", revoked("2026-11-27T12:00:00+01:00"))) },
            0,
            ["ok   dev: role ci: revokeBefore moved later from 2026-11-27T10:00:00Z to 2026-11-27T11:00:00Z", "No revocation is weakened since main."],
        ],
        [
            "fails a cutoff moved earlier",
            { "Pulumi.dev.yaml": stackFile(role("ci", revoked("2026-11-27T10:00:00Z"))) },
            { "Pulumi.dev.yaml": stackFile(role("ci", revoked("2026-11-27T09:00:00Z"))) },
            1,
            ["FAIL dev: role ci: revokeBefore moved earlier from 2026-11-27T10:00:00Z to 2026-11-27T09:00:00Z, re-enabling sessions issued in between", "1 change(s) would weaken a revocation since main."],
        ],
        [
            "fails revokeAllBefore moved earlier",
            { "Pulumi.dev.yaml": stackFile(role("ci"), '  revocable-roles:revokeAllBefore: "2026-11-27T10:00:00Z"\n') },
            { "Pulumi.dev.yaml": stackFile(role("ci"), '  revocable-roles:revokeAllBefore: "2026-11-27T08:00:00Z"\n') },
            1,
            ["FAIL dev: stack: revocable-roles:revokeAllBefore moved earlier from 2026-11-27T10:00:00Z to 2026-11-27T08:00:00Z, re-enabling sessions issued in between", "1 change(s) would weaken a revocation since main."],
        ],
        [
            "fails a cutoff removed inside the 13-hour window",
            { "Pulumi.dev.yaml": stackFile(role("ci", revoked("2026-11-27T10:00:00Z"))) },
            { "Pulumi.dev.yaml": stackFile(role("ci")) },
            1,
            ["FAIL dev: role ci: revokeBefore 2026-11-27T10:00:00Z removed before it is safe to remove (2026-11-27T23:00:00Z)", "1 change(s) would weaken a revocation since main."],
        ],
        [
            "passes a cutoff removed after the window",
            { "Pulumi.dev.yaml": stackFile(role("ci", revoked("2026-11-26T20:00:00Z"))) },
            { "Pulumi.dev.yaml": stackFile(role("ci")) },
            0,
            ["ok   dev: role ci: revokeBefore 2026-11-26T20:00:00Z removed after its safe-to-remove time (2026-11-27T09:00:00Z)", "No revocation is weakened since main."],
        ],
        [
            "fails a revoked role's physical name changed inside the window",
            { "Pulumi.dev.yaml": stackFile(role("ci", revoked("2026-11-27T10:00:00Z"))) },
            { "Pulumi.dev.yaml": stackFile(role("ci", `      name: ci-v2\n${revoked("2026-11-27T10:00:00Z")}`)) },
            1,
            ["FAIL dev: role ci: physical name changed from ci to ci-v2 while revoked (revoked before 2026-11-27T10:00:00Z, safe to remove after 2026-11-27T23:00:00Z)", "1 change(s) would weaken a revocation since main."],
        ],
        [
            "fails a revoked role removed inside the window, counting revokeAllBefore",
            { "Pulumi.dev.yaml": stackFile(role("ci") + role("db"), '  revocable-roles:revokeAllBefore: "2026-11-27T10:00:00Z"\n') },
            { "Pulumi.dev.yaml": stackFile(role("ci"), '  revocable-roles:revokeAllBefore: "2026-11-27T10:00:00Z"\n') },
            1,
            ["FAIL dev: role db: removed while its revocation is in force (revoked before 2026-11-27T10:00:00Z, safe to remove after 2026-11-27T23:00:00Z)", "1 change(s) would weaken a revocation since main."],
        ],
        [
            "fails a cutoff in the future, through the full validation",
            { "Pulumi.dev.yaml": stackFile(role("ci")) },
            { "Pulumi.dev.yaml": stackFile(role("ci", revoked("2026-11-27T13:00:00Z"))) },
            1,
            [
                "FAIL dev: Pulumi.dev.yaml: revocable-roles:roles.ci.revokeBefore: \"2026-11-27T13:00:00Z\" is in the future (now is 2026-11-27T12:00:00Z); a future cutoff would also deny every session issued until then, locking everyone out; use a time no later than now",
                "ok   dev: role ci: new revocation: revokeBefore 2026-11-27T13:00:00Z",
                "1 change(s) would weaken a revocation since main.",
            ],
        ],
        [
            "fails a malformed cutoff",
            { "Pulumi.dev.yaml": stackFile(role("ci", revoked("2026-11-27T10:00:00Z"))) },
            { "Pulumi.dev.yaml": stackFile(role("ci", revoked("2026-11-27 10:00"))) },
            1,
            [
                'FAIL dev: Pulumi.dev.yaml: revocable-roles:roles.ci.revokeBefore: "2026-11-27 10:00" has no time zone; write an ISO-8601 UTC timestamp such as 2026-11-27T10:00:00Z',
                "FAIL dev: role ci: revokeBefore 2026-11-27T10:00:00Z removed before it is safe to remove (2026-11-27T23:00:00Z)",
                "2 change(s) would weaken a revocation since main.",
            ],
        ],
        [
            "fails a stack file that no longer parses",
            { "Pulumi.dev.yaml": stackFile(role("ci", revoked("2026-11-27T10:00:00Z"))) },
            { "Pulumi.dev.yaml": "config:\n  revocable-roles:roles: [unclosed\n" },
            1,
            [
                "FAIL dev: Pulumi.dev.yaml: no longer parses: is not valid YAML: Flow sequence in block collection must be sufficiently indented and end with a ] at line 3, column 1",
                "1 change(s) would weaken a revocation since main.",
            ],
        ],
        [
            "fails a deleted stack file that held a revocation in force",
            { "Pulumi.dev.yaml": stackFile(role("ci")), "Pulumi.prod.yaml": stackFile(role("api", revoked("2026-11-27T10:00:00Z"))) },
            { "Pulumi.prod.yaml": undefined },
            1,
            [
                "FAIL prod: role api: removed while its revocation is in force (revoked before 2026-11-27T10:00:00Z, safe to remove after 2026-11-27T23:00:00Z)",
                "1 change(s) would weaken a revocation since main.",
            ],
        ],
    ];
    for (const [name, base, head, code, lines] of cases) {
        it(name, async () => {
            assert.deepStrictEqual(await run(base, head), { code, stdout: `${lines.join("\n")}\n`, stderr: "" });
        });
    }

    it("writes a pull-request comment in markdown", async () => {
        const result = await run(
            { "Pulumi.dev.yaml": stackFile(role("ci", revoked("2026-11-27T10:00:00Z")) + role("db")) },
            { "Pulumi.dev.yaml": stackFile(role("ci", revoked("2026-11-27T09:00:00Z")) + role("db", revoked("2026-11-27T11:00:00Z"))) },
            "markdown",
        );
        assert.deepStrictEqual(result, {
            code: 1,
            stderr: "",
            stdout: [
                "## Revocation guard",
                "",
                "**1 change(s) would weaken a revocation** since `main`. Fix them before merging.",
                "",
                "| | stack | subject | finding |",
                "| --- | --- | --- | --- |",
                "| ❌ | `dev` | role ci | revokeBefore moved earlier from 2026-11-27T10:00:00Z to 2026-11-27T09:00:00Z, re-enabling sessions issued in between |",
                "| ✅ | `dev` | role db | new revocation: revokeBefore 2026-11-27T11:00:00Z |",
                "",
            ].join("\n"),
        });
    });

    it("refuses an unknown base ref", async () => {
        const root = repository({ "Pulumi.dev.yaml": stackFile(role("ci")) }, {});
        const err = new Capture();
        const code = await guard(["--base", "no-such-ref"], new Capture(), err, root, NOW);
        fs.rmSync(root, { recursive: true, force: true });
        assert.deepStrictEqual({ code, stderr: err.text }, { code: 1, stderr: 'unknown git ref "no-such-ref"\n' });
    });
});

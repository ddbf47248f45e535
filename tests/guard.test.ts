/**
 * The guard's verdicts on a real git repository (cutoffs relative to the test's `now`): the benign
 * changes that must pass, today's cutoff rules, the pull-request comment in markdown, and its help.
 * Every way a pull request could weaken a revocation in force is tests/guardCatches.test.ts.
 */
import * as assert from "assert";
import { Capture, repository, environment } from "./helpers";
import { EXIT_CODES_HELP } from "../cli/io";
import { CUTOFF, expectGuard, FAILED, guard, NOW, PASSED, Role, role, runGuard, stack } from "./guardHarness";

const victim = (r: Role = {}) => role("victim", { revokeBefore: CUTOFF, ...r });
const BASE = stack(victim() + role("bystander"));

describe("npm run guard: what passes", () => {
    const cases: [string, Record<string, string | undefined>, string[]][] = [
        ["an unchanged repository", {}, [PASSED]],
        [
            "a later cutoff",
            { "Pulumi.dev.yaml": stack(victim({ revokeBefore: "2026-11-27T12:00:00+01:00" }) + role("bystander")) },
            ["ok   dev: role victim: revokeBefore moved later from 2026-11-27T10:00:00Z to 2026-11-27T11:00:00Z", PASSED],
        ],
        ["a new role", { "Pulumi.dev.yaml": BASE + role("newcomer") }, [PASSED]],
        [
            "a new stack file",
            { "Pulumi.staging.yaml": stack(role("stager", { revokeBefore: "2026-11-27T11:00:00Z" })) },
            ["ok   staging: role stager: new revocation: revokeBefore 2026-11-27T11:00:00Z", PASSED],
        ],
        [
            "trust tightened on the revoked role",
            {
                "Pulumi.dev.yaml": stack(
                    victim({ trust: '        accounts: ["111111111111"]\n        requireMfa: true' }) + role("bystander"),
                ),
            },
            ["ok   dev: role victim: trust tightened: narrows sts:assumerole to account 111111111111", PASSED],
        ],
        [
            "an unrelated role edited",
            { "Pulumi.dev.yaml": stack(victim() + role("bystander", { trust: '        accounts: ["222222222222"]' })) },
            [PASSED],
        ],
        [
            "a new description of the revoked role",
            { "Pulumi.dev.yaml": stack(victim({ extra: "      description: Deploys the web app" }) + role("bystander")) },
            [PASSED],
        ],
        ["a README edit", { "README.md": "# Roles\n", "docs/runbook.md": "Revoke first.\n" }, [PASSED]],
        [
            "a cutoff removed after its window",
            { "Pulumi.dev.yaml": stack(role("victim") + role("bystander")) },
            [
                "ok   dev: role victim: revokeBefore 2026-11-26T20:00:00Z removed after its safe-to-remove time (2026-11-27T09:00:00Z)",
                PASSED,
            ],
        ],
    ];
    for (const [name, head, lines] of cases) {
        it(`passes ${name}`, async () => {
            const base = name.includes("after its window")
                ? stack(victim({ revokeBefore: "2026-11-26T20:00:00Z" }) + role("bystander"))
                : BASE;
            await expectGuard({ "Pulumi.dev.yaml": base }, head, 0, lines);
        });
    }
});

describe("npm run guard: today's cutoff rules", () => {
    const cases: [string, string, string, string[]][] = [
        [
            "a cutoff moved earlier",
            BASE,
            stack(victim({ revokeBefore: "2026-11-27T09:00:00Z" }) + role("bystander")),
            [
                "FAIL dev: role victim: revokeBefore moved earlier from 2026-11-27T10:00:00Z to 2026-11-27T09:00:00Z, re-enabling sessions issued in between",
            ],
        ],
        [
            "a cutoff removed inside its window",
            BASE,
            stack(role("victim") + role("bystander")),
            ["FAIL dev: role victim: revokeBefore 2026-11-27T10:00:00Z removed before it is safe to remove (2026-11-27T23:00:00Z)"],
        ],
        [
            "revokeAllBefore moved earlier",
            stack(role("victim"), `  revocable-roles:revokeAllBefore: "${CUTOFF}"\n`),
            stack(role("victim"), '  revocable-roles:revokeAllBefore: "2026-11-27T08:00:00Z"\n'),
            [
                "FAIL dev: stack: revocable-roles:revokeAllBefore moved earlier from 2026-11-27T10:00:00Z to 2026-11-27T08:00:00Z, re-enabling sessions issued in between",
            ],
        ],
        [
            "a cutoff in the future",
            stack(role("victim")),
            stack(role("victim", { revokeBefore: "2026-11-27T13:00:00Z" })),
            [
                'FAIL dev: Pulumi.dev.yaml: revocable-roles:roles.victim.revokeBefore: "2026-11-27T13:00:00Z" is in the future (now is 2026-11-27T12:00:00Z); a future cutoff would also deny every session issued until then, locking everyone out; use a time no later than now',
            ],
        ],
        [
            "a malformed cutoff",
            BASE,
            stack(victim({ revokeBefore: "2026-11-27 10:00" }) + role("bystander")),
            [
                'FAIL dev: Pulumi.dev.yaml: revocable-roles:roles.victim.revokeBefore: "2026-11-27 10:00" has no time zone; write an ISO-8601 UTC timestamp such as 2026-11-27T10:00:00Z',
            ],
        ],
        [
            "a stack file that no longer parses",
            BASE,
            "config:\n  revocable-roles:roles: [unclosed\n",
            [
                "FAIL dev: Pulumi.dev.yaml: line 3: is not valid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]",
            ],
        ],
    ];
    for (const [name, base, head, fails] of cases) {
        it(`fails ${name}`, async () => {
            const result = await runGuard({ "Pulumi.dev.yaml": base }, { "Pulumi.dev.yaml": head });
            assert.deepStrictEqual(result, {
                code: 1,
                lines: [...fails, ...result.lines.filter((l) => l.startsWith("ok ")), FAILED(fails.length)],
                stderr: "",
            });
        });
    }

    it("writes a pull-request comment in markdown, failures first", async () => {
        const root = repository(
            { "Pulumi.dev.yaml": BASE },
            {
                "Pulumi.dev.yaml": stack(
                    victim({ revokeBefore: "2026-11-27T09:00:00Z" }) + role("bystander", { revokeBefore: "2026-11-27T11:00:00Z" }),
                ),
            },
        );
        const out = new Capture();
        const code = await guard(["--base", "main", "--format", "markdown"], out, new Capture(), environment({ root, now: NOW }));
        assert.deepStrictEqual(
            { code, text: out.text },
            {
                code: 1,
                text: [
                    "## Revocation guard",
                    "",
                    "**1 change(s) would weaken a revocation** since `main`. Fix them before merging.",
                    "",
                    "| | stack | subject | finding |",
                    "| --- | --- | --- | --- |",
                    "| ❌ | `dev` | role victim | revokeBefore moved earlier from 2026-11-27T10:00:00Z to 2026-11-27T09:00:00Z, re-enabling sessions issued in between |",
                    "| ✅ | `dev` | role bystander | new revocation: revokeBefore 2026-11-27T11:00:00Z |",
                    "",
                ].join("\n"),
            },
        );
    });

    it("refuses an unknown base ref, and prints its help on --help", async () => {
        const root = repository({ "Pulumi.dev.yaml": BASE });
        const [out, err] = [new Capture(), new Capture()];
        const env = environment(environment({ root, now: NOW }));
        assert.deepStrictEqual(
            { code: await guard(["--base", "no-such-ref"], out, err, env), stderr: err.text },
            { code: 1, stderr: 'unknown git ref "no-such-ref"\n' },
        );
        const help = new Capture();
        assert.strictEqual(await guard(["--help"], help, new Capture(), env), 0);
        assert.strictEqual(
            help.text.split("\n")[0],
            "usage: npm run guard -- --base <git-ref> [--head <git-ref>] [--format text|markdown]",
        );
        assert.strictEqual(help.text.split("\n").at(-2), EXIT_CODES_HELP.trim());
    });
});

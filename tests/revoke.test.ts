import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { Capture, DEV_STACK, fixture, loaded, plan, project, spawnCommand, environment } from "./helpers";
import { requestOf } from "../cli/revoke";
import { parsedFlags } from "../cli/command";
import { COMMANDS } from "../cli/commands";
import { chooseCutoff, decide } from "../revocation/decide";
import { pullRequest } from "../revocation/pullRequest";
import { commandMain } from "../cli/main";

const revoke = commandMain("revoke");

const ORIGINAL = fixture("revoke", "Pulumi.commented.yaml");
const NOW = new Date("2026-11-27T10:15:30.250Z");
const USAGE =
    "usage: npm run revoke -- --stack <name> (--role <key> ... | --all) [--at <ISO-8601>] [--reason <text>] [--with-chained] [--now [--profile <account>=<profile>] [--role-arn <account>=<role ARN>] [--endpoint-url <url>] [--deadline <seconds>]] [--json] [--body-file <path>] [--report-file <path>]";

async function run(argv: string[], root: string) {
    const out = new Capture();
    const err = new Capture();
    const code = await revoke(argv, out, err, environment(environment({ root, now: NOW })));
    return { code, stdout: out.text, stderr: err.text, file: fs.readFileSync(path.join(root, "Pulumi.qa.yaml"), "utf8") };
}

const withAll = (text: string, cutoff: string) =>
    text.replace("\n  revocable-roles:roles:", `\n  revocable-roles:revokeAllBefore: "${cutoff}"\n  revocable-roles:roles:`);

describe("npm run revoke", () => {
    it("changes only the cutoff's bytes in a file full of comments", async () => {
        const result = await run(
            ["--stack", "qa", "--role", "ci-deployer", "--role", "auditor", "--role", "app-server", "--at", "2026-11-27T10:00:00+00:00"],
            project({ "Pulumi.qa.yaml": ORIGINAL }),
        );
        assert.deepStrictEqual({ code: result.code, stderr: result.stderr }, { code: 0, stderr: "" });
        const expected = ORIGINAL.replace(
            "revokeBefore: '2026-11-27T09:00:00Z'    # an earlier incident",
            'revokeBefore: "2026-11-27T10:00:00Z"    # an earlier incident',
        )
            .replace('description: "app"}', 'description: "app", revokeBefore: "2026-11-27T10:00:00Z"}')
            .replace(
                "        externalId: audit-1   # shared with the auditor\n",
                '        externalId: audit-1   # shared with the auditor\n      revokeBefore: "2026-11-27T10:00:00Z"\n',
            );
        assert.notStrictEqual(expected, ORIGINAL);
        assert.strictEqual(result.file, expected);
    });

    it("keeps the file's CRLF line endings in the line it adds", async () => {
        const crlf = ORIGINAL.replace(/\n/g, "\r\n");
        const result = await run(
            ["--stack", "qa", "--role", "auditor", "--at", "2026-11-27T10:00:00Z"],
            project({ "Pulumi.qa.yaml": crlf }),
        );
        assert.strictEqual(result.code, 0);
        assert.strictEqual(
            result.file,
            crlf.replace(
                "        externalId: audit-1   # shared with the auditor\r\n",
                '        externalId: audit-1   # shared with the auditor\r\n      revokeBefore: "2026-11-27T10:00:00Z"\r\n',
            ),
        );
    });

    it("writes revokeAllBefore on its own line just above the roles key with --all", async () => {
        const result = await run(["--stack", "qa", "--all", "--at", "2026-11-27T10:00:00Z"], project({ "Pulumi.qa.yaml": ORIGINAL }));
        assert.deepStrictEqual({ code: result.code, file: result.file }, { code: 0, file: withAll(ORIGINAL, "2026-11-27T10:00:00Z") });
    });

    it("defaults the cutoff to now rounded up to the next whole second, and rounds --at up too", () => {
        assert.deepStrictEqual(
            [
                chooseCutoff(undefined, NOW),
                chooseCutoff(undefined, new Date("2026-11-27T10:15:30.000Z")),
                chooseCutoff("2026-11-27T10:00:00.200Z", NOW),
            ].map((d) => d.instant.toISOString()),
            ["2026-11-27T10:15:31.000Z", "2026-11-27T10:15:31.000Z", "2026-11-27T10:00:01.000Z"],
        );
    });

    it("lists each role once however often --role names it", async () => {
        const result = await run(
            ["--stack", "qa", "--role", "auditor", "--role", "auditor", "--at", "2026-11-27T10:00:00Z"],
            project({ "Pulumi.qa.yaml": ORIGINAL }),
        );
        assert.deepStrictEqual(result.stdout.split("\n").slice(0, 4), [
            "Wrote Pulumi.qa.yaml: auditor revoked before 2026-11-27T10:00:00Z.",
            "",
            "Pull request title:",
            "Revoke sessions of auditor (qa) issued before 2026-11-27T10:00:00Z",
        ]);
        const values = parsedFlags(COMMANDS.revoke, ["--stack", "qa", "--role", "b", "--role", "a", "--role", "b"])!;
        assert.deepStrictEqual(requestOf(values).roles, ["b", "a"]);
    });

    it("prints its help on --help, with exit code 0 and nothing written", async () => {
        const result = await run(["--help"], project({ "Pulumi.qa.yaml": ORIGINAL }));
        assert.deepStrictEqual(
            { code: result.code, first: result.stdout.split("\n")[0], stderr: result.stderr, same: result.file === ORIGINAL },
            { code: 0, first: USAGE, stderr: "", same: true },
        );
    });

    const refusals: [string, string[], string, string?][] = [
        [
            "an --at in the future",
            ["--role", "auditor", "--at", "2026-11-27T10:16:00Z"],
            '--at "2026-11-27T10:16:00Z" is in the future (now is 2026-11-27T10:15:30.250Z); a future cutoff would also deny every session issued until then',
        ],
        [
            "an --at without a zone",
            ["--role", "auditor", "--at", "2026-11-27T10:00:00"],
            '--at "2026-11-27T10:00:00" has no time zone; write an ISO-8601 UTC timestamp such as 2026-11-27T10:00:00Z',
        ],
        [
            "an --at whose year has two digits, read as written rather than as 1999",
            ["--role", "auditor", "--at", "0099-06-01T00:00:00Z"],
            '--at "0099-06-01T00:00:00Z" is before 2006, earlier than any AWS session could be issued, so it would deny nothing; write the year in full, such as 2026-11-27T10:00:00Z',
        ],
        [
            "an --at before any session could exist",
            ["--role", "auditor", "--at", "1969-12-31T23:59:59Z"],
            '--at "1969-12-31T23:59:59Z" is before 2006, earlier than any AWS session could be issued, so it would deny nothing; write the year in full, such as 2026-11-27T10:00:00Z',
        ],
        [
            "a role named like a property every object inherits",
            ["--role", "constructor"],
            'unknown role "constructor" in Pulumi.qa.yaml; the roles are: ci-deployer, app-server, auditor',
        ],
        [
            "an unparseable --at",
            ["--role", "auditor", "--at", "ten past ten"],
            '--at "ten past ten" is not an ISO-8601 timestamp; write it like 2026-11-27T10:00:00Z',
        ],
        [
            "a cutoff earlier than the one in the file",
            ["--role", "ci-deployer", "--at", "2026-11-27T08:00:00Z"],
            'role "ci-deployer" is already revoked before 2026-11-27T09:00:00Z; the new cutoff 2026-11-27T08:00:00Z is earlier and would re-enable sessions that revocation denies',
        ],
        [
            "a role cutoff at or before the stack's revokeAllBefore, which is the one in force",
            ["--role", "auditor", "--at", "2026-11-27T09:30:00Z"],
            'role "auditor" is already revoked before 2026-11-27T10:00:00Z by revocable-roles:revokeAllBefore, which is not earlier than 2026-11-27T09:30:00Z: that cutoff is the one in force; give --at later than 2026-11-27T10:00:00Z to deny later sessions',
            withAll(ORIGINAL, "2026-11-27T10:00:00Z"),
        ],
        [
            "an unknown role",
            ["--role", "auditr"],
            'unknown role "auditr" in Pulumi.qa.yaml; did you mean "auditor"? the roles are: ci-deployer, app-server, auditor',
        ],
        [
            "roles written as a JSON string, which it cannot edit byte for byte",
            ["--role", "app"],
            "Pulumi.qa.yaml: revocable-roles:roles is a JSON string (what pulumi config set writes without --path); revoke edits YAML mappings only: rewrite it as a YAML mapping (pulumi config set --path writes one)",
            `config:\n  revocable-roles:roles: '{"app":{"trust":{"accounts":["111111111111"]}}}'\n`,
        ],
        [
            "configuration the Pulumi CLI would read differently",
            ["--role", "auditor"],
            "Pulumi.qa.yaml: roles: has no namespace; the Pulumi CLI reads it as revocable-roles:roles, and beside the namespaced key which one wins is not defined; write it as revocable-roles:roles",
            `${ORIGINAL}  roles: {}\n`,
        ],
        ["neither --role nor --all", [], `give either --role (one or more) or --all\n${USAGE}`],
        [
            "--endpoint-url without --now",
            ["--all", "--endpoint-url", "http://127.0.0.1:1"],
            `--endpoint-url only applies with --now\n${USAGE}`,
        ],
        ["an unknown flag", ["--all", "--force"], `Unknown option '--force'\n${USAGE}`],
    ];
    for (const [what, argv, message, text] of refusals) {
        it(`refuses ${what} in one line, leaving the file untouched`, async () => {
            const original = text ?? ORIGINAL;
            const result = await run(["--stack", "qa", ...argv], project({ "Pulumi.qa.yaml": original }));
            assert.deepStrictEqual(
                { code: result.code, stdout: result.stdout, stderr: result.stderr, same: result.file === original },
                { code: message.endsWith(USAGE) ? 2 : 1, stdout: "", stderr: `${message}\n`, same: true },
            );
        });
    }

    it("refuses every problem at once when several roles are wrong", async () => {
        const result = await run(
            ["--stack", "qa", "--role", "nope", "--role", "ci-deployer", "--at", "2026-11-27T08:00:00Z"],
            project({ "Pulumi.qa.yaml": ORIGINAL }),
        );
        assert.deepStrictEqual(
            { code: result.code, stderr: result.stderr.split("\n"), same: result.file === ORIGINAL },
            {
                code: 1,
                stderr: [
                    'unknown role "nope" in Pulumi.qa.yaml; the roles are: ci-deployer, app-server, auditor',
                    'role "ci-deployer" is already revoked before 2026-11-27T09:00:00Z; the new cutoff 2026-11-27T08:00:00Z is earlier and would re-enable sessions that revocation denies',
                    "",
                ],
                same: true,
            },
        );
    });

    it("refuses to edit a stack file that is already invalid", async () => {
        const broken = ORIGINAL.replace("externalId: audit-1", "externalId: audit-1\n        requireMfa: yes-please");
        const result = await run(["--stack", "qa", "--role", "auditor"], project({ "Pulumi.qa.yaml": broken }));
        assert.deepStrictEqual(
            { code: result.code, stderr: result.stderr, same: result.file === broken },
            {
                code: 1,
                stderr: 'Pulumi.qa.yaml is invalid; fix it before revoking:\nPulumi.qa.yaml: revocable-roles:roles.auditor.trust.requireMfa: "yes-please" is a string; expected true or false\n',
                same: true,
            },
        );
    });

    it("prints a ready pull request that says what the revocation leaves open, for the dev stack's revoked role", async () => {
        const root = project({ "Pulumi.dev.yaml": DEV_STACK });
        const out = new Capture();
        const code = await revoke(
            [
                "--stack",
                "dev",
                "--role",
                "ci-deployer",
                "--at",
                "2026-11-27T10:30:00Z",
                "--reason",
                "CI token printed in a public build log",
            ],
            out,
            new Capture(),
            environment({ root, now: new Date("2026-11-27T12:00:00Z") }),
        );
        assert.strictEqual(code, 0);
        assert.deepStrictEqual(out.text.split("\n"), [
            "Wrote Pulumi.dev.yaml: ci-deployer revoked before 2026-11-27T10:30:00Z.",
            "",
            "Pull request title:",
            "Revoke sessions of ci-deployer (dev) issued before 2026-11-27T10:30:00Z",
            "",
            "Pull request body:",
            "## Revoke role sessions issued before 2026-11-27T10:30:00Z",
            "",
            "| | |",
            "| --- | --- |",
            "| Stack | `dev` |",
            "| Roles | `ci-deployer` (IAM role `ci-deployer`) |",
            "| Cutoff | `2026-11-27T10:30:00Z` |",
            "| Reason | CI token printed in a public build log |",
            "| Safe to remove after | `2026-11-27T23:30:00Z` (cutoff + 13 h) |",
            "",
            "### What this change does",
            "Puts the inline policy `RevokeOlderSessions` on each role: every action of every session issued before the cutoff is denied. Identities the role still trusts can assume it again and get working credentials.",
            "",
            "**If the trust itself was abused** (a repository, account or provider that should not be trusted), tighten `trust` in this same change: the deny does nothing against someone who can still assume the role.",
            "",
            "**Do not remove** this revocation before `2026-11-27T23:30:00Z`: until then a session issued before the cutoff may still be alive.",
            "",
            "### What this revocation leaves open",
            "",
            "#### `ci-deployer` (arn:aws:iam::000000000000:role/ci-deployer)",
            "",
            "**Who can still assume it** and get fresh, working sessions (tighten `trust` in this change if the leak came through one of them):",
            "- GitHub Actions acme/infra on refs/heads/main (provider arn:aws:iam::000000000000:oidc-provider/token.actions.githubusercontent.com)",
            "",
            "**Roles reachable from its sessions** (a session created from a leaked one has its own, later issue time and survives this revocation for up to 1 hour, the role-chaining limit, unless that role is revoked too):",
            "- none: no role of this repository both trusts it (or its account) and may be assumed with its permissions",
            "",
            "**Workloads interrupted** (their current credentials are denied too):",
            "- GitHub Actions runs of `acme/infra:ref:refs/heads/main` in progress at the cutoff: their credentials are denied from their next AWS call, so a deploy may stop half-way. Rerun them: a new run assumes the role again and gets a working session.",
            "",
            "**Who can undo this revocation** without a pull request (roles that may remove or rewrite its policy, delete the role or rewrite its trust, directly or through roles they can assume, pass or change; identities outside this repository are not known here):",
            "- `break-glass-admin` (dev, IAM role BreakGlassAdministrator): its managed policy AdministratorAccess allows iam:DeleteRolePolicy, iam:PutRolePolicy, iam:DeleteRole, iam:UpdateAssumeRolePolicy and 20 more permissions-management actions on *",
            "",
            "### What no role revocation covers",
            "",
            "- Long-term access keys of IAM users carry no aws:TokenIssueTime, so the deny does not touch them: deactivate the keys.",
            "- Sessions of IAM Identity Center permission sets: their roles are managed by Identity Center and cannot carry this policy; revoke the user organization-wide with `revoke --org --identity-center-user <id>` (a service control policy on identitystore:userId).",
            "- Console sign-in sessions, and the refreshable credentials of `aws login` (AWS CLI 2.32 and later): revoke them through the AWS Sign-In service (BatchRevokeSessions); a role policy does not end them.",
            "- Service-linked roles cannot be edited, so they cannot be revoked this way.",
            "- Roles in stacks this repository does not hold: revoke them where they are declared, or by name in every member account with `revoke --org --role-name <name>` (not the management account, not service-linked roles).",
            "",
            "Account 000000000000 above stands for the deploying account, which the stack config does not settle (set `aws:allowedAccountIds` to its one account).",
            "",
        ]);
    });

    it("names the workloads a revocation interrupts and how long they take to recover", async () => {
        const root = project({ "Pulumi.dev.yaml": DEV_STACK });
        const out = new Capture();
        await revoke(
            ["--stack", "dev", "--role", "app-server", "--at", "2026-11-27T10:30:00Z"],
            out,
            new Capture(),
            environment({ root, now: new Date("2026-11-27T12:00:00Z") }),
        );
        const lines = out.text.split("\n");
        const at = lines.indexOf("**Workloads interrupted** (their current credentials are denied too):");
        assert.deepStrictEqual(lines.slice(at + 1, at + 3), [
            '- EC2 instances with this role in their instance profile: the instance metadata service keeps serving the credentials it issued before the cutoff, now denied, until it rotates them. EC2 makes new credentials available at least five minutes before the old ones expire (EC2 User Guide, "Retrieve security credentials from instance metadata"); instance-profile credentials have been seen to live about 6 hours. The SDKs pick up the new credentials by themselves.',
            "",
        ]);
        assert.deepStrictEqual(
            lines.slice(
                lines.indexOf(
                    "**Who can still assume it** and get fresh, working sessions (tighten `trust` in this change if the leak came through one of them):",
                ) + 1,
            )[0],
            "- service ec2.amazonaws.com",
        );
    });
});

describe("revoke decides before it acts", () => {
    it("with --all, keeps a role's own later cutoff and says so in the table's policy and the body alike", () => {
        const decision = decide(
            { stack: "qa", roles: [], all: true, at: "2026-11-27T08:00:00Z", withChained: false },
            loaded(ORIGINAL, "qa"),
            NOW,
        );
        assert.deepStrictEqual(
            decision.targets.map((t) => [
                t.key,
                t.cutoff.toString(),
                JSON.parse(t.policy).Statement[0].Condition.DateLessThan["aws:TokenIssueTime"],
            ]),
            [
                ["ci-deployer", "2026-11-27T09:00:00Z", "2026-11-27T09:00:00Z"],
                ["app-server", "2026-11-27T08:00:00Z", "2026-11-27T08:00:00Z"],
                ["auditor", "2026-11-27T08:00:00Z", "2026-11-27T08:00:00Z"],
            ],
        );
        assert.strictEqual(
            pullRequest(decision, undefined).body.split("\n")[5],
            "| Roles | all roles of the stack (`revokeAllBefore`): `ci-deployer` (IAM role `ci-deployer`, keeps its own later cutoff `2026-11-27T09:00:00Z`), `app-server` (IAM role `app-server`), `auditor` (IAM role `auditor`) |",
        );
    });

    it("renders the emergency policy with the component's own code: the policy the offline plan deploys", async () => {
        const decision = decide(
            { stack: "qa", roles: ["auditor"], all: false, at: "2026-11-27T10:00:00Z", withChained: false },
            loaded(ORIGINAL, "qa"),
            NOW,
        );
        const deployed = (await plan(decision.edited, "qa")).resources.find((r) => r.name === "auditor-revocation")!;
        assert.deepStrictEqual(
            decision.targets.map((t) => ({ ...t, cutoff: t.cutoff.toString() })),
            [{ key: "auditor", roleName: "auditor", cutoff: "2026-11-27T10:00:00Z", policy: deployed.inputs.policy }],
        );
    });
});

describe("npm run revoke with a reader that goes away (| head)", function () {
    this.timeout(30_000);

    it("finishes its work and exits 0 without a stack trace", async () => {
        const root = project({ "Pulumi.qa.yaml": ORIGINAL });
        const { child, done } = spawnCommand(["revoke", "--stack", "qa", "--role", "auditor", "--at", "2026-11-27T10:00:00Z"], root);
        child.stdout!.once("data", () => child.stdout!.destroy());
        const { code, stderr } = await done;
        assert.deepStrictEqual({ code, stderr }, { code: 0, stderr: "" });
        assert.match(fs.readFileSync(path.join(root, "Pulumi.qa.yaml"), "utf8"), /revokeBefore: "2026-11-27T10:00:00Z"/);
    });
});

import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Capture } from "./helpers";
import { GetRolePolicyCommand, CreateRoleCommand, PutRolePolicyCommand, ListRolePoliciesCommand } from "@aws-sdk/client-iam";
import { PROJECT_ROOT } from "../cli/project";
import { main as revoke, chooseCutoff } from "../cli/revoke";
import { iamClient } from "../cli/emergency";
import { planStack } from "../cli/plan";
import { MOTO_INSTALL_HINT, Moto, startMoto } from "./moto";
import { decodePolicyDocument } from "../components/policy";

const FIXTURE = path.join(__dirname, "fixtures", "revoke", "Pulumi.commented.yaml");
const ORIGINAL = fs.readFileSync(FIXTURE, "utf8");
const NOW = new Date("2026-11-27T10:15:30.250Z");


/** A throwaway project root holding Pulumi.yaml and the given stack files. */
function project(files: Record<string, string>): string {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "revoke-"));
    fs.copyFileSync(path.join(PROJECT_ROOT, "Pulumi.yaml"), path.join(root, "Pulumi.yaml"));
    for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(root, name), text);
    return root;
}

async function run(argv: string[], root: string, now = NOW, endpointClient?: Moto) {
    const out = new Capture();
    const err = new Capture();
    const code = await revoke(argv, out, err, {
        root,
        now: () => now,
        client: (endpoint, region) => (endpointClient !== undefined && endpoint === endpointClient.endpoint ? endpointClient.client : iamClient(endpoint, region)),
    });
    return { code, stdout: out.text, stderr: err.text, file: fs.readFileSync(path.join(root, "Pulumi.qa.yaml"), "utf8") };
}

describe("npm run revoke", () => {
    it("changes only the cutoff's bytes in a file full of comments", async () => {
        const root = project({ "Pulumi.qa.yaml": ORIGINAL });
        const result = await run(["--stack", "qa", "--role", "ci-deployer", "--role", "auditor", "--role", "app-server", "--at", "2026-11-27T10:00:00+00:00"], root);
        assert.strictEqual(result.stderr, "");
        assert.strictEqual(result.code, 0);
        const expected = ORIGINAL.replace("revokeBefore: '2026-11-27T09:00:00Z'    # an earlier incident", 'revokeBefore: "2026-11-27T10:00:00Z"    # an earlier incident')
            .replace('description: "app"}', 'description: "app", revokeBefore: "2026-11-27T10:00:00Z"}')
            .replace("        externalId: audit-1   # shared with the auditor\n", '        externalId: audit-1   # shared with the auditor\n      revokeBefore: "2026-11-27T10:00:00Z"\n');
        assert.notStrictEqual(expected, ORIGINAL);
        assert.strictEqual(result.file, expected);
    });

    it("writes revokeAllBefore on its own line just above the roles key with --all", async () => {
        const root = project({ "Pulumi.qa.yaml": ORIGINAL });
        const result = await run(["--stack", "qa", "--all", "--at", "2026-11-27T10:00:00Z"], root);
        assert.strictEqual(result.code, 0);
        assert.strictEqual(result.file, ORIGINAL.replace("\n  revocable-roles:roles:", '\n  revocable-roles:revokeAllBefore: "2026-11-27T10:00:00Z"\n  revocable-roles:roles:'));
    });

    it("defaults the cutoff to now rounded up to the next whole second", () => {
        assert.strictEqual(chooseCutoff(undefined, NOW).toISOString(), "2026-11-27T10:15:31.000Z");
        assert.strictEqual(chooseCutoff(undefined, new Date("2026-11-27T10:15:30.000Z")).toISOString(), "2026-11-27T10:15:31.000Z");
    });

    const refusals: [string, string[], string][] = [
        ["an --at in the future", ["--role", "auditor", "--at", "2026-11-27T10:16:00Z"], '--at "2026-11-27T10:16:00Z" is in the future (now is 2026-11-27T10:15:30.250Z); a future cutoff would also deny every session issued until then'],
        ["an --at without a zone", ["--role", "auditor", "--at", "2026-11-27T10:00:00"], '--at "2026-11-27T10:00:00" has no time zone; write an ISO-8601 UTC timestamp such as 2026-11-27T10:00:00Z'],
        ["an unparseable --at", ["--role", "auditor", "--at", "ten past ten"], '--at "ten past ten" is not an ISO-8601 timestamp; write it like 2026-11-27T10:00:00Z'],
        ["a cutoff earlier than the one in the file", ["--role", "ci-deployer", "--at", "2026-11-27T08:00:00Z"], 'role "ci-deployer" is already revoked before 2026-11-27T09:00:00Z; the new cutoff 2026-11-27T08:00:00Z is earlier and would re-enable sessions that revocation denies'],
        ["an unknown role", ["--role", "auditr"], 'unknown role "auditr" in Pulumi.qa.yaml; did you mean "auditor"? the roles are: ci-deployer, app-server, auditor'],
        ["neither --role nor --all", [], "give either --role (one or more) or --all\nusage: npm run revoke -- --stack <name> (--role <key> ... | --all) [--at <ISO-8601>] [--reason <text>] [--now [--endpoint-url <url>]]"],
        ["--endpoint-url without --now", ["--all", "--endpoint-url", "http://127.0.0.1:1"], "--endpoint-url only applies with --now\nusage: npm run revoke -- --stack <name> (--role <key> ... | --all) [--at <ISO-8601>] [--reason <text>] [--now [--endpoint-url <url>]]"],
    ];
    for (const [what, argv, message] of refusals) {
        it(`refuses ${what} and leaves the file untouched`, async () => {
            const root = project({ "Pulumi.qa.yaml": ORIGINAL });
            const result = await run(["--stack", "qa", ...argv], root);
            assert.deepStrictEqual({ code: result.code, stdout: result.stdout, stderr: result.stderr, same: result.file === ORIGINAL }, { code: 1, stdout: "", stderr: `${message}\n`, same: true });
        });
    }

    it("refuses every problem at once when several roles are wrong", async () => {
        const root = project({ "Pulumi.qa.yaml": ORIGINAL });
        const result = await run(["--stack", "qa", "--role", "nope", "--role", "ci-deployer", "--at", "2026-11-27T08:00:00Z"], root);
        assert.deepStrictEqual(
            { code: result.code, stdout: result.stdout, stderr: result.stderr, same: result.file === ORIGINAL },
            {
                code: 1,
                stdout: "",
                stderr: [
                    "unknown role \"nope\" in Pulumi.qa.yaml; the roles are: ci-deployer, app-server, auditor",
                    'role "ci-deployer" is already revoked before 2026-11-27T09:00:00Z; the new cutoff 2026-11-27T08:00:00Z is earlier and would re-enable sessions that revocation denies',
                    "",
                ].join("\n"),
                same: true,
            },
        );
    });

    it("refuses to edit a stack file that is already invalid", async () => {
        const broken = ORIGINAL.replace("externalId: audit-1", "externalId: audit-1\n        requireMfa: yes-please");
        const root = project({ "Pulumi.qa.yaml": broken });
        const result = await run(["--stack", "qa", "--role", "auditor"], root);
        assert.strictEqual(result.code, 1);
        assert.strictEqual(
            result.stderr,
            'Pulumi.qa.yaml is invalid; fix it before revoking:\nPulumi.qa.yaml: revocable-roles:roles.auditor.trust.requireMfa: "yes-please" is a string; expected true or false\n',
        );
        assert.strictEqual(result.file, broken);
    });

    it("prints a ready pull request", async () => {
        const root = project({ "Pulumi.qa.yaml": ORIGINAL });
        const result = await run(["--stack", "qa", "--role", "auditor", "--reason", "Audit credentials pasted into a ticket"], root);
        assert.strictEqual(result.code, 0);
        assert.strictEqual(
            result.stdout,
            [
                "Wrote Pulumi.qa.yaml: auditor revoked before 2026-11-27T10:15:31Z.",
                "",
                "Pull request title:",
                "Revoke sessions of auditor (qa) issued before 2026-11-27T10:15:31Z",
                "",
                "Pull request body:",
                "## Revoke role sessions issued before 2026-11-27T10:15:31Z",
                "",
                "| | |",
                "| --- | --- |",
                "| Stack | `qa` |",
                "| Roles | `auditor` (IAM role `auditor`) |",
                "| Cutoff | `2026-11-27T10:15:31Z` |",
                "| Reason | Audit credentials pasted into a ticket |",
                "| Safe to remove after | `2026-11-27T23:15:31Z` (cutoff + 13 h) |",
                "",
                "### What this change does",
                "Puts the inline policy `RevokeOlderSessions` on each role: every action of every session issued before the cutoff is denied. Identities the role still trusts can assume it again and get working credentials.",
                "",
                "**If the trust itself was abused** (a repository, account or provider that should not be trusted), tighten `trust` in this same change: the deny does nothing against someone who can still assume the role.",
                "",
                "**Do not remove** this revocation before `2026-11-27T23:15:31Z`: until then a session issued before the cutoff may still be alive. Long-term access keys of IAM users are not affected; deactivate them separately.",
                "",
            ].join("\n"),
        );
    });
});

describe("npm run revoke --now against a real IAM API (moto_server)", function () {
    this.timeout(60_000);
    let moto: Moto | undefined;

    before(async function () {
        moto = await startMoto();
        if (moto === undefined) {
            console.log(`      skipped: ${MOTO_INSTALL_HINT}`);
            this.skip();
        }
        for (const RoleName of ["ci-deployer", "app-server"]) {
            await moto!.client.send(new CreateRoleCommand({ RoleName, AssumeRolePolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }] }) }));
        }
    });

    after(async () => {
        await moto?.stop();
    });

    it("revokes the roles that exist, lists the missing one with the AWS error, still records the cutoff, and exits 1", async () => {
        const root = project({ "Pulumi.qa.yaml": ORIGINAL });
        const result = await run(["--stack", "qa", "--all", "--at", "2026-11-27T10:00:00Z", "--now", "--endpoint-url", moto!.endpoint], root, NOW, moto);
        assert.strictEqual(result.code, 1);
        assert.strictEqual(
            result.stdout.split("\n\n")[0],
            [
                "role         IAM role     result",
                "ci-deployer  ci-deployer  revoked: sessions issued before 2026-11-27T10:00:00Z are denied",
                "app-server   app-server   revoked: sessions issued before 2026-11-27T10:00:00Z are denied",
                "auditor      auditor      FAILED: NoSuchEntityException: Role auditor not found",
            ].join("\n"),
        );
        assert.strictEqual(result.stderr, "1 of 3 roles were NOT revoked through the API:\nauditor (auditor): NoSuchEntityException: Role auditor not found\n");
        assert.strictEqual(result.file, ORIGINAL.replace("\n  revocable-roles:roles:", '\n  revocable-roles:revokeAllBefore: "2026-11-27T10:00:00Z"\n  revocable-roles:roles:'));

        // What the API now holds is exactly what the offline plan of the recorded file renders.
        const plan = await planStack("qa", result.file, root);
        for (const role of ["ci-deployer", "app-server"]) {
            const rendered = plan.resources.find((r) => r.name === `${role}-revocation`)!;
            const live = await moto!.client.send(new GetRolePolicyCommand({ RoleName: role, PolicyName: "RevokeOlderSessions" }));
            assert.deepStrictEqual(decodePolicyDocument(live.PolicyDocument ?? ""), JSON.parse(String(rendered.inputs.policy)));
            assert.strictEqual(live.PolicyName, rendered.inputs.name);
        }
    });

    it("refuses, writing nothing anywhere, when a live revocation is already later", async () => {
        const later = '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":["*"],"Resource":["*"],"Condition":{"DateLessThan":{"aws:TokenIssueTime":"2026-11-27T10:10:00Z"}}}]}';
        await moto!.client.send(new PutRolePolicyCommand({ RoleName: "app-server", PolicyName: "RevokeOlderSessions", PolicyDocument: later }));
        const root = project({ "Pulumi.qa.yaml": ORIGINAL });
        const result = await run(["--stack", "qa", "--role", "ci-deployer", "--role", "app-server", "--at", "2026-11-27T10:05:00Z", "--now", "--endpoint-url", moto!.endpoint], root, NOW, moto);
        assert.deepStrictEqual(
            { code: result.code, stdout: result.stdout, stderr: result.stderr, same: result.file === ORIGINAL },
            {
                code: 1,
                stdout: "",
                stderr: 'role "app-server" (app-server) already has a live RevokeOlderSessions denying sessions before 2026-11-27T10:10:00Z, later than 2026-11-27T10:05:00Z; nothing was applied or written; rerun with --at 2026-11-27T10:10:00Z or later\n',
                same: true,
            },
        );
        const live = await moto!.client.send(new GetRolePolicyCommand({ RoleName: "ci-deployer", PolicyName: "RevokeOlderSessions" }));
        assert.strictEqual(decodePolicyDocument(live.PolicyDocument ?? "").Statement[0].Condition?.DateLessThan["aws:TokenIssueTime"], "2026-11-27T10:00:00Z");
        const names = await moto!.client.send(new ListRolePoliciesCommand({ RoleName: "app-server" }));
        assert.deepStrictEqual(names.PolicyNames, ["RevokeOlderSessions"]);
    });
});

/**
 * The emergency path at 3 a.m., against a real IAM API (moto's server on loopback): IAM never
 * waits on a stack file (a read-only checkout, a full disk, another responder's lock), the commands
 * it prints work as printed, and bench:now's figures. An endpoint that stalls and an interruption
 * are tests/incidentHangs.test.ts.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { CreateRoleCommand } from "@aws-sdk/client-iam";
import { dotFiles, failingFileSystem, project, virtualTime } from "./helpers";
import { Moto, motoClient } from "./moto";
import { startFlakyProxy } from "./flakyProxy";
import { lockFileOf } from "../revocation/stackFile";
import { benchNow } from "../bench/emergency";
import { CUTOFF, HOME, LEAK_STACKS, PROFILES, REACHED, TRUST, linesOf, motoSuite, run, stackOf, testAws } from "./incidentHarness";

describe("the emergency path at 3 a.m. (moto behind a proxy)", function () {
    this.timeout(30_000);
    let moto: Moto | undefined;
    const { create, live } = motoSuite((started) => (moto = started));

    before(async () => {
        await create(HOME, "ro-1", "ro-2", "held-1");
        for (const [account, names] of REACHED)
            for (const RoleName of names)
                await motoClient(moto!.endpoint, account).send(new CreateRoleCommand({ RoleName, AssumeRolePolicyDocument: TRUST }));
    });

    describe("IAM first when the file cannot be had", () => {
        it("a read-only checkout: applies in IAM anyway and prints, loudly, that it is NOT RECORDED, the exact edit and the pull request text", async () => {
            const text = stackOf(["ro-1", "ro-2"]);
            const root = project({ "Pulumi.qa.yaml": text });
            const time = virtualTime();
            const result = await run(
                ["--stack", "qa", "--all", "--at", CUTOFF, "--now", "--endpoint-url", moto!.endpoint],
                root,
                testAws(time),
                time,
                failingFileSystem(root, "read-only"),
            );
            const why = "cannot lock Pulumi.qa.yaml (EROFS: read-only file system); nothing was written";
            const edit = [
                "--- a/Pulumi.qa.yaml",
                "+++ b/Pulumi.qa.yaml",
                "@@ -1,4 +1,5 @@",
                " config:",
                `+  revocable-roles:revokeAllBefore: "${CUTOFF}"`,
                "   revocable-roles:roles:",
                "     ro-1:",
                "       trust:",
                "",
            ].join("\n");
            assert.deepStrictEqual(
                {
                    code: result.code,
                    first: result.stdout.split("\n")[0],
                    applied: linesOf(result.stdout.split("Pull request title")[0], "ro-"),
                    pullRequest: result.stdout.includes(
                        `Pull request title:\nRevoke sessions of every role of qa issued before ${CUTOFF}\n`,
                    ),
                    tail: result.stdout.slice(result.stdout.indexOf("\nNOT RECORDED: "), result.stdout.indexOf("\nCheck what IAM holds")),
                    stderr: result.stderr,
                    file: fs.readFileSync(path.join(root, "Pulumi.qa.yaml"), "utf8"),
                    left: dotFiles(root),
                    live: [await live("ro-1"), await live("ro-2")],
                },
                {
                    code: 1,
                    first: `NOT RECORDED: Pulumi.qa.yaml is not written (${why}). The revocation is applied in IAM all the same; the edit to make follows the pull request text.`,
                    applied: [
                        `ro-1  ro-1      revoked: sessions issued before ${CUTOFF} are denied`,
                        `ro-2  ro-2      revoked: sessions issued before ${CUTOFF} are denied`,
                    ],
                    pullRequest: true,
                    tail: `\nNOT RECORDED: Pulumi.qa.yaml was not written (${why}).\nNo stack file records this revocation yet: make this edit (save it to a file and run git apply <file>), and open the pull request above with it, before the next pulumi up of Pulumi.qa.yaml.\n\n${edit}`,
                    stderr: "NOT RECORDED: Pulumi.qa.yaml: the edit to make is printed after the pull request text.\n",
                    file: text,
                    left: [],
                    live: [CUTOFF, CUTOFF],
                },
            );
        });

        it("a full disk: --leaked --now applies in every account and prints each file's edit; no lock file, empty or not, is left", async () => {
            const root = project(LEAK_STACKS);
            const time = virtualTime();
            const result = await run(
                ["--leaked", "github:acme/web", "--at", CUTOFF, "--now", "--endpoint-url", moto!.endpoint, ...PROFILES, "--json"],
                root,
                testAws(time),
                time,
                failingFileSystem(root, "full disk"),
            );
            const json = JSON.parse(result.stdout) as {
                written: string[];
                applied: { account: string; key: string; outcome: string }[];
                notRecorded: { file: string; reason: string; edit: string }[];
            };
            const files = ["Pulumi.ci.yaml", "Pulumi.prod.yaml", "Pulumi.staging.yaml"];
            assert.deepStrictEqual(
                {
                    code: result.code,
                    written: json.written,
                    applied: json.applied.map((a) => `${a.account} ${a.key} ${a.outcome}`),
                    notRecorded: json.notRecorded.map((n) => [
                        n.file,
                        n.reason,
                        n.edit.split("\n").filter((l) => l.startsWith("+ ")).length,
                    ]),
                    stderr: result.stderr,
                    files: files.map((f) => fs.readFileSync(path.join(root, f), "utf8") === LEAK_STACKS[f]),
                    left: dotFiles(root),
                },
                {
                    code: 1,
                    written: [],
                    applied: REACHED.flatMap(([account, names]) => names.map((key) => `${account} ${key} revoked`)),
                    notRecorded: files.map((f) => [
                        f,
                        `cannot lock ${f} (ENOSPC: no space left on device); nothing was written`,
                        f === "Pulumi.staging.yaml" ? 1 : 2,
                    ]),
                    stderr: "NOT RECORDED: Pulumi.ci.yaml, Pulumi.prod.yaml, Pulumi.staging.yaml: the edit to make is in notRecorded.\n",
                    files: [true, true, true],
                    left: [],
                },
            );
            for (const [account, names] of REACHED) for (const name of names) assert.strictEqual(await live(name, account), CUTOFF, name);
        });

        it("a lock held by a running revoke: waits a few seconds, applies in IAM all the same, says NOT RECORDED, and leaves the holder's lock alone", async () => {
            const text = stackOf(["held-1"]);
            const root = project({ "Pulumi.qa.yaml": text });
            const lock = lockFileOf(path.join(root, "Pulumi.qa.yaml"));
            // This process is alive: its lock is a running revoke's.
            fs.writeFileSync(lock, `${process.pid}\n`);
            const time = virtualTime();
            const started = time.now();
            const result = await run(
                ["--stack", "qa", "--role", "held-1", "--at", CUTOFF, "--now", "--endpoint-url", moto!.endpoint],
                root,
                testAws(time),
                time,
            );
            const holder = `Pulumi.qa.yaml is being edited by another revoke (process ${process.pid}, lock file .Pulumi.qa.yaml.lock)`;
            assert.deepStrictEqual(
                {
                    code: result.code,
                    waited: time.now() - started >= 3_000,
                    first: result.stdout.split("\n")[0],
                    stderr: result.stderr,
                    file: fs.readFileSync(path.join(root, "Pulumi.qa.yaml"), "utf8"),
                    lock: fs.readFileSync(lock, "utf8"),
                    live: await live("held-1"),
                },
                {
                    code: 1,
                    waited: true,
                    first: `NOT RECORDED: Pulumi.qa.yaml is not written (${holder}; nothing was written; run revoke again once it has finished). The revocation is applied in IAM all the same; the edit to make follows the pull request text.`,
                    stderr: `${holder}: waiting up to 3 s for its lock; IAM is applied after that whether the file can be written or not.\nNOT RECORDED: Pulumi.qa.yaml: the edit to make is printed after the pull request text.\n`,
                    file: text,
                    lock: `${process.pid}\n`,
                    live: CUTOFF,
                },
            );
        });

        it("two responders' --leaked --now at once: both apply, neither waits on the other's IAM calls, and the files record the revocation once", async () => {
            const proxy = await startFlakyProxy(moto!.endpoint, () => "pass", { latencyMs: 50 });
            try {
                const root = project(LEAK_STACKS);
                const time = virtualTime();
                const at = "2026-11-27T10:06:00Z";
                const argv = ["--leaked", "github:acme/web", "--at", at, "--now", "--endpoint-url", proxy.endpoint, ...PROFILES, "--json"];
                const runs = await Promise.all([run(argv, root, testAws(time), time), run(argv, root, testAws(time), time)]);
                const outcomes = runs.map(({ code, stdout, stderr }) => {
                    const json = JSON.parse(stdout) as { written: string[]; applied: { outcome: string }[] };
                    return {
                        code,
                        stderr,
                        written: json.written.length,
                        failed: json.applied.filter((a) => a.outcome === "failed").length,
                    };
                });
                // The second waits only while the first decides and writes, never during its IAM calls.
                const waited = `Pulumi.ci.yaml is being edited by another revoke (process ${process.pid}, lock file .Pulumi.ci.yaml.lock): waiting up to 3 s for its lock; IAM is applied after that whether the file can be written or not.\n`;
                assert.deepStrictEqual(outcomes, [
                    { code: 0, stderr: "", written: 3, failed: 0 },
                    { code: 0, stderr: waited, written: 0, failed: 0 },
                ]);
                const recorded = Object.keys(LEAK_STACKS).map(
                    (f) => fs.readFileSync(path.join(root, f), "utf8").split(`revokeBefore: "${at}"`).length - 1,
                );
                assert.deepStrictEqual({ recorded, left: dotFiles(root) }, { recorded: [2, 2, 1], left: [] });
                for (const [account, names] of REACHED) for (const name of names) assert.strictEqual(await live(name, account), at, name);
            } finally {
                await proxy.stop();
            }
        });
    });

    describe("commands that work as printed", () => {
        it("revoke --stack --now takes each account's --role-arn as --leaked does, and ends with the command that checks the result", async () => {
            // An account the emergency suite has used already, when it ran first: moto sets up an account on its first call.
            const account = "333333333333";
            const responder = `arn:aws:iam::${account}:role/responder`;
            await create(account, "responder", "arn-1", "arn-2");
            const time = virtualTime();
            // The role's credentials act in its account; the credentials words and the check follow --role-arn.
            const aws = testAws(time);
            const argv = ["--stack", "qa", "--all", "--at", CUTOFF, "--now", "--endpoint-url", moto!.endpoint];
            {
                const root = project({ "Pulumi.qa.yaml": stackOf(["arn-1", "arn-2"], account) });
                const result = await run([...argv, "--role-arn", `${account}=${responder}`], root, aws, time);
                const query = `'PolicyDocument.Statement[0].Condition.DateLessThan."aws:TokenIssueTime"'`;
                assert.deepStrictEqual(
                    {
                        code: result.code,
                        stderr: result.stderr,
                        account: linesOf(result.stdout, "Account "),
                        checks: result.stdout.slice(result.stdout.indexOf("\nCheck what IAM holds")),
                        live: [await live("arn-1", account), await live("arn-2", account)],
                    },
                    {
                        code: 0,
                        stderr: "",
                        account: [`Account ${account} (role ${responder} from --role-arn, assumed with the standard credential chain):`],
                        checks: `\nCheck what IAM holds (it is eventually consistent: allow a few minutes); each aws line prints a role and the cutoff its RevokeOlderSessions denies sessions before, each verify line judges every revocation in force of a stack (live, missing, weakened):\n  (set -- $(aws sts assume-role --role-arn ${responder} --role-session-name revocable-roles-revoke-check --query 'Credentials.[AccessKeyId,SecretAccessKey,SessionToken]' --output text --endpoint-url ${moto!.endpoint}) && export AWS_ACCESS_KEY_ID="$1" AWS_SECRET_ACCESS_KEY="$2" AWS_SESSION_TOKEN="$3" && for role in arn-1 arn-2; do echo "$role $(aws iam get-role-policy --role-name "$role" --policy-name RevokeOlderSessions --query ${query} --output text --endpoint-url ${moto!.endpoint})"; done)\n  npm run verify -- --stack qa --endpoint-url ${moto!.endpoint} --role-arn ${responder}\n`,
                        live: [CUTOFF, CUTOFF],
                    },
                );
            }
            // Credentials named for another account than the stack's are refused before anything is written.
            const text = stackOf(["arn-1"], account);
            const other = project({ "Pulumi.qa.yaml": text });
            const refused = await run([...argv, "--profile", "111111111111=ops"], other, aws, time);
            assert.deepStrictEqual(
                { ...refused, file: fs.readFileSync(path.join(other, "Pulumi.qa.yaml"), "utf8") },
                {
                    code: 1,
                    stdout: "",
                    stderr: `--profile 111111111111=...: Pulumi.qa.yaml deploys to account ${account}, not 111111111111 (nothing was written)\n`,
                    file: text,
                },
            );
        });
    });

    it("bench:now: every role of every account revoked and read back, or named as failed, under throttling; --json's figures", async () => {
        const result = await benchNow({
            accounts: 1,
            roles: 4,
            latencyMs: 5,
            throttledShare: 0.2,
            deadlineSeconds: 30,
            motoEndpoint: moto!.endpoint,
            firstAccount: 880_000_000_000,
        });
        assert.deepStrictEqual(
            {
                ...result,
                wallMs: typeof result.wallMs,
                revokeMs: typeof result.revokeMs,
                readBackMs: typeof result.readBackMs,
                calls: result.calls > 9,
                throttled: result.throttled > 0,
            },
            {
                accounts: 1,
                roles: 4,
                latencyMs: 5,
                throttledShare: 0.2,
                wallMs: "number",
                revoked: 4,
                failed: 0,
                missed: 0,
                revokeMs: "number",
                readBackMs: "number",
                calls: true,
                throttled: true,
                exitCode: 0,
            },
        );
    });
});

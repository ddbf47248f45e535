/**
 * The emergency path at 3 a.m., against a real IAM API (moto's server on loopback) behind a proxy
 * that adds latency or stops answering: IAM never waits on a stack file (a read-only checkout, a
 * full disk, another responder's lock), nothing goes silent (a progress line every 10 s, one line
 * per cause), the commands it prints work as printed, and an interruption is honest about what
 * was applied. The clock is virtual wherever no socket must really hang; the signals are real, sent
 * to the built command.
 */
import * as assert from "assert";
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as path from "path";
import { CreateRoleCommand, GetRolePolicyCommand, IAMClient } from "@aws-sdk/client-iam";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { COMMAND_LINE, Capture, dotFiles, environment, failingFileSystem, project, virtualTime } from "./helpers";
import { MOTO_INSTALL_HINT, Moto, inMotoAccount, motoClient, startMoto } from "./moto";
import { FlakyProxy, startFlakyProxy } from "./flakyProxy";
import { STACKS } from "./leakedFixture";
import { Credentials, iamClientConfig } from "../apply/client";

import { freePort } from "../apply/localIam";
import { Time } from "../apply/time";
import { decodePolicyDocument } from "../iam/policy";
import { PROJECT_ROOT } from "../cli/project";
import { AwsAccess } from "../revocation/context";
import { FileSystem, lockFileOf } from "../revocation/stackFile";
import { commandMain } from "../cli/main";
import { benchNow } from "../bench/emergency";

const revoke = commandMain("revoke");

const NOW = new Date("2026-11-27T10:15:30.250Z");
const CUTOFF = "2026-11-27T10:00:00Z";
const TRUST = JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
});
const credentials = { accessKeyId: "testing", secretAccessKey: "testing" };
/** The leak fixture's two accounts, renumbered so that this file's roles never meet the emergency suite's on the shared server. */
const [A1, A2] = ["555555555555", "666666666666"];
const LEAK_STACKS: Record<string, string> = Object.fromEntries(
    Object.entries(STACKS).map(([file, text]) => [file, text.replaceAll("111111111111", A1).replaceAll("222222222222", A2)]),
);
/** The fixture's roles that github:acme/web reaches, by account. */
const REACHED: [string, string[]][] = [
    [A1, ["deployer", "builder", "reporting"]],
    [A2, ["prod-admin", "db-admin"]],
];
/** In the leaked tests a profile stands for an account's credentials: moto keeps accounts apart by a header. */
const PROFILES = ["--profile", `${A1}=a1`, "--profile", `${A2}=a2`];
/**
 * The account of credentials without a profile: one of this file's own. moto sets up its default
 * account again, slowly, on the first call after another account was first used, so no test here
 * uses it.
 */
const HOME = "777777777777";
const accountOf = (who?: Credentials) =>
    // A role to assume acts in its own account, as AWS's credentials of it would (tests/emergency.test.ts assumes it for real).
    (who?.roleArn === undefined ? undefined : who.roleArn.split(":")[4]) ?? { a1: A1, a2: A2 }[who?.profile as "a1" | "a2"] ?? HOME;

/** The production client's settings (its timeouts), for an STS client. */
const iamClientConfigOf = (endpoint: string | undefined, region: string) => {
    const { maxAttempts, requestHandler } = iamClientConfig(endpoint, region);
    return { endpoint, region, maxAttempts, requestHandler };
};

/** The production client's settings with short call timeouts and the tests' credentials. */
const testClient = (endpoint: string | undefined, requestMs = 400) =>
    new IAMClient({ ...iamClientConfig(endpoint, "us-east-1", { connectMs: 200, requestMs }), credentials });

/**
 * AWS as these tests reach it, on `time`: clients acting in the account of their profile, the
 * identity check asked of the endpoint itself (so an endpoint that is down fails it as it fails
 * AWS's), and retries after milliseconds unless `backoff` says otherwise.
 */
function testAws(time: Time, given: Partial<AwsAccess> = {}, backoff = { baseDelayMs: 5, maxDelayMs: 50 }): AwsAccess {
    return {
        region: "us-east-1",
        endpointVariables: {},
        client: (endpoint, _region, who) => inMotoAccount(testClient(endpoint), accountOf(who)),
        account: async (endpoint, region, signal, who) => {
            const { maxAttempts, requestHandler } = iamClientConfig(endpoint, region, { connectMs: 200, requestMs: 400 });
            const sts = inMotoAccount(new STSClient({ endpoint, region, maxAttempts, requestHandler, credentials }), accountOf(who));
            try {
                return (await sts.send(new GetCallerIdentityCommand({}), { abortSignal: signal })).Account!;
            } finally {
                sts.destroy();
            }
        },
        schedule: (deadlineMs) => ({ deadline: time.now() + deadlineMs, time, concurrency: 8, ...backoff }),
        ...given,
    };
}

/** A stack file of roles that trust EC2, naming `account` when given. */
const stackOf = (keys: string[], account?: string) =>
    `config:\n${account === undefined ? "" : `  aws:allowedAccountIds: ["${account}"]\n`}  revocable-roles:roles:\n${keys.map((k) => `    ${k}:\n      trust:\n        services: [ec2.amazonaws.com]\n`).join("")}`;

/** Runs revoke in-process; returns its exit code and output. */
async function run(argv: string[], root: string, aws: AwsAccess, time: Time, fileSystem?: FileSystem) {
    const out = new Capture();
    const err = new Capture();
    const code = await revoke(argv, out, err, {
        ...environment({ root, now: NOW, aws, time }),
        ...(fileSystem === undefined ? {} : { fileSystem }),
    });
    return { code, stdout: out.text, stderr: err.text };
}

/** Lines of `text` that start with `prefix`. */
const linesOf = (text: string, prefix: string) => text.split("\n").filter((line) => line.startsWith(prefix));

/** What the built command did as a process. */
interface ProcessRun {
    code: number | null;
    stdout: string;
    stderr: string;
}

/**
 * Runs `command` (the built `revocable-roles`, or `npm run`) as its own process in `cwd`, as a
 * shell does, with AWS's test keys and nothing else of AWS from this process's environment;
 * `onOutput` hears the output as it comes.
 */
function spawnProcess(
    command: string[],
    cwd: string,
    onOutput: (stdout: string, stderr: string) => void = () => {},
): { child: ChildProcess; done: Promise<ProcessRun> } {
    const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("AWS_") && !name.startsWith("npm_")));
    const child = spawn(command[0], command.slice(1), {
        cwd,
        env: {
            ...env,
            AWS_ACCESS_KEY_ID: "testing",
            AWS_SECRET_ACCESS_KEY: "testing",
            AWS_REGION: "us-east-1",
            AWS_CONFIG_FILE: path.join(cwd, "no-aws-config"),
            AWS_SHARED_CREDENTIALS_FILE: path.join(cwd, "no-aws-credentials"),
            AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
        },
        stdio: ["ignore", "pipe", "pipe"],
    });
    let [stdout, stderr] = ["", ""];
    child.stdout!.on("data", (chunk: Buffer) => onOutput((stdout += chunk.toString()), stderr));
    child.stderr!.on("data", (chunk: Buffer) => onOutput(stdout, (stderr += chunk.toString())));
    return { child, done: new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr }))) };
}

/** The built command, as `npx revocable-roles revoke` runs it. */
const REVOKE = [process.execPath, COMMAND_LINE, "revoke"];

describe("the emergency path at 3 a.m. (moto behind a proxy)", function () {
    this.timeout(30_000);
    let moto: Moto | undefined;

    before(async function () {
        moto = await startMoto();
        if (moto === undefined) {
            console.log(`      skipped: ${MOTO_INSTALL_HINT}`);
            this.skip();
        }
        await create(HOME, "ro-1", "ro-2", "held-1");
        for (const [account, names] of REACHED)
            for (const RoleName of names)
                await motoClient(moto!.endpoint, account).send(new CreateRoleCommand({ RoleName, AssumeRolePolicyDocument: TRUST }));
    });

    after(async () => {
        await moto?.stop();
    });

    /** Creates roles in an account (this file's HOME unless the first name is an account ID); one that exists already is kept. */
    const create = async (...names: string[]) => {
        const account = /^\d{12}$/.test(names[0]) ? names.shift() : HOME;
        for (const RoleName of names) {
            try {
                await motoClient(moto!.endpoint, account).send(new CreateRoleCommand({ RoleName, AssumeRolePolicyDocument: TRUST }));
            } catch (error) {
                if ((error as Error).name !== "EntityAlreadyExistsException") throw error;
            }
        }
    };

    /** The cutoff of a role's live RevokeOlderSessions, or "none". */
    const live = async (RoleName: string, account = HOME) => {
        try {
            const got = await motoClient(moto!.endpoint, account).send(
                new GetRolePolicyCommand({ RoleName, PolicyName: "RevokeOlderSessions" }),
            );
            return String(decodePolicyDocument(got.PolicyDocument ?? "").Statement[0].Condition?.DateLessThan["aws:TokenIssueTime"]);
        } catch (error) {
            if ((error as Error).name !== "NoSuchEntityException") throw error;
            return "none";
        }
    };

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

    describe("nothing goes silent, and every cause is said once", () => {
        it("an unreachable endpoint: a progress line every 10 s while retrying, then one line for the cause across accounts, within the deadline", async () => {
            // Nothing listens on a port just freed: every connection is refused, at once.
            const url = `http://127.0.0.1:${await freePort()}`;
            const root = project(LEAK_STACKS);
            const time = virtualTime();
            const started = time.now();
            const result = await run(
                ["--leaked", "github:acme/web", "--at", CUTOFF, "--now", "--endpoint-url", url, ...PROFILES, "--deadline", "25"],
                root,
                testAws(time, {}, { baseDelayMs: 200, maxDelayMs: 5_000 }),
                time,
            );
            const progress = `0 of 5 roles applied, 0 failed, 5 pending; failing: endpoint unreachable: ${url} (5 roles)`;
            assert.deepStrictEqual(
                { code: result.code, withinTheDeadline: time.now() - started <= 25_000, stderr: result.stderr.split("\n") },
                {
                    code: 1,
                    withinTheDeadline: true,
                    stderr: [
                        `after 10 s: ${progress}`,
                        `after 20 s: ${progress}`,
                        "5 of 5 roles were NOT revoked through the API:",
                        `- endpoint unreachable: ${url} (5 roles): ${A1}: deployer, builder, reporting; ${A2}: prod-admin, db-admin`,
                        `  the credentials' account could not be confirmed (ECONNREFUSED: connect ECONNREFUSED ${url.slice("http://".length)}); nothing was applied, so that a namesake role in another account is not revoked instead: rerun when sts:GetCallerIdentity answers`,
                        `Rerun once the cause is fixed (a rerun is safe: it counts what is applied, and keeps the cutoff): npm run revoke -- --leaked github:acme/web --at ${CUTOFF} --now --endpoint-url ${url} --profile ${A1}=a1 --profile ${A2}=a2`,
                        "",
                    ],
                },
            );
        });

        it("an endpoint that accepts and never answers: progress lines, then 'no answer from <url>' once for every role, the last call started before the deadline", async () => {
            // Each connection takes 3 s of the run's clock: the deadline comes after three rounds of calls.
            const time = virtualTime();
            const starts: number[] = [];
            const silent = net.createServer(() => {
                starts.push(time.now());
                time.advance(3_000);
            });
            await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
            const url = `http://127.0.0.1:${(silent.address() as net.AddressInfo).port}`;
            try {
                const keys = ["quiet-1", "quiet-2", "quiet-3"];
                const root = project({ "Pulumi.qa.yaml": stackOf(keys) });
                const deadline = time.now() + 25_000;
                const result = await run(
                    ["--stack", "qa", "--all", "--at", CUTOFF, "--now", "--endpoint-url", url, "--deadline", "25"],
                    root,
                    testAws(time, { client: (endpoint) => testClient(endpoint, 200) }),
                    time,
                );
                const progress = `0 of 3 roles applied, 0 failed, 3 pending; failing: no answer from ${url} in 0.2 s (3 roles)`;
                assert.deepStrictEqual(
                    {
                        code: result.code,
                        stderr: result.stderr.split("\n").filter((line) => !line.startsWith("  not applied by the deadline")),
                        afterTheDeadline: starts.filter((at) => at >= deadline),
                        rounds: starts.length >= 6,
                    },
                    {
                        code: 1,
                        stderr: [
                            `after 10 s: ${progress}`,
                            `after 20 s: ${progress}`,
                            "3 of 3 roles were NOT revoked through the API:",
                            `- no answer from ${url} in 0.2 s (3 roles): quiet-1, quiet-2, quiet-3`,
                            "",
                        ],
                        afterTheDeadline: [],
                        rounds: true,
                    },
                );
            } finally {
                silent.close();
            }
        });
        it("the production timeouts against an endpoint that never answers: the deadline, not the 10 s request timeout, ends the identity check and the run", async () => {
            // Each connection takes 4 s of the run's clock: the 3 s deadline comes during the first call.
            const time = virtualTime();
            const silent = net.createServer(() => time.advance(4_000));
            await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
            const url = `http://127.0.0.1:${(silent.address() as net.AddressInfo).port}`;
            try {
                const root = project(LEAK_STACKS);
                const started = time.now();
                // The production clients' settings: 3 s to connect, 10 s for an answer, in each account.
                const account = async (endpoint: string | undefined, region: string, signal: AbortSignal, who?: Credentials) => {
                    const sts = inMotoAccount(new STSClient({ ...iamClientConfigOf(endpoint, region), credentials }), accountOf(who));
                    try {
                        return (await sts.send(new GetCallerIdentityCommand({}), { abortSignal: signal })).Account!;
                    } finally {
                        sts.destroy();
                    }
                };
                const result = await run(
                    ["--leaked", "github:acme/web", "--at", CUTOFF, "--now", "--endpoint-url", url, ...PROFILES, "--deadline", "3"],
                    root,
                    testAws(time, { account }),
                    time,
                );
                const unanswered = `no answer from ${url} by the deadline`;
                assert.deepStrictEqual(
                    { code: result.code, ended: time.now() - started < 10_000, stderr: result.stderr.split("\n").slice(0, 3) },
                    {
                        code: 1,
                        ended: true,
                        stderr: [
                            "5 of 5 roles were NOT revoked through the API:",
                            `- ${unanswered} (5 roles): ${A1}: deployer, builder, reporting; ${A2}: prod-admin, db-admin`,
                            `  the credentials' account could not be confirmed (${unanswered}); nothing was applied, so that a namesake role in another account is not revoked instead: rerun when sts:GetCallerIdentity answers`,
                        ],
                    },
                );
            } finally {
                silent.close();
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

    describe("an interruption is honest", () => {
        /** A stack of ten roles behind a proxy that answers the first two and holds every other call; `signal` is sent once the eighth role's call arrives (all six that fit in flight are held). */
        async function interrupted(prefix: string, command: (root: string, endpoint: string) => string[], signal: NodeJS.Signals) {
            const keys = Array.from({ length: 10 }, (_, i) => `${prefix}-${i}`);
            await create(...keys);
            const root = project({ "Pulumi.qa.yaml": stackOf(keys) });
            let child: ChildProcess | undefined;
            const proxy: FlakyProxy = await startFlakyProxy(
                moto!.endpoint,
                ({ roleName }) => {
                    // The eighth role starts only once the first two are applied (each success lets one more call in flight).
                    if (roleName === keys[7]) setImmediate(() => child!.kill(signal));
                    return keys.indexOf(roleName) < 2 ? "pass" : "stall";
                },
                { account: HOME },
            );
            try {
                const started = spawnProcess(command(root, proxy.endpoint), root);
                child = started.child;
                return { keys, root, endpoint: proxy.endpoint, ...(await started.done) };
            } finally {
                await proxy.stop();
            }
        }

        /** What an interrupted `revoke --stack qa --all --now` of ten roles, two applied, says on stderr. */
        const report = (signal: string, keys: string[], endpoint: string) =>
            [
                "",
                `${signal}: no more IAM calls start; reporting what was applied (${signal} again ends at once).`,
                "8 of 10 roles were NOT revoked through the API:",
                `- interrupted during the call (may or may not be applied) (6 roles): ${keys.slice(2, 8).join(", ")}`,
                "  interrupted during its call: it may or may not be applied; a rerun settles it",
                `- interrupted before they were applied (2 roles): ${keys.slice(8).join(", ")}`,
                "  interrupted before its first call",
                `Interrupted (${signal}): 2 of 10 roles were applied; not applied: ${keys.slice(2).join(", ")}. Apply the rest with the same cutoff: npm run revoke -- --stack qa --all --at ${CUTOFF} --now --endpoint-url ${endpoint}`,
                "",
            ].join("\n");

        it("SIGINT mid-run: no call starts after it; the roles applied, those not by cause, the pull request text and the rerun; exit code 130", async () => {
            const { keys, root, endpoint, code, stdout, stderr } = await interrupted(
                "sigint",
                (_, url) => [...REVOKE, "--stack", "qa", "--all", "--at", CUTOFF, "--now", "--endpoint-url", url],
                "SIGINT",
            );
            assert.deepStrictEqual(
                {
                    code,
                    stderr,
                    applied: linesOf(stdout.split("Pull request title")[0], "sigint-"),
                    pullRequest: stdout.includes("Pull request body:\n## Revoke role sessions issued before"),
                    left: dotFiles(root),
                    live: await Promise.all(keys.map((key) => live(key))),
                },
                {
                    code: 130,
                    stderr: report("SIGINT", keys, endpoint),
                    applied: [0, 1].map((i) => `${keys[i]}  ${keys[i]}  revoked: sessions issued before ${CUTOFF} are denied`),
                    pullRequest: true,
                    left: [],
                    live: [CUTOFF, CUTOFF, ...keys.slice(2).map(() => "none")],
                },
            );
        });

        it("SIGTERM to npm run reaches the command, which reports as it does for SIGINT; exit code 143", async () => {
            const script = (
                JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }
            ).scripts.revoke;
            const { keys, code, stderr } = await interrupted(
                "sigterm",
                (root, url) => {
                    // This repository's own script, in a project that links its build and tools.
                    fs.writeFileSync(
                        path.join(root, "package.json"),
                        JSON.stringify({ name: "incident", private: true, scripts: { revoke: script } }),
                    );
                    for (const folder of ["dist", "tools"]) fs.symlinkSync(path.join(PROJECT_ROOT, folder), path.join(root, folder));
                    return [
                        "npm",
                        "run",
                        "--silent",
                        "revoke",
                        "--",
                        "--stack",
                        "qa",
                        "--all",
                        "--at",
                        CUTOFF,
                        "--now",
                        "--endpoint-url",
                        url,
                    ];
                },
                "SIGTERM",
            );
            assert.deepStrictEqual(
                { code, stderr },
                { code: 143, stderr: report("SIGTERM", keys, stderr.split("--endpoint-url ")[1]?.split("\n")[0] ?? "") },
            );
        });

        it("SIGINT while waiting for another run's lock: never says the file was written, applies nothing, and prints the edit and the pull request text", async () => {
            const keys = ["wait-1", "wait-2"];
            const text = stackOf(keys);
            const root = project({ "Pulumi.qa.yaml": text });
            const lock = lockFileOf(path.join(root, "Pulumi.qa.yaml"));
            fs.writeFileSync(lock, `${process.pid}\n`);
            let signalled = false;
            // Signalled once it says it is waiting: the wait is the command's own, not a guess.
            const started = spawnProcess(
                [...REVOKE, "--stack", "qa", "--all", "--at", CUTOFF, "--now", "--endpoint-url", "http://127.0.0.1:9"],
                root,
                (_, stderr) => {
                    if (!signalled && stderr.includes("waiting up to 3 s")) {
                        signalled = true;
                        started.child.kill("SIGINT");
                    }
                },
            );
            const { code, stdout, stderr } = await started.done;
            const holder = `another revoke (process ${process.pid}, lock file .Pulumi.qa.yaml.lock)`;
            assert.deepStrictEqual(
                {
                    code,
                    first: stdout.split("\n")[0],
                    wrote: stdout.includes("Wrote"),
                    pullRequest: stdout.includes("Pull request body:\n"),
                    edit: stdout.includes(
                        `\n--- a/Pulumi.qa.yaml\n+++ b/Pulumi.qa.yaml\n@@ -1,4 +1,5 @@\n config:\n+  revocable-roles:revokeAllBefore: "${CUTOFF}"\n`,
                    ),
                    stderr,
                    file: fs.readFileSync(path.join(root, "Pulumi.qa.yaml"), "utf8"),
                    lock: fs.readFileSync(lock, "utf8"),
                },
                {
                    code: 130,
                    first: `NOT RECORDED: Pulumi.qa.yaml is not written (interrupted while waiting for ${holder} to finish with Pulumi.qa.yaml; nothing was written). The edit to make follows the pull request text.`,
                    wrote: false,
                    pullRequest: true,
                    edit: true,
                    stderr: [
                        `Pulumi.qa.yaml is being edited by ${holder}: waiting up to 3 s for its lock; IAM is applied after that whether the file can be written or not.`,
                        "",
                        "SIGINT: no more IAM calls start; reporting what was applied (SIGINT again ends at once).",
                        "2 of 2 roles were NOT revoked through the API:",
                        "- interrupted before they were applied (2 roles): wait-1, wait-2",
                        "  interrupted before its first call",
                        "NOT RECORDED: Pulumi.qa.yaml: the edit to make is printed after the pull request text.",
                        `Interrupted (SIGINT): 0 of 2 roles were applied; not applied: wait-1, wait-2. Apply the rest with the same cutoff: npm run revoke -- --stack qa --all --at ${CUTOFF} --now --endpoint-url http://127.0.0.1:9`,
                        "",
                    ].join("\n"),
                    file: text,
                    lock: `${process.pid}\n`,
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

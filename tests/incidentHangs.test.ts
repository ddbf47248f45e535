/**
 * The emergency path at 3 a.m. when IAM hangs, against a real IAM API (moto's server on loopback)
 * behind a proxy that adds latency or stops answering: nothing goes silent (a progress line every
 * 10 s, one line per cause), and an interruption is honest about what was applied. The clock is
 * virtual wherever no socket must really hang; the signals are real, sent to the built command.
 */
import * as assert from "assert";
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as path from "path";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { COMMAND_LINE, dotFiles, project, virtualTime } from "./helpers";
import { Moto, inMotoAccount } from "./moto";
import { FlakyProxy, startFlakyProxy } from "./flakyProxy";
import { Credentials, iamClientConfig } from "../apply/client";
import { freePort } from "../apply/localIam";
import { PROJECT_ROOT } from "../cli/project";
import { lockFileOf } from "../revocation/stackFile";
import {
    A1,
    A2,
    CUTOFF,
    HOME,
    LEAK_STACKS,
    PROFILES,
    accountOf,
    credentials,
    linesOf,
    motoSuite,
    run,
    stackOf,
    testAws,
    testClient,
} from "./incidentHarness";

/** The production client's settings (its timeouts), for an STS client. */
const iamClientConfigOf = (endpoint: string | undefined, region: string) => {
    const { maxAttempts, requestHandler } = iamClientConfig(endpoint, region);
    return { endpoint, region, maxAttempts, requestHandler };
};

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
    const { create, live } = motoSuite((started) => (moto = started));

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
});

/**
 * `npm run bench:now -- [--accounts N] [--roles M] [--latency-ms L] [--throttle S] [--json]`: time
 * to contain, measured. Creates N accounts of M roles each in moto's IAM server (on loopback), a
 * project of N stack files whose roles all trust one GitHub repository, and times `revoke --leaked
 * github:acme/bench --now` through a local proxy that adds L ms to every call and answers a share
 * S of them with a Throttling error; then reads every role's policy back through the same proxy.
 * Every role must end revoked or named as failed: nothing may be silently missed. Needs moto_server
 * on PATH.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseArgs } from "util";
import { CreateRoleCommand, GetRolePolicyCommand, IAMClient } from "@aws-sdk/client-iam";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { Writer } from "../cli/io";
import { runAsProcess } from "../cli/process";
import { processEnvironment } from "../cli/environment";
import { commandMain } from "../cli/main";
import { Credentials, iamClientConfig } from "../apply/client";
import { MOTO_INSTALL_HINT, startMotoServer } from "../apply/localIam";
import { REVOCATION_POLICY_NAME, decodePolicyDocument } from "../iam/policy";
import { startFlakyProxy } from "../tests/flakyProxy";

const revoke = commandMain("revoke");

const USAGE = "usage: npm run bench:now -- [--accounts 1] [--roles 100] [--latency-ms 0] [--throttle 0] [--deadline 120] [--json]";
const HELP = `${USAGE}

Times revoke --leaked --now against moto's IAM server (needs moto_server) behind a local proxy:
--accounts accounts of --roles roles each, every call --latency-ms slower and a share --throttle
(0 to 1) of calls answered with Throttling; then reads every role's ${REVOCATION_POLICY_NAME} back
through the same proxy. Prints the time to contain and whether every role is revoked or named as
failed (the target: 10 accounts of 100 roles, 150 ms, 5 % throttled, in under 60 s); --json prints
{accounts, roles, latencyMs, throttledShare, wallMs, revoked, failed, missed, revokeMs, readBackMs,
calls, throttled, exitCode}.
`;

/** The benchmark's figures, as --json prints them. */
export interface BenchNowResult {
    accounts: number;
    /** Roles per account. */
    roles: number;
    latencyMs: number;
    throttledShare: number;
    /** From revoke's start to the last role read back. */
    wallMs: number;
    /** Roles whose policy reads back with the cutoff. */
    revoked: number;
    /** Roles revoke named as not applied. */
    failed: number;
    /** Roles neither revoked nor named as failed: must be 0. */
    missed: number;
    revokeMs: number;
    readBackMs: number;
    /** IAM and STS calls through the proxy, and how many it throttled. */
    calls: number;
    throttled: number;
    /** revoke's exit code. */
    exitCode: number;
}

/**
 * Makes a client's requests act in `account` on moto, which reads it from a header (as
 * tests/moto.ts does; that module registers mocha hooks, so the benchmark cannot load it).
 */
function inMotoAccount<T extends { middlewareStack: unknown }>(client: T, account: string): T {
    (client.middlewareStack as IAMClient["middlewareStack"]).add(
        (next) => async (args) => {
            (args.request as { headers: Record<string, string> }).headers["x-moto-account-id"] = account;
            return next(args);
        },
        { step: "build" },
    );
    return client;
}

/** A pseudo-random sequence from a seed (mulberry32): the same throttled calls on every run of the same figures. */
function random(seed: number): () => number {
    let state = seed >>> 0;
    return () => {
        state = (state + 0x6d2b79f5) >>> 0;
        let t = state;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

/** Maps with at most `limit` calls in flight. */
async function mapLimit<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
    let next = 0;
    const worker = async () => {
        while (next < items.length) await fn(items[next++]);
    };
    await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** The benchmark's accounts: 100000000000, 100000000001, ... */
const accountIds = (count: number, first = 100_000_000_000) => Array.from({ length: count }, (_, i) => String(first + i));

/** Runs the benchmark once with these figures; returns them with what was measured. */
export async function benchNow(figures: {
    accounts: number;
    roles: number;
    latencyMs: number;
    throttledShare: number;
    deadlineSeconds: number;
    /** A moto server already running (a test's); default one started for the run, without AWS's managed policies. */
    motoEndpoint?: string;
    /** The first account's ID; the others follow it. @default 100000000000 */
    firstAccount?: number;
}): Promise<BenchNowResult> {
    const { roles, latencyMs, throttledShare } = figures;
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
    const moto =
        figures.motoEndpoint === undefined
            ? await startMotoServer({ env: process.env, managedPolicies: false })
            : { endpoint: figures.motoEndpoint, stop: async () => {} };
    if (moto === undefined) throw new Error(MOTO_INSTALL_HINT);
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "revocable-roles-bench-now-"));
    const draw = random(1);
    const proxy = await startFlakyProxy(moto.endpoint, () => (draw() < throttledShare ? "throttle" : "pass"), { latencyMs });
    const credentials = { accessKeyId: "bench", secretAccessKey: "bench" };
    const accounts = accountIds(figures.accounts, figures.firstAccount);
    // A profile stands for an account's credentials: moto keeps accounts apart by a header.
    const accountOf = (who?: Credentials) => who?.profile?.replace(/^p/, "") ?? accounts[0];
    const client = (endpoint: string | undefined, account: string) =>
        inMotoAccount(new IAMClient({ ...iamClientConfig(endpoint, "us-east-1"), credentials }), account);
    const keys = Array.from({ length: roles }, (_, i) => `bench-now-${String(i).padStart(4, "0")}`);
    try {
        const trust = JSON.stringify({
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
        });
        await Promise.all(
            accounts.map(async (account) => {
                const direct = client(moto.endpoint, account);
                await mapLimit(keys, 8, async (RoleName) => {
                    await direct.send(new CreateRoleCommand({ RoleName, AssumeRolePolicyDocument: trust }));
                });
                direct.destroy();
            }),
        );
        fs.writeFileSync(path.join(root, "Pulumi.yaml"), "name: revocable-roles\nruntime: nodejs\n");
        for (const [index, account] of accounts.entries()) {
            fs.writeFileSync(
                path.join(root, `Pulumi.account${String(index).padStart(2, "0")}.yaml`),
                `config:\n  aws:allowedAccountIds: ["${account}"]\n  revocable-roles:roles:\n${keys.map((k) => `    ${k}:\n      trust:\n        githubActions: {repositories: ["acme/bench"]}\n`).join("")}`,
            );
        }
        const at = new Date(Date.now() - 60_000).toISOString().replace(/\.\d{3}Z$/, "Z");
        const base = processEnvironment();
        const env = {
            ...base,
            root,
            aws: {
                ...base.aws,
                client: (endpoint: string | undefined, _region: string, who?: Credentials) => client(endpoint, accountOf(who)),
                account: async (endpoint: string | undefined, region: string, signal: AbortSignal, who?: Credentials) => {
                    const { maxAttempts, requestHandler } = iamClientConfig(endpoint, region);
                    const sts = inMotoAccount(
                        new STSClient({ endpoint, region, maxAttempts, requestHandler, credentials }),
                        accountOf(who),
                    );
                    try {
                        return (await sts.send(new GetCallerIdentityCommand({}), { abortSignal: signal })).Account!;
                    } finally {
                        sts.destroy();
                    }
                },
            },
        };
        const out: string[] = [];
        const started = performance.now();
        const exitCode = await revoke(
            [
                "--leaked",
                "github:acme/bench",
                "--at",
                at,
                "--now",
                "--endpoint-url",
                proxy.endpoint,
                "--deadline",
                String(figures.deadlineSeconds),
                "--json",
                ...accounts.flatMap((account) => ["--profile", `${account}=p${account}`]),
            ],
            { write: (text: string) => out.push(text) },
            { write: (text: string) => process.stderr.write(text) },
            env,
        );
        const revokeMs = performance.now() - started;
        const applied = (JSON.parse(out.join("")) as { applied: { account: string; key: string; outcome: string }[] | null }).applied ?? [];
        const failed = new Set(applied.filter((a) => a.outcome === "failed").map((a) => `${a.account}/${a.key}`));
        // Read back through the same proxy: its latency and its throttling, retried until every role answers.
        const revoked = new Set<string>();
        await Promise.all(
            accounts.map(async (account) => {
                const reader = client(proxy.endpoint, account);
                await mapLimit(keys, 16, async (RoleName) => {
                    for (let attempt = 0; ; attempt++) {
                        try {
                            const got = await reader.send(new GetRolePolicyCommand({ RoleName, PolicyName: REVOCATION_POLICY_NAME }));
                            const cutoff = decodePolicyDocument(got.PolicyDocument ?? "{}").Statement?.[0]?.Condition?.DateLessThan?.[
                                "aws:TokenIssueTime"
                            ];
                            if (String(cutoff) === at) revoked.add(`${account}/${RoleName}`);
                            return;
                        } catch (error) {
                            if ((error as Error).name === "NoSuchEntityException" || attempt >= 20) return;
                            await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(2_000, 50 * 2 ** attempt)));
                        }
                    }
                });
                reader.destroy();
            }),
        );
        const wallMs = performance.now() - started;
        const all = accounts.flatMap((account) => keys.map((key) => `${account}/${key}`));
        return {
            accounts: accounts.length,
            roles,
            latencyMs,
            throttledShare,
            wallMs: Math.round(wallMs),
            revoked: revoked.size,
            failed: failed.size,
            missed: all.filter((role) => !revoked.has(role) && !failed.has(role)).length,
            revokeMs: Math.round(revokeMs),
            readBackMs: Math.round(wallMs - revokeMs),
            calls: Object.values(proxy.counts).reduce((a, b) => a + b, 0),
            throttled: proxy.counts.throttle,
            exitCode,
        };
    } finally {
        await proxy.stop();
        fs.rmSync(root, { recursive: true, force: true });
        await moto.stop();
    }
}

/** A whole number of at least `least` from a flag, or undefined when it is not one. */
function whole(value: string | undefined, fallback: number, least: number): number | undefined {
    const number = Number(value ?? fallback);
    return Number.isInteger(number) && number >= least ? number : undefined;
}

/** The benchmark; returns the exit code: 1 when a role is missed. */
export async function main(argv: string[], out: Writer, err: Writer): Promise<number> {
    if (argv.includes("--help") || argv.includes("-h")) {
        out.write(HELP);
        return 0;
    }
    let values: { accounts?: string; roles?: string; "latency-ms"?: string; throttle?: string; deadline?: string; json?: boolean };
    try {
        values = parseArgs({
            args: argv,
            options: {
                accounts: { type: "string" },
                roles: { type: "string" },
                "latency-ms": { type: "string" },
                throttle: { type: "string" },
                deadline: { type: "string" },
                json: { type: "boolean" },
            },
            strict: true,
        }).values;
    } catch (error) {
        err.write(`${(error as Error).message}\n${USAGE}\n`);
        return 2;
    }
    const accounts = whole(values.accounts, 1, 1);
    const roles = whole(values.roles, 100, 1);
    const latencyMs = whole(values["latency-ms"], 0, 0);
    const deadlineSeconds = whole(values.deadline, 120, 1);
    const throttledShare = Number(values.throttle ?? 0);
    if (accounts === undefined || roles === undefined || latencyMs === undefined || deadlineSeconds === undefined) {
        err.write(`--accounts, --roles and --deadline take whole numbers of at least 1, --latency-ms of at least 0\n${USAGE}\n`);
        return 2;
    }
    if (!(throttledShare >= 0 && throttledShare < 1)) {
        err.write(`--throttle takes a share of calls from 0 to below 1, such as 0.05\n${USAGE}\n`);
        return 2;
    }
    const result = await benchNow({ accounts, roles, latencyMs, throttledShare, deadlineSeconds });
    if (values.json === true) out.write(`${JSON.stringify(result)}\n`);
    else {
        const total = accounts * roles;
        const met = result.revoked === total && result.wallMs < 60_000;
        out.write(
            [
                `revoke --leaked --now: ${accounts} account(s) of ${roles} roles, ${latencyMs} ms per call, ${Math.round(throttledShare * 100)} % of calls throttled`,
                `  ${result.revoked} of ${total} roles revoked and read back, ${result.failed} named as failed, ${result.missed} missed, in ${(result.wallMs / 1000).toFixed(1)} s (revoke ${(result.revokeMs / 1000).toFixed(1)} s, exit code ${result.exitCode}; read back ${(result.readBackMs / 1000).toFixed(1)} s)`,
                `  ${result.calls} calls through the proxy, ${result.throttled} throttled`,
                `  target (every role revoked and read back in under 60 s): ${met ? "met" : "NOT met"}`,
                "",
            ].join("\n"),
        );
    }
    return result.missed === 0 ? 0 : 1;
}

if (require.main === module) runAsProcess((argv) => main(argv, process.stdout, process.stderr));

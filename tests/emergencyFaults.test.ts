/**
 * The emergency path (`revoke --now`) under faults: an endpoint that never answers, and a proxy in
 * front of moto's server that throttles, fails, resets or never answers calls. Every test is
 * bounded: short call timeouts, short deadlines, millisecond backoffs, a virtual clock.
 */
import * as assert from "assert";
import * as net from "net";
import { CreateRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import { project, virtualTime } from "./helpers";
import { Moto } from "./moto";
import { startFlakyProxy } from "./flakyProxy";
import { createHash } from "crypto";
import { iamClientConfig } from "../apply/client";
import { motoSuite, trust, ORIGINAL, run, CUTOFF, testClient, testAccount, rows, credentials } from "./emergencyHarness";

describe("npm run revoke --now against a real IAM API (moto_server)", function () {
    this.timeout(30_000);
    let moto: Moto | undefined;
    const { live } = motoSuite((started) => (moto = started));

    describe("under faults", () => {
        const keys = Array.from({ length: 8 }, (_, i) => `faulty-${String(i).padStart(2, "0")}`);
        const text = `config:\n  revocable-roles:roles:\n${keys.map((k) => `    ${k}:\n      trust:\n        services: [ec2.amazonaws.com]\n`).join("")}`;

        before(async () => {
            for (const RoleName of keys) await moto!.client.send(new CreateRoleCommand({ RoleName, AssumeRolePolicyDocument: trust }));
        });

        it("ends within the deadline on an endpoint that never answers, the stack file written and the body saying not applied", async () => {
            // The clock moves by each call's request timeout as the call reaches the endpoint, and by each
            // backoff: the run makes the same attempts on every machine, and none starts after the deadline.
            const time = virtualTime();
            const deadline = time.now() + 1000;
            const starts: number[] = [];
            const silent = net.createServer(() => {
                starts.push(time.now());
                time.advance(400);
            });
            await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
            const endpoint = `http://127.0.0.1:${(silent.address() as net.AddressInfo).port}`;
            try {
                const root = project({ "Pulumi.qa.yaml": ORIGINAL });
                const result = await run(
                    ["--stack", "qa", "--role", "ci-deployer", "--at", CUTOFF, "--now", "--endpoint-url", endpoint, "--deadline", "1"],
                    root,
                    testClient,
                    {},
                    testAccount,
                    time,
                );
                assert.strictEqual(result.code, 1);
                assert.strictEqual(result.file, ORIGINAL.replace("revokeBefore: '2026-11-27T09:00:00Z'", `revokeBefore: "${CUTOFF}"`));
                const [[key, , detail]] = rows(result.stdout);
                assert.strictEqual(key, "ci-deployer");
                assert.match(detail, /^FAILED: not applied by the deadline after \d+ attempts; last: TimeoutError: /);
                assert.ok(result.stdout.includes("### Not applied (the emergency path failed)"), result.stdout);
                assert.deepStrictEqual(
                    { attempts: starts.length, afterTheDeadline: starts.filter((at) => at >= deadline) },
                    { attempts: Number(/after (\d+) attempts/.exec(detail)![1]), afterTheDeadline: [] },
                );
            } finally {
                silent.close();
            }
        });

        it("at a 60 % fault rate every role ends applied or reported, each retried on its own, and reruns reach exit 0 with every role applied", async () => {
            const root = project({ "Pulumi.qa.yaml": text });
            // 60 % of calls throttled, failed with a 5xx, reset or left unanswered, chosen for each role's n-th call by a
            // hash: the same faults for the same calls, whatever order the roles' calls reach the endpoint in.
            const faults = ["throttle", "error", "reset", "stall"] as const;
            const calls = new Map<string, number>();
            const draw = (text: string) => createHash("sha256").update(text).digest().readUInt32BE(0) / 2 ** 32;
            const proxy = await startFlakyProxy(moto!.endpoint, ({ roleName }) => {
                const n = (calls.get(roleName) ?? 0) + 1;
                calls.set(roleName, n);
                return draw(`${roleName}#${n}`) < 0.6 ? faults[Math.floor(draw(`${roleName}#${n}:fault`) * 4)] : "pass";
            });
            // The clock moves only by the backoffs: every round of retries is the same on every machine. A call left
            // unanswered ends at its request timeout, a tenth of a second.
            const time = virtualTime();
            const quick = (endpoint: string | undefined) =>
                new IAMClient({ ...iamClientConfig(endpoint, "us-east-1", { connectMs: 200, requestMs: 100 }), credentials });
            const rerun = (args: string[]) => run(args, root, quick, {}, testAccount, time);
            try {
                const argv = ["--stack", "qa", "--all", "--at", CUTOFF, "--now", "--endpoint-url", proxy.endpoint, "--deadline", "1.5"];
                const first = await rerun(argv);
                const outcomes = rows(first.stdout);
                assert.deepStrictEqual(
                    outcomes.map(([key]) => key),
                    keys,
                );
                for (const [key, , detail] of outcomes) {
                    assert.match(
                        detail,
                        /^(?:revoked: sessions issued before 2026-11-27T10:00:00Z are denied|applied: already revoked: .*|FAILED: not applied by the deadline after \d+ attempts; last: .+)$/,
                        key,
                    );
                }
                assert.ok(
                    proxy.counts.throttle > 0 && proxy.counts.error > 0 && proxy.counts.reset > 0 && proxy.counts.stall > 0,
                    JSON.stringify(proxy.counts),
                );
                // No shared retry budget: a role that met a fault was called again, and a role not applied was tried more than once.
                const faulted = keys.filter((key) => (proxy.history.get(key) ?? []).some((fault) => fault !== "pass"));
                assert.ok(faulted.length >= keys.length / 2, JSON.stringify([...proxy.history]));
                for (const key of faulted) {
                    const met = proxy.history.get(key)!;
                    assert.ok(
                        met.length > met.findIndex((fault) => fault !== "pass") + 1,
                        `${key} was not called again after ${JSON.stringify(met)}`,
                    );
                }
                for (const [key, , detail] of outcomes.filter(([, , d]) => d.startsWith("FAILED"))) {
                    assert.ok(Number(/after (\d+) attempts/.exec(detail)?.[1]) >= 2, `${key}: ${detail}`);
                }
                // Reruns with a deadline a loaded machine can meet: each counts the roles already applied and retries the rest.
                let code = first.code;
                for (let again = 0; again < 5 && code !== 0; again++) code = (await rerun([...argv.slice(0, -1), "5"])).code;
                assert.strictEqual(code, 0);
                for (const RoleName of keys) assert.strictEqual(await live(RoleName), CUTOFF, RoleName);
                // Once every role is applied, a rerun whose reads still meet faults comes back clean. Its deadline is
                // long enough for the retries a loaded machine can make (a read fails 6 times in a row 5 % of the time).
                const again = await rerun([...argv.slice(0, -1), "10"]);
                assert.deepStrictEqual({ code: again.code, stderr: again.stderr }, { code: 0, stderr: "" });
                assert.ok(
                    rows(again.stdout).every(
                        ([, , detail]) => detail === `applied: already revoked: sessions issued before ${CUTOFF} are denied`,
                    ),
                    again.stdout,
                );
            } finally {
                await proxy.stop();
            }
        });
    });
});

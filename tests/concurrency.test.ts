/**
 * The emergency path's pace in one account: calls in flight grow by one with each success and
 * halve when IAM throttles, once per generation of calls.
 */
import * as assert from "assert";
import { GetRolePolicyCommand, IAMClient } from "@aws-sdk/client-iam";
import { virtualTime } from "./helpers";
import { systemTime } from "../cli/environment";
import { AdaptiveLimit } from "../apply/concurrency";
import { EmergencyTarget, revokeNow } from "../apply/emergency";
import { Cutoff } from "../iam/cutoff";

/** What happens, in order: a call starts (and is named), succeeds, or is throttled. */
type Event = ["start", string] | ["ok"] | ["throttled", string];

/** The limit after each event, starting from `initial` with at most `max`. */
function limits(initial: number, max: number, events: Event[]): number[] {
    const limit = new AdaptiveLimit(initial, max);
    const generations = new Map<string, number>();
    return events.map((event) => {
        if (event[0] === "start") generations.set(event[1], limit.started());
        else if (event[0] === "ok") limit.succeeded();
        else limit.throttled(generations.get(event[1])!);
        return limit.current;
    });
}

describe("the adaptive limit of calls in flight", () => {
    const cases: [name: string, initial: number, max: number, events: Event[], expected: number[]][] = [
        ["grows by one with each call that succeeds", 4, 16, [["ok"], ["ok"], ["ok"]], [5, 6, 7]],
        ["never grows past its maximum", 15, 16, [["ok"], ["ok"], ["ok"]], [16, 16, 16]],
        ["starts at most at its maximum", 20, 16, [], []],
        [
            "halves when a call is throttled",
            8,
            16,
            [
                ["start", "a"],
                ["throttled", "a"],
            ],
            [8, 4],
        ],
        [
            "never falls below one call",
            1,
            16,
            [
                ["start", "a"],
                ["throttled", "a"],
                ["start", "b"],
                ["throttled", "b"],
            ],
            [1, 1, 1, 1],
        ],
        [
            "halves once for the calls of one generation: their throttles answer the load one decrease takes back",
            8,
            16,
            [
                ["start", "a"],
                ["start", "b"],
                ["start", "c"],
                ["throttled", "a"],
                ["throttled", "b"],
                ["throttled", "c"],
            ],
            [8, 8, 8, 4, 4, 4],
        ],
        [
            "halves again for a call started after the last decrease",
            8,
            16,
            [
                ["start", "a"],
                ["throttled", "a"],
                ["start", "b"],
                ["throttled", "b"],
            ],
            [8, 4, 4, 2],
        ],
        ["grows back after a decrease", 8, 16, [["start", "a"], ["throttled", "a"], ["ok"], ["ok"]], [8, 4, 5, 6]],
    ];
    for (const [name, initial, max, events, expected] of cases) {
        it(name, () => {
            assert.deepStrictEqual(limits(initial, max, events), expected);
            if (events.length === 0) assert.strictEqual(new AdaptiveLimit(initial, max).current, Math.min(initial, max));
        });
    }
});

describe("revokeNow's pace in one account", () => {
    it("waits for a retry on the system's clock while other calls are in flight: a backoff's jitter is a fraction of a millisecond", async () => {
        // The first call of the first role is throttled while the second role's call is still in flight.
        let calls = 0;
        const send = async (command: unknown) => {
            const call = ++calls;
            await new Promise((resolve) => setTimeout(resolve, call === 1 ? 0 : 20));
            if (call === 1) throw Object.assign(new Error("Rate exceeded"), { name: "Throttling" });
            if (command instanceof GetRolePolicyCommand)
                throw Object.assign(new Error("policy not found"), { name: "NoSuchEntityException" });
            return {};
        };
        const cutoff = Cutoff.read("2026-11-27T10:00:00Z")!;
        const targets = ["a", "b"].map((key) => ({ key, roleName: key, cutoff, policy: "{}" }));
        const schedule = { deadline: systemTime.now() + 5_000, time: systemTime, concurrency: 2, baseDelayMs: 3.3, maxDelayMs: 10 };
        const results = await revokeNow({ send } as unknown as IAMClient, targets, schedule);
        assert.deepStrictEqual(
            results.map((r) => r.outcome),
            ["revoked", "revoked"],
        );
    });

    it("grows its calls in flight while they succeed, halves them when IAM throttles, and still revokes every role", async () => {
        // An IAM that throttles every call beyond the sixth in flight, answering each on a later turn.
        let inFlight = 0;
        let peak = 0;
        let throttles = 0;
        const send = async (command: unknown) => {
            inFlight++;
            peak = Math.max(peak, inFlight);
            try {
                await new Promise((resolve) => setImmediate(resolve));
                if (inFlight > 6) {
                    throttles++;
                    throw Object.assign(new Error("Rate exceeded"), { name: "Throttling", $metadata: { httpStatusCode: 400 } });
                }
                if (command instanceof GetRolePolicyCommand)
                    throw Object.assign(new Error("The role policy with name RevokeOlderSessions cannot be found."), {
                        name: "NoSuchEntityException",
                    });
                return {};
            } finally {
                inFlight--;
            }
        };
        const cutoff = Cutoff.read("2026-11-27T10:00:00Z")!;
        const targets: EmergencyTarget[] = Array.from({ length: 60 }, (_, i) => ({
            key: `r${i}`,
            roleName: `r${i}`,
            cutoff,
            policy: "{}",
        }));
        const time = virtualTime();
        const schedule = { deadline: time.now() + 600_000, time, concurrency: 4, maxConcurrency: 16, baseDelayMs: 200, maxDelayMs: 5_000 };
        const results = await revokeNow({ send } as unknown as IAMClient, targets, schedule);
        assert.deepStrictEqual(
            {
                revoked: results.filter((r) => r.outcome === "revoked").length,
                grewPastItsStart: peak > 4,
                throttled: throttles > 0,
                peakAtMost: peak <= 7,
            },
            { revoked: 60, grewPastItsStart: true, throttled: true, peakAtMost: true },
        );
    });
});

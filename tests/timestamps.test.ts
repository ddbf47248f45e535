import * as assert from "assert";
import { formatUtc, parseTimestamp, safeToRemoveAfter } from "../iam/timestamps";
import { Cutoff } from "../iam/cutoff";

describe("parseTimestamp", () => {
    const valid: [string, string][] = [
        ["2026-11-27T10:15:00Z", "2026-11-27T10:15:00Z"],
        ["2026-11-27T12:15:00+02:00", "2026-11-27T10:15:00Z"],
        ["2026-11-27T00:30:00-05:30", "2026-11-27T06:00:00Z"],
        ["2026-11-27T10:15Z", "2026-11-27T10:15:00Z"],
        ["2022-02-16T01:36:00.138Z", "2022-02-16T01:36:00.138Z"],
        ["2024-02-29T23:59:59Z", "2024-02-29T23:59:59Z"],
    ];
    for (const [input, expected] of valid) {
        it(`normalizes ${input} to ${expected}`, () => {
            const parsed = parseTimestamp(input);
            assert.ok(parsed.ok);
            assert.strictEqual(formatUtc(parsed.date), expected);
        });
    }

    const invalid: [unknown, string][] = [
        ["2026-11-27", "has no time; write an ISO-8601 UTC timestamp such as 2026-11-27T10:00:00Z"],
        ["2026-11-27 10:15", "has no time zone; write an ISO-8601 UTC timestamp such as 2026-11-27T10:00:00Z"],
        ["2026-11-27T10:15:00", "has no time zone; write an ISO-8601 UTC timestamp such as 2026-11-27T10:00:00Z"],
        ["1764238500", "is an epoch number; write an ISO-8601 UTC timestamp such as 2026-11-27T10:00:00Z"],
        [1764238500, "is a number; write an ISO-8601 UTC timestamp such as 2026-11-27T10:00:00Z"],
        ["yesterday", "is not an ISO-8601 timestamp; write it like 2026-11-27T10:00:00Z"],
        ["2026-02-30T10:00:00Z", "is not a real date and time; write it like 2026-11-27T10:00:00Z"],
        ["2026-11-27T24:00:00Z", "is not a real date and time; write it like 2026-11-27T10:00:00Z"],
        ["2026-11-27T10:00:00+25:00", 'has an invalid time zone offset "+25:00"; write it like 2026-11-27T10:00:00Z'],
        [new Date(Number.NaN), "is an invalid Date"],
    ];
    for (const [input, problem] of invalid) {
        it(`refuses ${input instanceof Date ? "an invalid Date" : JSON.stringify(input)}`, () => {
            assert.deepStrictEqual(parseTimestamp(input), { ok: false, problem });
        });
    }

    it("accepts a Date as the instant it holds", () => {
        const parsed = parseTimestamp(new Date(Date.UTC(2026, 10, 27, 10, 15)));
        assert.ok(parsed.ok);
        assert.strictEqual(formatUtc(parsed.date), "2026-11-27T10:15:00Z");
    });

    it("puts the safe-to-remove moment 13 hours after the cutoff", () => {
        assert.strictEqual(formatUtc(safeToRemoveAfter(new Date("2026-11-27T10:15:00Z"))), "2026-11-27T23:15:00Z");
    });

    it("reads only valid timestamps leniently, and picks the latest of several", () => {
        assert.deepStrictEqual([undefined, null, "2026-11-27", 5].map(Cutoff.read), [undefined, undefined, undefined, undefined]);
        assert.strictEqual(Cutoff.read("2026-11-27T12:15:00+02:00")?.instant.toISOString(), "2026-11-27T10:15:00.000Z");
        assert.strictEqual(
            Cutoff.latest(
                ...["2026-11-27T10:15:00Z", "garbage", "2026-11-27T11:00:00Z", undefined].map(Cutoff.read),
            )?.instant.toISOString(),
            "2026-11-27T11:00:00.000Z",
        );
        assert.strictEqual(Cutoff.latest(...[undefined, "2026-11-27"].map(Cutoff.read)), undefined);
    });
});

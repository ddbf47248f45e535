/**
 * The emergency path is never silent and never floods: a progress line at a fixed interval while
 * calls are pending, and every failure named by a cause the roles that failed alike share.
 */
import * as assert from "assert";
import { virtualTime } from "./helpers";
import { ProgressBoard, watchProgress } from "../apply/progress";
import { failureCause, throttled } from "../apply/errors";

const URL = "http://127.0.0.1:4566";

describe("the progress of the emergency path", () => {
    it("counts roles applied, failed and pending, and the causes of those failing, most common first", () => {
        const [a, b, c, d, e] = [{}, {}, {}, {}, {}];
        const board = new ProgressBoard(1_000);
        board.add([a, b, c, d, e]);
        board.failingFor(a, `endpoint unreachable: ${URL}`);
        board.failingFor(b, "throttled by IAM");
        board.failingFor(c, `endpoint unreachable: ${URL}`);
        board.settled(d, true);
        board.settled(e, false);
        // A role settled is no longer failing; a role not on the board is not counted.
        board.failingFor({}, "nothing");
        assert.strictEqual(
            board.line(11_400),
            `after 10 s: 1 of 5 roles applied, 1 failed, 3 pending; failing: endpoint unreachable: ${URL} (2 roles), throttled by IAM (1 role)`,
        );
        board.settled(a, true);
        board.settled(b, true);
        board.settled(c, true);
        assert.deepStrictEqual([board.busy, board.line(21_000)], [false, "after 20 s: 4 of 5 roles applied, 1 failed, 0 pending"]);
    });

    it("tells a line every 10 s while roles are pending, on the run's clock, and none once they are settled or the deadline has come", async () => {
        const time = virtualTime(0);
        const role = {};
        const board = new ProgressBoard(0);
        board.add([role]);
        board.failingFor(role, `no answer from ${URL} in 10 s`);
        const lines: string[] = [];
        let finish = () => {};
        const done = new Promise<void>((resolve) => (finish = resolve));
        const watching = watchProgress(board, time, 35_000, done, (line) => lines.push(line));
        // The clock moves as the run's waits move it; a jump over a tick tells one line, then the next tick's.
        for (const ms of [4_000, 7_000, 6_000, 4_000]) {
            time.advance(ms);
            await new Promise((resolve) => setImmediate(resolve));
        }
        time.advance(20_000);
        await new Promise((resolve) => setImmediate(resolve));
        finish();
        await watching;
        assert.deepStrictEqual(lines, [
            `after 10 s: 0 of 1 roles applied, 0 failed, 1 pending; failing: no answer from ${URL} in 10 s (1 role)`,
            `after 20 s: 0 of 1 roles applied, 0 failed, 1 pending; failing: no answer from ${URL} in 10 s (1 role)`,
        ]);
    });
});

describe("the cause of a failed call", () => {
    const site = { url: URL, account: "210987654321" };
    const error = (name: string, fields: Record<string, unknown> = {}) => Object.assign(new Error(`${name} happened`), { name, ...fields });
    const cases: [string, unknown, string][] = [
        ["a refused connection", error("Error", { code: "ECONNREFUSED" }), `endpoint unreachable: ${URL}`],
        ["a host not found", error("Error", { code: "ENOTFOUND" }), `endpoint unreachable: ${URL}`],
        [
            "no connection within the connection timeout",
            Object.assign(
                new Error(
                    "@smithy/node-http-handler - the request socket did not establish a connection with the server within the configured timeout of 3000 ms.",
                ),
                { name: "TimeoutError" },
            ),
            `endpoint unreachable: ${URL}`,
        ],
        [
            "no answer within the request timeout",
            Object.assign(new Error("@smithy/node-http-handler - [ERROR] a request has exceeded the configured 10000 ms requestTimeout."), {
                name: "TimeoutError",
                code: "ETIMEDOUT",
            }),
            `no answer from ${URL} in 10 s`,
        ],
        ["a reset connection", error("Error", { code: "ECONNRESET" }), `connection reset by ${URL}`],
        ["expired credentials", error("ExpiredToken"), "expired credentials for 210987654321"],
        ["no credentials", error("CredentialsProviderError"), "no credentials found for 210987654321"],
        ["a key IAM does not know", error("InvalidClientTokenId"), "credentials not valid for 210987654321"],
        ["access denied", error("AccessDenied"), "access denied in 210987654321"],
        ["a role that does not exist", error("NoSuchEntityException"), "role not found in 210987654321"],
        ["throttling", error("Throttling"), `throttled by ${URL}`],
        ["a 5xx", error("ServiceFailure", { $metadata: { httpStatusCode: 500 } }), `${URL} failing (ServiceFailure)`],
        ["anything else: its name", error("MalformedPolicyDocument"), "MalformedPolicyDocument"],
    ];
    for (const [what, failure, cause] of cases) {
        it(`words ${what} as "${cause}"`, () => assert.strictEqual(failureCause(failure, site), cause));
    }

    it("names no account it does not know", () => {
        assert.deepStrictEqual(
            [failureCause(error("ExpiredToken"), { url: URL }), failureCause(error("NoSuchEntityException"), { url: URL })],
            ["expired credentials", "role not found"],
        );
    });

    it("knows throttling by its name and by HTTP 429", () => {
        assert.deepStrictEqual(
            [
                throttled(error("Throttling")),
                throttled(error("Other", { $metadata: { httpStatusCode: 429 } })),
                throttled(error("ServiceFailure")),
            ],
            [true, true, false],
        );
    });
});

import * as assert from "assert";
import { Cutoff } from "../iam/cutoff";
import {
    REVOCATION_RESERVE,
    asList,
    decodePolicyDocument,
    quotaSize,
    revocationInfo,
    revocationPolicy,
    serializePolicy,
} from "../iam/policy";

describe("revocationPolicy", () => {
    it("renders exactly the console's deny-older-sessions shape", () => {
        assert.strictEqual(
            serializePolicy(revocationPolicy(Cutoff.of(new Date("2026-11-27T12:15:00+02:00")))),
            '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":["*"],"Resource":["*"],"Condition":{"DateLessThan":{"aws:TokenIssueTime":"2026-11-27T10:15:00Z"}}}]}',
        );
    });

    it("renders a cutoff with a fraction of a second rounded up to the next whole second", () => {
        const document = revocationPolicy(Cutoff.of(new Date("2022-02-16T01:36:00.138Z")));
        assert.deepStrictEqual(document.Statement[0].Condition, { DateLessThan: { "aws:TokenIssueTime": "2022-02-16T01:36:01Z" } });
        assert.deepStrictEqual(revocationInfo(Cutoff.of(new Date("2022-02-16T01:36:00.138Z"))).cutoff, "2022-02-16T01:36:01Z");
    });

    it("renders the time of new Date() in whole seconds", () => {
        const now = new Date();
        const cutoff = revocationPolicy(Cutoff.of(now)).Statement[0].Condition!.DateLessThan["aws:TokenIssueTime"];
        assert.match(String(cutoff), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
        assert.strictEqual(Date.parse(String(cutoff)), Math.ceil(now.getTime() / 1000) * 1000);
    });

    it("leaves a whole-second cutoff as it is", () => {
        assert.strictEqual(revocationInfo(Cutoff.of(new Date("2026-11-27T10:15:00Z"))).cutoff, "2026-11-27T10:15:00Z");
    });

    it("describes the revocation with its policy name and the 13-hour window", () => {
        assert.deepStrictEqual(revocationInfo(Cutoff.of(new Date("2026-11-27T10:15:00Z"))), {
            cutoff: "2026-11-27T10:15:00Z",
            policyName: "RevokeOlderSessions",
            safeToRemoveAfter: "2026-11-27T23:15:00Z",
        });
    });
});

describe("serializePolicy", () => {
    it("orders keys the same way whatever order they were written in", () => {
        const written = {
            Statement: [
                {
                    Resource: "*",
                    Condition: { Bool: { "aws:SecureTransport": "true" } },
                    Action: "s3:GetObject",
                    Effect: "Allow" as const,
                    Sid: "A",
                },
            ],
            Version: "2012-10-17" as const,
        };
        assert.strictEqual(
            serializePolicy(written),
            '{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"true"}}}]}',
        );
    });

    it("counts quota characters as the minified JSON's, a space inside a string included", () => {
        const document = {
            Version: "2012-10-17" as const,
            Statement: [{ Effect: "Allow" as const, Action: "s3:GetObject", Resource: "arn:aws:s3:::a b" }],
        };
        assert.strictEqual(quotaSize(document), serializePolicy(document).length);
    });

    it("reads documents back as IAM returns them, URL-encoded or plain", () => {
        const json = serializePolicy(revocationPolicy(Cutoff.of(new Date("2026-11-27T10:15:00Z"))));
        assert.deepStrictEqual(decodePolicyDocument(encodeURIComponent(json)), JSON.parse(json));
        assert.deepStrictEqual(decodePolicyDocument(json), JSON.parse(json));
    });

    it("reads one-or-many values as lists", () => {
        assert.deepStrictEqual([asList(undefined), asList("s3:GetObject"), asList(["a", "b"])], [[], ["s3:GetObject"], ["a", "b"]]);
    });

    it("reserves room for the revocation policy, which has the same length for every cutoff", () => {
        assert.strictEqual(REVOCATION_RESERVE, serializePolicy(revocationPolicy(Cutoff.of(new Date("2026-11-27T10:15:00.001Z")))).length);
        assert.strictEqual(REVOCATION_RESERVE, serializePolicy(revocationPolicy(Cutoff.of(new Date("1999-01-01T00:00:00Z")))).length);
        assert.strictEqual(REVOCATION_RESERVE, 163);
    });
});

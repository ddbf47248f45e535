/**
 * Reading a revocation back (iam/liveRevocation.ts): the pure rules `verify` judges by, a role's
 * policies and an organization's statements, and a time to contain in words; without any server.
 */
import * as assert from "assert";
import { PolicyDocument } from "../iam/policy";
import { judgeOrganizationStatements, judgeRolePolicies } from "../iam/liveRevocation";
import { revocationStatement } from "../iam/organizationPolicy";
import { durationWords } from "../revocation/verifyReport";
import { denyBefore, CUTOFF, LATER, EARLIER } from "./verifyHarness";

describe("reading a revocation back (iam/liveRevocation.ts)", () => {
    const policy = (document: unknown) => [{ name: "RevokeOlderSessions", document: document as PolicyDocument }];
    const statement = (extra: Record<string, unknown>) => ({
        Version: "2012-10-17",
        Statement: [{ ...denyBefore(CUTOFF).Statement[0], ...extra }],
    });

    it("counts as live a deny of * on * at the cutoff or later, in either name, and says which", () => {
        assert.deepStrictEqual(
            [
                judgeRolePolicies(policy(denyBefore(CUTOFF)), CUTOFF),
                judgeRolePolicies([{ name: "AWSRevokeOlderSessions", document: denyBefore(LATER) }], CUTOFF),
                // The console writes milliseconds; an instant after the cutoff denies at least as much.
                judgeRolePolicies(
                    policy(statement({ Condition: { DateLessThan: { "aws:TokenIssueTime": "2026-11-27T10:00:00.138Z" } } })),
                    CUTOFF,
                ),
            ],
            [
                { state: "live", detail: "RevokeOlderSessions denies sessions issued before 2026-11-27T10:00:00Z" },
                {
                    state: "live",
                    detail: "AWSRevokeOlderSessions denies sessions issued before 2026-11-27T11:00:00Z, later than the cutoff 2026-11-27T10:00:00Z",
                },
                {
                    state: "live",
                    detail: "RevokeOlderSessions denies sessions issued before 2026-11-27T10:00:00.138Z, later than the cutoff 2026-11-27T10:00:00Z",
                },
            ],
        );
    });

    it("names every way a policy denies less: an earlier cutoff, a narrower action or resource, a condition added, a misspelled key", () => {
        const weakened = (document: unknown) => judgeRolePolicies(policy(document), CUTOFF);
        assert.deepStrictEqual(
            [
                weakened(denyBefore(EARLIER)),
                weakened(statement({ Action: ["s3:*"] })),
                weakened(statement({ Resource: "arn:aws:s3:::*", Effect: "Allow" })),
                weakened(
                    statement({
                        Condition: {
                            DateLessThan: { "aws:TokenIssueTime": CUTOFF.toString() },
                            Bool: { "aws:MultiFactorAuthPresent": "true" },
                        },
                    }),
                ),
                weakened(statement({ Condition: { DateLessThan: { "aws:TokeIssueTime": CUTOFF.toString() } } })),
                weakened({ Version: "2012-10-17", Statement: [] }),
                judgeRolePolicies([], CUTOFF),
            ],
            [
                {
                    state: "weakened",
                    detail: "RevokeOlderSessions: it denies only sessions issued before 2026-11-27T09:00:00Z, earlier than the cutoff 2026-11-27T10:00:00Z",
                },
                { state: "weakened", detail: 'RevokeOlderSessions: Action ["s3:*"] is narrower than *' },
                {
                    state: "weakened",
                    detail: 'RevokeOlderSessions: its Effect is "Allow", not Deny; Resource "arn:aws:s3:::*" is narrower than *',
                },
                { state: "weakened", detail: 'RevokeOlderSessions: a condition was added: Bool aws:MultiFactorAuthPresent "true"' },
                {
                    state: "weakened",
                    detail: 'RevokeOlderSessions: a condition was added: DateLessThan aws:TokeIssueTime "2026-11-27T10:00:00Z"; it has no DateLessThan aws:TokenIssueTime condition',
                },
                { state: "weakened", detail: "RevokeOlderSessions: it holds no statement" },
                { state: "missing", detail: "the role holds no RevokeOlderSessions or AWSRevokeOlderSessions policy" },
            ],
        );
    });

    it("judges an organization statement against the principal it must name, and accepts one that names more", () => {
        const revocation = { roleName: "ci-deployer", revokeBefore: CUTOFF };
        const { DateLessThan: _cutoff, ...expected } = revocationStatement(revocation, 0).Condition!;
        const ours = revocationStatement(revocation, 3);
        const wider = {
            ...ours,
            Condition: {
                ...ours.Condition,
                ArnLike: {
                    "aws:PrincipalArn": ["arn:*:iam::*:role/ci-deployer", "arn:*:iam::*:role/*/ci-deployer", "arn:*:iam::*:role/x"],
                },
            },
        };
        const narrower = { ...ours, Condition: { ...ours.Condition, ArnLike: { "aws:PrincipalArn": "arn:*:iam::*:role/ci-deployer" } } };
        assert.deepStrictEqual(
            [
                judgeOrganizationStatements([ours], expected, CUTOFF, "absent"),
                judgeOrganizationStatements([wider], expected, CUTOFF, "absent"),
                judgeOrganizationStatements([narrower], expected, CUTOFF, "absent"),
                judgeOrganizationStatements([], expected, CUTOFF, "policy x is not attached"),
            ],
            [
                { state: "live", detail: "denies sessions issued before 2026-11-27T10:00:00Z" },
                { state: "live", detail: "denies sessions issued before 2026-11-27T10:00:00Z" },
                { state: "weakened", detail: 'a condition was changed: ArnLike aws:PrincipalArn "arn:*:iam::*:role/ci-deployer"' },
                { state: "missing", detail: "policy x is not attached" },
            ],
        );
    });

    it("puts a time to contain in words", () => {
        assert.deepStrictEqual([0, 999, 45_000, 192_000, 6_300_000, 90_061_000].map(durationWords), [
            "0 s",
            "0 s",
            "45 s",
            "3 min 12 s",
            "1 h 45 min",
            "1 d 1 h 1 min 1 s",
        ]);
    });
});

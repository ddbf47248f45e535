/**
 * `verify`: every revocation in force read back from a real IAM API (moto's server, in an account
 * of this suite's own), judged live, missing, weakened or role missing; `--repair` through the
 * emergency path; and the deploy that verifies what it deployed (`ci deploy` with a fake `pulumi`
 * on PATH). Organization stacks are tests/verifyOrganization.test.ts; the judging rules,
 * tests/liveRevocation.test.ts.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { DeleteRolePolicyCommand, IAMClient, PutRolePolicyCommand } from "@aws-sdk/client-iam";
import { Capture, environment, project, repository, virtualTime } from "./helpers";
import { Moto } from "./moto";
import { commandMain } from "../cli/main";
import { Cutoff } from "../iam/cutoff";
import { serializePolicy } from "../iam/policy";
import { CUTOFF, verifySuite, denyBefore, EARLIER, LATER, ACCOUNT, NOW, suiteAws } from "./verifyHarness";

const ci = commandMain("ci");

/** A stack file revoking each role (key: physical name) before `cutoff`. */
function stackFile(roles: Record<string, string>, cutoff: Cutoff = CUTOFF, more = ""): string {
    const entries = Object.entries(roles).map(
        ([key, name]) =>
            `    ${key}:\n      name: ${name}\n      trust:\n        services: ["ec2.amazonaws.com"]\n      revokeBefore: "${cutoff}"\n`,
    );
    return `config:\n  aws:region: us-east-1\n${more}  revocable-roles:roles:\n${entries.join("")}`;
}

describe("revocable-roles verify against a real IAM API (moto_server)", function () {
    this.timeout(30_000);
    let moto: Moto | undefined;
    let iam: IAMClient;
    const { role, run, live } = verifySuite((started, client) => {
        moto = started;
        iam = client;
    });

    it("verifies a revoked role live, with the time from its cutoff, and exits 0", async () => {
        await role("vf-live", { RevokeOlderSessions: denyBefore(CUTOFF) });
        const result = await run(["--stack", "prod"], project({ "Pulumi.prod.yaml": stackFile({ ci: "vf-live" }) }));
        assert.deepStrictEqual(result, {
            code: 0,
            stdout: [
                `Stack prod: IAM endpoint ${moto!.endpoint} (from --endpoint-url); credentials: the standard credential chain.`,
                "revocation  revokes  state",
                "role ci     vf-live  live: RevokeOlderSessions denies sessions issued before 2026-11-27T10:00:00Z; verified live at 2026-11-27T12:00:00Z, 2 h after the cutoff",
                "Every revocation in force in stack prod is live.",
                "",
            ].join("\n"),
            stderr: "",
        });
    });

    it("fails naming the stack and the role when the policy is deleted, reports an earlier cutoff put back as weakened, and --repair restores both", async () => {
        await role("vf-deleted", { RevokeOlderSessions: denyBefore(CUTOFF) });
        await role("vf-earlier", { RevokeOlderSessions: denyBefore(CUTOFF) });
        await role("vf-narrowed");
        const root = project({ "Pulumi.prod.yaml": stackFile({ deleted: "vf-deleted", earlier: "vf-earlier", narrowed: "vf-narrowed" }) });
        // Someone outside the repository undoes them.
        await iam.send(new DeleteRolePolicyCommand({ RoleName: "vf-deleted", PolicyName: "RevokeOlderSessions" }));
        await iam.send(
            new PutRolePolicyCommand({
                RoleName: "vf-earlier",
                PolicyName: "RevokeOlderSessions",
                PolicyDocument: serializePolicy(denyBefore(EARLIER)),
            }),
        );
        const narrowed = { Version: "2012-10-17", Statement: [{ ...denyBefore(CUTOFF).Statement[0], Action: ["s3:*"] }] };
        await iam.send(
            new PutRolePolicyCommand({
                RoleName: "vf-narrowed",
                PolicyName: "RevokeOlderSessions",
                PolicyDocument: JSON.stringify(narrowed),
            }),
        );

        const failed = await run(["--stack", "prod"], root);
        assert.deepStrictEqual(
            { code: failed.code, stderr: failed.stderr.split("\n") },
            {
                code: 1,
                stderr: [
                    "stack prod: role deleted (vf-deleted): missing: the role holds no RevokeOlderSessions or AWSRevokeOlderSessions policy",
                    "stack prod: role earlier (vf-earlier): weakened: RevokeOlderSessions: it denies only sessions issued before 2026-11-27T09:00:00Z, earlier than the cutoff 2026-11-27T10:00:00Z",
                    'stack prod: role narrowed (vf-narrowed): weakened: RevokeOlderSessions: Action ["s3:*"] is narrower than *',
                    "",
                ],
            },
        );

        const repaired = await run(["--stack", "prod", "--repair"], root);
        // It had to repair: exit 1, so that a scheduled run fails visibly, with every row now live.
        assert.deepStrictEqual(
            {
                code: repaired.code,
                rows: repaired.stdout
                    .split("\n")
                    .slice(2, 5)
                    .map((row) => row.split(/\s{2,}/)[2].split(";")[0]),
                stderr: repaired.stderr,
            },
            {
                code: 1,
                rows: [
                    "live: RevokeOlderSessions denies sessions issued before 2026-11-27T10:00:00Z",
                    "live: RevokeOlderSessions denies sessions issued before 2026-11-27T10:00:00Z",
                    "live: RevokeOlderSessions denies sessions issued before 2026-11-27T10:00:00Z",
                ],
                stderr: "Stack prod: revocations had drifted and were repaired through the emergency path; find who changed them in CloudTrail (DeleteRolePolicy, PutRolePolicy, DeleteRole on the roles) and why nothing stopped them.\n",
            },
        );
        assert.ok(
            repaired.stdout.includes(
                "(was missing: the role holds no RevokeOlderSessions or AWSRevokeOlderSessions policy; repaired through the emergency path: revoked)",
            ),
            repaired.stdout,
        );
        // Exactly the component's policy, on all three.
        for (const name of ["vf-deleted", "vf-earlier", "vf-narrowed"]) assert.deepStrictEqual(await live(name), denyBefore(CUTOFF), name);
        assert.strictEqual((await run(["--stack", "prod"], root)).code, 0);
    });

    it("gives one JSON object per revocation with its state and the policy read, a role missing among them", async () => {
        await role("vf-json", {
            AWSRevokeOlderSessions: denyBefore(LATER),
            "app-policy": { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }] },
        });
        const root = project({ "Pulumi.prod.yaml": stackFile({ json: "vf-json", gone: "vf-gone" }) });
        const result = await run(["--stack", "prod", "--json"], root);
        assert.deepStrictEqual(
            { code: result.code, json: JSON.parse(result.stdout) as unknown },
            {
                code: 1,
                json: [
                    {
                        stack: "prod",
                        cutoff: "2026-11-27T10:00:00Z",
                        safeToRemoveAfter: "2026-11-27T23:00:00Z",
                        state: "live",
                        detail: "AWSRevokeOlderSessions denies sessions issued before 2026-11-27T11:00:00Z, later than the cutoff 2026-11-27T10:00:00Z",
                        verifiedAt: "2026-11-27T12:00:00Z",
                        timeToContainSeconds: 7200,
                        role: "json",
                        roleName: "vf-json",
                        source: "revokeBefore",
                        policies: [{ name: "AWSRevokeOlderSessions", document: denyBefore(LATER) }],
                        repair: null,
                    },
                    {
                        stack: "prod",
                        cutoff: "2026-11-27T10:00:00Z",
                        safeToRemoveAfter: "2026-11-27T23:00:00Z",
                        state: "role missing",
                        detail: "IAM has no role vf-gone in this account",
                        verifiedAt: null,
                        timeToContainSeconds: null,
                        role: "gone",
                        roleName: "vf-gone",
                        source: "revokeBefore",
                        policies: [],
                        repair: null,
                    },
                ],
            },
        );
    });

    it("reads nothing with credentials of another account than the stack file names, and says nothing is in force when nothing is", async () => {
        const root = project({
            "Pulumi.prod.yaml": stackFile({ ci: "vf-live" }, CUTOFF, '  aws:allowedAccountIds: ["111111111111"]\n'),
            "Pulumi.old.yaml": stackFile({ ci: "vf-live" }, Cutoff.read("2026-11-26T10:00:00Z")),
        });
        const refused = await run(["--stack", "prod"], root);
        assert.deepStrictEqual(
            { code: refused.code, stderr: refused.stderr },
            {
                code: 1,
                stderr: `stack prod: role ci (vf-live): unverified: these credentials act in account ${ACCOUNT}, not 111111111111 (aws:allowedAccountIds of Pulumi.prod.yaml); nothing was read, so that a namesake role in ${ACCOUNT} is not taken for this one: use credentials of 111111111111\n`,
            },
        );
        assert.deepStrictEqual(await run(["--stack", "old"], root), {
            code: 0,
            stdout: "No revocation is in force in stack old: nothing to verify.\n",
            stderr: "",
        });
    });

    describe("ci deploy verifies what it deployed", () => {
        /** A fake Pulumi CLI: logs its calls, keeps no tag (a first deploy), and succeeds. */
        function fakePulumi(): { bin: string; log: string } {
            const bin = project({});
            const log = path.join(bin, "pulumi.log");
            fs.writeFileSync(
                path.join(bin, "pulumi"),
                `#!/bin/sh\necho "$*" >> "${log}"\ncase "$1 $2 $3" in "stack tag ls") echo "{}";; esac\nexit 0\n`,
                { mode: 0o755 },
            );
            return { bin, log };
        }
        const deploy = async (roles: Record<string, string>) => {
            const root = repository({ "Pulumi.prod.yaml": stackFile(roles) });
            const pulumi = fakePulumi();
            const [out, err] = [new Capture(), new Capture()];
            const time = virtualTime(NOW.getTime());
            const env = environment({
                root,
                now: NOW,
                time,
                variables: { ...process.env, PATH: `${pulumi.bin}:${process.env.PATH}` },
                aws: suiteAws(moto!.endpoint, time),
            });
            const code = await ci(["deploy", "--stack", "prod"], out, err, env);
            return { code, stdout: out.text, stderr: err.text, calls: fs.readFileSync(pulumi.log, "utf8").split("\n").slice(0, -1) };
        };

        it("prints each revocation's time to contain once it reads back live", async () => {
            await role("vf-deployed", { RevokeOlderSessions: denyBefore(CUTOFF) });
            const result = await deploy({ ci: "vf-deployed" });
            assert.deepStrictEqual(
                { code: result.code, tail: result.stdout.split("\n").slice(-4), stderr: result.stderr },
                {
                    code: 0,
                    tail: [
                        `Verifying the revocations in force in stack prod (IAM endpoint the AWS IAM endpoint for us-east-1 (unless the AWS config file's profile sets endpoint_url)):`,
                        "revocation  revokes      state",
                        "role ci     vf-deployed  live: RevokeOlderSessions denies sessions issued before 2026-11-27T10:00:00Z; verified live at 2026-11-27T12:00:00Z, 2 h after the cutoff",
                        "",
                    ],
                    stderr: "",
                },
            );
        });

        it("fails the job when a revocation in force does not read back live, after waiting for IAM", async () => {
            // The deploy "succeeded" (the fake pulumi wrote nothing): the role holds no revocation.
            await role("vf-undeployed");
            const result = await deploy({ ci: "vf-undeployed" });
            assert.deepStrictEqual(
                { code: result.code, calls: result.calls.length, stderr: result.stderr },
                {
                    code: 1,
                    calls: 3,
                    stderr: "stack prod: role ci (vf-undeployed): missing: the role holds no RevokeOlderSessions or AWSRevokeOlderSessions policy\nThe deploy of stack prod succeeded, but 1 revocation(s) in force are not live in the account.\n",
                },
            );
        });
    });
});

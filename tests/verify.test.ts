/**
 * `verify`: every revocation in force read back from a real IAM API (moto's server, in an account
 * of this suite's own) and from moto's Organizations, judged live, missing, weakened or role
 * missing; `--repair` through the emergency path; and the deploy that verifies what it deployed
 * (`ci deploy` with a fake `pulumi` on PATH). The judging rules themselves are pure and tested
 * first, without any server.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { CreateRoleCommand, DeleteRolePolicyCommand, GetRolePolicyCommand, IAMClient, PutRolePolicyCommand } from "@aws-sdk/client-iam";
import {
    AttachPolicyCommand,
    CreateOrganizationCommand,
    CreatePolicyCommand,
    DetachPolicyCommand,
    ListRootsCommand,
    OrganizationsClient,
    UpdatePolicyCommand,
} from "@aws-sdk/client-organizations";
import { Capture, environment, project, repository, virtualTime } from "./helpers";
import { MOTO_INSTALL_HINT, Moto, inMotoAccount, motoClient, startMoto } from "./moto";
import { commandMain } from "../cli/main";
import { AwsAccess } from "../revocation/context";
import { iamClientConfig } from "../apply/client";
import { Time } from "../apply/time";
import { Cutoff } from "../iam/cutoff";
import { PolicyDocument, decodePolicyDocument, revocationPolicy, serializePolicy } from "../iam/policy";
import { judgeOrganizationStatements, judgeRolePolicies } from "../iam/liveRevocation";
import { organizationPolicies, revocationStatement } from "../iam/organizationPolicy";
import { durationWords } from "../revocation/verifyReport";

const verify = commandMain("verify");
const ci = commandMain("ci");

const NOW = new Date("2026-11-27T12:00:00Z");
const CUTOFF = Cutoff.read("2026-11-27T10:00:00Z")!;
const EARLIER = Cutoff.read("2026-11-27T09:00:00Z")!;
const LATER = Cutoff.read("2026-11-27T11:00:00Z")!;
/** The account this suite's roles live in, on the run's shared moto server. */
const ACCOUNT = "240000000042";
/** The management account of this suite's organization. */
const MANAGEMENT = "240000000043";
const TRUST = JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
});
const denyBefore = (cutoff: Cutoff): PolicyDocument => revocationPolicy(cutoff);

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

/** AWS as this suite reaches it: moto's endpoint, acting in the suite's accounts, with a schedule of milliseconds on `time`. */
function suiteAws(endpoint: string, time: Time, account: AwsAccess["account"] = async () => ACCOUNT): AwsAccess {
    const credentials = { accessKeyId: "testing", secretAccessKey: "testing" };
    return {
        region: "us-east-1",
        endpointVariables: {},
        client: (url) => inMotoAccount(new IAMClient({ ...iamClientConfig(url ?? endpoint, "us-east-1"), credentials }), ACCOUNT),
        organizations: (url) =>
            inMotoAccount(new OrganizationsClient({ ...iamClientConfig(url ?? endpoint, "us-east-1"), credentials }), MANAGEMENT),
        account,
        // A fraction of a second of virtual time: what is not live is read again a few times, never for minutes.
        schedule: (deadlineMs) => ({
            deadline: time.now() + Math.min(deadlineMs, 500),
            time,
            concurrency: 4,
            baseDelayMs: 5,
            maxDelayMs: 50,
        }),
    };
}

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

    before(async function () {
        moto = await startMoto();
        if (moto === undefined) {
            console.log(`      skipped: ${MOTO_INSTALL_HINT}`);
            return this.skip();
        }
        iam = motoClient(moto.endpoint, ACCOUNT);
    });

    after(async () => {
        iam?.destroy();
        await moto?.stop();
    });

    const role = async (RoleName: string, policies: Record<string, PolicyDocument> = {}) => {
        await iam.send(new CreateRoleCommand({ RoleName, AssumeRolePolicyDocument: TRUST }));
        for (const [PolicyName, document] of Object.entries(policies)) {
            await iam.send(new PutRolePolicyCommand({ RoleName, PolicyName, PolicyDocument: JSON.stringify(document) }));
        }
    };
    const run = async (argv: string[], root: string, account?: AwsAccess["account"]) => {
        const [out, err] = [new Capture(), new Capture()];
        const time = virtualTime(NOW.getTime());
        const code = await verify(
            ["--endpoint-url", moto!.endpoint, ...argv],
            out,
            err,
            environment({ root, now: NOW, time, aws: suiteAws(moto!.endpoint, time, account) }),
        );
        return { code, stdout: out.text, stderr: err.text };
    };
    const live = async (RoleName: string) =>
        decodePolicyDocument(
            (await iam.send(new GetRolePolicyCommand({ RoleName, PolicyName: "RevokeOlderSessions" }))).PolicyDocument ?? "",
        );

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

    it("reads an organization stack's service control policies back with their targets (moto's Organizations)", async () => {
        const organizations = inMotoAccount(
            new OrganizationsClient({
                endpoint: moto!.endpoint,
                region: "us-east-1",
                credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
            }),
            MANAGEMENT,
        );
        try {
            await organizations.send(new CreateOrganizationCommand({ FeatureSet: "ALL" }));
            const rootId = (await organizations.send(new ListRootsCommand({}))).Roots![0].Id!;
            const revocations = [
                { roleName: "ci-deployer", revokeBefore: CUTOFF },
                { roleName: "batch-*", revokeBefore: CUTOFF },
            ];
            const text = `config:\n  revocable-roles:organization:\n    targets: ["${rootId}"]\n    revocations:\n${revocations.map((r) => `      - roleName: "${r.roleName}"\n        revokeBefore: "${CUTOFF}"\n`).join("")}`;
            const root = project({ "Pulumi.org.yaml": text });
            // The four policies as the stack deploys them, attached to the root.
            const ids: string[] = [];
            for (const [i, document] of organizationPolicies(revocations).entries()) {
                const created = await organizations.send(
                    new CreatePolicyCommand({
                        Name: `revocable-roles-revocations-${i + 1}`,
                        Description: "d",
                        Type: "SERVICE_CONTROL_POLICY",
                        Content: JSON.stringify(document),
                    }),
                );
                ids.push(created.Policy!.PolicySummary!.Id!);
                await organizations.send(new AttachPolicyCommand({ PolicyId: ids[i], TargetId: rootId }));
            }
            const json = async () =>
                JSON.parse((await run(["--stack", "org", "--json"], root)).stdout) as {
                    organization: string;
                    policy: string;
                    state: string;
                    detail: string;
                    policies: { name: string; targets: string[] }[];
                }[];
            const first = await json();
            assert.deepStrictEqual(
                first.map(({ organization, state, detail, policies }) => ({
                    organization,
                    state,
                    detail,
                    targets: policies.map((p) => p.targets),
                })),
                [
                    {
                        organization: "role ci-deployer",
                        state: "live",
                        detail: `denies sessions issued before 2026-11-27T10:00:00Z on ${rootId}`,
                        targets: [[rootId]],
                    },
                    {
                        organization: "role batch-*",
                        state: "live",
                        detail: `denies sessions issued before 2026-11-27T10:00:00Z on ${rootId}`,
                        targets: [[rootId]],
                    },
                ],
            );
            // An earlier cutoff written over one policy, the other policy detached from the root.
            const slot = (name: string) =>
                ids[
                    Number(
                        first
                            .find((r) => r.organization === name)!
                            .policy.split("-")
                            .pop(),
                    ) - 1
                ];
            const earlier = organizationPolicies(revocations.map((r) => ({ ...r, revokeBefore: EARLIER })));
            const ciSlot = slot("role ci-deployer");
            await organizations.send(new UpdatePolicyCommand({ PolicyId: ciSlot, Content: JSON.stringify(earlier[ids.indexOf(ciSlot)]) }));
            await organizations.send(new DetachPolicyCommand({ PolicyId: slot("role batch-*"), TargetId: rootId }));
            const after = await json();
            const batchPolicy = first.find((r) => r.organization === "role batch-*")!.policy;
            assert.deepStrictEqual(
                after.map(({ organization, state, detail }) => ({ organization, state, detail })),
                [
                    {
                        organization: "role ci-deployer",
                        state: "weakened",
                        detail: `on ${rootId}: it denies only sessions issued before 2026-11-27T09:00:00Z, earlier than the cutoff 2026-11-27T10:00:00Z`,
                    },
                    {
                        organization: "role batch-*",
                        state: "missing",
                        detail: `on ${rootId}: service control policy ${batchPolicy} is not attached to target ${rootId}`,
                    },
                ],
            );
        } finally {
            organizations.destroy();
        }
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

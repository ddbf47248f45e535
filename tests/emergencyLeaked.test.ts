/**
 * `revoke --leaked --now` against a real IAM API (moto's server on loopback, which keeps accounts
 * apart): every account at once with its own credentials, none with another's, and each account's
 * role assumed (--role-arn, or the stack file's aws:assumeRoles).
 */
import * as assert from "assert";
import { CreateRoleCommand, GetRolePolicyCommand } from "@aws-sdk/client-iam";
import { Capture, capture, project, withEnvironment, environment } from "./helpers";
import { MOTO_DEFAULT_ACCOUNT, Moto, inMotoAccount, motoClient } from "./moto";
import { decodePolicyDocument } from "../iam/policy";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { CI, PROD, STACKS } from "./leakedFixture";
import { Credentials, callerAccount, iamClient } from "../apply/client";
import { motoSuite, testAws, testClient, credentials, trust, revoke, CUTOFF, NOW, withoutProgress } from "./emergencyHarness";

describe("npm run revoke --now against a real IAM API (moto_server)", function () {
    this.timeout(30_000);
    let moto: Moto | undefined;
    motoSuite((started) => (moto = started));

    it("revoke --leaked --now: every account at once with its own credentials, none with another's", async () => {
        // moto keeps accounts apart by a header; a profile stands for an account's credentials here.
        const ACCOUNT_OF: Record<string, string> = { ci: CI, prod: PROD };
        // Without a profile: the standard chain, which acts in moto's default account.
        const accountOf = (profile?: string) => (profile === undefined ? MOTO_DEFAULT_ACCOUNT : ACCOUNT_OF[profile]);
        const aws = testAws({
            client: (endpoint: string | undefined, _region: string, who?: Credentials) =>
                inMotoAccount(testClient(endpoint), accountOf(who?.profile)),
            account: async (endpoint: string | undefined, region: string, signal: AbortSignal, who?: Credentials) => {
                const sts = inMotoAccount(new STSClient({ endpoint, region, credentials }), accountOf(who?.profile));
                return (await sts.send(new GetCallerIdentityCommand({}), { abortSignal: signal })).Account!;
            },
        });
        for (const [account, names] of [
            [CI, ["deployer", "builder", "reporting"]],
            [PROD, ["prod-admin", "db-admin"]],
        ] as const) {
            for (const RoleName of names)
                await motoClient(moto!.endpoint, account).send(new CreateRoleCommand({ RoleName, AssumeRolePolicyDocument: trust }));
        }
        const liveIn = async (account: string, RoleName: string) => {
            try {
                const got = await motoClient(moto!.endpoint, account).send(
                    new GetRolePolicyCommand({ RoleName, PolicyName: "RevokeOlderSessions" }),
                );
                return decodePolicyDocument(got.PolicyDocument ?? "").Statement[0].Condition?.DateLessThan["aws:TokenIssueTime"];
            } catch (error) {
                if ((error as Error).name !== "NoSuchEntityException") throw error;
                return "none";
            }
        };
        const root = project(STACKS);
        const leaked = async (...extra: string[]) => {
            const out = new Capture();
            const err = new Capture();
            const code = await revoke(
                ["--leaked", "github:acme/web", "--at", CUTOFF, "--now", "--endpoint-url", moto!.endpoint, "--json", ...extra],
                out,
                err,
                environment({ root, now: NOW, aws }),
            );
            const json = JSON.parse(out.text) as {
                written: string[];
                applied: { account: string; key: string; outcome: string; detail: string }[];
                body: string;
                checks: string[];
            };
            return {
                code,
                stderr: withoutProgress(err.text),
                written: json.written,
                applied: json.applied.map((a) => `${a.account} ${a.key} ${a.outcome}`),
                body: json.body,
                checks: json.checks,
            };
        };
        // Only the ci account's credentials: prod's roles are left alone, not revoked as namesakes elsewhere.
        const first = await leaked("--profile", `${CI}=ci`);
        const refused = `these credentials act in account 123456789012, not ${PROD} (aws:allowedAccountIds of Pulumi.prod.yaml); nothing was applied, so that a namesake role in 123456789012 is not revoked instead: use credentials of ${PROD}`;
        assert.deepStrictEqual(
            { code: first.code, written: first.written, applied: first.applied },
            {
                code: 1,
                written: ["Pulumi.ci.yaml", "Pulumi.prod.yaml", "Pulumi.staging.yaml"],
                applied: [
                    `${CI} deployer revoked`,
                    `${CI} builder revoked`,
                    `${CI} reporting revoked`,
                    `${PROD} prod-admin failed`,
                    `${PROD} db-admin failed`,
                ],
            },
        );
        assert.strictEqual(
            first.stderr,
            `2 of 5 roles were NOT revoked through the API:\n- these credentials act in account 123456789012, not ${PROD} (2 roles): prod-admin, db-admin\n  ${refused}\nGive ${PROD} credentials of its own (--profile or --role-arn <account>=<role ARN>) and rerun (a rerun is safe: it counts what is applied, and keeps the cutoff): npm run revoke -- --leaked github:acme/web --at ${CUTOFF} --now --endpoint-url ${moto!.endpoint} --profile ${CI}=ci --profile ${PROD}=<profile>\n`,
        );
        assert.ok(
            first.body.includes(`- Account ${CI}: 3 of 3 roles revoked through the IAM API with \`revoke --leaked --now\`.\n`),
            first.body,
        );
        assert.ok(
            first.body.includes(
                `### Applying the rest now\n\nEach stack's part, through the IAM API with that account's credentials:\n\n- \`npm run revoke -- --stack prod --role prod-admin --role db-admin --at ${CUTOFF} --now --endpoint-url ${moto!.endpoint}\`\n`,
            ),
            first.body,
        );
        assert.deepStrictEqual(
            [await liveIn(CI, "deployer"), await liveIn(PROD, "prod-admin"), await liveIn(MOTO_DEFAULT_ACCOUNT, "prod-admin")],
            [CUTOFF, "none", "none"],
        );
        // With each account's credentials the rerun completes: ci's roles count as applied, prod's are revoked.
        const second = await leaked("--profile", `${CI}=ci`, "--profile", `${PROD}=prod`);
        assert.deepStrictEqual(
            { code: second.code, stderr: second.stderr, written: second.written, applied: second.applied },
            {
                code: 0,
                stderr: "",
                written: [],
                applied: [
                    `${CI} deployer already`,
                    `${CI} builder already`,
                    `${CI} reporting already`,
                    `${PROD} prod-admin revoked`,
                    `${PROD} db-admin revoked`,
                ],
            },
        );
        assert.deepStrictEqual([await liveIn(PROD, "prod-admin"), await liveIn(PROD, "db-admin")], [CUTOFF, CUTOFF]);
        // Every --now ends with the commands that read back what IAM holds, per account, with that account's profile.
        const get = (profile: string) =>
            `aws iam get-role-policy --role-name "$role" --policy-name RevokeOlderSessions --query 'PolicyDocument.Statement[0].Condition.DateLessThan."aws:TokenIssueTime"' --output text --profile ${profile} --endpoint-url ${moto!.endpoint}`;
        assert.deepStrictEqual(second.checks, [
            `for role in deployer builder reporting; do echo "$role $(${get("ci")})"; done`,
            `for role in prod-admin db-admin; do echo "$role $(${get("prod")})"; done`,
            // And per stack, the check that judges every revocation in force of it, with its account's profile.
            `npm run verify -- --stack ci --endpoint-url ${moto!.endpoint} --profile ci`,
            `npm run verify -- --stack prod --endpoint-url ${moto!.endpoint} --profile prod`,
            `npm run verify -- --stack staging --endpoint-url ${moto!.endpoint} --profile ci`,
        ]);
        // And its pull request says what each revocation leaves open.
        assert.deepStrictEqual(
            [
                "### What this revocation leaves open",
                "**Who can still assume it**",
                "**Workloads interrupted**",
                "**Who can undo this revocation**",
            ].map((heading) => second.body.split(heading).length - 1),
            [1, 5, 5, 5],
        );
    });

    it("revoke --leaked --now assumes each account's role: --role-arn, or the stack file's aws:assumeRoles, with the standard chain's credentials", async () => {
        // moto gives an assumed role's credentials the role's account, as AWS does: no header, no stand-in client.
        const [ci, prod] = ["333333333333", "444444444444"];
        const responder = (account: string) => `arn:aws:iam::${account}:role/responder`;
        const stacks = Object.fromEntries(
            Object.entries(STACKS).map(([file, text]) => [file, text.replaceAll(CI, ci).replaceAll(PROD, prod)]),
        );
        stacks["Pulumi.ci.yaml"] = stacks["Pulumi.ci.yaml"].replace(
            "  revocable-roles:roles:\n",
            `  aws:assumeRoles: [{roleArn: "${responder(ci)}"}]\n  revocable-roles:roles:\n`,
        );
        for (const [account, names] of [
            [ci, ["responder", "deployer", "builder", "reporting"]],
            [prod, ["responder", "prod-admin", "db-admin"]],
        ] as const) {
            for (const RoleName of names)
                await motoClient(moto!.endpoint, account).send(new CreateRoleCommand({ RoleName, AssumeRolePolicyDocument: trust }));
        }
        // The standard chain finds these keys: no profile, no stand-in client.
        await withEnvironment({ AWS_ACCESS_KEY_ID: "testing", AWS_SECRET_ACCESS_KEY: "testing", AWS_PROFILE: undefined }, async () => {
            const root = project(stacks);
            const { code, stdout, stderr } = await capture((out, err) =>
                revoke(
                    [
                        "--leaked",
                        "github:acme/web",
                        "--at",
                        CUTOFF,
                        "--now",
                        "--endpoint-url",
                        moto!.endpoint,
                        "--role-arn",
                        `${prod}=${responder(prod)}`,
                    ],
                    out,
                    err,
                    environment({ root, now: NOW, aws: testAws({ client: iamClient, account: callerAccount }) }),
                ),
            );
            assert.deepStrictEqual(
                { code, stderr: withoutProgress(stderr), accounts: stdout.split("\n").filter((line) => line.startsWith("Account ")) },
                {
                    code: 0,
                    stderr: "",
                    accounts: [
                        `Account ${ci} (role ${responder(ci)} from aws:assumeRoles, assumed with the standard credential chain):`,
                        `Account ${prod} (role ${responder(prod)} from --role-arn, assumed with the standard credential chain):`,
                    ],
                },
            );
            const live = async (account: string, RoleName: string) =>
                decodePolicyDocument(
                    (
                        await motoClient(moto!.endpoint, account).send(
                            new GetRolePolicyCommand({ RoleName, PolicyName: "RevokeOlderSessions" }),
                        )
                    ).PolicyDocument ?? "",
                ).Statement[0].Condition?.DateLessThan["aws:TokenIssueTime"];
            assert.deepStrictEqual(
                await Promise.all([live(ci, "deployer"), live(ci, "reporting"), live(prod, "prod-admin"), live(prod, "db-admin")]),
                [CUTOFF, CUTOFF, CUTOFF, CUTOFF],
            );
        });
    });
});

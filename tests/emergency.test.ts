/**
 * The emergency path (`revoke --now`) against a real IAM API (moto's server on loopback), and
 * under faults: a proxy in front of it that throttles, fails, resets or never answers calls.
 * Every test is bounded: short call timeouts, short deadlines, millisecond backoffs.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as net from "net";
import * as path from "path";
import { CreateRoleCommand, GetRolePolicyCommand, IAMClient, ListRolePoliciesCommand, PutRolePolicyCommand } from "@aws-sdk/client-iam";
import { Capture, capture, fixture, plan, project, withEnvironment, environment, virtualTime } from "./helpers";
import { MOTO_DEFAULT_ACCOUNT, MOTO_INSTALL_HINT, Moto, inMotoAccount, motoClient, startMoto } from "./moto";
import { startFlakyProxy } from "./flakyProxy";
import { systemTime } from "../cli/environment";
import { AwsAccess } from "../revocation/context";
import { Time } from "../apply/time";
import { createHash } from "crypto";
import { decodePolicyDocument } from "../iam/policy";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { CI, PROD, STACKS } from "./leakedFixture";
import { Credentials, callerAccount, iamClient, iamClientConfig } from "../apply/client";
import { EmergencyTarget, Schedule, accountMismatch } from "../apply/emergency";
import { commandMain } from "../cli/main";

const revoke = commandMain("revoke");

const drill = commandMain("drill");

const ORIGINAL = fixture("revoke", "Pulumi.commented.yaml");
const NOW = new Date("2026-11-27T10:15:30.250Z");
const CUTOFF = "2026-11-27T10:00:00Z";
const trust = JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
});
const credentials = async () => ({ accessKeyId: "testing", secretAccessKey: "testing" });

/** The production client's settings, with test credentials and call timeouts short enough for a test. */
function testClient(endpoint: string | undefined, credentialsProvider: IAMClient["config"]["credentials"] = credentials): IAMClient {
    return new IAMClient({
        ...iamClientConfig(endpoint, "us-east-1", { connectMs: 200, requestMs: 400 }),
        credentials: credentialsProvider,
    });
}

/** Retries after milliseconds, not seconds, and every role's calls in flight at once, on `time` (the system's by default). */
const fast =
    (time: Time = systemTime) =>
    (deadlineMs: number): Schedule => ({ deadline: time.now() + deadlineMs, time, concurrency: 8, baseDelayMs: 5, maxDelayMs: 50 });

/** The production identity check, with the test credentials. */
const testAccount = (endpoint: string | undefined, region: string, signal: AbortSignal) =>
    callerAccount(endpoint, region, signal, { credentials: { accessKeyId: "testing", secretAccessKey: "testing" } });

/** AWS as the tests reach it: moto's endpoint with test credentials, the fast schedule. */
function testAws(given: Partial<AwsAccess> = {}): AwsAccess {
    return {
        region: "us-east-1",
        endpointVariables: {},
        client: (endpoint) => testClient(endpoint),
        account: testAccount,
        schedule: fast(),
        ...given,
    };
}

/**
 * stderr without the progress lines a run on the system's clock prints when its calls take over
 * 10 s, as moto's do on a loaded machine: tests/incident.test.ts asserts them on a virtual clock.
 */
const withoutProgress = (stderr: string) => stderr.replace(/^after \d+ s: .*\n/gm, "");

async function run(
    argv: string[],
    root: string,
    client: (endpoint: string | undefined) => IAMClient = testClient,
    variables: Record<string, string> = {},
    account: AwsAccess["account"] = testAccount,
    time?: Time,
) {
    const out = new Capture();
    const err = new Capture();
    const aws = testAws({ client: (endpoint) => client(endpoint), endpointVariables: variables, account, schedule: fast(time) });
    const code = await revoke(argv, out, err, environment({ root, now: NOW, aws }));
    return { code, stdout: out.text, stderr: withoutProgress(err.text), file: fs.readFileSync(path.join(root, "Pulumi.qa.yaml"), "utf8") };
}

const withAll = (text: string, cutoff: string) =>
    text.replace("\n  revocable-roles:roles:", `\n  revocable-roles:revokeAllBefore: "${cutoff}"\n  revocable-roles:roles:`);

/** The rows of the pull request's result table (every role: the terminal's lists only those applied), each split into its three columns. */
const rows = (stdout: string) =>
    stdout
        .split("\n\n")
        .find((block) => block.startsWith("```\nrole "))!
        .split("\n")
        .slice(2, -1)
        .map((row) => row.split(/\s{2,}/));

describe("npm run revoke --now against a real IAM API (moto_server)", function () {
    this.timeout(30_000);
    let moto: Moto | undefined;

    before(async function () {
        moto = await startMoto();
        if (moto === undefined) {
            console.log(`      skipped: ${MOTO_INSTALL_HINT}`);
            this.skip();
        }
        for (const RoleName of ["ci-deployer", "app-server"]) {
            await moto!.client.send(new CreateRoleCommand({ RoleName, AssumeRolePolicyDocument: trust }));
        }
    });

    after(async () => {
        await moto?.stop();
    });

    const live = async (RoleName: string) =>
        decodePolicyDocument(
            (await moto!.client.send(new GetRolePolicyCommand({ RoleName, PolicyName: "RevokeOlderSessions" }))).PolicyDocument ?? "",
        ).Statement[0].Condition?.DateLessThan["aws:TokenIssueTime"];

    it("revokes the roles that exist, names the one it could not, records the cutoff first, names the endpoint, and exits 1", async () => {
        const root = project({ "Pulumi.qa.yaml": ORIGINAL });
        const result = await run(["--stack", "qa", "--all", "--at", CUTOFF, "--now", "--endpoint-url", moto!.endpoint], root);
        assert.strictEqual(result.code, 1);
        const [written, table, ...rest] = result.stdout.split("\n\n");
        assert.strictEqual(written, `Wrote Pulumi.qa.yaml: revocable-roles:revokeAllBefore revoked before ${CUTOFF}.`);
        assert.strictEqual(
            table,
            [
                `IAM endpoint: ${moto!.endpoint} (from --endpoint-url)`,
                "role         IAM role     result",
                `ci-deployer  ci-deployer  revoked: sessions issued before ${CUTOFF} are denied`,
                `app-server   app-server   revoked: sessions issued before ${CUTOFF} are denied`,
                "(1 more not applied: the causes follow on stderr)",
            ].join("\n"),
        );
        const body = rest.join("\n\n");
        assert.ok(
            body.includes(
                "### Partly applied (emergency path)\nApplied at once through the IAM API to 2 of 3 roles with `npm run revoke -- --now`. **Not applied** to `auditor`: those roles are revoked only when this pull request deploys, unless `--now` is rerun after fixing the cause.",
            ),
            body,
        );
        assert.ok(body.includes(`IAM endpoint: ${moto!.endpoint} (from --endpoint-url).`), body);
        assert.strictEqual(
            result.stderr,
            "1 of 3 roles were NOT revoked through the API:\n- role not found (1 role): auditor\n  NoSuchEntityException: Role auditor not found\n",
        );
        assert.deepStrictEqual(rows(result.stdout), [
            ["ci-deployer", "ci-deployer", `revoked: sessions issued before ${CUTOFF} are denied`],
            ["app-server", "app-server", `revoked: sessions issued before ${CUTOFF} are denied`],
            ["auditor", "auditor", "FAILED: NoSuchEntityException: Role auditor not found"],
        ]);
        assert.ok(
            body.includes(
                `Rerun for the roles not applied, once the cause is fixed:\n\n\`\`\`\nnpm run revoke -- --stack qa --all --at ${CUTOFF} --now --endpoint-url ${moto!.endpoint}\n\`\`\``,
            ),
            body,
        );
        assert.strictEqual(result.file, withAll(ORIGINAL, CUTOFF));

        // What the API now holds is exactly what the offline plan of the recorded file renders.
        const recorded = await plan(result.file, "qa");
        for (const role of ["ci-deployer", "app-server"]) {
            const rendered = recorded.resources.find((r) => r.name === `${role}-revocation`)!;
            const got = await moto!.client.send(new GetRolePolicyCommand({ RoleName: role, PolicyName: "RevokeOlderSessions" }));
            assert.deepStrictEqual(decodePolicyDocument(got.PolicyDocument ?? ""), JSON.parse(String(rendered.inputs.policy)));
        }
    });

    it("applies nothing with credentials of another account than the stack's: IAM would revoke a namesake role there", async () => {
        const naming = (account: string) =>
            ORIGINAL.replace("  aws:region:   eu-west-1\n", `  aws:region:   eu-west-1\n  aws:allowedAccountIds: ["${account}"]\n`);
        await moto!.client.send(new CreateRoleCommand({ RoleName: "namesake", AssumeRolePolicyDocument: trust }));
        const stack = (account: string) =>
            naming(account).replace("    auditor:", "    namesake:\n      trust:\n        services: [ec2.amazonaws.com]\n    auditor:");
        const argv = ["--stack", "qa", "--role", "namesake", "--at", CUTOFF, "--now", "--endpoint-url", moto!.endpoint];
        const other = await run(argv, project({ "Pulumi.qa.yaml": stack("111111111111") }));
        const why =
            "these credentials act in account 123456789012, not 111111111111 (aws:allowedAccountIds of Pulumi.qa.yaml); nothing was applied, so that a namesake role in 123456789012 is not revoked instead: use credentials of 111111111111";
        assert.deepStrictEqual(
            { code: other.code, rows: rows(other.stdout), stderr: other.stderr },
            {
                code: 1,
                rows: [["namesake", "namesake", `FAILED: ${why}`]],
                stderr: `1 of 1 roles were NOT revoked through the API:\n- these credentials act in account 123456789012, not 111111111111 (1 role): namesake\n  ${why}\n`,
            },
        );
        await assert.rejects(live("namesake"), { name: "NoSuchEntityException" });
        // Unconfirmed is refused too: nothing is applied on a guess.
        const unanswered = await run(argv, project({ "Pulumi.qa.yaml": stack("111111111111") }), testClient, {}, async () => {
            throw Object.assign(new Error("The security token included in the request is expired"), { name: "ExpiredToken" });
        });
        assert.deepStrictEqual(rows(unanswered.stdout), [
            [
                "namesake",
                "namesake",
                "FAILED: the credentials' account could not be confirmed (ExpiredToken: The security token included in the request is expired (the credentials have expired: refresh them (aws sso login, or new temporary keys) and rerun)); nothing was applied, so that a namesake role in another account is not revoked instead: rerun when sts:GetCallerIdentity answers",
            ],
        ]);
        await assert.rejects(live("namesake"), { name: "NoSuchEntityException" });
        // The stack's own account (moto's) is applied.
        const own = await run(argv, project({ "Pulumi.qa.yaml": stack(MOTO_DEFAULT_ACCOUNT) }));
        assert.deepStrictEqual(
            { code: own.code, rows: rows(own.stdout) },
            { code: 0, rows: [["namesake", "namesake", `revoked: sessions issued before ${CUTOFF} are denied`]] },
        );
        assert.strictEqual(await live("namesake"), CUTOFF);
    });

    it("says nothing was applied, and what to set, when there are no credentials, without retrying", async () => {
        const noCredentials = (endpoint: string | undefined) =>
            testClient(endpoint, async () => {
                throw Object.assign(new Error("Could not load credentials from any providers"), { name: "CredentialsProviderError" });
            });
        const root = project({ "Pulumi.qa.yaml": ORIGINAL });
        const result = await run(
            ["--stack", "qa", "--role", "ci-deployer", "--at", CUTOFF, "--now", "--endpoint-url", moto!.endpoint],
            root,
            noCredentials,
        );
        const hint =
            "CredentialsProviderError: Could not load credentials from any providers (no AWS credentials were found: set AWS_PROFILE (after aws sso login --profile <name>), or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary keys), or run where an instance or task role provides them)";
        assert.strictEqual(result.code, 1);
        assert.strictEqual(
            result.stderr,
            `1 of 1 roles were NOT revoked through the API:\n- no credentials found (1 role): ci-deployer\n  ${hint}\n`,
        );
        assert.ok(
            result.stdout.includes(
                "### Not applied (the emergency path failed)\nThe IAM API applied this revocation to **none** of the 1 roles: nothing is revoked until this pull request deploys",
            ),
            result.stdout,
        );
    });

    it("counts a live revocation with a later cutoff as applied, leaves it alone, and records that cutoff instead", async () => {
        const later = `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":["*"],"Resource":["*"],"Condition":{"DateLessThan":{"aws:TokenIssueTime":"2026-11-27T10:10:00Z"}}}]}`;
        await moto!.client.send(
            new PutRolePolicyCommand({ RoleName: "app-server", PolicyName: "RevokeOlderSessions", PolicyDocument: later }),
        );
        const root = project({ "Pulumi.qa.yaml": ORIGINAL });
        const argv = [
            "--stack",
            "qa",
            "--role",
            "ci-deployer",
            "--role",
            "app-server",
            "--at",
            "2026-11-27T10:05:00Z",
            "--now",
            "--endpoint-url",
            moto!.endpoint,
        ];
        const result = await run(argv, root);
        assert.deepStrictEqual({ code: result.code, stderr: result.stderr }, { code: 0, stderr: "" });
        assert.deepStrictEqual(rows(result.stdout), [
            ["ci-deployer", "ci-deployer", "revoked: sessions issued before 2026-11-27T10:05:00Z are denied"],
            [
                "app-server",
                "app-server",
                "applied: already revoked with a later cutoff: sessions issued before 2026-11-27T10:10:00Z are denied",
            ],
        ]);
        assert.deepStrictEqual([await live("ci-deployer"), await live("app-server")], ["2026-11-27T10:05:00Z", "2026-11-27T10:10:00Z"]);
        const names = await moto!.client.send(new ListRolePoliciesCommand({ RoleName: "app-server" }));
        assert.deepStrictEqual(names.PolicyNames, ["RevokeOlderSessions"]);
        // The pull request deploys the later cutoff, never the weaker one over it.
        const recorded = await plan(result.file, "qa");
        assert.strictEqual(
            JSON.parse(String(recorded.resources.find((r) => r.name === "app-server-revocation")!.inputs.policy)).Statement[0].Condition
                .DateLessThan["aws:TokenIssueTime"],
            "2026-11-27T10:10:00Z",
        );
        assert.ok(
            result.stdout.includes("`app-server` (IAM role `app-server`, keeps its own later cutoff `2026-11-27T10:10:00Z`)"),
            result.stdout,
        );
    });

    it("names an endpoint taken from the environment, and uses it", async () => {
        await withEnvironment({ AWS_ENDPOINT_URL_IAM: moto!.endpoint }, async () => {
            const root = project({ "Pulumi.qa.yaml": ORIGINAL });
            const result = await run(
                ["--stack", "qa", "--role", "ci-deployer", "--at", "2026-11-27T10:06:00Z", "--now"],
                root,
                testClient,
                {
                    AWS_ENDPOINT_URL_IAM: moto!.endpoint,
                },
            );
            assert.deepStrictEqual({ code: result.code, stderr: result.stderr }, { code: 0, stderr: "" });
            assert.ok(
                result.stdout.includes(`IAM endpoint: ${moto!.endpoint} (from the environment variable AWS_ENDPOINT_URL_IAM)\n`),
                result.stdout,
            );
            assert.strictEqual(await live("ci-deployer"), "2026-11-27T10:06:00Z");
        });
    });

    it("drill: creates the stack's roles there from the plan, revokes the ones named through revoke --now, reads them back, and leaves the stack file alone", async () => {
        const role = (key: string) => `    ${key}:\n      trust:\n        accounts: ["111111111111"]\n`;
        const stack = `config:\n  aws:region: eu-west-1\n  revocable-roles:roles:\n${role("drilled")}${role("bystander")}`;
        const root = project({ "Pulumi.dev.yaml": stack });
        const out = new Capture();
        const err = new Capture();
        const code = await drill(
            ["--stack", "dev", "--role", "drilled", "--endpoint-url", moto!.endpoint],
            out,
            err,
            environment({ root, now: new Date("2026-11-28T12:00:00Z") }),
        );
        const lines = out.text.split("\n");
        assert.deepStrictEqual(
            { code, stderr: err.text, head: lines.slice(0, 5), tail: lines.at(-2)!.replace(/\d+\.\d\d s/, "<t> s") },
            {
                code: 0,
                stderr: "",
                head: [
                    `Drill against ${moto!.endpoint}: no AWS account is touched.`,
                    "Created the 2 roles of Pulumi.dev.yaml from its offline plan.",
                    "",
                    "role     IAM role  state",
                    "drilled  drilled   revoked: sessions issued before 2026-11-28T12:00:01Z are denied",
                ],
                tail: "The emergency path took <t> s for 1 role(s) (revoke --now, exit code 0). Every role is revoked.",
            },
        );
        assert.strictEqual(fs.readFileSync(path.join(root, "Pulumi.dev.yaml"), "utf8"), stack);
        assert.deepStrictEqual(
            [await live("drilled"), await live("bystander").catch((e: Error) => e.name)],
            ["2026-11-28T12:00:01Z", "NoSuchEntityException"],
        );
    });

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

describe("the account check of --now", () => {
    it("retries a call that outlived its attempt (the SDK reports that abort as an AbortError) until it answers", async () => {
        const target = { key: "app", roleName: "app", cutoff: CUTOFF, policy: "{}" } as unknown as EmergencyTarget;
        let calls = 0;
        // The first call never answers on its own: it ends when the attempt's signal aborts it, as the SDK does.
        const ask = (signal: AbortSignal) =>
            new Promise<string>((resolve, reject) => {
                if (++calls > 1) return resolve("111111111111");
                signal.addEventListener("abort", () => reject(Object.assign(new Error("Request aborted"), { name: "AbortError" })));
            });
        const schedule = { deadline: Date.now() + 5_000, time: systemTime, concurrency: 1, baseDelayMs: 5, maxDelayMs: 50 };
        const result = await accountMismatch([target], ["111111111111"], ask, "aws:allowedAccountIds", schedule, {
            connectMs: 50,
            requestMs: 50,
        });
        assert.deepStrictEqual({ result, calls }, { result: undefined, calls: 2 });
    });
});

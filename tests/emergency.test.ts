/**
 * The emergency path (`revoke --now`) against a real IAM API (moto's server on loopback): what it
 * revokes and records, credentials of another account or none, a later cutoff in force, the
 * endpoint, and drill; and the account check's retries. `--leaked --now` is
 * tests/emergencyLeaked.test.ts, faults tests/emergencyFaults.test.ts. Every test is bounded: short
 * call timeouts, short deadlines, millisecond backoffs.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { CreateRoleCommand, GetRolePolicyCommand, ListRolePoliciesCommand, PutRolePolicyCommand } from "@aws-sdk/client-iam";
import { Capture, plan, project, withEnvironment, environment } from "./helpers";
import { MOTO_DEFAULT_ACCOUNT, Moto } from "./moto";
import { systemTime } from "../cli/environment";
import { decodePolicyDocument } from "../iam/policy";
import { EmergencyTarget, accountMismatch } from "../apply/emergency";
import { commandMain } from "../cli/main";
import { motoSuite, trust, ORIGINAL, run, CUTOFF, rows, testClient } from "./emergencyHarness";

const drill = commandMain("drill");

const withAll = (text: string, cutoff: string) =>
    text.replace("\n  revocable-roles:roles:", `\n  revocable-roles:revokeAllBefore: "${cutoff}"\n  revocable-roles:roles:`);

describe("npm run revoke --now against a real IAM API (moto_server)", function () {
    this.timeout(30_000);
    let moto: Moto | undefined;
    const { live } = motoSuite((started) => (moto = started));

    before(async () => {
        for (const RoleName of ["ci-deployer", "app-server"]) {
            await moto!.client.send(new CreateRoleCommand({ RoleName, AssumeRolePolicyDocument: trust }));
        }
    });

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

/**
 * What the tests of the emergency path at 3 a.m. share: the clock and cutoff, the leak fixture's
 * accounts renumbered for this suite, AWS as the tests reach it on moto, revoke run in this process,
 * and the run's moto server for a suite, with its roles made and their revocations read back.
 */
import { CreateRoleCommand, GetRolePolicyCommand, IAMClient } from "@aws-sdk/client-iam";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { Capture, environment } from "./helpers";
import { Moto, inMotoAccount, motoClient, useMoto } from "./moto";
import { STACKS } from "./leakedFixture";
import { Credentials, iamClientConfig } from "../apply/client";
import { Time } from "../apply/time";
import { decodePolicyDocument } from "../iam/policy";
import { AwsAccess } from "../revocation/context";
import { FileSystem } from "../revocation/stackFile";
import { commandMain } from "../cli/main";

const revoke = commandMain("revoke");

const NOW = new Date("2026-11-27T10:15:30.250Z");
export const CUTOFF = "2026-11-27T10:00:00Z";
export const TRUST = JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
});
export const credentials = { accessKeyId: "testing", secretAccessKey: "testing" };
/** The leak fixture's two accounts, renumbered so that this file's roles never meet the emergency suite's on the shared server. */
export const [A1, A2] = ["555555555555", "666666666666"];
export const LEAK_STACKS: Record<string, string> = Object.fromEntries(
    Object.entries(STACKS).map(([file, text]) => [file, text.replaceAll("111111111111", A1).replaceAll("222222222222", A2)]),
);
/** The fixture's roles that github:acme/web reaches, by account. */
export const REACHED: [string, string[]][] = [
    [A1, ["deployer", "builder", "reporting"]],
    [A2, ["prod-admin", "db-admin"]],
];
/** In the leaked tests a profile stands for an account's credentials: moto keeps accounts apart by a header. */
export const PROFILES = ["--profile", `${A1}=a1`, "--profile", `${A2}=a2`];
/**
 * The account of credentials without a profile: one of this file's own. moto sets up its default
 * account again, slowly, on the first call after another account was first used, so no test here
 * uses it.
 */
export const HOME = "777777777777";
export const accountOf = (who?: Credentials) =>
    // A role to assume acts in its own account, as AWS's credentials of it would (tests/emergencyLeaked.test.ts assumes it for real).
    (who?.roleArn === undefined ? undefined : who.roleArn.split(":")[4]) ?? { a1: A1, a2: A2 }[who?.profile as "a1" | "a2"] ?? HOME;

/** The production client's settings with short call timeouts and the tests' credentials. */
export const testClient = (endpoint: string | undefined, requestMs = 400) =>
    new IAMClient({ ...iamClientConfig(endpoint, "us-east-1", { connectMs: 200, requestMs }), credentials });

/**
 * AWS as these tests reach it, on `time`: clients acting in the account of their profile, the
 * identity check asked of the endpoint itself (so an endpoint that is down fails it as it fails
 * AWS's), and retries after milliseconds unless `backoff` says otherwise.
 */
export function testAws(time: Time, given: Partial<AwsAccess> = {}, backoff = { baseDelayMs: 5, maxDelayMs: 50 }): AwsAccess {
    return {
        region: "us-east-1",
        endpointVariables: {},
        client: (endpoint, _region, who) => inMotoAccount(testClient(endpoint), accountOf(who)),
        account: async (endpoint, region, signal, who) => {
            const { maxAttempts, requestHandler } = iamClientConfig(endpoint, region, { connectMs: 200, requestMs: 400 });
            const sts = inMotoAccount(new STSClient({ endpoint, region, maxAttempts, requestHandler, credentials }), accountOf(who));
            try {
                return (await sts.send(new GetCallerIdentityCommand({}), { abortSignal: signal })).Account!;
            } finally {
                sts.destroy();
            }
        },
        schedule: (deadlineMs) => ({ deadline: time.now() + deadlineMs, time, concurrency: 8, ...backoff }),
        ...given,
    };
}

/** A stack file of roles that trust EC2, naming `account` when given. */
export const stackOf = (keys: string[], account?: string) =>
    `config:\n${account === undefined ? "" : `  aws:allowedAccountIds: ["${account}"]\n`}  revocable-roles:roles:\n${keys.map((k) => `    ${k}:\n      trust:\n        services: [ec2.amazonaws.com]\n`).join("")}`;

/** Runs revoke in-process; returns its exit code and output. */
export async function run(argv: string[], root: string, aws: AwsAccess, time: Time, fileSystem?: FileSystem) {
    const out = new Capture();
    const err = new Capture();
    const code = await revoke(argv, out, err, {
        ...environment({ root, now: NOW, aws, time }),
        ...(fileSystem === undefined ? {} : { fileSystem }),
    });
    return { code, stdout: out.text, stderr: err.text };
}

/** Lines of `text` that start with `prefix`. */
export const linesOf = (text: string, prefix: string) => text.split("\n").filter((line) => line.startsWith(prefix));

/**
 * The run's moto server for the calling describe (see useMoto), handed to `use`. Returns how the
 * tests make roles on it and read their revocations back.
 */
export function motoSuite(use: (moto: Moto) => void) {
    let moto: Moto | undefined;
    useMoto((started) => use((moto = started)));

    /** Creates roles in an account (this file's HOME unless the first name is an account ID); one that exists already is kept. */
    const create = async (...names: string[]) => {
        const account = /^\d{12}$/.test(names[0]) ? names.shift() : HOME;
        for (const RoleName of names) {
            try {
                await motoClient(moto!.endpoint, account).send(new CreateRoleCommand({ RoleName, AssumeRolePolicyDocument: TRUST }));
            } catch (error) {
                if ((error as Error).name !== "EntityAlreadyExistsException") throw error;
            }
        }
    };

    /** The cutoff of a role's live RevokeOlderSessions, or "none". */
    const live = async (RoleName: string, account = HOME) => {
        try {
            const got = await motoClient(moto!.endpoint, account).send(
                new GetRolePolicyCommand({ RoleName, PolicyName: "RevokeOlderSessions" }),
            );
            return String(decodePolicyDocument(got.PolicyDocument ?? "").Statement[0].Condition?.DateLessThan["aws:TokenIssueTime"]);
        } catch (error) {
            if ((error as Error).name !== "NoSuchEntityException") throw error;
            return "none";
        }
    };

    return { create, live };
}

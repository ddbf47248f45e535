/**
 * What the tests of the emergency path (`revoke --now`) share: the cutoff and clock, the stack file
 * they revoke in, AWS as the tests reach it (the production client with test credentials and short
 * call timeouts, millisecond backoffs), revoke run in this process, the rows of its result table,
 * and the run's moto server for a suite.
 */
import * as fs from "fs";
import * as path from "path";
import { GetRolePolicyCommand, IAMClient } from "@aws-sdk/client-iam";
import { Capture, fixture, environment } from "./helpers";
import { Moto, useMoto } from "./moto";
import { systemTime } from "../cli/environment";
import { AwsAccess } from "../revocation/context";
import { Time } from "../apply/time";
import { decodePolicyDocument } from "../iam/policy";
import { callerAccount, iamClientConfig } from "../apply/client";
import { Schedule } from "../apply/emergency";
import { commandMain } from "../cli/main";

export const revoke = commandMain("revoke");

export const ORIGINAL = fixture("revoke", "Pulumi.commented.yaml");
export const NOW = new Date("2026-11-27T10:15:30.250Z");
export const CUTOFF = "2026-11-27T10:00:00Z";
export const trust = JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
});
export const credentials = async () => ({ accessKeyId: "testing", secretAccessKey: "testing" });

/** The production client's settings, with test credentials and call timeouts short enough for a test. */
export function testClient(endpoint: string | undefined, credentialsProvider: IAMClient["config"]["credentials"] = credentials): IAMClient {
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
export const testAccount = (endpoint: string | undefined, region: string, signal: AbortSignal) =>
    callerAccount(endpoint, region, signal, { credentials: { accessKeyId: "testing", secretAccessKey: "testing" } });

/** AWS as the tests reach it: moto's endpoint with test credentials, the fast schedule. */
export function testAws(given: Partial<AwsAccess> = {}): AwsAccess {
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
 * 10 s, as moto's do on a loaded machine: tests/incidentHangs.test.ts asserts them on a virtual clock.
 */
export const withoutProgress = (stderr: string) => stderr.replace(/^after \d+ s: .*\n/gm, "");

export async function run(
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

/** The rows of the pull request's result table (every role: the terminal's lists only those applied), each split into its three columns. */
export const rows = (stdout: string) =>
    stdout
        .split("\n\n")
        .find((block) => block.startsWith("```\nrole "))!
        .split("\n")
        .slice(2, -1)
        .map((row) => row.split(/\s{2,}/));

/**
 * The run's moto server for the calling describe (see useMoto), handed to `use`. Returns `live`,
 * the cutoff of a role's RevokeOlderSessions in moto's default account.
 */
export function motoSuite(use: (moto: Moto) => void) {
    let moto: Moto | undefined;
    useMoto((started) => use((moto = started)));

    const live = async (RoleName: string) =>
        decodePolicyDocument(
            (await moto!.client.send(new GetRolePolicyCommand({ RoleName, PolicyName: "RevokeOlderSessions" }))).PolicyDocument ?? "",
        ).Statement[0].Condition?.DateLessThan["aws:TokenIssueTime"];

    return { live };
}

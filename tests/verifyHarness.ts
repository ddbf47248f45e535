/**
 * What the tests of `verify` share: the clock and the cutoffs, the suite's accounts on the run's
 * shared moto server, a revocation's document, AWS as the suite reaches it, a stack file of revoked
 * roles, and the suite's moto server with a role maker, verify in this process and a read-back.
 */
import { CreateRoleCommand, GetRolePolicyCommand, IAMClient, PutRolePolicyCommand } from "@aws-sdk/client-iam";
import { OrganizationsClient } from "@aws-sdk/client-organizations";
import { Capture, environment, virtualTime } from "./helpers";
import { Moto, inMotoAccount, motoClient, useMoto } from "./moto";
import { commandMain } from "../cli/main";
import { AwsAccess } from "../revocation/context";
import { iamClientConfig } from "../apply/client";
import { Time } from "../apply/time";
import { Cutoff } from "../iam/cutoff";
import { PolicyDocument, decodePolicyDocument, revocationPolicy } from "../iam/policy";

const verify = commandMain("verify");

export const NOW = new Date("2026-11-27T12:00:00Z");
export const CUTOFF = Cutoff.read("2026-11-27T10:00:00Z")!;
export const EARLIER = Cutoff.read("2026-11-27T09:00:00Z")!;
export const LATER = Cutoff.read("2026-11-27T11:00:00Z")!;
/** The account this suite's roles live in, on the run's shared moto server. */
export const ACCOUNT = "240000000042";
/** The management account of this suite's organization. */
export const MANAGEMENT = "240000000043";
const TRUST = JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
});
export const denyBefore = (cutoff: Cutoff): PolicyDocument => revocationPolicy(cutoff);

/** AWS as this suite reaches it: moto's endpoint, acting in the suite's accounts, with a schedule of milliseconds on `time`. */
export function suiteAws(endpoint: string, time: Time, account: AwsAccess["account"] = async () => ACCOUNT): AwsAccess {
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

/**
 * The run's moto server for the calling describe (see useMoto), handed to `use` with an IAM client
 * in the suite's account (destroyed after the suite). Returns how the tests make a role with
 * inline policies, run verify against the server, and read a role's RevokeOlderSessions back.
 */
export function verifySuite(use: (moto: Moto, iam: IAMClient) => void) {
    let moto: Moto | undefined;
    let iam: IAMClient | undefined;

    useMoto((started) => {
        moto = started;
        iam = motoClient(moto.endpoint, ACCOUNT);
        use(moto, iam);
    });

    after(() => {
        iam?.destroy();
    });

    const role = async (RoleName: string, policies: Record<string, PolicyDocument> = {}) => {
        await iam!.send(new CreateRoleCommand({ RoleName, AssumeRolePolicyDocument: TRUST }));
        for (const [PolicyName, document] of Object.entries(policies)) {
            await iam!.send(new PutRolePolicyCommand({ RoleName, PolicyName, PolicyDocument: JSON.stringify(document) }));
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
            (await iam!.send(new GetRolePolicyCommand({ RoleName, PolicyName: "RevokeOlderSessions" }))).PolicyDocument ?? "",
        );

    return { role, run, live };
}

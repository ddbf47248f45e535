/**
 * `revocable-roles verify`: reads back every revocation in force in a stack and says whether each
 * is live in the account; `--repair` re-applies what drifted through the emergency path (the work
 * is revocation/verify.ts's).
 */
import { allLive, repairedAny, verifyStack } from "../revocation/verify";
import { failureLines, verificationJson, verificationTable } from "../revocation/verifyReport";
import { CommandIO, Values } from "./command";
import type { VerifyFlags } from "./commands";
import { Environment } from "./environment";
import { endpointAndDeadline } from "./output";
import { UsageError } from "./io";

/** `verify --stack`: the table (or the JSON), the failures on stderr, exit code 1 unless every revocation was live when read. */
export async function run(values: Values<VerifyFlags>, { out, err }: CommandIO, env: Environment): Promise<number> {
    if (values.stack === undefined) throw new UsageError("--stack is required");
    const timing = endpointAndDeadline(values);
    const credentials = {
        ...(values.profile === undefined ? {} : { profile: values.profile }),
        ...(values["role-arn"] === undefined ? {} : { roleArn: values["role-arn"] }),
    };
    const verification = await verifyStack(
        {
            stack: values.stack,
            ...timing,
            repair: values.repair === true,
            credentials,
        },
        env,
    );
    if (values.json === true) {
        out.write(`${JSON.stringify(verificationJson(verification))}\n`);
    } else if (verification.checks.length === 0) {
        out.write(`No revocation is in force in stack ${verification.stack}: nothing to verify.\n`);
    } else {
        out.write(`Stack ${verification.stack}: IAM endpoint ${verification.endpoint}; credentials: ${verification.credentials}.\n`);
        out.write(`${verificationTable(verification)}\n`);
    }
    const failures = failureLines(verification);
    if (failures.length > 0) err.write(`${failures.join("\n")}\n`);
    if (repairedAny(verification)) {
        err.write(
            `Stack ${verification.stack}: revocations had drifted and were repaired through the emergency path; find who changed them in CloudTrail (DeleteRolePolicy, PutRolePolicy, DeleteRole on the roles) and why nothing stopped them.\n`,
        );
        return 1;
    }
    if (!allLive(verification)) return 1;
    if (values.json !== true && verification.checks.length > 0)
        out.write(`Every revocation in force in stack ${verification.stack} is live.\n`);
    return 0;
}

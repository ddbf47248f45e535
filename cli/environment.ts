/**
 * The one reader of the process's environment: the variables, the clock and the system's folders,
 * read once when a command starts and handed to it as an {@link Environment}. Nothing below the
 * command line reads `process.env` or the clock by itself, so a test hands a command a fixed
 * instant, its own time and its own AWS clients.
 */
import * as os from "os";
import type { Time } from "../apply/time";
import type { AwsAccess } from "../revocation/context";

/** The emergency path's modules, loaded on first use: the AWS SDK takes a tenth of a second to load, and most commands never call AWS. */
const emergencyPath = () => ({
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when a command calls AWS
    ...(require("../apply/client") as typeof import("../apply/client")),
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when a command calls AWS
    ...(require("../apply/emergency") as typeof import("../apply/emergency")),
});

/** What a command runs with. */
export interface Environment {
    /** The project folder: where the command runs. */
    root: string;
    /** The program the offline plans run: the project's own (the guard's trusted judge: the base's). */
    programRoot: string;
    /** The instant the command runs at: it decides cutoffs, what is in force and what is valid. */
    now: Date;
    /** The clock for waits, deadlines and timeouts. */
    time: Time;
    /** The system's temporary folder. */
    temporaryFolder: string;
    /** The process's environment variables (GitHub's, the Pulumi CLI's, the AWS SDK's). */
    variables: Readonly<Record<string, string | undefined>>;
    /** REVOCABLE_ROLES_DEBUG: an unexpected error is printed with its stack. */
    debug: boolean;
    /** How the emergency path reaches AWS. */
    aws: AwsAccess;
}

/** The system's clock. */
export const systemTime: Time = {
    now: () => Date.now(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    // AbortSignal.timeout takes whole milliseconds only; a backoff's jitter is a fraction.
    timeout: (ms) => AbortSignal.timeout(Math.max(0, Math.ceil(ms))),
    random: () => Math.random(),
};

/** The default region of the AWS SDK's own reading: AWS_REGION, else AWS_DEFAULT_REGION, else us-east-1. */
export function regionOf(variables: Readonly<Record<string, string | undefined>>): string {
    return variables.AWS_REGION ?? variables.AWS_DEFAULT_REGION ?? "us-east-1";
}

/** AWS as the emergency path reaches it by default: the SDK's clients on the standard credential chain, on `time`. */
export function awsAccess(variables: Readonly<Record<string, string | undefined>>, time: Time): AwsAccess {
    return {
        region: regionOf(variables),
        endpointVariables: variables,
        client: (endpoint, region, credentials) => emergencyPath().iamClient(endpoint, region, credentials),
        account: (endpoint, region, signal, credentials) => emergencyPath().callerAccount(endpoint, region, signal, credentials),
        organizations: (endpoint, region, credentials = {}) => {
            // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when an organization stack is verified
            const { OrganizationsClient } = require("@aws-sdk/client-organizations") as typeof import("@aws-sdk/client-organizations");
            const { iamClientConfig, credentialsOf } = emergencyPath();
            return new OrganizationsClient({ ...iamClientConfig(endpoint, region), ...credentialsOf(credentials, endpoint, region) });
        },
        schedule: (deadlineMs) => emergencyPath().defaultSchedule(deadlineMs, time),
    };
}

/** Whether REVOCABLE_ROLES_STACK_TRACES asks to keep stack traces (they cost seconds on large plans). */
export function keepsStackTraces(variables: Readonly<Record<string, string | undefined>>): boolean {
    return variables.REVOCABLE_ROLES_STACK_TRACES !== undefined;
}

/**
 * The environment of this process, in the folder it was started in. It also quiets the AWS SDK's
 * notice that its 2027 releases need Node.js 22: noise in the middle of an incident.
 */
export function processEnvironment(): Environment {
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
    const variables = { ...process.env };
    return {
        root: process.cwd(),
        programRoot: process.cwd(),
        now: new Date(),
        time: systemTime,
        temporaryFolder: os.tmpdir(),
        variables,
        debug: variables.REVOCABLE_ROLES_DEBUG !== undefined,
        aws: awsAccess(variables, systemTime),
    };
}

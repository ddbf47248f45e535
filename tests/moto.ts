/**
 * A real IAM API for tests: moto's server, started on a free loopback port and stopped after.
 * When moto_server is missing the suite is skipped with install instructions, except under
 * CI=true, where a missing server is a failure.
 */
import { IAMClient } from "@aws-sdk/client-iam";
import { MOTO_INSTALL_HINT, startMotoServer } from "../cli/localIam";

export { MOTO_INSTALL_HINT };

/** A running moto server. */
export interface Moto {
    endpoint: string;
    client: IAMClient;
    stop(): Promise<void>;
}

/**
 * Starts moto_server, or returns undefined when it is not installed (never under CI=true). With
 * `managedPolicies`, IAM carries AWS's managed policy documents (loading them costs about 0.8 s).
 */
export async function startMoto(options: { managedPolicies?: boolean } = {}): Promise<Moto | undefined> {
    const server = await startMotoServer(options);
    if (server === undefined) {
        if (process.env.CI === "true") throw new Error(MOTO_INSTALL_HINT);
        return undefined;
    }
    // The SDK warns once per process that its 2027 releases need Node 22; irrelevant to a test run.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
    const client = new IAMClient({
        endpoint: server.endpoint,
        region: "us-east-1",
        credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
    });
    return {
        endpoint: server.endpoint,
        client,
        stop: () => {
            client.destroy();
            return server.stop();
        },
    };
}

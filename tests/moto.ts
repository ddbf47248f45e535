/**
 * A real IAM API for tests: moto's server, started on a free loopback port and stopped after.
 * When moto_server is missing the suite is skipped with install instructions, except under
 * CI=true, where a missing server is a failure.
 */
import { ChildProcess, spawn } from "child_process";
import * as net from "net";
import { IAMClient } from "@aws-sdk/client-iam";

export const MOTO_INSTALL_HINT = 'moto_server is not installed; install it with: pip install "moto[server]"';

function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = net.createServer();
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => {
            const { port } = server.address() as net.AddressInfo;
            server.close(() => resolve(port));
        });
    });
}

async function waitUntilUp(url: string, child: ChildProcess, deadline: number): Promise<void> {
    while (Date.now() < deadline) {
        if (child.exitCode !== null) throw new Error(`moto_server exited with code ${child.exitCode}`);
        try {
            await fetch(`${url}/moto-api/`);
            return;
        } catch {
            await new Promise((r) => setTimeout(r, 100));
        }
    }
    throw new Error("moto_server did not answer within 30 s");
}

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
    const port = await freePort();
    const child = spawn("moto_server", ["-H", "127.0.0.1", "-p", String(port)], {
        stdio: "ignore",
        env: { ...process.env, MOTO_IAM_LOAD_MANAGED_POLICIES: String(options.managedPolicies === true) },
    });
    const missing = await new Promise<boolean>((resolve) => {
        child.once("error", (error: NodeJS.ErrnoException) => resolve(error.code === "ENOENT"));
        child.once("spawn", () => resolve(false));
    });
    if (missing) {
        if (process.env.CI === "true") throw new Error(MOTO_INSTALL_HINT);
        return undefined;
    }
    const endpoint = `http://127.0.0.1:${port}`;
    // The SDK warns once per process that its 2027 releases need Node 22; irrelevant to a test run.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
    await waitUntilUp(endpoint, child, Date.now() + 30_000);
    const client = new IAMClient({
        endpoint,
        region: "us-east-1",
        credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
    });
    return {
        endpoint,
        client,
        stop: () =>
            new Promise<void>((resolve) => {
                client.destroy();
                if (child.exitCode !== null) return resolve();
                child.once("exit", () => resolve());
                child.kill("SIGTERM");
            }),
    };
}

/**
 * A local IAM API: moto's server on a free loopback port, for practising the emergency path
 * (`drill`), rebuilding the managed policy catalog and the tests. Never an AWS endpoint.
 */
import { ChildProcess, spawn } from "child_process";
import * as net from "net";

/** How to install moto's server, for messages. */
export const MOTO_INSTALL_HINT = 'moto_server is not installed; install it with: pip install "moto[server]==5.2.1"';

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
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

/** A running moto server on loopback. */
export interface MotoServer {
    endpoint: string;
    stop(): Promise<void>;
}

/**
 * Starts moto_server on 127.0.0.1, or returns undefined when it is not installed. With
 * `managedPolicies`, IAM carries AWS's managed policy documents (loading them costs about 0.8 s).
 */
export async function startMotoServer(options: {
    /** The environment moto_server runs with: the command's. */
    env: Readonly<Record<string, string | undefined>>;
    managedPolicies?: boolean;
    account?: string;
}): Promise<MotoServer | undefined> {
    const port = await freePort();
    const child = spawn("moto_server", ["-H", "127.0.0.1", "-p", String(port)], {
        stdio: "ignore",
        env: {
            ...options.env,
            MOTO_IAM_LOAD_MANAGED_POLICIES: String(options.managedPolicies === true),
            // The account every request acts in (moto's default is 123456789012).
            ...(options.account === undefined ? {} : { MOTO_ACCOUNT_ID: options.account }),
        },
    });
    const missing = await new Promise<boolean>((resolve) => {
        child.once("error", (error: NodeJS.ErrnoException) => resolve(error.code === "ENOENT"));
        child.once("spawn", () => resolve(false));
    });
    if (missing) return undefined;
    const endpoint = `http://127.0.0.1:${port}`;
    const stop = () =>
        new Promise<void>((resolve) => {
            if (child.exitCode !== null) return resolve();
            child.once("exit", () => resolve());
            child.kill("SIGTERM");
        });
    try {
        await waitUntilUp(endpoint, child, Date.now() + 30_000);
    } catch (error) {
        await stop();
        throw error;
    }
    return { endpoint, stop };
}

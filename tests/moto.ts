/**
 * A real IAM API for tests: moto's server, started once on a free loopback port for the whole
 * run and stopped after it. Suites share it and keep apart by account (moto reads the account of
 * a request from the x-moto-account-id header), so one suite's roles never meet another's. When
 * moto_server is missing the suites are skipped with install instructions, except under CI=true,
 * where a missing server is a failure.
 */
import { IAMClient } from "@aws-sdk/client-iam";
import { MOTO_INSTALL_HINT, MotoServer, startMotoServer } from "../apply/localIam";

export { MOTO_INSTALL_HINT };

/** The shared server, as one suite sees it: the endpoint, and a client acting in the suite's account. */
export interface Moto {
    endpoint: string;
    /** An IAM client in the suite's account. */
    client: IAMClient;
    /** Ends the suite's use (its client); the server stops after the run. */
    stop(): Promise<void>;
}

/** moto's default account: requests without the header act in it. */
export const MOTO_DEFAULT_ACCOUNT = "123456789012";

let server: Promise<MotoServer | undefined> | undefined;

after(async () => {
    await (await server)?.stop();
});

/**
 * Makes an AWS SDK client's requests act in `account` on moto, which reads the account of a
 * request from the x-moto-account-id header. Every client's stack takes the same build middleware;
 * their types differ only by the service, hence the one cast.
 */
export function inMotoAccount<T extends { middlewareStack: unknown }>(client: T, account: string): T {
    (client.middlewareStack as IAMClient["middlewareStack"]).add(
        (next) => async (args) => {
            (args.request as { headers: Record<string, string> }).headers["x-moto-account-id"] = account;
            return next(args);
        },
        { step: "build" },
    );
    return client;
}

/** An IAM client on the server, acting in `account` (moto's default one when none is given). */
export function motoClient(endpoint: string, account?: string): IAMClient {
    const client = new IAMClient({ endpoint, region: "us-east-1", credentials: { accessKeyId: "testing", secretAccessKey: "testing" } });
    return account === undefined ? client : inMotoAccount(client, account);
}

/**
 * The run's moto server (started on first use, with AWS's managed policy documents loaded for the
 * contract test), or undefined when moto_server is not installed (never under CI=true).
 */
export async function startMoto(account?: string): Promise<Moto | undefined> {
    // The SDK warns once per process that its 2027 releases need Node 22; irrelevant to a test run.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
    server ??= startMotoServer({ env: process.env, managedPolicies: true });
    const started = await server;
    if (started === undefined) {
        if (process.env.CI === "true") throw new Error(MOTO_INSTALL_HINT);
        return undefined;
    }
    const client = motoClient(started.endpoint, account);
    return {
        endpoint: started.endpoint,
        client,
        stop: async () => client.destroy(),
    };
}

/**
 * The run's moto server for the calling describe: started before its tests and handed to `use`;
 * when moto_server is missing, the tests are skipped with the install instructions. The suite's
 * client ends after them.
 */
export function useMoto(use: (moto: Moto) => void | Promise<void>, account?: string): void {
    let moto: Moto | undefined;

    before(async function () {
        moto = await startMoto(account);
        if (moto === undefined) {
            console.log(`      skipped: ${MOTO_INSTALL_HINT}`);
            this.skip();
        }
        await use(moto);
    });

    after(async () => {
        await moto?.stop();
    });
}

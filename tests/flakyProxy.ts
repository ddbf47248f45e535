/**
 * An unreliable IAM endpoint for tests and the benchmark: a loopback proxy in front of moto that
 * adds latency to every call and throttles, fails, cuts off or never answers some, chosen by a
 * rule, and counts what it did.
 */
import * as http from "http";
import * as net from "net";

/** What the proxy does with one IAM call, given its action, role name and sequence number. */
export type Fault = "pass" | "throttle" | "error" | "reset" | "stall";
export type FaultRule = (call: { action: string; roleName: string; index: number }) => Fault;

/** A running proxy. */
export interface FlakyProxy {
    endpoint: string;
    /** Calls seen, by fault. */
    counts: Record<Fault, number>;
    /** What each call of each role met, in order, by role name. */
    history: Map<string, Fault[]>;
    stop(): Promise<void>;
}

const THROTTLED =
    "<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>flaky</RequestId></ErrorResponse>";
const FAILED =
    "<ErrorResponse><Error><Type>Receiver</Type><Code>ServiceFailure</Code><Message>Internal failure</Message></Error><RequestId>flaky</RequestId></ErrorResponse>";

/** How the proxy behaves besides its rule. */
export interface ProxyOptions {
    /** Every call waits this long before it is answered or forwarded: the round trip of a real API. @default 0 */
    latencyMs?: number;
    /** The moto account the calls act in (moto reads it from a header), for a caller that cannot set it: a command run as a process. */
    account?: string;
}

/** Starts a proxy to `target` (an http://127.0.0.1:port endpoint) on a free loopback port. */
export async function startFlakyProxy(target: string, rule: FaultRule, options: ProxyOptions = {}): Promise<FlakyProxy> {
    const upstream = new URL(target);
    const counts: Record<Fault, number> = { pass: 0, throttle: 0, error: 0, reset: 0, stall: 0 };
    /** What each role's calls met, so a test can show that a role meeting a fault was tried again. */
    const history = new Map<string, Fault[]>();
    let index = 0;
    const server = http.createServer((request, response) => {
        const chunks: Buffer[] = [];
        request.on("data", (chunk: Buffer) => chunks.push(chunk));
        request.on("end", () => (options.latencyMs ? setTimeout(answer, options.latencyMs) : answer()));
        const answer = () => {
            const body = Buffer.concat(chunks);
            const form = new URLSearchParams(body.toString("utf8"));
            const roleName = form.get("RoleName") ?? "";
            const fault = rule({ action: form.get("Action") ?? "", roleName, index: index++ });
            counts[fault]++;
            history.set(roleName, [...(history.get(roleName) ?? []), fault]);
            // Accepted and never answered: only the caller's timeout ends it.
            if (fault === "stall") return;
            if (fault === "reset") {
                request.socket.destroy();
                return;
            }
            if (fault !== "pass") {
                response.writeHead(fault === "throttle" ? 400 : 500, { "content-type": "text/xml" });
                response.end(fault === "throttle" ? THROTTLED : FAILED);
                return;
            }
            const forward = http.request(
                {
                    host: upstream.hostname,
                    port: upstream.port,
                    path: request.url,
                    method: request.method,
                    headers: {
                        ...request.headers,
                        host: upstream.host,
                        ...(options.account === undefined ? {} : { "x-moto-account-id": options.account }),
                    },
                },
                (reply) => {
                    response.writeHead(reply.statusCode ?? 500, reply.headers);
                    reply.pipe(response);
                },
            );
            forward.on("error", () => response.destroy());
            forward.end(body);
        };
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as net.AddressInfo;
    return {
        endpoint: `http://127.0.0.1:${port}`,
        counts,
        history,
        stop: () =>
            new Promise<void>((resolve) => {
                server.closeAllConnections();
                server.close(() => resolve());
            }),
    };
}

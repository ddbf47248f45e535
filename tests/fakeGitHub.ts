/**
 * GitHub's REST API as the override reads it, answered from a server of the test's own on
 * loopback: each route a path (with its query) and what it answers. Lists are served in pages of
 * `perPage` with GitHub's `Link` header; every request is recorded with its token.
 */
import * as http from "http";
import type { AddressInfo } from "net";

/** What a route answers: a JSON body (status 200), or a status and a body. */
export type Answer = unknown | { status: number; body: unknown };

/** A running fake: its URL (GITHUB_API_URL), the requests it saw, and how to stop it. */
export interface FakeGitHub {
    url: string;
    requests: { path: string; authorization?: string }[];
    close(): Promise<void>;
}

const isAnswer = (value: unknown): value is { status: number; body: unknown } =>
    typeof value === "object" && value !== null && "status" in value && "body" in value;

/**
 * Starts the fake. A route whose body is an array is a list: `?per_page=` and `&page=` are
 * answered in pages of `perPage` (not GitHub's 100, so that a test sees several), the next one
 * named in `Link`. A path no route names answers 404 as GitHub does; `hang` routes never answer.
 */
export async function fakeGitHub(routes: Record<string, Answer>, options: { perPage?: number; hang?: string[] } = {}): Promise<FakeGitHub> {
    const perPage = options.perPage ?? 2;
    const requests: FakeGitHub["requests"] = [];
    const server = http.createServer((request, response) => {
        const url = new URL(request.url ?? "/", "http://127.0.0.1");
        requests.push({ path: `${url.pathname}${url.search}`, authorization: request.headers.authorization });
        if (options.hang?.includes(url.pathname)) return;
        const route = Object.hasOwn(routes, url.pathname) ? routes[url.pathname] : undefined;
        const send = (status: number, body: unknown, link?: string) => {
            response.writeHead(status, { "content-type": "application/json", ...(link === undefined ? {} : { link }) });
            response.end(JSON.stringify(body));
        };
        if (route === undefined) return send(404, { message: "Not Found" });
        if (isAnswer(route)) return send(route.status, route.body);
        if (!Array.isArray(route)) return send(200, route);
        const page = Number(url.searchParams.get("page") ?? "1");
        const items = route.slice((page - 1) * perPage, page * perPage);
        const next =
            page * perPage < route.length
                ? `<http://127.0.0.1:${port}${url.pathname}?per_page=100&page=${page + 1}>; rel="next"`
                : undefined;
        send(200, items, next);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as AddressInfo).port;
    return {
        url: `http://127.0.0.1:${port}`,
        requests,
        close: () =>
            new Promise<void>((resolve) => {
                server.closeAllConnections();
                server.close(() => resolve());
            }),
    };
}

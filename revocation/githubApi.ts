/**
 * A small client of GitHub's REST API, for what the override reads: a pull request, its reviews,
 * the pull requests of a commit, a team membership. JSON over `fetch`, the token in a header,
 * every call under a timeout, pages followed through the `Link` header but never to another
 * origin (the token goes only to the API it was given for), and every failure a message that
 * names the call and what to do. The command line makes it from the job's environment
 * (`GITHUB_API_URL`, `GITHUB_TOKEN`, `GITHUB_REPOSITORY`) and hands it in; a test points it at a
 * server of its own on loopback.
 */
import { RevocationError } from "./errors";

/** One answer: its status and its JSON body. */
export interface GitHubAnswer {
    status: number;
    body: unknown;
}

/** The calls the override makes. */
export interface GitHubApi {
    /** The API's address, as messages name it. */
    readonly url: string;
    /** GET one document; a status outside 2xx throws, unless it is in `expected`. */
    get(path: string, expected?: readonly number[]): Promise<GitHubAnswer>;
    /** GET a list, every page of it (100 items a page, at most {@link MAX_PAGES} pages). */
    list(path: string): Promise<unknown[]>;
}

/** The API a repository is read through. */
export interface GitHubAccess {
    /** `owner/name`. */
    repository: string;
    api: GitHubApi;
}

/** How long one call may take. */
export const GITHUB_TIMEOUT_MS = 15_000;

/** The most pages a list is read to: 5,000 reviews or pull requests. */
export const MAX_PAGES = 50;

/** What the client needs: where, with which token, and how calls are timed out. */
export interface GitHubApiOptions {
    /** GITHUB_API_URL: `https://api.github.com`, or a GitHub Enterprise Server's `https://host/api/v3`. */
    url: string;
    token: string;
    /** A signal that aborts after `ms` (the command's time). */
    timeout: (ms: number) => AbortSignal;
    /** @default GITHUB_TIMEOUT_MS */
    timeoutMs?: number;
}

/** The URL of the next page, from a `Link` header. */
function nextPage(link: string | null): string | undefined {
    if (link === null) return undefined;
    for (const part of link.split(",")) {
        const [target, ...parameters] = part.split(";").map((p) => p.trim());
        if (parameters.includes('rel="next"') && target.startsWith("<") && target.endsWith(">")) return target.slice(1, -1);
    }
    return undefined;
}

/** A client of the API at `options.url`. */
export function gitHubApi(options: GitHubApiOptions): GitHubApi {
    const base = options.url.replace(/\/+$/, "");
    const origin = new URL(base).origin;
    const timeoutMs = options.timeoutMs ?? GITHUB_TIMEOUT_MS;
    const call = async (url: string, expected: readonly number[]): Promise<GitHubAnswer & { next?: string }> => {
        const what = `GET ${url}`;
        let response: Response;
        try {
            response = await fetch(url, {
                headers: {
                    accept: "application/vnd.github+json",
                    authorization: `Bearer ${options.token}`,
                    "x-github-api-version": "2022-11-28",
                    "user-agent": "revocable-roles",
                },
                redirect: "error",
                signal: options.timeout(timeoutMs),
            });
        } catch (error) {
            const name = (error as Error)?.name;
            if (name === "TimeoutError" || name === "AbortError")
                throw new RevocationError(`GitHub's API did not answer ${what} within ${timeoutMs / 1000} s`);
            const cause = (error as { cause?: { code?: string; message?: string } }).cause;
            throw new RevocationError(
                `cannot reach GitHub's API for ${what}: ${cause?.code ?? cause?.message ?? (error as Error).message}`,
            );
        }
        let text: string;
        try {
            text = await response.text();
        } catch {
            throw new RevocationError(`GitHub's API did not finish its answer to ${what} within ${timeoutMs / 1000} s`);
        }
        let body: unknown;
        try {
            body = text === "" ? null : JSON.parse(text);
        } catch {
            throw new RevocationError(`GitHub's API answered ${what} with ${response.status} and a body that is not JSON`);
        }
        if (!response.ok && !expected.includes(response.status)) {
            const message = (body as { message?: unknown } | null)?.message;
            const hint =
                response.status === 401
                    ? ": the token (GITHUB_TOKEN) is missing, expired or wrong"
                    : response.status === 403 || response.status === 404
                      ? ": the token (GITHUB_TOKEN) may not read it (the job needs pull-requests: read and contents: read)"
                      : "";
            throw new RevocationError(
                `GitHub's API answered ${what} with ${response.status}${typeof message === "string" ? ` (${message})` : ""}${hint}`,
            );
        }
        return { status: response.status, body, next: nextPage(response.headers.get("link")) };
    };
    return {
        url: base,
        async get(path, expected = []) {
            const { status, body } = await call(`${base}${path}`, expected);
            return { status, body };
        },
        async list(path) {
            const items: unknown[] = [];
            let url: string | undefined = `${base}${path}${path.includes("?") ? "&" : "?"}per_page=100`;
            for (let page = 1; url !== undefined; page++) {
                if (page > MAX_PAGES)
                    throw new RevocationError(`GitHub's API lists more than ${MAX_PAGES} pages for GET ${base}${path}; not read further`);
                if (new URL(url).origin !== origin)
                    throw new RevocationError(`GitHub's API named a next page on another origin (${url}); the token is not sent there`);
                const answer: GitHubAnswer & { next?: string } = await call(url, []);
                if (!Array.isArray(answer.body))
                    throw new RevocationError(`GitHub's API answered GET ${url} with something that is not a list`);
                items.push(...(answer.body as unknown[]));
                url = answer.next;
            }
            return items;
        },
    };
}

/**
 * The API of the job's repository, from GitHub's variables, or why it cannot be reached: the
 * override is checked only when frozen paths changed, so a missing token fails only then.
 */
export function gitHubAccess(
    variables: Readonly<Record<string, string | undefined>>,
    timeout: (ms: number) => AbortSignal,
): GitHubAccess | string {
    const token = variables.GITHUB_TOKEN;
    const repository = variables.GITHUB_REPOSITORY;
    if (token === undefined || token === "") return "GITHUB_TOKEN is not set (the workflow step's env must pass github.token)";
    if (repository === undefined || !/^[^/\s]+\/[^/\s]+$/.test(repository))
        return `GITHUB_REPOSITORY is ${repository === undefined ? "not set" : JSON.stringify(repository)}, not owner/name`;
    const url =
        variables.GITHUB_API_URL === undefined || variables.GITHUB_API_URL === "" ? "https://api.github.com" : variables.GITHUB_API_URL;
    try {
        new URL(url);
    } catch {
        return `GITHUB_API_URL ${JSON.stringify(url)} is not a URL`;
    }
    return { repository, api: gitHubApi({ url, token, timeout }) };
}

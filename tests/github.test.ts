/**
 * Texts meant for GitHub fit its 65,536-character limit at any size: the pull-request body of a
 * revocation of hundreds of chained roles, the guard's comment, the prune's body. Each is the
 * full text when it fits, else a summary that names the full report, which holds everything.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { Capture, project, environment } from "./helpers";
import { Finding } from "../guard";
import { syntheticKey, syntheticStack } from "../bench/synthetic";
import { GITHUB_TEXT_LIMIT, fitForGitHub } from "../revocation/github";
import { RevokeJson } from "../revocation/pullRequest";
import { formatMarkdown } from "../revocation/guardReport";
import { prunePullRequest, RevocationRow } from "../revocation/revocations";
import { commandMain } from "../cli/main";
import { gitHubAccess, gitHubApi } from "../revocation/githubApi";
import { fakeGitHub } from "./fakeGitHub";

const revoke = commandMain("revoke");

describe("texts for GitHub", () => {
    it("keep a text that fits, summarise one that does not, and cut a summary that still does not at a line end", () => {
        const line = "x".repeat(99);
        const long = Array.from({ length: 1000 }, () => line).join("\n");
        assert.deepStrictEqual(
            fitForGitHub("short", () => "unused"),
            { text: "short", summarised: false },
        );
        assert.deepStrictEqual(
            fitForGitHub(long, () => "the summary"),
            { text: "the summary", summarised: true },
        );
        const cut = fitForGitHub(long, () => long, 1000);
        assert.deepStrictEqual(
            {
                length: cut.text.length <= 1000,
                lines: cut.text.split("\n").length,
                last: cut.text.split("\n").at(-1),
                summarised: cut.summarised,
            },
            { length: true, lines: 11, last: "_Cut here to fit GitHub's limit; the full report has the rest._", summarised: true },
        );
        assert.strictEqual(GITHUB_TEXT_LIMIT, 65_536);
    });

    it("revoke --with-chained of 299 chained roles: a body under the limit that names the full report, which lists every role", async function () {
        this.timeout(30_000);
        const root = project({ "Pulumi.chain.yaml": syntheticStack(300, { chained: true }) });
        const out = new Capture();
        const err = new Capture();
        const code = await revoke(
            [
                "--stack",
                "chain",
                "--role",
                syntheticKey(0),
                "--with-chained",
                "--at",
                "2026-11-27T10:00:00Z",
                "--json",
                "--report-file",
                "full.md",
            ],
            out,
            err,
            environment({ root, now: new Date("2026-11-27T12:00:00Z") }),
        );
        assert.deepStrictEqual({ code, stderr: err.text }, { code: 0, stderr: "" });
        const json = JSON.parse(out.text) as RevokeJson;
        const full = fs.readFileSync(path.join(root, "full.md"), "utf8");
        const lines = json.body.split("\n");
        assert.deepStrictEqual(
            {
                roles: json.roles.length,
                reportFile: json.reportFile,
                title: json.title,
                fits: json.body.length <= GITHUB_TEXT_LIMIT,
                note: lines[2],
                table: lines.find((l) => l.startsWith("| Roles |"))!.endsWith(", and 250 more |"),
                more: lines.filter((l) => l.startsWith("- ... and ")),
                fullListsEvery: Array.from({ length: 300 }, (_, i) => syntheticKey(i)).every((key) => full.includes(`\`${key}\``)),
                fullIsLonger: full.length > GITHUB_TEXT_LIMIT,
            },
            {
                roles: 300,
                reportFile: path.join(root, "full.md"),
                title: `Revoke sessions of ${[0, 1, 2, 3, 4].map(syntheticKey).join(", ")} and 295 more roles (chain) issued before 2026-11-27T10:00:00Z`,
                fits: true,
                note: "> This body is a summary: it lists the first roles of 300. The full report is in `full.md`, written by revoke beside this body: attach it to the pull request.",
                table: true,
                more: ["- ... and 279 more reachable roles (the full report lists them)"],
                fullListsEvery: true,
                fullIsLonger: true,
            },
        );
        // A chain of more than four links is written by its ends and its last link, so the report grows linearly.
        assert.ok(full.includes(`- \`${syntheticKey(0)} -> ... -> ${syntheticKey(298)} -> ${syntheticKey(299)} (299 links)\``));
    });

    it("the guard's comment lists the first 100 findings, failures first, and names the artifact with all of them", () => {
        const findings: Finding[] = Array.from({ length: 600 }, (_, i) => ({
            verdict: i % 2 === 0 ? "fail" : "pass",
            subject: { kind: "role", stack: "prod", key: `role-${i}` },
            message: `finding ${i} ${"detail ".repeat(20)}`,
        })) as Finding[];
        const summary = formatMarkdown(findings, "abc123", "revocable-roles-guard");
        const rows = summary.split("\n").filter((l) => l.startsWith("| ❌") || l.startsWith("| ✅"));
        assert.deepStrictEqual(
            {
                fullTooLong: formatMarkdown(findings, "abc123").length > GITHUB_TEXT_LIMIT,
                fits: summary.length <= GITHUB_TEXT_LIMIT,
                note: summary.split("\n")[4],
                rows: rows.length,
                allFailures: rows.every((r) => r.startsWith("| ❌")),
            },
            {
                fullTooLong: true,
                fits: true,
                note: "> 600 findings are too many for a comment: the first 100 are below, failures first; all of them are in the artifact `revocable-roles-guard` of this workflow run.",
                rows: 100,
                allFailures: true,
            },
        );
    });

    it("the prune's body lists the first 200 revocations when all of them would not fit", () => {
        const rows: RevocationRow[] = Array.from({ length: 1000 }, (_, i) => ({
            stack: `stack-${i % 7}`,
            role: `role-${i}`,
            cutoff: "2026-11-20T08:00:00Z",
            safeToRemoveAfter: "2026-11-20T21:00:00Z",
            state: "removable",
        }));
        const full = prunePullRequest(rows, undefined);
        const summary = prunePullRequest(rows, undefined, { rows: 200, note: "the note" });
        assert.deepStrictEqual(
            {
                fullTooLong: full.body.length > GITHUB_TEXT_LIMIT,
                fits: summary.body.length <= GITHUB_TEXT_LIMIT,
                title: summary.title,
                tableRows: summary.body.split("\n").filter((l) => l.startsWith("| `stack-")).length,
                more: summary.body.split("\n").filter((l) => l.startsWith("| ... |")),
                note: summary.body.split("\n").includes("> the note"),
            },
            {
                fullTooLong: true,
                fits: true,
                title: "Remove 1000 revocation(s) past their window (stack-0, stack-1, stack-2, stack-3, stack-4 and 2 more stacks)",
                tableRows: 200,
                more: ["| ... | 800 more | | |"],
                note: true,
            },
        );
    });
});

describe("the GitHub API client", () => {
    const timeout = (ms: number) => AbortSignal.timeout(ms);

    it("reads every page of a list with the token, and refuses a next page on another origin", async () => {
        const server = await fakeGitHub({ "/items": [1, 2, 3, 4, 5] });
        try {
            const api = gitHubApi({ url: `${server.url}/`, token: "t", timeout });
            assert.deepStrictEqual(await api.list("/items"), [1, 2, 3, 4, 5]);
            assert.deepStrictEqual(
                server.requests.map((r) => `${r.authorization} ${r.path}`),
                ["Bearer t /items?per_page=100", "Bearer t /items?per_page=100&page=2", "Bearer t /items?per_page=100&page=3"],
            );
            // The same server under another name is another origin: the token is not sent to the page it names.
            const other = gitHubApi({ url: server.url.replace("127.0.0.1", "localhost"), token: "t", timeout });
            await assert.rejects(other.list("/items"), {
                message: `GitHub's API named a next page on another origin (${server.url}/items?per_page=100&page=2); the token is not sent there`,
            });
        } finally {
            await server.close();
        }
    });

    it("names the call and what to do on a refusal, no answer in time, and no server", async () => {
        const server = await fakeGitHub({ "/private": { status: 401, body: { message: "Bad credentials" } } }, { hang: ["/slow"] });
        const api = gitHubApi({ url: server.url, token: "t", timeout, timeoutMs: 200 });
        try {
            await assert.rejects(api.get("/private"), {
                message: `GitHub's API answered GET ${server.url}/private with 401 (Bad credentials): the token (GITHUB_TOKEN) is missing, expired or wrong`,
            });
            assert.deepStrictEqual(await api.get("/private", [401]), {
                status: 401,
                body: { message: "Bad credentials" },
            });
            await assert.rejects(api.get("/slow"), { message: `GitHub's API did not answer GET ${server.url}/slow within 0.2 s` });
        } finally {
            await server.close();
        }
        const gone = await fakeGitHub({});
        await gone.close();
        await assert.rejects(gitHubApi({ url: gone.url, token: "t", timeout }).get("/x"), {
            message: `cannot reach GitHub's API for GET ${gone.url}/x: ECONNREFUSED`,
        });
        assert.deepStrictEqual(
            [
                gitHubAccess({ GITHUB_TOKEN: "t" }, timeout),
                gitHubAccess({ GITHUB_TOKEN: "t", GITHUB_REPOSITORY: "acme/infra", GITHUB_API_URL: "not a url" }, timeout),
            ],
            ["GITHUB_REPOSITORY is not set, not owner/name", 'GITHUB_API_URL "not a url" is not a URL'],
        );
    });
});

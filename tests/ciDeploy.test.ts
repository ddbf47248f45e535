/**
 * `ci deploy`, run as the deploy workflow runs it: judged against the commit deployed last (the
 * stack tag a fake `pulumi` keeps), and a frozen change deployed only with its merged pull
 * request's override.
 */
import * as assert from "assert";
import { commitFiles, git, repository } from "./helpers";
import { DEPLOYED_COMMIT_TAG } from "../revocation/workflow";
import { OVERRIDE_LABEL } from "../guard/override";
import { FakeGitHub, fakeGitHub } from "./fakeGitHub";
import { BASE, WRITERS, fakePulumi, NOW, inProcess, revoked, calls } from "./ciHarness";

const COMPONENT = "revocable-roles:index:RevocableRole";

describe("npm run ci -- deploy: judged against the commit deployed last (the stack tag)", function () {
    this.timeout(30_000);
    const urn = (name: string) => `urn:pulumi:review::revocable-roles::${COMPONENT}$aws:iam/rolePolicy:RolePolicy::${name}`;
    const roleUrn = (name: string) => `urn:pulumi:review::revocable-roles::${COMPONENT}$aws:iam/role:Role::${name}`;
    const full = "up --yes --refresh --stack review";
    const tagLs = "stack tag ls --json --stack review";
    const tagSet = (sha: string) => `stack tag set ${DEPLOYED_COMMIT_TAG} ${sha} --stack review`;

    /** main with the deployed commit, then `heads` committed on top in order; returns the repository and every commit. */
    function history(...heads: string[]): { root: string; commits: string[] } {
        const root = repository({ "Pulumi.review.yaml": BASE });
        const commits = [git(root, "rev-parse", "HEAD").trim()];
        for (const [i, text] of heads.entries()) commits.push(commitFiles(root, { "Pulumi.review.yaml": text }, `push ${i}`));
        return { root, commits };
    }

    async function deploy(root: string, pulumi: ReturnType<typeof fakePulumi>, env: NodeJS.ProcessEnv = {}, now = NOW) {
        return inProcess(["deploy", "--stack", "review"], root, { PATH: `${pulumi.bin}:${process.env.PATH}`, ...env }, now);
    }

    it("deploys both revocations when the run of the first push was replaced by the second's", async () => {
        // B revokes app, C moves ci's cutoff later; B's run never started, so the tag still names A.
        const withApp = revoked(BASE, "app", "2026-11-27T11:00:00Z");
        const { root, commits } = history(
            withApp,
            withApp.replace('revokeBefore: "2026-11-27T10:15:00Z"', 'revokeBefore: "2026-11-27T11:30:00Z"'),
        );
        const [a, , c] = commits;
        const pulumi = fakePulumi({ review: { [DEPLOYED_COMMIT_TAG]: a } });
        const result = await deploy(root, pulumi);
        assert.deepStrictEqual({ code: result.code, stderr: result.stderr }, { code: 0, stderr: "" });
        assert.deepStrictEqual(calls(pulumi.log), [
            tagLs,
            // Each revocation policy with its role, whose revoked-until tag moves with it.
            `${full} --target ${roleUrn("ci-role")} --target ${urn("ci-revocation")} --target ${roleUrn("app-role")} --target ${urn("app-revocation")}`,
            tagSet(c),
        ]);
        assert.deepStrictEqual(pulumi.tags("review"), { [DEPLOYED_COMMIT_TAG]: c });
        assert.ok(
            result.stdout.includes(
                "Deploying stack review, revocation policies only: only revocation policies changed (2), with their roles' revoked-until tags.\n",
            ),
            result.stdout,
        );
    });

    it("refuses a stale weakening merged after the revocation was deployed: no update, the tag stays", async () => {
        // A (deployed) revokes ci; the pull request checked before that revocation removes it again.
        const { root, commits } = history(BASE.replace('      revokeBefore: "2026-11-27T10:15:00Z"\n', ""));
        const pulumi = fakePulumi({ review: { [DEPLOYED_COMMIT_TAG]: commits[0] } });
        const result = await deploy(root, pulumi);
        assert.deepStrictEqual(
            { code: result.code, stdout: result.stdout.split("\n"), stderr: result.stderr },
            {
                code: 1,
                stdout: [
                    `$ pulumi ${tagLs}`,
                    "FAIL review: role ci: revokeBefore 2026-11-27T10:15:00Z removed before it is safe to remove (2026-11-27T23:15:00Z)",
                    `1 change(s) would weaken a revocation since ${commits[0]}.`,
                    "",
                ],
                stderr: `Not deploying stack review: the change since the commit deployed last (${commits[0]}) would weaken a revocation or cannot be judged.\n`,
            },
        );
        assert.deepStrictEqual(calls(pulumi.log), [tagLs]);
        assert.deepStrictEqual(pulumi.tags("review"), { [DEPLOYED_COMMIT_TAG]: commits[0] });
    });

    it("deploys in full and sets the tag when the stack has none yet", async () => {
        const { root, commits } = history(revoked(BASE, "app", "2026-11-27T11:00:00Z"));
        const pulumi = fakePulumi();
        const result = await deploy(root, pulumi);
        assert.deepStrictEqual(
            { code: result.code, first: result.stdout.split("\n")[1], calls: calls(pulumi.log) },
            {
                code: 0,
                first: `Deploying stack review in full: it has no ${DEPLOYED_COMMIT_TAG} tag yet.`,
                calls: [tagLs, full, tagSet(commits[1])],
            },
        );
    });

    it("deploys in full when anything but revocation policies changes since the tag, and moves the tag", async () => {
        const { root, commits } = history(
            revoked(BASE, "app", "2026-11-27T11:00:00Z").replace('["s3:GetObject"]', '["s3:GetObject", "s3:ListBucket"]'),
        );
        const pulumi = fakePulumi({ review: { [DEPLOYED_COMMIT_TAG]: commits[0] } });
        const result = await deploy(root, pulumi);
        assert.deepStrictEqual(calls(pulumi.log), [tagLs, full, tagSet(commits[1])]);
        assert.ok(
            result.stdout.includes("Deploying stack review in full: 3 resource(s) other than revocation policies change.\n"),
            result.stdout,
        );
    });

    it("unprotects a revocation policy removed after its window before the update that deletes it", async () => {
        const { root, commits } = history(BASE.replace('      revokeBefore: "2026-11-27T10:15:00Z"\n', ""));
        const pulumi = fakePulumi({ review: { [DEPLOYED_COMMIT_TAG]: commits[0] } });
        const result = await deploy(root, pulumi, {}, new Date("2026-11-28T00:00:00Z"));
        assert.strictEqual(result.code, 0, result.stderr);
        assert.deepStrictEqual(calls(pulumi.log), [
            tagLs,
            `state unprotect --yes --stack review ${urn("ci-revocation")}`,
            full,
            tagSet(commits[1]),
        ]);
    });

    it("falls back to a full update when the targeted one fails, then moves the tag", async () => {
        const { root, commits } = history(revoked(BASE, "app", "2026-11-27T11:00:00Z"));
        const pulumi = fakePulumi({ review: { [DEPLOYED_COMMIT_TAG]: commits[0] } });
        const result = await deploy(root, pulumi, { FAKE_TARGET_EXIT: "255" });
        assert.strictEqual(result.code, 0);
        assert.deepStrictEqual(calls(pulumi.log), [
            tagLs,
            `${full} --target ${roleUrn("app-role")} --target ${urn("app-revocation")}`,
            full,
            tagSet(commits[1]),
        ]);
        assert.ok(result.stdout.includes("The targeted update failed (exit code 255); deploying stack review in full.\n"), result.stdout);
    });

    it("refuses to deploy when the commit deployed last is not in the clone", async () => {
        const { root } = history(BASE);
        const missing = "0123456789abcdef0123456789abcdef01234567";
        const pulumi = fakePulumi({ review: { [DEPLOYED_COMMIT_TAG]: missing } });
        const result = await deploy(root, pulumi);
        assert.deepStrictEqual(
            { code: result.code, stderr: result.stderr, calls: calls(pulumi.log) },
            {
                code: 1,
                stderr: `the commit deployed last to review (${missing}, stack tag ${DEPLOYED_COMMIT_TAG}) is not in this clone, so the change cannot be judged and nothing was deployed: fetch the full history (actions/checkout with fetch-depth: 0), or, if that commit is gone for good, check the live revocations and remove the tag (pulumi stack tag rm ${DEPLOYED_COMMIT_TAG} --stack review)\n`,
                calls: [tagLs],
            },
        );
    });
});

describe("npm run ci -- deploy: a frozen change deploys only with its merged pull request's override", function () {
    this.timeout(30_000);
    const PIN = ".github/workflows/pin.yml";
    const PR_HEAD = "c".repeat(40);
    const tagLs = "stack tag ls --json --stack review";
    const SAFE = "2026-11-27T23:15:00Z";

    let server: FakeGitHub | undefined;
    afterEach(async () => {
        await server?.close();
        server = undefined;
    });

    /** A deployed commit holding ci's revocation and the CODEOWNERS, then a merge that pins a workflow; the deploy with GitHub answering `reviews`. */
    async function deployPin(reviews: unknown[]) {
        const root = repository({ "Pulumi.review.yaml": BASE, ".github/CODEOWNERS": "* @alice\n/.github/workflows/ @bob\n" });
        const deployed = git(root, "rev-parse", "HEAD").trim();
        const merged = commitFiles(root, { [PIN]: "name: pinned\n" }, "Merge pull request #12");
        server = await fakeGitHub({
            ...WRITERS,
            [`/repos/acme/infra/commits/${merged}/pulls`]: [
                { number: 12, merged_at: null, user: { login: "eve" }, head: { sha: "d".repeat(40) }, labels: [] },
                {
                    number: 13,
                    merged_at: "2026-11-27T11:30:00Z",
                    user: { login: "mallory" },
                    head: { sha: PR_HEAD },
                    labels: [{ name: OVERRIDE_LABEL }],
                },
            ],
            "/repos/acme/infra/pulls/13/reviews": reviews,
        });
        const pulumi = fakePulumi({ review: { [DEPLOYED_COMMIT_TAG]: deployed } });
        const result = await inProcess(["deploy", "--stack", "review"], root, {
            PATH: `${pulumi.bin}:${process.env.PATH}`,
            GITHUB_TOKEN: "a-token",
            GITHUB_REPOSITORY: "acme/infra",
            GITHUB_API_URL: server.url,
        });
        return { result, deployed, merged, calls: calls(pulumi.log) };
    }

    it("deploys when the merged pull request still carries the label and a code owner's approval of its last head commit, and says whose", async () => {
        const { result, merged, calls: made } = await deployPin([{ user: { login: "bob" }, state: "APPROVED", commit_id: PR_HEAD }]);
        assert.deepStrictEqual(
            { code: result.code, stderr: result.stderr, calls: made, first: result.stdout.split("\n")[1] },
            {
                code: 0,
                stderr: "",
                calls: [tagLs, "up --yes --refresh --stack review", `stack tag set ${DEPLOYED_COMMIT_TAG} ${merged} --stack review`],
                first: `ok   project: ${PIN}: changed while revocations are in force, allowed by the override, checked again before this deploy: commit ${merged.slice(0, 12)}: allowed by the override of pull request #13 (label ${OVERRIDE_LABEL}): code owners approved its head commit ${PR_HEAD.slice(0, 12)}: @bob for ${PIN}; every other rule still applies`,
            },
        );
    });

    it("refuses, before pulumi up, when the approval is not of the merged pull request's last head commit", async () => {
        const {
            result,
            deployed,
            merged,
            calls: made,
        } = await deployPin([{ user: { login: "bob" }, state: "APPROVED", commit_id: "e".repeat(40) }]);
        assert.deepStrictEqual(
            { code: result.code, stderr: result.stderr, calls: made, first: result.stdout.split("\n")[1] },
            {
                code: 1,
                stderr: `Not deploying stack review: the change since the commit deployed last (${deployed}) would weaken a revocation or cannot be judged.\n`,
                calls: [tagLs],
                first: `FAIL project: ${PIN}: changed while revocations are in force (review/ci until ${SAFE}): only stack files and documentation may change until every revocation is safe to remove, because the guard cannot judge what a change to the program, its packages, settings, tools or workflows deploys; merge after ${SAFE}, when every revocation is safe to remove; the deploy checked the override again and it does not hold: commit ${merged.slice(0, 12)} (${PIN}): the override (label ${OVERRIDE_LABEL} on pull request #13) does not apply: no code owner other than the author approved the head commit ${PR_HEAD.slice(0, 12)} for ${PIN} (owners @bob by .github/CODEOWNERS line 2) (@bob approved an earlier commit ${"e".repeat(12)}, not the head ${PR_HEAD.slice(0, 12)})`,
            },
        );
    });
});

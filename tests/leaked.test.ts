/**
 * revoke --leaked: revocation by what leaked, across every stack file of the project, on a fixture
 * of three stack files in two accounts with a chain that crosses them: the roles each kind of
 * source reaches, and the pull request. What it refuses is tests/leakedRefusals.test.ts.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { capture, project, repository, environment } from "./helpers";
import { CI, PROD, STACKS, arn } from "./leakedFixture";
import { commandMain } from "../cli/main";
import { run, CUTOFF, read, NOW } from "./leakedHarness";

const guard = commandMain("guard");

/** The role keys of each stack file that the file revokes before `cutoff`. */
function revokedIn(root: string, cutoff: string): Record<string, string[]> {
    return Object.fromEntries(
        Object.keys(STACKS).map((name) => {
            const text = fs.readFileSync(path.join(root, name), "utf8");
            const keys = [...text.matchAll(/^ {4}([a-z-]+):\n(?:(?! {4}\S).*\n)*? {6}revokeBefore: "([^"]+)"\n/gm)]
                .filter((m) => m[2] === cutoff)
                .map((m) => m[1]);
            return [name, keys];
        }),
    );
}

const rolesOf = (stdout: string) =>
    (JSON.parse(stdout) as { roles: { stack: string; key: string }[] }).roles.map((r) => `${r.stack}/${r.key}`);

describe("revoke --leaked", () => {
    it("revokes, in every stack file at once, exactly the roles a repository's tokens reach, with the path to each; the guard accepts it", async () => {
        const root = repository(STACKS);
        const result = await run(root, ["--leaked", "github:acme/web", "--at", CUTOFF, "--reason", "OIDC token in a build log", "--json"]);
        assert.strictEqual(result.code, 0, result.stderr);
        const json = JSON.parse(result.stdout) as {
            written: string[];
            stacks: string[];
            roles: { key: string; path: string }[];
            title: string;
        };
        assert.deepStrictEqual(
            { written: json.written, stacks: json.stacks, title: json.title, paths: json.roles.map((r) => r.path) },
            {
                written: ["Pulumi.ci.yaml", "Pulumi.prod.yaml", "Pulumi.staging.yaml"],
                stacks: ["ci", "prod", "staging"],
                title: `Revoke sessions reachable by github:acme/web issued before ${CUTOFF} (5 roles in ci, prod, staging)`,
                paths: [
                    "github:acme/web -> deployer (ci)",
                    "github:acme/web -> builder (ci)",
                    "github:acme/web -> deployer (ci) -> prod-admin (prod)",
                    "github:acme/web -> deployer (ci) -> prod-admin (prod) -> db-admin (prod)",
                    "github:acme/web -> deployer (ci) -> prod-admin (prod) -> db-admin (prod) -> reporting (staging)",
                ],
            },
        );
        assert.deepStrictEqual(revokedIn(root, CUTOFF), {
            "Pulumi.ci.yaml": ["deployer", "builder"],
            "Pulumi.prod.yaml": ["prod-admin", "db-admin"],
            "Pulumi.staging.yaml": ["reporting"],
        });
        // One line per role and nothing else changed: the written files are the originals with those lines added.
        for (const [name, text] of Object.entries(read(root))) {
            assert.strictEqual(text.replace(new RegExp(`      revokeBefore: "${CUTOFF}"\n`, "g"), ""), STACKS[name as keyof typeof STACKS]);
        }
        const verdict = await capture((out, err) => guard(["--base", "main"], out, err, environment(environment({ root, now: NOW }))));
        assert.deepStrictEqual(verdict, {
            code: 0,
            stdout: [
                `ok   ci: role deployer: new revocation: revokeBefore ${CUTOFF}`,
                `ok   ci: role builder: new revocation: revokeBefore ${CUTOFF}`,
                `ok   prod: role prod-admin: new revocation: revokeBefore ${CUTOFF}`,
                `ok   prod: role db-admin: new revocation: revokeBefore ${CUTOFF}`,
                `ok   staging: role reporting: new revocation: revokeBefore ${CUTOFF}`,
                "No revocation is weakened since main.",
                "",
            ].join("\n"),
            stderr: "",
        });
    });

    it("prints the roles by stack file, the path to each, and one pull request; --dry-run writes nothing", async () => {
        const root = project(STACKS);
        const result = await run(root, ["--leaked", "github:acme/web", "--at", CUTOFF, "--dry-run"]);
        assert.deepStrictEqual(read(root), STACKS);
        assert.strictEqual(result.code, 0);
        const [listing, title] = result.stdout.split("\nPull request body:\n")[0].split("\nPull request title:\n");
        assert.strictEqual(
            listing,
            [
                `Dry run: nothing was written. 5 role(s) reachable by github:acme/web would be revoked before ${CUTOFF}:`,
                "",
                "Pulumi.ci.yaml:",
                "  deployer  github:acme/web -> deployer (ci)",
                "  builder  github:acme/web -> builder (ci)",
                "",
                "Pulumi.prod.yaml:",
                "  prod-admin  github:acme/web -> deployer (ci) -> prod-admin (prod)",
                "  db-admin  github:acme/web -> deployer (ci) -> prod-admin (prod) -> db-admin (prod)",
                "",
                "Pulumi.staging.yaml:",
                "  reporting  github:acme/web -> deployer (ci) -> prod-admin (prod) -> db-admin (prod) -> reporting (staging)",
                "",
            ].join("\n"),
        );
        assert.strictEqual(title, `Revoke sessions reachable by github:acme/web issued before ${CUTOFF} (5 roles in ci, prod, staging)\n`);
        const body = result.stdout.split("\nPull request body:\n")[1];
        assert.deepStrictEqual(
            body.split("\n").filter((line) => line.startsWith("### ") || line.startsWith("- `npm run revoke")),
            [
                "### Pulumi.ci.yaml (111111111111): 2 roles",
                "### Pulumi.prod.yaml (222222222222): 2 roles",
                "### Pulumi.staging.yaml (111111111111): 1 role",
                "### Why each role is reachable",
                "### What this revocation leaves open",
                "### Applying it now (the emergency path)",
                `- \`npm run revoke -- --stack ci --role deployer --role builder --at ${CUTOFF} --now\``,
                `- \`npm run revoke -- --stack prod --role prod-admin --role db-admin --at ${CUTOFF} --now\``,
                `- \`npm run revoke -- --stack staging --role reporting --at ${CUTOFF} --now\``,
                "### What no role revocation covers",
            ],
        );
        assert.ok(
            body.includes(
                "- github:acme/web -> deployer (ci) -> prod-admin (prod): github:acme/web -> deployer: deployer's trust lets in GitHub Actions tokens whose sub matches repo:acme/web:ref:refs/heads/main; deployer -> prod-admin: prod-admin's trust names deployer's ARN (arn:aws:iam::111111111111:role/deployer); deployer's inline policy assume allows sts:AssumeRole on arn:aws:iam::222222222222:role/prod-admin\n",
            ),
            body,
        );
    });

    it("says, in its pull request, what each revocation leaves open: who can still assume the role, the workloads interrupted, who can undo it", async () => {
        const breakGlass = `    break-glass:\n      trust:\n        accounts: ["${PROD}"]\n      inlinePolicies:\n        undo:\n          Version: "2012-10-17"\n          Statement:\n            - Effect: Allow\n              Action: iam:DeleteRolePolicy\n              Resource: "arn:aws:iam::${PROD}:role/*"\n`;
        const root = project({ ...STACKS, "Pulumi.prod.yaml": STACKS["Pulumi.prod.yaml"] + breakGlass });
        const result = await run(root, ["--leaked", "github:acme/web", "--at", CUTOFF, "--dry-run"]);
        const body = result.stdout.split("\nPull request body:\n")[1];
        const open = body.slice(body.indexOf("### What this revocation leaves open"), body.indexOf("### Applying it now"));
        const heading = (line: string) => line.startsWith("#### ");
        assert.deepStrictEqual(
            { code: result.code, roles: open.split("\n").filter(heading) },
            {
                code: 0,
                roles: [
                    `#### \`deployer\` (${arn(CI, "deployer")})`,
                    `#### \`builder\` (${arn(CI, "builder")})`,
                    `#### \`prod-admin\` (${arn(PROD, "prod-admin")})`,
                    `#### \`db-admin\` (${arn(PROD, "db-admin")})`,
                    `#### \`reporting\` (${arn(CI, "reporting")})`,
                ],
            },
        );
        assert.strictEqual(
            open.split("#### ")[3],
            [
                `\`prod-admin\` (${arn(PROD, "prod-admin")})`,
                "",
                "**Who can still assume it** and get fresh, working sessions (tighten `trust` in this change if the leak came through one of them):",
                `- role ${arn(CI, "deployer")}`,
                "",
                "**Workloads interrupted** (their current credentials are denied too):",
                "- People and programs of the trusted accounts or principals with a session from before the cutoff: their calls are denied until they assume the role again (a long-running job must be restarted or refresh its credentials).",
                "",
                "**Who can undo this revocation** without a pull request (roles that may remove or rewrite its policy, delete the role or rewrite its trust, directly or through roles they can assume, pass or change; identities outside this repository are not known here):",
                `- \`break-glass\` (prod, IAM role break-glass): its inline policy undo (statement 0) allows iam:DeleteRolePolicy on arn:aws:iam::${PROD}:role/*`,
                "",
                "",
            ].join("\n"),
        );
        assert.deepStrictEqual(
            ["deployer", "builder"].map((key) => open.split(`#### \`${key}\``)[1].split("**Workloads interrupted**")[1].split("\n")[1]),
            [
                "- GitHub Actions runs of `acme/web:ref:refs/heads/main` in progress at the cutoff: their credentials are denied from their next AWS call, so a deploy may stop half-way. Rerun them: a new run assumes the role again and gets a working session.",
                "- GitHub Actions runs of `acme/*` in progress at the cutoff: their credentials are denied from their next AWS call, so a deploy may stop half-way. Rerun them: a new run assumes the role again and gets a working session.",
            ],
        );
    });

    it("says when a run without --at moves revocations in force to a later cutoff, which makes an earlier pull request text stale", async () => {
        const root = project(STACKS);
        const first = await run(root, ["--leaked", "github:acme/web"]);
        const later = new Date(NOW.getTime() + 60_000);
        const again = await run(root, ["--leaked", "github:acme/web"], later);
        // A rerun that keeps the cutoff says nothing of it.
        const kept = await run(root, ["--leaked", "github:acme/web", "--at", "2026-12-01T12:01:01Z"], later);
        const moved = (text: string) => text.split("\n").filter((line) => line.startsWith("Without --at"));
        assert.deepStrictEqual(
            {
                codes: [first.code, again.code, kept.code],
                first: moved(first.stdout),
                again: moved(again.stdout),
                kept: moved(kept.stdout),
            },
            {
                codes: [0, 0, 0],
                first: [],
                again: [
                    "Without --at the cutoff is now, 2026-12-01T12:01:01Z: this moves revocations in force later: Pulumi.ci.yaml deployer (was 2026-12-01T12:00:01Z), Pulumi.ci.yaml builder (was 2026-12-01T12:00:01Z), Pulumi.prod.yaml prod-admin (was 2026-12-01T12:00:01Z), Pulumi.prod.yaml db-admin (was 2026-12-01T12:00:01Z), Pulumi.staging.yaml reporting (was 2026-12-01T12:00:01Z). If a pull request for an earlier cutoff is open, its text is stale: use the one below instead, or run again with --at <the earlier cutoff> to keep it.",
                ],
                kept: [],
            },
        );
    });

    it("finds each kind of source's roles: a sub suffix, a declared role's ARN, an account, a SAML provider", async () => {
        const root = project(STACKS);
        const reached = async (source: string) => {
            const result = await run(root, ["--leaked", source, "--at", CUTOFF, "--dry-run", "--json"]);
            assert.strictEqual(result.code, 0, result.stderr);
            return rolesOf(result.stdout);
        };
        assert.deepStrictEqual(
            {
                pullRequest: await reached("github:acme/web:pull_request"),
                main: await reached("github:acme/web:ref:refs/heads/main"),
                other: await reached("github:acme/other"),
                prodAdmin: await reached(arn(PROD, "prod-admin")),
                undeclared: await reached(arn(CI, "deployer-v0")),
                account: await reached(`account:${CI}`),
                saml: await reached(`arn:aws:iam::${PROD}:saml-provider/Okta`),
                nobody: await reached(`arn:aws:iam::${PROD}:saml-provider/Other`),
            },
            {
                pullRequest: ["ci/builder"],
                main: ["ci/deployer", "ci/builder", "prod/prod-admin", "prod/db-admin", "staging/reporting"],
                other: ["ci/builder", "ci/other-ci"],
                prodAdmin: ["prod/prod-admin", "prod/db-admin", "staging/reporting"],
                undeclared: [],
                account: ["prod/prod-admin", "prod/db-admin", "staging/reporting"],
                saml: ["prod/sso-admin"],
                nobody: [],
            },
        );
        const account = JSON.parse((await run(root, ["--leaked", `account:${CI}`, "--at", CUTOFF, "--dry-run", "--json"])).stdout) as {
            roles: { reasons: string[] }[];
        };
        assert.deepStrictEqual(account.roles[0].reasons, [
            `account:${CI} -> prod-admin: prod-admin's trust names ${arn(CI, "deployer")}; the source's permissions are not declared here and may allow sts:AssumeRole`,
        ]);
        // A stack that does not name its account may hold the leaked role itself.
        const tools =
            "config:\n  aws:region: eu-west-1\n  revocable-roles:roles:\n    deployer:\n      trust:\n        services: [ec2.amazonaws.com]\n";
        const withTools = project({ ...STACKS, "Pulumi.tools.yaml": tools });
        const leakedRole = JSON.parse(
            (await run(withTools, ["--leaked", arn(CI, "deployer"), "--at", CUTOFF, "--dry-run", "--json"])).stdout,
        ) as {
            roles: { stack: string; key: string; path: string; reasons: string[] }[];
        };
        assert.deepStrictEqual(
            leakedRole.roles.map((r) => [r.stack, r.key, r.path, r.reasons.length === 1 ? r.reasons[0] : `${r.reasons.length} reasons`]),
            [
                ["ci", "deployer", `${arn(CI, "deployer")} = deployer (ci)`, "the leaked role itself"],
                [
                    "tools",
                    "deployer",
                    `${arn(CI, "deployer")} = deployer (tools)`,
                    "may be the leaked role itself (Pulumi.tools.yaml does not name its account; set aws:allowedAccountIds to decide)",
                ],
                [
                    "prod",
                    "prod-admin",
                    `${arn(CI, "deployer")} -> prod-admin (prod)`,
                    `deployer -> prod-admin: prod-admin's trust names deployer's ARN (${arn(CI, "deployer")}); deployer's inline policy assume allows sts:AssumeRole on ${arn(PROD, "prod-admin")}`,
                ],
                ["prod", "db-admin", `${arn(CI, "deployer")} -> prod-admin (prod) -> db-admin (prod)`, "2 reasons"],
                [
                    "staging",
                    "reporting",
                    `${arn(CI, "deployer")} -> prod-admin (prod) -> db-admin (prod) -> reporting (staging)`,
                    "3 reasons",
                ],
            ],
        );
        assert.deepStrictEqual(await run(root, ["--leaked", `arn:aws:iam::${PROD}:saml-provider/Other`, "--at", CUTOFF]), {
            code: 0,
            stdout: `No role of the project's stack files is reachable by arn:aws:iam::${PROD}:saml-provider/Other; nothing to revoke.\n`,
            stderr: "",
        });
        assert.deepStrictEqual(read(root), STACKS);
    });

    it("follows iam:PassRole: the function role a reached role may pass to Lambda and start, with how", async () => {
        // build's launcher, which acme/web's tokens assume, may pass staging's function role and create functions.
        const build =
            `config:\n  aws:region: eu-west-1\n  aws:allowedAccountIds: ["${CI}"]\n  revocable-roles:roles:\n    launcher:\n      trust:\n        githubActions: {repositories: ["acme/web"]}\n` +
            `      inlinePolicies:\n        launch:\n          Version: "2012-10-17"\n          Statement:\n            - {Effect: Allow, Action: iam:PassRole, Resource: "${arn(CI, "staging-app")}"}\n            - {Effect: Allow, Action: "lambda:*", Resource: "*"}\n`;
        const root = project({ ...STACKS, "Pulumi.build.yaml": build });
        const result = await run(root, ["--leaked", "github:acme/web", "--at", CUTOFF, "--dry-run", "--json"]);
        const json = JSON.parse(result.stdout) as { roles: { stack: string; key: string; path: string; reasons: string[] }[] };
        assert.deepStrictEqual(
            json.roles
                .filter((r) => r.stack !== "prod" && r.key !== "reporting")
                .map((r) => ({ role: `${r.stack}/${r.key}`, path: r.path, reasons: r.reasons })),
            [
                {
                    role: "build/launcher",
                    path: "github:acme/web -> launcher (build)",
                    reasons: [
                        "github:acme/web -> launcher: launcher's trust lets in GitHub Actions tokens whose sub matches repo:acme/web:*",
                    ],
                },
                {
                    role: "ci/deployer",
                    path: "github:acme/web -> deployer (ci)",
                    reasons: [
                        "github:acme/web -> deployer: deployer's trust lets in GitHub Actions tokens whose sub matches repo:acme/web:ref:refs/heads/main",
                    ],
                },
                {
                    role: "ci/builder",
                    path: "github:acme/web -> builder (ci)",
                    reasons: ["github:acme/web -> builder: builder's trust lets in GitHub Actions tokens whose sub matches repo:acme/*:*"],
                },
                {
                    role: "staging/staging-app",
                    path: "github:acme/web -> launcher (build) -> staging-app (staging)",
                    reasons: [
                        "github:acme/web -> launcher: launcher's trust lets in GitHub Actions tokens whose sub matches repo:acme/web:*",
                        `launcher -> staging-app: launcher passes staging-app to lambda.amazonaws.com and starts it with lambda:CreateFunction: a function whose execution role it is gets sessions of staging-app for as long as it runs, past the 1-hour limit of role chaining; staging-app's trust lets lambda.amazonaws.com in; launcher's inline policy launch (statement 0) allows iam:PassRole on ${arn(CI, "staging-app")}; launcher's inline policy launch (statement 1) allows lambda:CreateFunction`,
                    ],
                },
            ],
        );
    });
});

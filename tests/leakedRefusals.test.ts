/**
 * What revoke --leaked refuses, writing nothing: an earlier cutoff than one in force, an invalid
 * stack file, --now without the one account of a stack's roles, an unknown source or flag; and
 * the sources it parses, with what is wrong with a bad one.
 */
import * as assert from "assert";
import { project } from "./helpers";
import { CI, PROD, STACKS, arn } from "./leakedFixture";
import { LEAKED_FORMS, parseLeakedSource } from "../analysis/leaked";
import { LEAKED_USAGE } from "../cli/commands";
import { run, CUTOFF, read } from "./leakedHarness";

describe("revoke --leaked", () => {
    it("writes nothing when a cutoff would be earlier than one in force, or a stack file is invalid, naming each problem", async () => {
        const later = "2026-12-01T10:00:00Z";
        const held = STACKS["Pulumi.prod.yaml"].replace("    web-server:", `      revokeBefore: "${later}"\n    web-server:`);
        const root = project({ ...STACKS, "Pulumi.prod.yaml": held });
        assert.deepStrictEqual(await run(root, ["--leaked", "github:acme/web", "--at", CUTOFF]), {
            code: 1,
            stdout: "",
            stderr: `nothing was written:\nPulumi.prod.yaml: role "db-admin" is already revoked before ${later}; the new cutoff ${CUTOFF} is earlier and would re-enable sessions that revocation denies\n`,
        });
        assert.deepStrictEqual(read(root), { ...STACKS, "Pulumi.prod.yaml": held });
        const invalid = STACKS["Pulumi.staging.yaml"].replace("lambda.amazonaws.com", "lambda");
        const broken = project({ ...STACKS, "Pulumi.staging.yaml": invalid });
        const refused = await run(broken, ["--leaked", "github:acme/web", "--at", CUTOFF]);
        assert.deepStrictEqual(
            { code: refused.code, stdout: refused.stdout, firstLine: refused.stderr.split("\n")[0], files: read(broken) },
            {
                code: 1,
                stdout: "",
                firstLine: "stack files that are not valid; fix them first (nothing was written):",
                files: { ...STACKS, "Pulumi.staging.yaml": invalid },
            },
        );
        assert.match(
            refused.stderr.split("\n")[1],
            /^Pulumi\.staging\.yaml: revocable-roles:roles\.staging-app\.trust\.services\[0\]: "lambda" /,
        );
    });

    it("--now writes nothing when a stack file does not name the one account its roles are in, or a profile names no affected account", async () => {
        const unnamed = STACKS["Pulumi.staging.yaml"].replace(`  aws:allowedAccountIds: ["${CI}"]\n`, "");
        const root = project({ ...STACKS, "Pulumi.staging.yaml": unnamed });
        assert.deepStrictEqual(await run(root, ["--leaked", "github:acme/web", "--at", CUTOFF, "--now"]), {
            code: 1,
            stdout: "",
            stderr: "nothing was written:\nPulumi.staging.yaml: --now needs the one account its roles are in, to use that account's credentials: set aws:allowedAccountIds to it\n",
        });
        const other = project(STACKS);
        assert.deepStrictEqual(
            await run(other, ["--leaked", "github:acme/web", "--at", CUTOFF, "--now", "--profile", "333333333333=ops"]),
            {
                code: 1,
                stdout: "",
                stderr: `nothing was written:\n--profile 333333333333=...: no affected stack file deploys to account 333333333333 (they deploy to ${CI}, ${PROD})\n`,
            },
        );
        // A chain of roles in aws:assumeRoles is not a role --now can assume; --role-arn names one instead.
        const chained = STACKS["Pulumi.prod.yaml"].replace(
            "  revocable-roles:roles:\n",
            `  aws:assumeRoles: [{roleArn: "${arn(PROD, "hop")}"}, {roleArn: "${arn(PROD, "responder")}"}]\n  revocable-roles:roles:\n`,
        );
        const chain = project({ ...STACKS, "Pulumi.prod.yaml": chained });
        assert.deepStrictEqual(await run(chain, ["--leaked", "github:acme/web", "--at", CUTOFF, "--now"]), {
            code: 1,
            stdout: "",
            stderr: "nothing was written:\nPulumi.prod.yaml: aws:assumeRoles is not one role with a roleArn; --now assumes at most one role per account: give it with --role-arn <account>=<role ARN>\n",
        });
        assert.deepStrictEqual(
            await run(other, [
                "--leaked",
                "github:acme/web",
                "--at",
                CUTOFF,
                "--now",
                "--role-arn",
                `333333333333=${arn("333333333333", "ops")}`,
            ]),
            {
                code: 1,
                stdout: "",
                stderr: `nothing was written:\n--role-arn 333333333333=...: no affected stack file deploys to account 333333333333 (they deploy to ${CI}, ${PROD})\n`,
            },
        );
        assert.deepStrictEqual(
            [read(root), read(other), read(chain)],
            [{ ...STACKS, "Pulumi.staging.yaml": unnamed }, STACKS, { ...STACKS, "Pulumi.prod.yaml": chained }],
        );
    });

    it("refuses a source it does not know and flags it does not take, as usage errors", async () => {
        const root = project(STACKS);
        const usage = (line: string) => ({ code: 2, stdout: "", stderr: `${line}\n${LEAKED_USAGE}\n` });
        assert.deepStrictEqual(
            await run(root, ["--leaked", "github:acme/web", "--now", "--dry-run"]),
            usage("--dry-run writes and applies nothing; drop --now or --dry-run"),
        );
        assert.deepStrictEqual(
            await run(root, ["--leaked", "github:acme/web", "--profile", "111111111111=ci"]),
            usage("--profile only applies with --now"),
        );
        assert.deepStrictEqual(
            await run(root, ["--leaked", "github:acme/web", "--now", "--profile", "ci"]),
            usage('--profile "ci" is not <12-digit account ID>=<profile>, such as 222222222222=prod-admin'),
        );
        assert.deepStrictEqual(
            await run(root, ["--leaked", "github:acme/web", "--role-arn", `${PROD}=${arn(PROD, "responder")}`]),
            usage("--role-arn only applies with --now"),
        );
        assert.deepStrictEqual(
            await run(root, ["--leaked", "github:acme/web", "--now", "--role-arn", arn(PROD, "responder")]),
            usage(
                `--role-arn "${arn(PROD, "responder")}" is not <12-digit account ID>=<role ARN>, such as 222222222222=arn:aws:iam::222222222222:role/incident-responder`,
            ),
        );
        assert.deepStrictEqual(
            await run(root, ["--leaked", "github:acme/web", "--now", "--role-arn", `${CI}=${arn(PROD, "responder")}`]),
            usage(
                `--role-arn "${CI}=${arn(PROD, "responder")}": the role is in account ${PROD}, not ${CI}; IAM acts in the role's account`,
            ),
        );
        assert.deepStrictEqual(
            await run(root, ["--leaked", "github:acme/web", "--stack", "ci"]),
            usage("--leaked does not take --stack: the source decides the roles, in every stack file"),
        );
        assert.deepStrictEqual(
            await run(root, ["--leaked", "acme/web"]),
            usage(`--leaked "acme/web" is not a source this command knows; give ${LEAKED_FORMS}`),
        );
        // A body file that cannot be written is refused before any stack file is.
        assert.deepStrictEqual(
            await run(root, ["--leaked", "github:acme/web", "--at", CUTOFF, "--body-file", "missing/pr.md"]),
            usage('--body-file "missing/pr.md": its folder missing does not exist'),
        );
        assert.deepStrictEqual(read(root), STACKS);
    });
});

describe("leaked sources", () => {
    it("parses every form and names what is wrong with a bad one", () => {
        const problem = (text: string) => {
            try {
                return parseLeakedSource(text);
            } catch (error) {
                return (error as Error).message.replace(`; give ${LEAKED_FORMS}`, "");
            }
        };
        assert.deepStrictEqual(
            [
                "github:acme/web",
                "github:acme/web:environment:prod",
                "github:acme/web:main",
                "github:acme",
                `arn:aws:iam::${CI}:role/ops/deployer`,
                `arn:aws:iam::${CI}:user/alice`,
                `arn:aws:iam::${CI}:role/ci-*`,
                "account:1234",
                `arn:aws-cn:iam::${CI}:oidc-provider/token.actions.githubusercontent.com`,
                `arn:aws:s3:::bucket`,
            ].map(problem),
            [
                { kind: "github", text: "github:acme/web", repository: "acme/web" },
                { kind: "github", text: "github:acme/web:environment:prod", repository: "acme/web", subject: "environment:prod" },
                '--leaked "github:acme/web:main" has a sub suffix "main" that GitHub never writes (ref:refs/heads/<branch>, ref:refs/tags/<tag>, environment:<name> or pull_request)',
                '--leaked "github:acme" is not a GitHub repository in the form github:<owner>/<repo>',
                {
                    kind: "role",
                    text: `arn:aws:iam::${CI}:role/ops/deployer`,
                    arn: `arn:aws:iam::${CI}:role/ops/deployer`,
                    partition: "aws",
                    account: CI,
                    path: "/ops/",
                    name: "deployer",
                },
                {
                    kind: "user",
                    text: `arn:aws:iam::${CI}:user/alice`,
                    arn: `arn:aws:iam::${CI}:user/alice`,
                    partition: "aws",
                    account: CI,
                    path: "/",
                    name: "alice",
                },
                `--leaked "arn:aws:iam::${CI}:role/ci-*" names no single role: a leak is of one principal, written without wildcards`,
                '--leaked "account:1234" names "1234", which is not a 12-digit AWS account ID',
                {
                    kind: "oidc",
                    text: `arn:aws-cn:iam::${CI}:oidc-provider/token.actions.githubusercontent.com`,
                    arn: `arn:aws-cn:iam::${CI}:oidc-provider/token.actions.githubusercontent.com`,
                },
                '--leaked "arn:aws:s3:::bucket" is not a source this command knows',
            ],
        );
    });
});

import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { Capture, promiseOf } from "./helpers";
import { loadProgram, runOffline } from "../cli/offline";
import { PROJECT_ROOT, programConfig } from "../cli/project";
import { diffPlans, main, planStack } from "../cli/plan";
import { SCHEMA_FILE, schemaText } from "../config/jsonSchema";
import { arnKey } from "../components/role";

const FIXTURES = path.join(__dirname, "fixtures");


async function run(argv: string[], root = PROJECT_ROOT) {
    const out = new Capture();
    const err = new Capture();
    const code = await main(argv, out, err, root);
    return { code, stdout: out.text, stderr: err.text };
}

describe("the program on the dev stack", () => {
    it("registers exactly the dev platform's resources", async () => {
        const plan = await planStack("dev", fs.readFileSync(path.join(PROJECT_ROOT, "Pulumi.dev.yaml"), "utf8"));
        const managed = (key: string, arn: string) => `aws:iam/rolePolicyAttachment:RolePolicyAttachment ${key}-managed-${arnKey(`arn:aws:iam::aws:policy/${arn}`)}`;
        assert.deepStrictEqual(
            plan.resources.map((r) => `${r.type} ${r.name}`).sort(),
            [
                "revocable-roles:iam:RevocableRole ci-deployer",
                "revocable-roles:iam:RevocableRole break-glass-admin",
                "revocable-roles:iam:RevocableRole app-server",
                "revocable-roles:iam:RevocableRole external-auditor",
                "aws:iam/role:Role ci-deployer-role",
                "aws:iam/role:Role break-glass-admin-role",
                "aws:iam/role:Role app-server-role",
                "aws:iam/role:Role external-auditor-role",
                managed("ci-deployer", "ReadOnlyAccess"),
                managed("break-glass-admin", "AdministratorAccess"),
                managed("app-server", "AmazonSSMManagedInstanceCore"),
                managed("app-server", "CloudWatchAgentServerPolicy"),
                managed("external-auditor", "SecurityAudit"),
                "aws:iam/rolePolicy:RolePolicy ci-deployer-policy-deploy-artifacts",
                "aws:iam/rolePolicy:RolePolicy app-server-policy-read-app-config",
                "aws:iam/rolePolicy:RolePolicy ci-deployer-revocation",
            ].sort(),
        );
        const revocation = plan.resources.find((r) => r.name === "ci-deployer-revocation");
        assert.deepStrictEqual(revocation?.inputs, {
            role: "ci-deployer",
            name: "RevokeOlderSessions",
            policy: '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":["*"],"Resource":["*"],"Condition":{"DateLessThan":{"aws:TokenIssueTime":"2026-11-27T10:15:00Z"}}}]}',
        });
        const admin = plan.resources.find((r) => r.name === "break-glass-admin-role");
        assert.strictEqual(admin?.inputs.name, "BreakGlassAdministrator");
        assert.strictEqual(
            admin?.inputs.assumeRolePolicy,
            '{"Version":"2012-10-17","Statement":[{"Sid":"TrustAccounts","Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111111111111:root"]},"Action":"sts:AssumeRole","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"},"NumericLessThan":{"aws:MultiFactorAuthAge":"900"}}}]}',
        );
    });

    it("exports each role's ARN, name and revocation window as the stack output roles", async () => {
        let program: { roles: Record<string, { arn: pulumi.Output<string>; name: pulumi.Output<string>; revokedBefore: string | null; safeToRemoveAfter: string | null }> } | undefined;
        const run = await runOffline(() => (program = loadProgram(path.join(PROJECT_ROOT, "index.ts"))() as typeof program), {
            project: "revocable-roles",
            stack: "dev",
            config: programConfig(fs.readFileSync(path.join(PROJECT_ROOT, "Pulumi.dev.yaml"), "utf8"), "Pulumi.dev.yaml"),
        });
        assert.strictEqual(run.error, undefined);
        const outputs: Record<string, unknown> = {};
        for (const [key, role] of Object.entries(program!.roles)) {
            outputs[key] = { arn: await promiseOf(role.arn), name: await promiseOf(role.name), revokedBefore: role.revokedBefore, safeToRemoveAfter: role.safeToRemoveAfter };
        }
        assert.deepStrictEqual(outputs, {
            "ci-deployer": { arn: "arn:aws:iam::000000000000:role/ci-deployer", name: "ci-deployer", revokedBefore: "2026-11-27T10:15:00Z", safeToRemoveAfter: "2026-11-27T23:15:00Z" },
            "break-glass-admin": { arn: "arn:aws:iam::000000000000:role/emergency/BreakGlassAdministrator", name: "BreakGlassAdministrator", revokedBefore: null, safeToRemoveAfter: null },
            "app-server": { arn: "arn:aws:iam::000000000000:role/app-server", name: "app-server", revokedBefore: null, safeToRemoveAfter: null },
            "external-auditor": { arn: "arn:aws:iam::000000000000:role/external-auditor", name: "external-auditor", revokedBefore: null, safeToRemoveAfter: null },
        });
    });

    it("uses the later of revokeAllBefore and a role's own cutoff", async () => {
        const text = fs.readFileSync(path.join(PROJECT_ROOT, "Pulumi.dev.yaml"), "utf8").replace("config:\n", 'config:\n  revocable-roles:revokeAllBefore: "2026-11-27T09:00:00Z"\n');
        const plan = await planStack("dev", text);
        const cutoffs = plan.resources
            .filter((r) => r.name.endsWith("-revocation"))
            .map((r) => [r.name, JSON.parse(String(r.inputs.policy)).Statement[0].Condition.DateLessThan["aws:TokenIssueTime"]]);
        assert.deepStrictEqual(cutoffs.sort(), [
            ["app-server-revocation", "2026-11-27T09:00:00Z"],
            ["break-glass-admin-revocation", "2026-11-27T09:00:00Z"],
            ["ci-deployer-revocation", "2026-11-27T10:15:00Z"],
            ["external-auditor-revocation", "2026-11-27T09:00:00Z"],
        ]);
    });
});

describe("the corpus of bad stack files", () => {
    const files = fs.readdirSync(path.join(FIXTURES, "bad")).filter((f) => f.endsWith(".yaml")).sort();

    it("has at least 30 bad files", () => {
        assert.ok(files.length >= 30, `only ${files.length} bad stack files`);
    });

    for (const file of files) {
        it(`rejects ${file} with exactly its expected errors and registers nothing`, async () => {
            const text = fs.readFileSync(path.join(FIXTURES, "bad", file), "utf8");
            const expected = [...text.matchAll(/^# expect: (.*)$/gm)].map((m) => m[1]);
            assert.ok(expected.length > 0, `${file} states no expected error`);
            const run = await runOffline(loadProgram(path.join(PROJECT_ROOT, "index.ts")), {
                project: "revocable-roles",
                stack: "fixture",
                config: programConfig(text, file),
            });
            assert.strictEqual(run.registrations.length, 0);
            const message = (run.error?.message ?? "").replace(/\(now is [^)]*\)/g, "(now is <now>)");
            assert.strictEqual(message, ["invalid stack config:", ...expected].join("\n"));
        });
    }
});

describe("the JSON Schema of the stack file", () => {
    it("is committed exactly as the schema generates it", () => {
        assert.strictEqual(fs.readFileSync(SCHEMA_FILE, "utf8"), schemaText());
    });

    it("is referenced from the dev stack file", () => {
        assert.strictEqual(fs.readFileSync(path.join(PROJECT_ROOT, "Pulumi.dev.yaml"), "utf8").split("\n")[0], "# yaml-language-server: $schema=./schema/stack-config.schema.json");
    });
});

describe("npm run plan", () => {
    it("prints the --json contract: project, stack and every registration in order with exactly five fields", async () => {
        const { code, stdout, stderr } = await run(["--stack", "dev", "--json"]);
        assert.strictEqual(code, 0);
        assert.strictEqual(stderr, "");
        const plan = JSON.parse(stdout);
        assert.deepStrictEqual(Object.keys(plan), ["project", "stack", "resources"]);
        assert.strictEqual(plan.project, "revocable-roles");
        assert.strictEqual(plan.stack, "dev");
        assert.strictEqual(plan.resources.length, 16);
        for (const resource of plan.resources) {
            assert.deepStrictEqual(Object.keys(resource), ["urn", "type", "name", "parent", "inputs"]);
        }
        assert.deepStrictEqual(plan.resources[0], {
            urn: "urn:pulumi:dev::revocable-roles::revocable-roles:iam:RevocableRole::ci-deployer",
            type: "revocable-roles:iam:RevocableRole",
            name: "ci-deployer",
            parent: null,
            inputs: {},
        });
        const revocation = plan.resources.find((r: { name: string }) => r.name === "ci-deployer-revocation");
        assert.strictEqual(revocation.urn, "urn:pulumi:dev::revocable-roles::revocable-roles:iam:RevocableRole$aws:iam/rolePolicy:RolePolicy::ci-deployer-revocation");
        assert.strictEqual(revocation.parent, plan.resources[0].urn);
        assert.strictEqual(typeof revocation.inputs.policy, "string");
    });

    it("describes each role for people, with placeholders named as such", async () => {
        const { code, stdout } = await run(["--stack", "dev"]);
        assert.strictEqual(code, 0);
        const lines = stdout.split("\n");
        assert.deepStrictEqual(lines.slice(0, 2), [
            'Offline plan of stack "dev" (project revocable-roles): no AWS call was made.',
            'Account 000000000000 and partition "aws" below are placeholders for the deploying account.',
        ]);
        assert.deepStrictEqual(lines.slice(3, 8), [
            "ci-deployer: role /ci-deployer",
            "  trusted by: GitHub Actions repo:acme/infra:ref:refs/heads/main (provider arn:aws:iam::000000000000:oidc-provider/token.actions.githubusercontent.com)",
            "  managed:    arn:aws:iam::aws:policy/ReadOnlyAccess",
            "  inline:     deploy-artifacts",
            "  revocation: sessions issued before 2026-11-27T10:15:00Z are denied; safe to remove after 2026-11-27T23:15:00Z",
        ]);
        assert.ok(lines.includes("  trusted by: account 111111111111 (MFA required, MFA younger than 900 s)"));
        assert.ok(lines.includes("  trusted by: account 222222222222 (ExternalId acme-audit-7f3c9e)"));
        assert.strictEqual(lines.filter((l) => l === "  revocation: not revoked").length, 3);
        assert.strictEqual(lines.at(-2), "4 roles, 16 resources.");
    });

    it("lists the stacks that exist when the stack is unknown, and prints nothing on stdout", async () => {
        assert.deepStrictEqual(await run(["--stack", "prod"]), {
            code: 1,
            stdout: "",
            stderr: 'unknown stack "prod": there is no Pulumi.prod.yaml; stacks: dev\n',
        });
    });

    it("shows what a change of the stack file would change since a git ref", async () => {
        const root = fs.mkdtempSync(path.join(os.tmpdir(), "plan-diff-"));
        const git = (...args: string[]) => execFileSync("git", args, { cwd: root, stdio: "pipe" });
        fs.copyFileSync(path.join(PROJECT_ROOT, "Pulumi.yaml"), path.join(root, "Pulumi.yaml"));
        fs.copyFileSync(path.join(FIXTURES, "diff", "Pulumi.before.yaml"), path.join(root, "Pulumi.review.yaml"));
        git("init", "-q", "-b", "main");
        git("-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qam", "base", "--allow-empty");
        git("add", ".");
        git("-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "before");
        fs.copyFileSync(path.join(FIXTURES, "diff", "Pulumi.after.yaml"), path.join(root, "Pulumi.review.yaml"));
        const { code, stdout, stderr } = await run(["--stack", "review", "--diff", "main"], root);
        fs.rmSync(root, { recursive: true, force: true });
        assert.strictEqual(stderr, "");
        assert.strictEqual(code, 0);
        assert.strictEqual(
            stdout,
            [
                'Changes to stack "review" since main: 1 to add, 2 to change, 0 to remove.',
                "",
                "~ aws:iam/rolePolicy:RolePolicy ci-revocation",
                '    ~ policy.Statement[0].Condition.DateLessThan.aws:TokenIssueTime: "2026-11-27T10:15:00Z" -> "2026-11-27T11:00:00Z"',
                "~ aws:iam/rolePolicy:RolePolicy app-policy-read",
                '    + policy.Statement[0].Action[1]: "s3:ListBucket"',
                "+ aws:iam/rolePolicy:RolePolicy app-revocation",
                '    + name: "RevokeOlderSessions"',
                '    + policy: {"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":["*"],"Resource":["*"],"Condition":{"DateLessThan":{"aws:TokenIssueTime":"2026-11-27T11:00:00Z"}}}]}',
                '    + role: "app"',
                "",
            ].join("\n"),
        );
    });

    it("reports removed resources in the diff", async () => {
        const before = await planStack("review", fs.readFileSync(path.join(FIXTURES, "diff", "Pulumi.after.yaml"), "utf8"));
        const after = await planStack("review", fs.readFileSync(path.join(FIXTURES, "diff", "Pulumi.before.yaml"), "utf8"));
        const diff = diffPlans(before, after, "HEAD").split("\n");
        assert.strictEqual(diff[0], 'Changes to stack "review" since HEAD: 0 to add, 2 to change, 1 to remove.');
        assert.strictEqual(diff.at(-1), "- aws:iam/rolePolicy:RolePolicy app-revocation");
    });

    it("exits 1 with the error lines on stderr and nothing on stdout for a bad stack file", async () => {
        const root = fs.mkdtempSync(path.join(os.tmpdir(), "plan-bad-"));
        fs.copyFileSync(path.join(PROJECT_ROOT, "Pulumi.yaml"), path.join(root, "Pulumi.yaml"));
        fs.copyFileSync(path.join(FIXTURES, "bad", "typo-revokebefore.yaml"), path.join(root, "Pulumi.qa.yaml"));
        const result = await run(["--stack", "qa", "--json"], root);
        fs.rmSync(root, { recursive: true, force: true });
        assert.deepStrictEqual(result, {
            code: 1,
            stdout: "",
            stderr: 'Pulumi.qa.yaml: revocable-roles:roles.app.revokebefore: unknown key "revokebefore"; did you mean "revokeBefore"?\n',
        });
    });
});

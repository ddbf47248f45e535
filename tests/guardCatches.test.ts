/**
 * The guard as a security boundary: every way a pull request could weaken a revocation in force
 * (cutoffs relative to the test's `now`), each on a real git repository: config the Pulumi CLI
 * reads, changes that replace or delete the revoked role, trust widened, names compared regardless
 * of case, and changes around the stack file.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { PROGRAM_ENTRIES, PROJECT_YAML, git } from "./helpers";
import { PROJECT_ROOT } from "../cli/project";
import { CUTOFF, expectGuard, FAILED, PASSED, Role, role, runGuard, stack, WINDOW } from "./guardHarness";

const victim = (r: Role = {}) => role("victim", { revokeBefore: CUTOFF, ...r });
const BASE = stack(victim() + role("bystander"));

/** The path rule's reason, after the paths and what is in force. */
const ONLY_STACK_FILES =
    "only stack files and documentation may change until every revocation is safe to remove, because the guard cannot judge what a change to the program, its packages, settings, tools or workflows deploys; merge after 2026-11-27T23:00:00Z, when every revocation is safe to remove";

describe("npm run guard: what it catches", () => {
    describe("config the Pulumi CLI reads that the guard would otherwise not", () => {
        it("fails an un-namespaced key beside the namespaced one", async () => {
            await expectGuard({ "Pulumi.dev.yaml": BASE }, { "Pulumi.dev.yaml": `${BASE}  roles: {}\n` }, 1, [
                "FAIL dev: Pulumi.dev.yaml: roles: has no namespace; the Pulumi CLI reads it as revocable-roles:roles, and beside the namespaced key which one wins is not defined; write it as revocable-roles:roles",
                FAILED(1),
            ]);
        });

        it("fails project-level config of this namespace in Pulumi.yaml", async () => {
            await expectGuard({ "Pulumi.dev.yaml": BASE }, { "Pulumi.yaml": `${PROJECT_YAML}config:\n  revocable-roles:roles: {}\n` }, 1, [
                "FAIL project: Pulumi.yaml: config.revocable-roles:roles: project-level config of the revocable-roles namespace applies to every stack, which this tool does not model; set it in each Pulumi.<stack>.yaml",
                `FAIL project: Pulumi.yaml: changed while revocations are in force (dev/victim until 2026-11-27T23:00:00Z): ${ONLY_STACK_FILES}`,
                "FAIL dev: Pulumi.dev.yaml: Pulumi.yaml: config.revocable-roles:roles: project-level config of the revocable-roles namespace applies to every stack, which this tool does not model; set it in each Pulumi.<stack>.yaml",
                FAILED(3),
            ]);
        });

        it("fails stackConfigDir, which moves the stack files the CLI reads", async () => {
            await expectGuard({ "Pulumi.dev.yaml": BASE }, { "Pulumi.yaml": `${PROJECT_YAML}stackConfigDir: elsewhere\n` }, 1, [
                "FAIL project: Pulumi.yaml: stackConfigDir: is not supported: it moves the stack files; keep them next to Pulumi.yaml",
                `FAIL project: Pulumi.yaml: changed while revocations are in force (dev/victim until 2026-11-27T23:00:00Z): ${ONLY_STACK_FILES}`,
                "FAIL dev: Pulumi.dev.yaml: Pulumi.yaml: stackConfigDir: is not supported: it moves the stack files; keep them next to Pulumi.yaml",
                FAILED(3),
            ]);
        });

        it("fails a Pulumi.json project with Pulumi.<stack>.json stack files", async () => {
            await expectGuard(
                { "Pulumi.dev.yaml": BASE },
                { "Pulumi.json": '{"name":"revocable-roles","runtime":"nodejs"}', "Pulumi.dev.json": '{"config":{}}' },
                1,
                [
                    "FAIL project: Pulumi.yaml: Pulumi.json: only a Pulumi.yaml project file is supported; the Pulumi CLI may read Pulumi.json instead, so remove it",
                    "FAIL project: Pulumi.dev.json: only Pulumi.<stack>.yaml stack files are supported; rename it to Pulumi.dev.yaml or remove it",
                    `FAIL project: Pulumi.dev.json, Pulumi.json: changed while revocations are in force (dev/victim until 2026-11-27T23:00:00Z): ${ONLY_STACK_FILES}`,
                    "FAIL dev: Pulumi.dev.yaml: Pulumi.json: only a Pulumi.yaml project file is supported; the Pulumi CLI may read Pulumi.json instead, so remove it",
                    FAILED(4),
                ],
            );
        });

        it("fails a stack file replaced by a symlink to another file", async () => {
            await expectGuard(
                { "Pulumi.dev.yaml": BASE },
                { "Pulumi.dev.yaml": undefined, "elsewhere.yaml": stack(role("victim")) },
                1,
                [
                    `FAIL project: elsewhere.yaml: changed while revocations are in force (dev/victim until 2026-11-27T23:00:00Z): ${ONLY_STACK_FILES}`,
                    "FAIL dev: Pulumi.dev.yaml: is a symlink; stack files must be regular files (a symlink could make the CLI read another file than the one reviewed)",
                    FAILED(2),
                ],
                (root) => fs.symlinkSync("elsewhere.yaml", path.join(root, "Pulumi.dev.yaml")),
            );
        });

        it("fails a YAML merge key that could hide a cutoff from one reader", async () => {
            const merged = stack(
                `    victim:\n      <<: {revokeBefore: "${CUTOFF}"}\n      trust:\n        accounts: ["111111111111"]\n${role("bystander")}`,
            );
            await expectGuard({ "Pulumi.dev.yaml": BASE }, { "Pulumi.dev.yaml": merged }, 1, [
                'FAIL dev: Pulumi.dev.yaml: line 5: YAML merge key "<<" is not supported; the Pulumi CLI merges it and this tool does not, so write the keys out',
                FAILED(1),
            ]);
        });
    });

    it("reads roles given as a JSON string as the program does, so deleting a cutoff inside it fails", async () => {
        const json = JSON.stringify({
            victim: { trust: { accounts: ["111111111111"] } },
            bystander: { trust: { accounts: ["111111111111"] } },
        });
        await expectGuard(
            { "Pulumi.dev.yaml": BASE },
            { "Pulumi.dev.yaml": `config:\n  aws:region: eu-west-1\n  revocable-roles:roles: '${json}'\n` },
            1,
            [
                "FAIL dev: role victim: revokeBefore 2026-11-27T10:00:00Z removed before it is safe to remove (2026-11-27T23:00:00Z)",
                FAILED(1),
            ],
        );
    });

    describe("changes that replace or delete the revoked role", () => {
        it("fails a path change, which replaces the role", async () => {
            await expectGuard(
                { "Pulumi.dev.yaml": BASE },
                { "Pulumi.dev.yaml": stack(victim({ path: "/moved/" }) + role("bystander")) },
                1,
                [
                    `FAIL dev: role victim: IAM role victim would be replaced (path "/" -> "/moved/") while it is revoked ${WINDOW}: replacing deletes the role with its revocation policies, the console's AWSRevokeOlderSessions included`,
                    FAILED(1),
                ],
            );
        });

        it("fails a physical name change", async () => {
            await expectGuard(
                { "Pulumi.dev.yaml": BASE },
                { "Pulumi.dev.yaml": stack(victim({ name: "victim-v2" }) + role("bystander")) },
                1,
                [
                    `FAIL dev: role victim: IAM role victim would be replaced (name "victim" -> "victim-v2") while it is revoked ${WINDOW}: replacing deletes the role with its revocation policies, the console's AWSRevokeOlderSessions included`,
                    FAILED(1),
                ],
            );
        });

        it("fails a switch of the provider backend", async () => {
            await expectGuard(
                { "Pulumi.dev.yaml": BASE },
                { "Pulumi.dev.yaml": stack(victim() + role("bystander"), "  revocable-roles:provider: aws-native\n") },
                1,
                [
                    `FAIL dev: role victim: the backend switches from aws to aws-native while the role is revoked ${WINDOW}: Pulumi deletes IAM role victim with its revocation policies (the console's AWSRevokeOlderSessions included) and creates it again`,
                    FAILED(1),
                ],
            );
        });

        it("fails a logical name change that keeps the physical name", async () => {
            await expectGuard(
                { "Pulumi.dev.yaml": BASE },
                { "Pulumi.dev.yaml": stack(role("renamed", { name: "victim", revokeBefore: CUTOFF }) + role("bystander")) },
                1,
                [
                    `FAIL dev: role victim: its resources are renamed (component victim to renamed) while the role is revoked ${WINDOW}: Pulumi deletes IAM role victim with its revocation policies and creates it again`,
                    "ok   dev: role renamed: new revocation: revokeBefore 2026-11-27T10:00:00Z",
                    FAILED(1),
                ],
            );
        });

        it("fails a stack file removed while it holds a revocation in force", async () => {
            await expectGuard(
                { "Pulumi.dev.yaml": stack(role("bystander")), "Pulumi.prod.yaml": BASE },
                { "Pulumi.prod.yaml": undefined },
                1,
                [
                    `FAIL prod: role victim: removed with Pulumi.prod.yaml while its revocation is in force ${WINDOW}: Pulumi would delete IAM role victim and its revocation`,
                    FAILED(1),
                ],
            );
        });

        it("fails a stack file moved to another stack's name", async () => {
            await expectGuard({ "Pulumi.prod.yaml": BASE }, { "Pulumi.prod.yaml": undefined, "Pulumi.production.yaml": BASE }, 1, [
                `FAIL prod: role victim: removed with Pulumi.prod.yaml while its revocation is in force ${WINDOW}: Pulumi would delete IAM role victim and its revocation`,
                "ok   production: role victim: new revocation: revokeBefore 2026-11-27T10:00:00Z",
                FAILED(1),
            ]);
        });
    });

    describe("trust widened on a revoked role", () => {
        it('fails principal "*" with a condition that limits nobody, in validation and as widened trust', async () => {
            const anyone =
                '        accounts: ["111111111111"]\n        statements:\n          - Effect: Allow\n            Principal: "*"\n            Action: sts:AssumeRole\n            Condition: {Bool: {aws:SecureTransport: "true"}}';
            await expectGuard({ "Pulumi.dev.yaml": BASE }, { "Pulumi.dev.yaml": stack(victim({ trust: anyone }) + role("bystander")) }, 1, [
                'FAIL dev: Pulumi.dev.yaml: revocable-roles:roles.victim.trust.statements[0]: trusts principal "*" and no condition limits who the caller is, which lets anyone assume the role; add a condition on aws:PrincipalOrgID, aws:PrincipalOrgPaths, aws:PrincipalAccount, aws:PrincipalArn, aws:SourceAccount, aws:SourceArn, aws:SourceOrgID or a federated token claim with specific values (not IfExists, not a bare wildcard)',
                FAILED(1),
            ]);
        });

        it("fails a new account in a revoked role's trust", async () => {
            await expectGuard(
                { "Pulumi.dev.yaml": BASE },
                { "Pulumi.dev.yaml": stack(victim({ trust: '        accounts: ["111111111111", "333333333333"]' }) + role("bystander")) },
                1,
                [
                    `FAIL dev: role victim: trust widened while the role is revoked ${WINDOW}: now grants sts:assumerole to account 333333333333, which it did not`,
                    FAILED(1),
                ],
            );
        });

        it("fails a GitHub subject widened to every branch", async () => {
            const github = (repository: string) =>
                `        githubActions:\n          providerArn: arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com\n          repositories: ["${repository}"]`;
            await expectGuard(
                { "Pulumi.dev.yaml": stack(victim({ trust: github("acme/infra:ref:refs/heads/main") })) },
                { "Pulumi.dev.yaml": stack(victim({ trust: github("acme/infra") })) },
                1,
                [
                    `FAIL dev: role victim: trust widened while the role is revoked ${WINDOW}: loosens StringEquals token.actions.githubusercontent.com:sub ["repo:acme/infra:ref:refs/heads/main"] to StringLike ["repo:acme/infra:*"] for GitHub Actions (provider arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com)`,
                    FAILED(1),
                ],
            );
        });
    });

    describe("names IAM compares regardless of case", () => {
        it("fails an inline policy named revokeoldersessions, which would overwrite the revocation", async () => {
            const policy =
                '      inlinePolicies:\n        revokeoldersessions:\n          Version: "2012-10-17"\n          Statement: [{Effect: Allow, Action: "s3:GetObject", Resource: "*"}]';
            await expectGuard({ "Pulumi.dev.yaml": BASE }, { "Pulumi.dev.yaml": stack(victim({ extra: policy }) + role("bystander")) }, 1, [
                'FAIL dev: Pulumi.dev.yaml: revocable-roles:roles.victim.inlinePolicies.revokeoldersessions: "revokeoldersessions" is reserved for revocation policies (IAM policy names ignore case); choose another name',
                FAILED(1),
            ]);
        });

        it("fails a second role named VICTIM beside victim", async () => {
            await expectGuard({ "Pulumi.dev.yaml": BASE }, { "Pulumi.dev.yaml": stack(victim() + role("bystander") + role("VICTIM")) }, 1, [
                'FAIL dev: Pulumi.dev.yaml: revocable-roles:roles.VICTIM: has the physical name "VICTIM", already used by role "victim" ("victim": IAM role names ignore case); role names must be unique',
                FAILED(1),
            ]);
        });

        it("fails the same role name in two stacks that deploy to the same account", async () => {
            const account = '  aws:allowedAccountIds: ["123456789012"]\n';
            await expectGuard({ "Pulumi.dev.yaml": stack(victim(), account) }, { "Pulumi.prod.yaml": stack(role("Victim"), account) }, 1, [
                "FAIL prod: role Victim: IAM role Victim is also declared by dev/victim in account 123456789012; IAM role names are unique per account regardless of case, so one stack would take over or fail on the other's role",
                FAILED(1),
            ]);
        });
    });

    describe("changes around the stack file", () => {
        it("fails a provider configuration change while a revocation is in force", async () => {
            await expectGuard({ "Pulumi.dev.yaml": BASE }, { "Pulumi.dev.yaml": BASE.replace("eu-west-1", "us-east-1") }, 1, [
                'FAIL dev: Pulumi.dev.yaml: aws:region changes from "eu-west-1" to "us-east-1" while victim is revoked: provider configuration decides where and how every resource of the stack deploys, and the offline plan cannot see what it replaces',
                FAILED(1),
            ]);
        });

        it("fails a change of the stack's CI roles while a revocation is in force, and passes it otherwise", async () => {
            const ci = (deploy: string) =>
                `  aws:allowedAccountIds: ["111111111111"]\n  revocable-roles:ci:\n    previewRoleArn: arn:aws:iam::111111111111:role/ci-preview\n    deployRoleArn: arn:aws:iam::111111111111:role/${deploy}\n`;
            const file = (deploy: string, roles = victim() + role("bystander")) => stack(roles, ci(deploy));
            await expectGuard({ "Pulumi.dev.yaml": file("ci-deploy") }, { "Pulumi.dev.yaml": file("other-deploy") }, 1, [
                'FAIL dev: Pulumi.dev.yaml: revocable-roles:ci.deployRoleArn changes from "arn:aws:iam::111111111111:role/ci-deploy" to "arn:aws:iam::111111111111:role/other-deploy" while victim is revoked: the stack\'s CI roles decide which role its deploy assumes; after this change the deploy may assume another role, or none it can, and a later revocation of the stack might not deploy',
                FAILED(1),
            ]);
            // Added where there was none, too; and with nothing in force, any change passes.
            const bare = stack(victim() + role("bystander"), '  aws:allowedAccountIds: ["111111111111"]\n');
            assert.deepStrictEqual((await runGuard({ "Pulumi.dev.yaml": bare }, { "Pulumi.dev.yaml": file("ci-deploy") })).code, 1);
            const unrevoked = role("victim") + role("bystander");
            await expectGuard(
                { "Pulumi.dev.yaml": file("ci-deploy", unrevoked) },
                { "Pulumi.dev.yaml": file("other-deploy", unrevoked) },
                0,
                [PASSED],
            );
        });

        it("never prints a secret: a changed credential or secure value shows as [secret]", async () => {
            const secret = (value: string) =>
                BASE.replace("  aws:region: eu-west-1\n", `  aws:region: eu-west-1\n  aws:secretKey:\n    secure: ${value}\n`);
            await expectGuard({ "Pulumi.dev.yaml": secret("AAABAold") }, { "Pulumi.dev.yaml": secret("AAABAnew") }, 1, [
                'FAIL dev: Pulumi.dev.yaml: aws:secretKey changes from "[secret]" to "[secret]" while victim is revoked: provider configuration decides where and how every resource of the stack deploys, and the offline plan cannot see what it replaces',
                FAILED(1),
            ]);
        });

        it("fails a Pulumi.yaml change that affects deployment while a revocation is in force", async () => {
            await expectGuard(
                { "Pulumi.dev.yaml": BASE },
                { "Pulumi.yaml": PROJECT_YAML.replace("name: revocable-roles", "name: platform-roles") },
                1,
                [
                    `FAIL project: Pulumi.yaml: changed while revocations are in force (dev/victim until 2026-11-27T23:00:00Z): ${ONLY_STACK_FILES}`,
                    `FAIL dev: role victim: the project is renamed from revocable-roles to platform-roles while the role is revoked ${WINDOW}: Pulumi deletes IAM role victim with its revocation policies and creates it again`,
                    FAILED(2),
                ],
            );
        });

        it("fails a change to the program that stops deploying the revocation", async function () {
            this.timeout(60_000);
            const code = PROGRAM_ENTRIES;
            await expectGuard(
                { "Pulumi.dev.yaml": BASE, ".gitignore": "node_modules\n" },
                {},
                1,
                [
                    `FAIL project: components/revocableRole.ts: changed while revocations are in force (dev/victim until 2026-11-27T23:00:00Z): ${ONLY_STACK_FILES}`,
                    `FAIL dev: role victim: no longer deploys RevokeOlderSessions on IAM role victim while its revocation is in force ${WINDOW}`,
                    FAILED(2),
                ],
                (root) => {
                    for (const entry of code) fs.cpSync(path.join(PROJECT_ROOT, entry), path.join(root, entry), { recursive: true });
                    fs.symlinkSync(path.join(PROJECT_ROOT, "node_modules"), path.join(root, "node_modules"));
                    git(root, "add", "-A");
                    git(root, "commit", "-qm", "the program");
                    const component = path.join(root, "components", "revocableRole.ts");
                    fs.writeFileSync(
                        component,
                        fs
                            .readFileSync(component, "utf8")
                            .replace("if (model.revocation !== undefined) {", "if (model.revocation !== undefined && false) {"),
                    );
                    return root;
                },
            );
        });
    });
});

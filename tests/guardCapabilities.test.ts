/**
 * The guard against capabilities judged as classes (issue 28): while a revocation is in force, a
 * change that gives any role the means to undo it, directly or in hops, fails with its path;
 * resources that cannot be decided cover every role; an sts:AssumeRole grant on a revoked role
 * that trusts its account widens its trust. Each case on a real git repository whose base holds a
 * revocation in force (cutoffs relative to the test's clock), with the benign changes that pass.
 * The class itself, the resources read to fail closed and the hops are tested as pure functions
 * in tests/undo.test.ts.
 */
import { ACCOUNT, CUTOFF, expectGuard, FAILED, PASSED, role, WINDOW, accountStack as stack } from "./guardHarness";

const WHAT = "the revocation of dev/victim (IAM role victim, in force until 2026-11-27T23:00:00Z)";

const victim = () => role("victim", { revokeBefore: CUTOFF });
const BASE = stack(victim() + role("bystander"));

/** An inline policy of one statement, as stack-file YAML; `body` holds its Action/Resource lines (14 spaces in). */
const policy = (name: string, body: string) =>
    `      inlinePolicies:\n        ${name}:\n          Version: "2012-10-17"\n          Statement:\n            - Effect: Allow\n${body}`;
const allow = (name: string, action: string, resource: string) =>
    policy(name, `              Action: ${action}\n              Resource: "${resource}"`);
const managed = (arn: string) => `      managedPolicyArns: ["${arn}"]`;
const ADMIN = managed("arn:aws:iam::aws:policy/AdministratorAccess");
/** How AdministratorAccess reads in a path. */
const ADMIN_GRANT =
    "managed policy AdministratorAccess allows iam:DeleteRolePolicy, iam:PutRolePolicy, iam:DeleteRole, iam:UpdateAssumeRolePolicy and 20 more permissions-management actions on *";

describe("npm run guard: the means to undo a revocation, as classes and in hops", function () {
    this.timeout(30_000);

    describe("a role that can change its own permissions can give itself anything in its account", () => {
        it("fails iam:PutRolePolicy on itself", async () => {
            const janitor = role("janitor", { extra: allow("self", "iam:PutRolePolicy", `arn:aws:iam::${ACCOUNT}:role/janitor`) });
            await expectGuard({ "Pulumi.dev.yaml": BASE }, { "Pulumi.dev.yaml": BASE + janitor }, 1, [
                `FAIL dev: role janitor: may now undo ${WHAT}: it can change its own permissions or trust, and so give itself any right in account ${ACCOUNT}: its inline policy self (statement 0) allows iam:PutRolePolicy on arn:aws:iam::${ACCOUNT}:role/janitor`,
                FAILED(1),
            ]);
        });

        it("fails iam:AttachRolePolicy on itself", async () => {
            const janitor = role("janitor", { extra: allow("self", "iam:AttachRolePolicy", `arn:aws:iam::${ACCOUNT}:role/jan*`) });
            await expectGuard({ "Pulumi.dev.yaml": BASE }, { "Pulumi.dev.yaml": BASE + janitor }, 1, [
                `FAIL dev: role janitor: may now undo ${WHAT}: it can change its own permissions or trust, and so give itself any right in account ${ACCOUNT}: its inline policy self (statement 0) allows iam:AttachRolePolicy on arn:aws:iam::${ACCOUNT}:role/jan*`,
                FAILED(1),
            ]);
        });
    });

    describe("hops to a role that can undo it", () => {
        /** A role with AdministratorAccess that no role of the repository can reach at the base. */
        const admin = (trust = '        services: ["ec2.amazonaws.com"]') => role("admin", { trust, extra: ADMIN });

        it("fails iam:UpdateAssumeRolePolicy on an administrator role", async () => {
            const base = stack(victim() + admin() + role("deployer"));
            const head = stack(
                victim() +
                    admin() +
                    role("deployer", { extra: allow("trust", "iam:UpdateAssumeRolePolicy", `arn:aws:iam::${ACCOUNT}:role/admin`) }),
            );
            await expectGuard({ "Pulumi.dev.yaml": base }, { "Pulumi.dev.yaml": head }, 1, [
                `FAIL dev: role deployer: may now undo ${WHAT}: through deployer -> admin: deployer can change admin's permissions or trust (deployer's inline policy trust (statement 0) allows iam:UpdateAssumeRolePolicy on arn:aws:iam::${ACCOUNT}:role/admin); admin can undo it: admin's ${ADMIN_GRANT}`,
                FAILED(1),
            ]);
        });

        it("fails sts:AssumeRole on a role that can undo it", async () => {
            const base = stack(victim() + admin(`        accounts: ["${ACCOUNT}"]`) + role("ci"));
            const head = stack(
                victim() +
                    admin(`        accounts: ["${ACCOUNT}"]`) +
                    role("ci", { extra: allow("hop", "sts:AssumeRole", `arn:aws:iam::${ACCOUNT}:role/admin`) }),
            );
            await expectGuard({ "Pulumi.dev.yaml": base }, { "Pulumi.dev.yaml": head }, 1, [
                `FAIL dev: role ci: may now undo ${WHAT}: through ci -> admin: ci can assume admin (admin's trust allows account ${ACCOUNT}, ci's account; ci's inline policy hop allows sts:AssumeRole on arn:aws:iam::${ACCOUNT}:role/admin); admin can undo it: admin's ${ADMIN_GRANT}`,
                FAILED(1),
            ]);
        });

        it("fails iam:PassRole of a role that can undo it", async () => {
            const base = stack(victim() + admin() + role("builder"));
            const head = stack(
                victim() + admin() + role("builder", { extra: allow("pass", "iam:PassRole", `arn:aws:iam::${ACCOUNT}:role/admin`) }),
            );
            await expectGuard({ "Pulumi.dev.yaml": base }, { "Pulumi.dev.yaml": head }, 1, [
                `FAIL dev: role builder: may now undo ${WHAT}: through builder -> admin: builder can pass admin to a service and act with its permissions (builder's inline policy pass (statement 0) allows iam:PassRole on arn:aws:iam::${ACCOUNT}:role/admin); admin can undo it: admin's ${ADMIN_GRANT}`,
                FAILED(1),
            ]);
        });

        it("fails a chain of two hops, naming every hop", async () => {
            // ops may assume admin by name alone; ci is newly allowed to assume ops, whose trust allows the account.
            const roles = (ci: string) => victim() + admin(`        principals: ["arn:aws:iam::${ACCOUNT}:role/ops"]`) + role("ops") + ci;
            const head = stack(roles(role("ci", { extra: allow("hop", "sts:AssumeRole", `arn:aws:iam::${ACCOUNT}:role/o*`) })));
            await expectGuard({ "Pulumi.dev.yaml": stack(roles(role("ci"))) }, { "Pulumi.dev.yaml": head }, 1, [
                `FAIL dev: role ci: may now undo ${WHAT}: through ci -> ops -> admin: ci can assume ops (ops's trust allows account ${ACCOUNT}, ci's account; ci's inline policy hop allows sts:AssumeRole on arn:aws:iam::${ACCOUNT}:role/o*); ops can assume admin (admin's trust names ops's ARN (arn:aws:iam::${ACCOUNT}:role/ops); in the same account that alone lets it assume the role); admin can undo it: admin's ${ADMIN_GRANT}`,
                FAILED(1),
            ]);
        });

        it("fails a widened trust of a role on an undo path", async () => {
            const base = stack(victim() + admin());
            const head = stack(victim() + admin(`        services: ["ec2.amazonaws.com", "lambda.amazonaws.com"]`));
            await expectGuard({ "Pulumi.dev.yaml": base }, { "Pulumi.dev.yaml": head }, 1, [
                `FAIL dev: role admin: can undo ${WHAT}, and its trust is widened: now grants sts:assumerole to service lambda.amazonaws.com, which it did not`,
                FAILED(1),
            ]);
        });
    });

    describe("an sts:AssumeRole grant on the revoked role", () => {
        it("fails as widened trust when the revoked role trusts its own account", async () => {
            const ci = role("ci", { extra: allow("assume", "sts:AssumeRole", `arn:aws:iam::${ACCOUNT}:role/victim`) });
            await expectGuard({ "Pulumi.dev.yaml": BASE }, { "Pulumi.dev.yaml": BASE + ci }, 1, [
                `FAIL dev: role ci: may now assume revoked role dev/victim ${WINDOW}: victim's trust allows account ${ACCOUNT}, ci's account; ci's inline policy assume allows sts:AssumeRole on arn:aws:iam::${ACCOUNT}:role/victim; its sessions would be issued after the cutoff, so this widens victim's trust`,
                FAILED(1),
            ]);
        });
    });

    describe("resources that cannot be decided cover every role", () => {
        it("fails a Resource with a policy variable", async () => {
            const janitor = role("janitor", {
                extra: allow("clean", "iam:DeleteRolePolicy", "arn:aws:iam::${aws:PrincipalAccount}:role/*"),
            });
            await expectGuard({ "Pulumi.dev.yaml": BASE }, { "Pulumi.dev.yaml": BASE + janitor }, 1, [
                `FAIL dev: role janitor: may now undo ${WHAT}: its inline policy clean (statement 0) allows iam:DeleteRolePolicy on arn:aws:iam::\${aws:PrincipalAccount}:role/* (a policy variable, taken as every resource); whoever can assume janitor could remove or rewrite the revocation in one call`,
                FAILED(1),
            ]);
        });

        it("fails a NotResource", async () => {
            const janitor = role("janitor", {
                extra: policy(
                    "clean",
                    `              Action: iam:DeleteRolePolicy\n              NotResource: "arn:aws:iam::${ACCOUNT}:role/protected/*"`,
                ),
            });
            await expectGuard({ "Pulumi.dev.yaml": BASE }, { "Pulumi.dev.yaml": BASE + janitor }, 1, [
                `FAIL dev: role janitor: may now undo ${WHAT}: its inline policy clean (statement 0) allows iam:DeleteRolePolicy on everything but arn:aws:iam::${ACCOUNT}:role/protected/* (NotResource, taken as every resource); whoever can assume janitor could remove or rewrite the revocation in one call`,
                FAILED(1),
            ]);
        });

        it("fails a NotAction, whatever its Resource", async () => {
            const janitor = role("janitor", {
                extra: policy(
                    "data",
                    `              NotAction: ["s3:*", "sts:*", "iam:PassRole"]\n              Resource: "arn:aws:s3:::acme-data/*"`,
                ),
            });
            await expectGuard({ "Pulumi.dev.yaml": BASE }, { "Pulumi.dev.yaml": BASE + janitor }, 1, [
                `FAIL dev: role janitor: may now undo ${WHAT}: its inline policy data (statement 0) allows iam:DeleteRolePolicy, iam:PutRolePolicy, iam:DeleteRole, iam:UpdateAssumeRolePolicy and 20 more permissions-management actions on arn:aws:s3:::acme-data/* (in a NotAction statement, taken as every resource); whoever can assume janitor could remove or rewrite the revocation in one call`,
                FAILED(1),
            ]);
        });

        it("fails iam:*Policy*, expanded against the catalog", async () => {
            const janitor = role("janitor", { extra: allow("policies", '"iam:*Policy*"', `arn:aws:iam::${ACCOUNT}:role/*`) });
            await expectGuard({ "Pulumi.dev.yaml": BASE }, { "Pulumi.dev.yaml": BASE + janitor }, 1, [
                `FAIL dev: role janitor: may now undo ${WHAT}: its inline policy policies (statement 0) allows iam:DeleteRolePolicy, iam:PutRolePolicy, iam:UpdateAssumeRolePolicy, iam:AttachGroupPolicy and 15 more permissions-management actions on arn:aws:iam::${ACCOUNT}:role/*; whoever can assume janitor could remove or rewrite the revocation in one call`,
                FAILED(1),
            ]);
        });
    });

    describe("organization revocations", () => {
        const org = `config:\n  aws:region: us-east-1\n  aws:allowedAccountIds: ["999999999999"]\n  revocable-roles:organization:\n    targets: ["r-ab12"]\n    revocations:\n      - roleName: ci-deployer\n        revokeBefore: "${CUTOFF}"\n`;

        it("fails organizations:UpdatePolicy given to a role of any account", async () => {
            const editor = role("scp-editor", { extra: allow("scp", "organizations:UpdatePolicy", "*") });
            const dev = stack(role("bystander"), "222222222222");
            await expectGuard({ "Pulumi.org.yaml": org, "Pulumi.dev.yaml": dev }, { "Pulumi.dev.yaml": dev + editor }, 1, [
                "FAIL dev: role scp-editor: may now undo the organization revocation of role ci-deployer in org (in force until 2026-11-27T23:00:00Z): it can change the organization's service control policies or the accounts they reach: its inline policy scp (statement 0) allows organizations:UpdatePolicy on *",
                FAILED(1),
            ]);
        });
    });

    it("refuses two inline policies of one role whose names differ only in case", async () => {
        const deny = (name: string) =>
            `        ${name}:\n          Version: "2012-10-17"\n          Statement:\n            - Effect: Deny\n              Action: s3:DeleteObject\n              Resource: "*"\n`;
        const limited = stack(
            victim() + role("bystander", { extra: `      inlinePolicies:\n${deny("limits")}${deny("Limits")}`.trimEnd() }),
        );
        await expectGuard({ "Pulumi.dev.yaml": BASE }, { "Pulumi.dev.yaml": limited }, 1, [
            'FAIL dev: Pulumi.dev.yaml: revocable-roles:roles.bystander.inlinePolicies.Limits: "Limits" and "limits" are one inline policy to IAM, which compares policy names regardless of case: deploying both would replace one with the other; give them names that differ in more than case',
            FAILED(1),
        ]);
    });

    describe("benign changes pass", () => {
        it("passes new roles without rights", async () => {
            await expectGuard(
                { "Pulumi.dev.yaml": BASE },
                { "Pulumi.dev.yaml": BASE + role("reader", { extra: managed("arn:aws:iam::aws:policy/ReadOnlyAccess") }) },
                0,
                [PASSED],
            );
        });

        it("passes any rights in another account", async () => {
            const elsewhere = stack(
                role("rotator", { extra: ADMIN }) + role("ci", { extra: allow("hop", "sts:AssumeRole", "*") }),
                "222222222222",
            );
            await expectGuard({ "Pulumi.dev.yaml": BASE }, { "Pulumi.ops.yaml": elsewhere }, 0, [PASSED]);
        });

        it("passes narrow IAM rights on a role path that holds neither a revoked role nor a capable one", async () => {
            const sandbox = role("sandbox-admin", {
                extra: allow("sandbox", "[iam:PutRolePolicy, iam:PassRole]", `arn:aws:iam::${ACCOUNT}:role/sandbox/*`),
            });
            await expectGuard({ "Pulumi.dev.yaml": BASE }, { "Pulumi.dev.yaml": BASE + sandbox }, 0, [PASSED]);
        });
    });
});

/**
 * RevocableRole from a user's own program: values that come from other resources (Outputs),
 * validated when known, with the same messages as plain values.
 */
import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import * as iam from "@pulumi/aws/iam";
import * as s3 from "@pulumi/aws/s3";
import { RevocableRole } from "../components";
import { runOffline } from "../plan/recorder";
import { byName, doc, register } from "./helpers";

/** A program as a Pulumi user writes it: every field that can take an Input gets an Output of another resource. */
function userProgram(overrides: { auditArn?: pulumi.Input<string> } = {}) {
    const bucket = new s3.Bucket("artifacts", { bucket: "acme-artifacts" });
    const audit = new iam.Policy("audit", {
        name: "Audit",
        policy: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListAllMyBuckets","Resource":"*"}]}',
    });
    const boundary = new iam.Policy("boundary", {
        name: "Boundary",
        policy: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}',
    });
    const github = new iam.OpenIdConnectProvider("github", {
        url: "https://token.actions.githubusercontent.com",
        clientIdLists: ["sts.amazonaws.com"],
    });
    const okta = new iam.OpenIdConnectProvider("okta", { url: "https://acme.okta.com", clientIdLists: ["acme"] });
    const caller = new iam.Role("caller", { name: "caller", assumeRolePolicy: '{"Version":"2012-10-17","Statement":[]}' });
    const team = pulumi.output("platform");
    return new RevocableRole("deployer", {
        description: pulumi.interpolate`Writes to ${bucket.bucket}`,
        permissionsBoundary: boundary.arn,
        tags: { team },
        trust: {
            accounts: [pulumi.output("111111111111")],
            principals: [caller.arn],
            externalId: pulumi.output("partner-7f3c"),
            githubActions: { repositories: ["acme/infra"], providerArn: github.arn },
            oidc: { providerArn: okta.arn, conditions: { StringEquals: { "acme.okta.com:sub": pulumi.output("deployer") } } },
            saml: { providerArn: pulumi.output("arn:aws:iam::111111111111:saml-provider/Okta") },
        },
        managedPolicies: { audit: overrides.auditArn ?? audit.arn },
        inlinePolicies: {
            artifacts: {
                Version: "2012-10-17",
                Statement: [
                    { Effect: "Allow", Action: ["s3:PutObject"], Resource: [pulumi.interpolate`${bucket.arn}/*`] },
                    {
                        Effect: "Deny",
                        Action: ["s3:DeleteObject"],
                        NotResource: [bucket.arn],
                        Condition: { StringNotEquals: { "aws:PrincipalTag/team": team } },
                    },
                ],
            },
        },
        revokeBefore: "2026-11-27T10:15:00Z",
    });
}

describe("RevocableRole with Inputs from other resources", () => {
    it("registers children whose inputs carry the resolved values", async () => {
        const rs = byName(await register(() => userProgram()));
        const role = rs.get("deployer-role")!.inputs;
        assert.deepStrictEqual(
            { description: role.description, permissionsBoundary: role.permissionsBoundary, tags: role.tags },
            {
                description: "Writes to acme-artifacts",
                permissionsBoundary: "arn:aws:iam::000000000000:policy/Boundary",
                tags: { team: "platform" },
            },
        );
        assert.deepStrictEqual(doc(role.assumeRolePolicy), {
            Version: "2012-10-17",
            Statement: [
                {
                    Sid: "TrustAccounts",
                    Effect: "Allow",
                    Principal: { AWS: ["arn:aws:iam::111111111111:root"] },
                    Action: "sts:AssumeRole",
                    Condition: { StringEquals: { "sts:ExternalId": "partner-7f3c" } },
                },
                {
                    Sid: "TrustPrincipals",
                    Effect: "Allow",
                    Principal: { AWS: ["arn:aws:iam::000000000000:role/caller"] },
                    Action: "sts:AssumeRole",
                    Condition: { StringEquals: { "sts:ExternalId": "partner-7f3c" } },
                },
                {
                    Sid: "TrustGitHubActions",
                    Effect: "Allow",
                    Principal: { Federated: "arn:aws:iam::000000000000:oidc-provider/token.actions.githubusercontent.com" },
                    Action: "sts:AssumeRoleWithWebIdentity",
                    Condition: {
                        StringEquals: { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" },
                        StringLike: { "token.actions.githubusercontent.com:sub": ["repo:acme/infra:*"] },
                    },
                },
                {
                    Sid: "TrustOidc",
                    Effect: "Allow",
                    Principal: { Federated: "arn:aws:iam::000000000000:oidc-provider/acme.okta.com" },
                    Action: "sts:AssumeRoleWithWebIdentity",
                    Condition: { StringEquals: { "acme.okta.com:sub": "deployer" } },
                },
                {
                    Sid: "TrustSaml",
                    Effect: "Allow",
                    Principal: { Federated: "arn:aws:iam::111111111111:saml-provider/Okta" },
                    Action: "sts:AssumeRoleWithSAML",
                    Condition: { StringEquals: { "SAML:aud": "https://signin.aws.amazon.com/saml" } },
                },
            ],
        });
        assert.deepStrictEqual(rs.get("deployer-managed-audit")!.inputs, {
            role: "deployer",
            policyArn: "arn:aws:iam::000000000000:policy/Audit",
        });
        assert.deepStrictEqual(doc(rs.get("deployer-policy-artifacts")!.inputs.policy), {
            Version: "2012-10-17",
            Statement: [
                { Effect: "Allow", Action: ["s3:PutObject"], Resource: ["arn:aws:s3:::acme-artifacts/*"] },
                {
                    Effect: "Deny",
                    Action: ["s3:DeleteObject"],
                    NotResource: ["arn:aws:s3:::acme-artifacts"],
                    Condition: { StringNotEquals: { "aws:PrincipalTag/team": "platform" } },
                },
            ],
        });
        assert.deepStrictEqual(rs.get("deployer-revocation")!.inputs.role, "deployer");
    });

    it("fails the program with the usual message when a value that arrives through an Output is invalid, before it reaches AWS", async () => {
        const run = await runOffline(() => userProgram({ auditArn: pulumi.output("not-an-arn") }), {
            project: "revocable-roles",
            now: new Date(),
            stack: "test",
            config: {},
        });
        assert.strictEqual(
            run.error?.message,
            'role "deployer": managedPolicies.audit: "not-an-arn" is not a policy ARN such as arn:aws:iam::123456789012:policy/Audit',
        );
        assert.deepStrictEqual(
            run.registrations.filter((r) => r.parent?.endsWith("::deployer")).map((r) => r.name),
            [],
        );
    });

    it("validates what is known at construction before registering anything, Outputs elsewhere notwithstanding", async () => {
        const run = await runOffline(
            () =>
                new RevocableRole("deployer", {
                    trust: { principals: [pulumi.output("arn:aws:iam::111111111111:role/caller")] },
                    maxSessionDuration: 60,
                }),
            { project: "revocable-roles", stack: "test", config: {}, now: new Date() },
        );
        assert.deepStrictEqual(run.registrations, []);
        assert.strictEqual(
            run.error?.message,
            'role "deployer": maxSessionDuration: 60 is out of range; expected whole seconds from 3600 (1 hour) to 43200 (12 hours)',
        );
    });

    it("refuses an Output where a plain value decides the resources", async () => {
        const run = await runOffline(
            () =>
                new RevocableRole("deployer", {
                    trust: { accounts: ["111111111111"] },
                    revokeBefore: pulumi.output("2026-11-27T10:00:00Z") as unknown as string,
                }),
            { project: "revocable-roles", stack: "test", config: {}, now: new Date() },
        );
        assert.deepStrictEqual(run.registrations, []);
        assert.strictEqual(
            run.error?.message,
            'role "deployer": revokeBefore: is an Output or a Promise; this field must be a plain value when the program runs (it decides which resources exist, what they are called, or how they are compared); Inputs are taken by description, permissionsBoundary, tag values, trust.accounts, trust.principals, trust.externalId, provider ARNs, managedPolicies values, and Resource, NotResource and condition values of inline policies',
        );
    });
});

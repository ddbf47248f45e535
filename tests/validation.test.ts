import * as assert from "assert";
import { RoleValidationError, roleModel, roleProblems } from "../components/role";
import { formatPath } from "../components/validation";

const now = new Date("2026-11-27T12:00:00Z");
const base = { roleName: "app", trust: { accounts: ["111111111111"] } };
const cases: [string, any][] = [
 ["roleName", { ...base, roleName: "bad name!" }],
 ["roleName long", { ...base, roleName: "x".repeat(65) }],
 ["path", { ...base, path: "team" }],
 ["session", { ...base, maxSessionDuration: 60 }],
 ["session type", { ...base, maxSessionDuration: "1h" }],
 ["boundary", { ...base, permissionsBoundary: "Boundary" }],
 ["account", { ...base, trust: { accounts: ["12345"] } }],
 ["principal", { ...base, trust: { principals: ["arn:aws:iam::111111111111:group/x"] } }],
 ["service", { ...base, trust: { services: ["ec2"] } }],
 ["gh empty", { ...base, trust: { githubActions: { repositories: [] } } }],
 ["gh bad", { ...base, trust: { githubActions: { repositories: ["infra"] } } }],
 ["oidc arn", { ...base, trust: { oidc: { providerArn: "x", conditions: {StringEquals: {"example.com:sub": "a"}} } } }],
 ["oidc empty", { ...base, trust: { oidc: { providerArn: "arn:aws:iam::111111111111:oidc-provider/example.com", conditions: {} } } }],
 ["saml", { ...base, trust: { saml: { providerArn: "arn:aws:iam::111111111111:oidc-provider/x" } } }],
 ["no principal", { ...base, trust: {} }],
 ["mfa no human", { ...base, trust: { services: ["ec2.amazonaws.com"], requireMfa: true } }],
 ["extid no human", { ...base, trust: { services: ["ec2.amazonaws.com"], externalId: "abc-123" } }],
 ["mfa age w/o mfa", { ...base, trust: { accounts: ["111111111111"], mfaMaxAgeSeconds: 300 } }],
 ["star no cond", { ...base, trust: { statements: [{Effect: "Allow", Principal: "*", Action: "sts:AssumeRole"}] } }],
 ["star aws no cond", { ...base, trust: { statements: [{Effect: "Allow", Principal: {AWS: "*"}, Action: "sts:AssumeRole"}] } }],
 ["policy reserved", { ...base, inlinePolicies: { RevokeOlderSessions: {Version: "2012-10-17", Statement: [{Effect: "Allow", Action: "s3:GetObject", Resource: "*"}]} } }],
 ["policy reserved2", { ...base, inlinePolicies: { AWSRevokeOlderSessions: {Version: "2012-10-17", Statement: [{Effect: "Allow", Action: "s3:GetObject", Resource: "*"}]} } }],
 ["policy name", { ...base, inlinePolicies: { "bad name": {Version: "2012-10-17", Statement: [{Effect: "Allow", Action: "s3:GetObject", Resource: "*"}]} } }],
 ["version", { ...base, inlinePolicies: { p: {Version: "2008-10-17", Statement: [{Effect: "Allow", Action: "s3:GetObject", Resource: "*"}]} } }],
 ["empty stmt", { ...base, inlinePolicies: { p: {Version: "2012-10-17", Statement: []} } }],
 ["effect", { ...base, inlinePolicies: { p: {Version: "2012-10-17", Statement: [{Effect: "Permit", Action: "s3:GetObject", Resource: "*"}]} } }],
 ["action fmt", { ...base, inlinePolicies: { p: {Version: "2012-10-17", Statement: [{Effect: "Allow", Action: "GetObject", Resource: "*"}]} } }],
 ["no resource", { ...base, inlinePolicies: { p: {Version: "2012-10-17", Statement: [{Effect: "Allow", Action: "s3:GetObject"}]} } }],
 ["both actions", { ...base, inlinePolicies: { p: {Version: "2012-10-17", Statement: [{Effect: "Allow", Action: "s3:GetObject", NotAction: "s3:PutObject", Resource: "*"}]} } }],
 ["aggregate", { ...base, inlinePolicies: { p: {Version: "2012-10-17", Statement: [{Effect: "Allow", Action: "s3:GetObject", Resource: Array.from({length: 400}, (_, i) => `arn:aws:s3:::bucket-${i}/*`)}]} } }],
 ["rb nozone", { ...base, revokeBefore: "2026-11-27 10:15" }],
 ["rb future", { ...base, revokeBefore: "2026-11-27T12:06:00Z" }],
 ["rb 5min ok", { ...base, revokeBefore: "2026-11-27T12:05:00Z" }],
 ["rb epoch", { ...base, revokeBefore: 1764238500 }],
 ["unknown", { ...base, revokebefore: "x" }],
 ["provider", { ...base, provider: "gcp" }],
 ["managed", { ...base, managedPolicyArns: ["ReadOnlyAccess"] }],
 ["tags", { ...base, tags: { "aws:x": "y" } }],
];

const expected: Record<string, string[]> = Object.fromEntries([
    ["roleName", ["roleName: \"bad name!\" is not a role name of 1 to 64 characters of A-Za-z0-9+=,.@_-"]],
    ["roleName long", ["roleName: \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\" is not a role name of 1 to 64 characters of A-Za-z0-9+=,.@_-"]],
    ["path", ["path: \"team\" is not an IAM path; expected \"/\" or \"/division/team/\", at most 512 characters"]],
    ["session", ["maxSessionDuration: 60 is out of range; expected whole seconds from 3600 (1 hour) to 43200 (12 hours)"]],
    ["session type", ["maxSessionDuration: \"1h\" is a string; expected a number"]],
    ["boundary", ["permissionsBoundary: \"Boundary\" is not a policy ARN such as arn:aws:iam::123456789012:policy/Boundary"]],
    ["account", ["trust.accounts[0]: \"12345\" is not a 12-digit AWS account ID such as 123456789012"]],
    ["principal", ["trust.principals[0]: \"arn:aws:iam::111111111111:group/x\" is not an IAM role or user ARN such as arn:aws:iam::123456789012:role/name"]],
    ["service", ["trust.services[0]: \"ec2\" is not a service principal such as ec2.amazonaws.com"]],
    ["gh empty", ["trust.githubActions.repositories: must not be empty; without a repository every GitHub repository could assume the role; add one such as \"acme/infra\""]],
    ["gh bad", ["trust.githubActions.repositories[0]: \"infra\" is not a repository \"org/repo\" or \"org/repo:<sub suffix>\" such as \"acme/infra:ref:refs/heads/main\""]],
    ["oidc arn", ["trust.oidc.providerArn: \"x\" is not an OIDC provider ARN such as arn:aws:iam::123456789012:oidc-provider/example.com"]],
    ["oidc empty", ["trust.oidc.conditions: must not be empty; without conditions every identity of the provider could assume the role"]],
    ["saml", ["trust.saml.providerArn: \"arn:aws:iam::111111111111:oidc-provider/x\" is not a SAML provider ARN such as arn:aws:iam::123456789012:saml-provider/Okta"]],
    ["no principal", ["trust: trusts no principal; expected at least one of accounts, principals, services, githubActions, oidc, saml or statements"]],
    ["mfa no human", ["trust.requireMfa: true applies only to accounts and principals, and this trust has neither; MFA and ExternalId make no sense for services or federated identities"]],
    ["extid no human", ["trust.externalId: \"abc-123\" applies only to accounts and principals, and this trust has neither; MFA and ExternalId make no sense for services or federated identities"]],
    ["mfa age w/o mfa", ["trust.mfaMaxAgeSeconds: 300 needs requireMfa: true as well"]],
    ["star no cond", ["trust.statements[0]: trusts principal \"*\" without any Condition, which lets anyone assume the role; add a Condition"]],
    ["star aws no cond", ["trust.statements[0]: trusts principal \"*\" without any Condition, which lets anyone assume the role; add a Condition"]],
    ["policy reserved", ["inlinePolicies.RevokeOlderSessions: \"RevokeOlderSessions\" is reserved for revocation policies; choose another name"]],
    ["policy reserved2", ["inlinePolicies.AWSRevokeOlderSessions: \"AWSRevokeOlderSessions\" is reserved for revocation policies; choose another name"]],
    ["policy name", ["inlinePolicies[\"bad name\"]: \"bad name\" is not a policy name of 1 to 128 characters of A-Za-z0-9+=,.@_-"]],
    ["version", ["inlinePolicies.p.Version: \"2008-10-17\" is not supported; expected Version \"2012-10-17\""]],
    ["empty stmt", ["inlinePolicies.p.Statement: must not be empty"]],
    ["effect", ["inlinePolicies.p.Statement[0].Effect: \"Permit\" is not allowed; expected \"Allow\" or \"Deny\""]],
    ["action fmt", ["inlinePolicies.p.Statement[0].Action: \"GetObject\" is not an action of the form \"service:Action\" (wildcards allowed) or \"*\""]],
    ["no resource", ["inlinePolicies.p.Statement[0]: has no Resource; expected Resource or NotResource, such as \"*\""]],
    ["both actions", ["inlinePolicies.p.Statement[0]: has both Action and NotAction; use one of them"]],
    ["aggregate", ["inlinePolicies: use 11184 characters, plus 167 kept for the RevokeOlderSessions policy, 11351 in all; IAM allows 10240 per role (whitespace not counted): move statements into managed policies"]],
    ["rb nozone", ["revokeBefore: \"2026-11-27 10:15\" has no time zone; write an ISO-8601 UTC timestamp such as 2026-11-27T10:00:00Z"]],
    ["rb future", ["revokeBefore: \"2026-11-27T12:06:00Z\" is in the future (now is 2026-11-27T12:00:00Z); a future cutoff would also deny every session issued until then, locking everyone out; use a time no later than now"]],
    ["rb 5min ok", []],
    ["rb epoch", ["revokeBefore: 1764238500 is a number; write an ISO-8601 UTC timestamp such as 2026-11-27T10:00:00Z"]],
    ["unknown", ["revokebefore: unknown key \"revokebefore\"; did you mean \"revokeBefore\"?"]],
    ["provider", ["provider: \"gcp\" is not a provider; expected \"aws\" or \"aws-native\""]],
    ["managed", ["managedPolicyArns[0]: \"ReadOnlyAccess\" is not a policy ARN such as arn:aws:iam::aws:policy/ReadOnlyAccess"]],
    ["tags", ["tags: \"aws:x\": tag keys are 1 to 128 characters, not starting with \"aws:\", and values at most 256"]],
]);

describe("role validation", () => {
    for (const [name, args] of cases) {
        it(`reports exactly the expected problems: ${name}`, () => {
            assert.deepStrictEqual(
                roleProblems(args, { now }).map((p) => `${formatPath(p.path)}: ${p.message}`),
                expected[name],
            );
        });
    }

    it("reports every problem of a role at once, each naming the role", () => {
        assert.throws(
            () => roleModel("app", { trust: { accounts: ["1"], services: ["ec2"] }, maxSessionDuration: 1, revokeBefore: "2026-11-27" }, { now }),
            (error: unknown) => {
                assert.ok(error instanceof RoleValidationError);
                assert.strictEqual(
                    error.message,
                    [
                        'role "app": maxSessionDuration: 1 is out of range; expected whole seconds from 3600 (1 hour) to 43200 (12 hours)',
                        'role "app": trust.accounts[0]: "1" is not a 12-digit AWS account ID such as 123456789012',
                        'role "app": trust.services[0]: "ec2" is not a service principal such as ec2.amazonaws.com',
                        'role "app": revokeBefore: "2026-11-27" has no time; write an ISO-8601 UTC timestamp such as 2026-11-27T10:00:00Z',
                    ].join("\n"),
                );
                return true;
            },
        );
    });

    it("validates the component name as the role name when roleName is not given", () => {
        assert.throws(() => roleModel("not valid!", { trust: { accounts: ["111111111111"] } }, { now }), {
            message: 'role "not valid!": roleName: "not valid!" is not a role name of 1 to 64 characters of A-Za-z0-9+=,.@_-',
        });
    });
});

import * as assert from "assert";
import { contextNeeded, githubSubject, trustPolicy, KnownTrust } from "../iam/trust";
import { PolicyDocument, PolicyStatement } from "../iam/policy";
import { trustChanges } from "../analysis/trust";

const context = { partition: "aws", accountId: "123456789012" };
const statements = (trust: KnownTrust, ctx = context): PolicyStatement[] => {
    const document = trustPolicy(trust, ctx);
    assert.strictEqual(document.Version, "2012-10-17");
    return document.Statement;
};

const accounts: PolicyStatement = {
    Sid: "TrustAccounts",
    Effect: "Allow",
    Principal: { AWS: ["arn:aws:iam::111111111111:root", "arn:aws:iam::222222222222:root"] },
    Action: "sts:AssumeRole",
};

describe("trustPolicy", () => {
    it("trusts accounts through their root principal", () => {
        assert.deepStrictEqual(statements({ accounts: ["111111111111", "222222222222"] }), [accounts]);
    });

    it("uses the deploying partition for account principals", () => {
        assert.deepStrictEqual(statements({ accounts: ["111111111111"] }, { partition: "aws-cn", accountId: "x" })[0].Principal, {
            AWS: ["arn:aws-cn:iam::111111111111:root"],
        });
    });

    it("trusts role and user ARNs as written", () => {
        assert.deepStrictEqual(statements({ principals: ["arn:aws:iam::111111111111:role/ci"] }), [
            {
                Sid: "TrustPrincipals",
                Effect: "Allow",
                Principal: { AWS: ["arn:aws:iam::111111111111:role/ci"] },
                Action: "sts:AssumeRole",
            },
        ]);
    });

    it("trusts services with sts:AssumeRole and no conditions", () => {
        assert.deepStrictEqual(statements({ services: ["ec2.amazonaws.com", "lambda.amazonaws.com"] }), [
            {
                Sid: "TrustServices",
                Effect: "Allow",
                Principal: { Service: ["ec2.amazonaws.com", "lambda.amazonaws.com"] },
                Action: "sts:AssumeRole",
            },
        ]);
    });

    it("trusts GitHub Actions through the deploying account's provider with exact subjects", () => {
        assert.deepStrictEqual(
            statements({ githubActions: { repositories: ["acme/infra:ref:refs/heads/main", "acme/app:environment:prod"] } }),
            [
                {
                    Sid: "TrustGitHubActions",
                    Effect: "Allow",
                    Principal: { Federated: "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com" },
                    Action: "sts:AssumeRoleWithWebIdentity",
                    Condition: {
                        StringEquals: {
                            "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
                            "token.actions.githubusercontent.com:sub": [
                                "repo:acme/infra:ref:refs/heads/main",
                                "repo:acme/app:environment:prod",
                            ],
                        },
                    },
                },
            ],
        );
    });

    it("puts every GitHub subject under StringLike when one has a wildcard, since two operators on one key would be ANDed", () => {
        const [statement] = statements({
            githubActions: {
                repositories: ["acme/infra", "acme/app:ref:refs/heads/main"],
                providerArn: "arn:aws-us-gov:iam::999999999999:oidc-provider/token.actions.githubusercontent.com",
                audience: "custom",
            },
        });
        assert.deepStrictEqual(statement.Principal, {
            Federated: "arn:aws-us-gov:iam::999999999999:oidc-provider/token.actions.githubusercontent.com",
        });
        assert.deepStrictEqual(statement.Condition, {
            StringEquals: { "token.actions.githubusercontent.com:aud": "custom" },
            StringLike: { "token.actions.githubusercontent.com:sub": ["repo:acme/infra:*", "repo:acme/app:ref:refs/heads/main"] },
        });
    });

    it("turns a repository without suffix into any ref of that repository", () => {
        assert.strictEqual(githubSubject("acme/infra"), "repo:acme/infra:*");
        assert.strictEqual(githubSubject("acme/infra:pull_request"), "repo:acme/infra:pull_request");
    });

    it("trusts another OIDC provider with the given conditions", () => {
        const conditions = { StringEquals: { "accounts.google.com:aud": "1234.apps.googleusercontent.com" } };
        assert.deepStrictEqual(
            statements({ oidc: { providerArn: "arn:aws:iam::123456789012:oidc-provider/accounts.google.com", conditions } }),
            [
                {
                    Sid: "TrustOidc",
                    Effect: "Allow",
                    Principal: { Federated: "arn:aws:iam::123456789012:oidc-provider/accounts.google.com" },
                    Action: "sts:AssumeRoleWithWebIdentity",
                    Condition: conditions,
                },
            ],
        );
    });

    it("trusts SAML with the sign-in audience of the provider's partition", () => {
        assert.deepStrictEqual(statements({ saml: { providerArn: "arn:aws:iam::123456789012:saml-provider/Okta" } }), [
            {
                Sid: "TrustSaml",
                Effect: "Allow",
                Principal: { Federated: "arn:aws:iam::123456789012:saml-provider/Okta" },
                Action: "sts:AssumeRoleWithSAML",
                Condition: { StringEquals: { "SAML:aud": "https://signin.aws.amazon.com/saml" } },
            },
        ]);
        assert.deepStrictEqual(statements({ saml: { providerArn: "arn:aws-cn:iam::123456789012:saml-provider/Okta" } })[0].Condition, {
            StringEquals: { "SAML:aud": "https://signin.amazonaws.cn/saml" },
        });
    });

    it("applies MFA and ExternalId to accounts and principals only", () => {
        const human = {
            StringEquals: { "sts:ExternalId": "x-123" },
            Bool: { "aws:MultiFactorAuthPresent": "true" },
            NumericLessThan: { "aws:MultiFactorAuthAge": "900" },
        };
        assert.deepStrictEqual(
            statements({
                accounts: ["111111111111"],
                principals: ["arn:aws:iam::111111111111:user/alice"],
                services: ["ec2.amazonaws.com"],
                githubActions: { repositories: ["acme/infra:ref:refs/heads/main"] },
                externalId: "x-123",
                requireMfa: true,
                mfaMaxAgeSeconds: 900,
            }).map((s) => [s.Sid, s.Condition]),
            [
                ["TrustAccounts", human],
                ["TrustPrincipals", human],
                ["TrustServices", undefined],
                [
                    "TrustGitHubActions",
                    {
                        StringEquals: {
                            "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
                            "token.actions.githubusercontent.com:sub": ["repo:acme/infra:ref:refs/heads/main"],
                        },
                    },
                ],
            ],
        );
    });

    it("requires MFA without an age limit when no maximum is given", () => {
        assert.deepStrictEqual(statements({ accounts: ["111111111111"], requireMfa: true })[0].Condition, {
            Bool: { "aws:MultiFactorAuthPresent": "true" },
        });
    });

    it("renders one statement per kind in a fixed order, then the raw statements", () => {
        const raw: PolicyStatement = {
            Sid: "Raw",
            Effect: "Allow",
            Principal: { AWS: "arn:aws:iam::333333333333:root" },
            Action: "sts:TagSession",
        };
        assert.deepStrictEqual(
            statements({
                statements: [raw],
                saml: { providerArn: "arn:aws:iam::123456789012:saml-provider/Okta" },
                oidc: {
                    providerArn: "arn:aws:iam::123456789012:oidc-provider/example.com",
                    conditions: { StringEquals: { "example.com:sub": "x" } },
                },
                githubActions: { repositories: ["acme/infra"] },
                services: ["ec2.amazonaws.com"],
                principals: ["arn:aws:iam::111111111111:role/a"],
                accounts: ["111111111111"],
            }).map((s) => s.Sid),
            ["TrustAccounts", "TrustPrincipals", "TrustServices", "TrustGitHubActions", "TrustOidc", "TrustSaml", "Raw"],
        );
    });
});

describe("contextNeeded", () => {
    it("asks for the partition for accounts and for both for the default GitHub provider, nothing otherwise", () => {
        assert.deepStrictEqual(contextNeeded({ accounts: ["111111111111"] }), { partition: true, accountId: false });
        assert.deepStrictEqual(contextNeeded({ githubActions: { repositories: ["a/b"] } }), { partition: true, accountId: true });
        assert.deepStrictEqual(contextNeeded({ githubActions: { repositories: ["a/b"], providerArn: "arn:aws:iam::1:oidc-provider/x" } }), {
            partition: false,
            accountId: false,
        });
        assert.deepStrictEqual(contextNeeded({ services: ["ec2.amazonaws.com"], principals: ["arn:aws:iam::111111111111:role/a"] }), {
            partition: false,
            accountId: false,
        });
    });

    it("refuses to render a trust that needs the account without one", () => {
        assert.throws(() => trustPolicy({ accounts: ["111111111111"] }), /needs the deploying account's partition and ID/);
    });
});

describe("trustChanges on comparison conditions", () => {
    const trust = (operator: string, key: string, value: string): PolicyDocument => ({
        Version: "2012-10-17",
        Statement: [
            {
                Effect: "Allow",
                Principal: { AWS: "arn:aws:iam::111111111111:root" },
                Action: "sts:AssumeRole",
                Condition: { [operator]: { [key]: value } },
            },
        ],
    });
    const narrows = (condition: string) => [`narrows sts:assumerole to account 111111111111 when ${condition}`];
    const cases: [string, string, string, string, ReturnType<typeof trustChanges>][] = [
        [
            "a longer MFA age widens",
            "NumericLessThan",
            "900",
            "3600",
            {
                widened: ['loosens NumericLessThan aws:multifactorauthage ["900"] to NumericLessThan ["3600"] for account 111111111111'],
                tightened: [],
            },
        ],
        [
            "a shorter MFA age tightens",
            "NumericLessThan",
            "3600",
            "900",
            { widened: [], tightened: narrows('NumericLessThan aws:multifactorauthage ["3600"]') },
        ],
        [
            "a higher lower bound tightens",
            "NumericGreaterThan",
            "5",
            "10",
            { widened: [], tightened: narrows('NumericGreaterThan aws:multifactorauthage ["5"]') },
        ],
        [
            "a later end date widens",
            "DateLessThan",
            "2026-01-01T00:00:00Z",
            "2027-01-01T00:00:00Z",
            {
                widened: [
                    'loosens DateLessThan aws:currenttime ["2026-01-01T00:00:00Z"] to DateLessThan ["2027-01-01T00:00:00Z"] for account 111111111111',
                ],
                tightened: [],
            },
        ],
        [
            "an earlier start date widens",
            "DateGreaterThan",
            "2026-01-01T00:00:00Z",
            "2025-01-01T00:00:00Z",
            {
                widened: [
                    'loosens DateGreaterThan aws:currenttime ["2026-01-01T00:00:00Z"] to DateGreaterThan ["2025-01-01T00:00:00Z"] for account 111111111111',
                ],
                tightened: [],
            },
        ],
        [
            "a later start date tightens",
            "DateGreaterThan",
            "2025-01-01T00:00:00Z",
            "2026-01-01T00:00:00Z",
            { widened: [], tightened: narrows('DateGreaterThan aws:currenttime ["2025-01-01T00:00:00Z"]') },
        ],
    ];
    for (const [name, operator, before, after, expected] of cases) {
        it(name, () => {
            const key = operator.startsWith("Date") ? "aws:CurrentTime" : "aws:MultiFactorAuthAge";
            assert.deepStrictEqual(trustChanges(trust(operator, key, before), trust(operator, key, after)), expected);
        });
    }
});

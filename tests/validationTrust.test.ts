/**
 * Role validation of a role's trust, table-driven with exact messages: account and service
 * principals, GitHub and its sub claim, OIDC and SAML, MFA and ExternalId, and principal "*".
 */
import { base, SUB_FORMS, validates } from "./validationHarness";

const trusting = (statements: object[]) => ({ ...base, trust: { statements } });
const anyone = (condition?: object) => ({
    Effect: "Allow",
    Principal: "*",
    Action: "sts:AssumeRole",
    ...(condition === undefined ? {} : { Condition: condition }),
});
const STAR_UNLIMITED =
    'trust.statements[0]: trusts principal "*" and no condition limits who the caller is, which lets anyone assume the role; add a condition on aws:PrincipalOrgID, aws:PrincipalOrgPaths, aws:PrincipalAccount, aws:PrincipalArn, aws:SourceAccount, aws:SourceArn, aws:SourceOrgID or a federated token claim with specific values (not IfExists, not a bare wildcard)';

/** One behaviour of the validation of a trust each: the arguments, and exactly the problems reported (`path: message`). */
const trustCases: { name: string; args: unknown; problems: string[] }[] = [
    {
        name: "a short account ID",
        args: { ...base, trust: { accounts: ["12345"] } },
        problems: ['trust.accounts[0]: "12345" is not a 12-digit AWS account ID such as 123456789012'],
    },
    {
        name: "a group ARN as principal",
        args: { ...base, trust: { principals: ["arn:aws:iam::111111111111:group/x"] } },
        problems: [
            'trust.principals[0]: "arn:aws:iam::111111111111:group/x" is not an IAM role or user ARN such as arn:aws:iam::123456789012:role/name',
        ],
    },
    {
        name: "a service without its domain",
        args: { ...base, trust: { services: ["ec2"] } },
        problems: ['trust.services[0]: "ec2" is not a service principal such as ec2.amazonaws.com'],
    },
    {
        name: "GitHub without repositories",
        args: { ...base, trust: { githubActions: { repositories: [] } } },
        problems: [
            'trust.githubActions.repositories: must not be empty; without a repository every GitHub repository could assume the role; add one such as "acme/infra"',
        ],
    },
    {
        name: "a GitHub repository without its owner",
        args: { ...base, trust: { githubActions: { repositories: ["infra"] } } },
        problems: [
            'trust.githubActions.repositories[0]: "infra" is not a repository "org/repo" or "org/repo:<sub suffix>" such as "acme/infra:ref:refs/heads/main"',
        ],
    },
    {
        name: "an OIDC provider that is not an ARN",
        args: { ...base, trust: { oidc: { providerArn: "x", conditions: { StringEquals: { "example.com:sub": "a" } } } } },
        problems: ['trust.oidc.providerArn: "x" is not an OIDC provider ARN such as arn:aws:iam::123456789012:oidc-provider/example.com'],
    },
    {
        name: "OIDC without conditions",
        args: { ...base, trust: { oidc: { providerArn: "arn:aws:iam::111111111111:oidc-provider/example.com", conditions: {} } } },
        problems: ["trust.oidc.conditions: must not be empty; without conditions every identity of the provider could assume the role"],
    },
    {
        name: "an OIDC provider as SAML provider",
        args: { ...base, trust: { saml: { providerArn: "arn:aws:iam::111111111111:oidc-provider/x" } } },
        problems: [
            'trust.saml.providerArn: "arn:aws:iam::111111111111:oidc-provider/x" is not a SAML provider ARN such as arn:aws:iam::123456789012:saml-provider/Okta',
        ],
    },
    {
        name: "a trust without principals",
        args: { ...base, trust: {} },
        problems: [
            "trust: trusts no principal; expected at least one of accounts, principals, services, githubActions, oidc, saml or statements",
        ],
    },
    {
        name: "MFA for a service",
        args: { ...base, trust: { services: ["ec2.amazonaws.com"], requireMfa: true } },
        problems: [
            "trust.requireMfa: true applies only to accounts and principals, and this trust has neither; MFA and ExternalId make no sense for services or federated identities",
        ],
    },
    {
        name: "an ExternalId for a service",
        args: { ...base, trust: { services: ["ec2.amazonaws.com"], externalId: "abc-123" } },
        problems: [
            'trust.externalId: "abc-123" applies only to accounts and principals, and this trust has neither; MFA and ExternalId make no sense for services or federated identities',
        ],
    },
    {
        name: "an MFA age without MFA",
        args: { ...base, trust: { accounts: ["111111111111"], mfaMaxAgeSeconds: 300 } },
        problems: ["trust.mfaMaxAgeSeconds: 300 needs requireMfa: true as well"],
    },
    {
        name: "an MFA age of zero",
        args: { ...base, trust: { accounts: ["111111111111"], requireMfa: true, mfaMaxAgeSeconds: 0 } },
        problems: ["trust.mfaMaxAgeSeconds: 0 is out of range; expected whole seconds from 1 to 129600"],
    },
    {
        name: 'principal "*" without a condition',
        args: trusting([anyone()]),
        problems: ['trust.statements[0]: trusts principal "*" without any Condition, which lets anyone assume the role; add a Condition'],
    },
    {
        name: 'principal AWS "*" without a condition',
        args: trusting([{ ...anyone(), Principal: { AWS: "*" } }]),
        problems: ['trust.statements[0]: trusts principal "*" without any Condition, which lets anyone assume the role; add a Condition'],
    },
    {
        name: 'principal "*" with a condition that is true for anyone',
        args: trusting([anyone({ Bool: { "aws:SecureTransport": "true" } })]),
        problems: [STAR_UNLIMITED],
    },
    {
        name: 'principal "*" with IfExists, which is true when the key is absent',
        args: trusting([anyone({ StringEqualsIfExists: { "aws:PrincipalOrgID": "o-abcdefghij" } })]),
        problems: [STAR_UNLIMITED],
    },
    {
        name: 'principal "*" with a wildcard account',
        args: trusting([anyone({ StringLike: { "aws:PrincipalAccount": "*" } })]),
        problems: [STAR_UNLIMITED],
    },
    {
        name: 'principal "*" limited to an organization',
        args: trusting([anyone({ StringEquals: { "aws:PrincipalOrgID": "o-abcdefghij" } })]),
        problems: [],
    },
    {
        name: 'principal "*" limited to one role ARN',
        args: trusting([anyone({ ArnLike: { "aws:PrincipalArn": "arn:aws:iam::111111111111:role/ci-*" } })]),
        problems: [],
    },
    {
        name: "NotPrincipal with Allow",
        args: trusting([{ Effect: "Allow", NotPrincipal: { AWS: "arn:aws:iam::111111111111:root" }, Action: "sts:AssumeRole" }]),
        problems: [
            "trust.statements[0]: allows NotPrincipal, which trusts everyone except the principals listed; name who may assume the role in Principal instead",
        ],
    },
    {
        name: "GitHub repository entries in forms the sub claim never takes, with the form meant",
        args: {
            ...base,
            trust: {
                githubActions: {
                    repositories: [
                        "acme/web:main",
                        "acme/web:refs/tags/v1",
                        "acme/web:ref:release",
                        "acme/web:environment:",
                        "acme/web:env:prod",
                    ],
                },
            },
        },
        problems: [
            `trust.githubActions.repositories[0]: "acme/web:main" never matches: ${SUB_FORMS}; did you mean "acme/web:ref:refs/heads/main"?`,
            `trust.githubActions.repositories[1]: "acme/web:refs/tags/v1" never matches: ${SUB_FORMS}; did you mean "acme/web:ref:refs/tags/v1"?`,
            `trust.githubActions.repositories[2]: "acme/web:ref:release" never matches: ${SUB_FORMS}; did you mean "acme/web:ref:refs/heads/release"?`,
            `trust.githubActions.repositories[3]: "acme/web:environment:" never matches: ${SUB_FORMS}`,
            `trust.githubActions.repositories[4]: "acme/web:env:prod" never matches: ${SUB_FORMS}`,
        ],
    },
    {
        name: "every form of GitHub's sub claim: branch, tag, environment, pull request, wildcards, customized claims",
        args: {
            ...base,
            trust: {
                githubActions: {
                    repositories: [
                        "acme/web",
                        "acme/web:ref:refs/heads/main",
                        "acme/web:ref:refs/tags/v*",
                        "acme/web:environment:production",
                        "acme/web:pull_request",
                        "acme/web:*",
                        "acme/*:ref:refs/heads/main",
                        "acme/web:job_workflow_ref:acme/workflows/.github/workflows/deploy.yml@refs/heads/main",
                    ],
                },
            },
        },
        problems: [],
    },
];

describe("role validation", () => {
    validates(trustCases);
});

import * as assert from "assert";
import { RoleValidationError, validateRole } from "../iam/role";
import { roleProblems } from "../iam/rules";
import { formatPath } from "../iam/problems";
import { readStackConfig } from "../config/stackConfig";
import { loaded } from "./helpers";

const now = new Date("2026-11-27T12:00:00Z");
const base = { roleName: "app", trust: { accounts: ["111111111111"] } };
const read = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }] };
const statement = (extra: object) => ({
    ...base,
    inlinePolicies: { p: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*", ...extra }] } },
});
const trusting = (statements: object[]) => ({ ...base, trust: { statements } });
const anyone = (condition?: object) => ({
    Effect: "Allow",
    Principal: "*",
    Action: "sts:AssumeRole",
    ...(condition === undefined ? {} : { Condition: condition }),
});
const STAR_UNLIMITED =
    'trust.statements[0]: trusts principal "*" and no condition limits who the caller is, which lets anyone assume the role; add a condition on aws:PrincipalOrgID, aws:PrincipalOrgPaths, aws:PrincipalAccount, aws:PrincipalArn, aws:SourceAccount, aws:SourceArn, aws:SourceOrgID or a federated token claim with specific values (not IfExists, not a bare wildcard)';

/** The forms of GitHub's sub claim, as the messages list them. */
const SUB_FORMS =
    "after the repository, GitHub's sub claim has ref:refs/heads/<branch>, ref:refs/tags/<tag>, environment:<name> or pull_request (* and ? are wildcards)";

/** One behaviour of validation each: the arguments, and exactly the problems reported (`path: message`). */

const cases: { name: string; args: unknown; problems: string[] }[] = [
    {
        name: "a role name with a space",
        args: { ...base, roleName: "bad name!" },
        problems: ['roleName: "bad name!" is not a role name of 1 to 64 characters of A-Za-z0-9+=,.@_-'],
    },
    {
        name: "a role name of 65 characters",
        args: { ...base, roleName: "x".repeat(65) },
        problems: [`roleName: "${"x".repeat(65)}" is not a role name of 1 to 64 characters of A-Za-z0-9+=,.@_-`],
    },
    {
        name: "a path without slashes",
        args: { ...base, path: "team" },
        problems: ['path: "team" is not an IAM path; expected "/" or "/division/team/", at most 512 characters'],
    },
    {
        name: "a description of 1001 characters",
        args: { ...base, description: "d".repeat(1001) },
        problems: ["description: is 1001 characters long; expected at most 1000"],
    },
    {
        name: "a session of 60 seconds",
        args: { ...base, maxSessionDuration: 60 },
        problems: ["maxSessionDuration: 60 is out of range; expected whole seconds from 3600 (1 hour) to 43200 (12 hours)"],
    },
    {
        name: "a session of 43201 seconds",
        args: { ...base, maxSessionDuration: 43201 },
        problems: ["maxSessionDuration: 43201 is out of range; expected whole seconds from 3600 (1 hour) to 43200 (12 hours)"],
    },
    {
        name: "a session given as text",
        args: { ...base, maxSessionDuration: "1h" },
        problems: ['maxSessionDuration: "1h" is a string; expected a number'],
    },
    {
        name: "a session with a fraction",
        args: { ...base, maxSessionDuration: 3600.5 },
        problems: ["maxSessionDuration: 3600.5 is a number; expected a whole number"],
    },
    {
        name: "a boundary that is not an ARN",
        args: { ...base, permissionsBoundary: "Boundary" },
        problems: ['permissionsBoundary: "Boundary" is not a policy ARN such as arn:aws:iam::123456789012:policy/Boundary'],
    },
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
        name: "the revocation policy's name",
        args: { ...base, inlinePolicies: { RevokeOlderSessions: read } },
        problems: ['inlinePolicies.RevokeOlderSessions: "RevokeOlderSessions" is reserved for revocation policies; choose another name'],
    },
    {
        name: "the console revocation's name",
        args: { ...base, inlinePolicies: { AWSRevokeOlderSessions: read } },
        problems: [
            'inlinePolicies.AWSRevokeOlderSessions: "AWSRevokeOlderSessions" is reserved for revocation policies; choose another name',
        ],
    },
    {
        name: "the revocation policy's name in another case",
        args: { ...base, inlinePolicies: { revokeoldersessions: read } },
        problems: [
            'inlinePolicies.revokeoldersessions: "revokeoldersessions" is reserved for revocation policies (IAM policy names ignore case); choose another name',
        ],
    },
    {
        name: "the console revocation's name in another case",
        args: { ...base, inlinePolicies: { awsREVOKEoldersessions: read } },
        problems: [
            'inlinePolicies.awsREVOKEoldersessions: "awsREVOKEoldersessions" is reserved for revocation policies (IAM policy names ignore case); choose another name',
        ],
    },
    {
        name: "two inline policy names that differ only in case",
        args: { ...base, inlinePolicies: { limits: read, Audit: read, Limits: read, LIMITS: read } },
        problems: [
            'inlinePolicies.Limits: "Limits" and "limits" are one inline policy to IAM, which compares policy names regardless of case: deploying both would replace one with the other; give them names that differ in more than case',
            'inlinePolicies.LIMITS: "LIMITS" and "limits" are one inline policy to IAM, which compares policy names regardless of case: deploying both would replace one with the other; give them names that differ in more than case',
        ],
    },
    {
        name: "a policy name with a space",
        args: { ...base, inlinePolicies: { "bad name": read } },
        problems: ['inlinePolicies["bad name"]: "bad name" is not a policy name of 1 to 128 characters of A-Za-z0-9+=,.@_-'],
    },
    {
        name: "the 2008 policy version",
        args: { ...base, inlinePolicies: { p: { ...read, Version: "2008-10-17" } } },
        problems: ['inlinePolicies.p.Version: "2008-10-17" is not supported; expected Version "2012-10-17"'],
    },
    {
        name: "a policy without statements",
        args: { ...base, inlinePolicies: { p: { Version: "2012-10-17", Statement: [] } } },
        problems: ["inlinePolicies.p.Statement: must not be empty"],
    },
    {
        name: "an effect that is not Allow or Deny",
        args: statement({ Effect: "Permit" }),
        problems: ['inlinePolicies.p.Statement[0].Effect: "Permit" is not allowed; expected "Allow" or "Deny"'],
    },
    {
        name: "an action without a service",
        args: statement({ Action: "GetObject" }),
        problems: [
            'inlinePolicies.p.Statement[0].Action: "GetObject" is not an action of the form "service:Action" (wildcards allowed) or "*"',
        ],
    },
    {
        name: "a statement without a resource",
        args: { ...base, inlinePolicies: { p: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject" }] } } },
        problems: ['inlinePolicies.p.Statement[0]: has no Resource; expected Resource or NotResource, such as "*"'],
    },
    {
        name: "both Action and NotAction",
        args: statement({ NotAction: "s3:PutObject" }),
        problems: ["inlinePolicies.p.Statement[0]: has both Action and NotAction; use one of them"],
    },
    {
        name: "inline policies over the quota",
        args: statement({ Resource: Array.from({ length: 400 }, (_, i) => `arn:aws:s3:::bucket-${i}/*`) }),
        problems: [
            "inlinePolicies: use 11184 characters, plus 163 kept for the RevokeOlderSessions policy, 11347 in all; IAM allows 10240 per role (counted as UTF-8 bytes of the minified JSON, so never fewer than IAM counts): move statements into managed policies",
        ],
    },
    {
        name: "a cutoff without a zone",
        args: { ...base, revokeBefore: "2026-11-27 10:15" },
        problems: ['revokeBefore: "2026-11-27 10:15" has no time zone; write an ISO-8601 UTC timestamp such as 2026-11-27T10:00:00Z'],
    },
    {
        name: "a cutoff on a day that does not exist",
        args: { ...base, revokeBefore: "2026-02-30T10:00:00Z" },
        problems: ['revokeBefore: "2026-02-30T10:00:00Z" is not a real date and time; write it like 2026-11-27T10:00:00Z'],
    },
    {
        name: "a cutoff six minutes ahead",
        args: { ...base, revokeBefore: "2026-11-27T12:06:00Z" },
        problems: [
            'revokeBefore: "2026-11-27T12:06:00Z" is in the future (now is 2026-11-27T12:00:00Z); a future cutoff would also deny every session issued until then, locking everyone out; use a time no later than now',
        ],
    },
    { name: "a cutoff five minutes ahead", args: { ...base, revokeBefore: "2026-11-27T12:05:00Z" }, problems: [] },
    {
        name: "a cutoff as an epoch number",
        args: { ...base, revokeBefore: 1764238500 },
        problems: ["revokeBefore: 1764238500 is a number; write an ISO-8601 UTC timestamp such as 2026-11-27T10:00:00Z"],
    },
    {
        name: "a misspelled key",
        args: { ...base, revokebefore: "x" },
        problems: ['revokebefore: unknown key "revokebefore"; did you mean "revokeBefore"?'],
    },
    {
        name: "an unknown backend",
        args: { ...base, backend: "gcp" },
        problems: ['backend: "gcp" is not a provider; expected "aws" or "aws-native"'],
    },
    {
        name: "a managed policy by name instead of ARN",
        args: { ...base, managedPolicyArns: ["ReadOnlyAccess"] },
        problems: ['managedPolicyArns[0]: "ReadOnlyAccess" is not a policy ARN such as arn:aws:iam::aws:policy/ReadOnlyAccess'],
    },
    {
        name: "21 managed policies",
        args: { ...base, managedPolicyArns: Array.from({ length: 21 }, (_, i) => `arn:aws:iam::aws:policy/P${i}`) },
        problems: ["managedPolicyArns: has 21 policies; IAM attaches at most 20 to a role"],
    },
    {
        name: "a managed policy listed twice",
        args: { ...base, managedPolicyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess", "arn:aws:iam::aws:policy/ReadOnlyAccess"] },
        problems: ['managedPolicyArns: "arn:aws:iam::aws:policy/ReadOnlyAccess" is listed twice'],
    },
    {
        name: "a named managed policy that is not an ARN",
        args: { ...base, managedPolicies: { audit: "not-an-arn" } },
        problems: ['managedPolicies.audit: "not-an-arn" is not a policy ARN such as arn:aws:iam::123456789012:policy/Audit'],
    },
    {
        name: "a managed policy both listed and named",
        args: {
            ...base,
            managedPolicyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
            managedPolicies: { a: "arn:aws:iam::aws:policy/ReadOnlyAccess" },
        },
        problems: ['managedPolicies.a: "arn:aws:iam::aws:policy/ReadOnlyAccess" is also listed in managedPolicyArns; attach it once'],
    },
    {
        name: "AWS-managed policy ARNs missing from the catalog, with the ARN meant: a typo, a missing path, an unknown name",
        args: {
            ...base,
            managedPolicyArns: [
                "arn:aws:iam::aws:policy/AmazonS3FullAcess",
                "arn:aws:iam::aws:policy/AWSLambdaBasicExecutionRole",
                "arn:aws:iam::aws:policy/service-role/ReadOnlyAccess",
                "arn:aws:iam::aws:policy/ZzzNothingLikeIt",
            ],
            managedPolicies: { audit: "arn:aws:iam::aws:policy/SecurityAudt" },
        },
        problems: [
            'managedPolicyArns[0]: "arn:aws:iam::aws:policy/AmazonS3FullAcess" is not an AWS-managed policy; did you mean "arn:aws:iam::aws:policy/AmazonS3FullAccess"?',
            'managedPolicyArns[1]: "arn:aws:iam::aws:policy/AWSLambdaBasicExecutionRole" is not an AWS-managed policy; did you mean "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"?',
            'managedPolicyArns[2]: "arn:aws:iam::aws:policy/service-role/ReadOnlyAccess" is not an AWS-managed policy; did you mean "arn:aws:iam::aws:policy/ReadOnlyAccess"?',
            `managedPolicyArns[3]: "arn:aws:iam::aws:policy/ZzzNothingLikeIt" is not an AWS-managed policy; if AWS published it after this catalog was made (moto 5.2.1's copy of AWS's managed policy documents), update the catalog (npm run managed-policies) or revocable-roles`,
            'managedPolicies.audit: "arn:aws:iam::aws:policy/SecurityAudt" is not an AWS-managed policy; did you mean "arn:aws:iam::aws:policy/SecurityAudit"?',
        ],
    },
    {
        name: "AWS-managed policies with their paths, customer-managed ones, and another partition's (not in the catalog)",
        args: {
            ...base,
            managedPolicyArns: [
                "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
                "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess",
                "arn:aws:iam::123456789012:policy/NotInAnyCatalog",
                "arn:aws-cn:iam::aws:policy/OnlyInChina",
            ],
        },
        problems: [],
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
    {
        name: "a tag key in the aws: namespace",
        args: { ...base, tags: { "aws:x": "y" } },
        problems: ['tags: "aws:x": tag keys are 1 to 128 characters, not starting with "aws:", and values at most 256'],
    },
];

describe("role validation", () => {
    for (const { name, args, problems } of cases) {
        it(`${problems.length === 0 ? "accepts" : "refuses"} ${name}`, () => {
            assert.deepStrictEqual(
                roleProblems(args, now).map((p) => `${formatPath(p.path)}: ${p.message}`),
                problems,
            );
        });
    }

    it("reports every problem of a role at once, each naming the role", () => {
        assert.throws(
            () =>
                validateRole(
                    "app",
                    { trust: { accounts: ["1"], services: ["ec2"] }, maxSessionDuration: 1, revokeBefore: "2026-11-27" },
                    now,
                ),
            (error: unknown) => {
                assert.ok(error instanceof RoleValidationError);
                assert.deepStrictEqual(error.message.split("\n"), [
                    'role "app": maxSessionDuration: 1 is out of range; expected whole seconds from 3600 (1 hour) to 43200 (12 hours)',
                    'role "app": trust.accounts[0]: "1" is not a 12-digit AWS account ID such as 123456789012',
                    'role "app": trust.services[0]: "ec2" is not a service principal such as ec2.amazonaws.com',
                    'role "app": revokeBefore: "2026-11-27" has no time; write an ISO-8601 UTC timestamp such as 2026-11-27T10:00:00Z',
                ]);
                return true;
            },
        );
    });

    it("validates the component name as the role name when roleName is not given", () => {
        assert.throws(() => validateRole("not valid!", { trust: { accounts: ["111111111111"] } }, now), {
            message: 'role "not valid!": roleName: "not valid!" is not a role name of 1 to 64 characters of A-Za-z0-9+=,.@_-',
        });
    });
});

describe("the mistakes that used to pass every check, in a stack file", () => {
    it("an unquoted account ID or external ID says to quote it", () => {
        assert.deepStrictEqual(
            roleProblems({ ...base, trust: { accounts: [111111111111], externalId: 123456 } }, now).map(
                (p) => `${formatPath(p.path)}: ${p.message}`,
            ),
            [
                'trust.accounts[0]: 111111111111 is a number; expected a string: quote it, as "111111111111"',
                'trust.externalId: 123456 is a number; expected a string: quote it, as "123456"',
            ],
        );
    });

    it("are errors that name the stack file, the role and the field", () => {
        const stack = loaded(
            'config:\n  revocable-roles:roles:\n    web-deployer:\n      trust:\n        githubActions:\n          repositories: ["acme/web:main"]\n      managedPolicyArns: ["arn:aws:iam::aws:policy/AWSLambdaBasicExecutionRole"]\n',
            "prod",
        );
        const read = readStackConfig(stack.config, { stackFile: stack.file, now });
        assert.deepStrictEqual(read.ok ? [] : read.errors, [
            `Pulumi.prod.yaml: revocable-roles:roles.web-deployer.trust.githubActions.repositories[0]: "acme/web:main" never matches: ${SUB_FORMS}; did you mean "acme/web:ref:refs/heads/main"?`,
            'Pulumi.prod.yaml: revocable-roles:roles.web-deployer.managedPolicyArns[0]: "arn:aws:iam::aws:policy/AWSLambdaBasicExecutionRole" is not an AWS-managed policy; did you mean "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"?',
        ]);
    });
});

/**
 * Role validation (iam/role.ts, iam/rules.ts), table-driven with exact messages: the role's own
 * fields, its policies, cutoffs, keys, managed policies and tags; every problem at once; and the
 * mistakes that used to pass, in a stack file. A role's trust is tests/validationTrust.test.ts.
 */
import * as assert from "assert";
import { RoleValidationError, validateRole } from "../iam/role";
import { roleProblems } from "../iam/rules";
import { formatPath } from "../iam/problems";
import { readStackConfig } from "../config/stackConfig";
import { loaded } from "./helpers";
import { base, validates, now, SUB_FORMS } from "./validationHarness";

const read = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }] };
const statement = (extra: object) => ({
    ...base,
    inlinePolicies: { p: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*", ...extra }] } },
});

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
        name: "a tag key in the aws: namespace",
        args: { ...base, tags: { "aws:x": "y" } },
        problems: ['tags: "aws:x": tag keys are 1 to 128 characters, not starting with "aws:", and values at most 256'],
    },
];

describe("role validation", () => {
    validates(cases);

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

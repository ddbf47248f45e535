/**
 * Synthetic stacks for the benchmark, shaped like a platform team's: every fifth role of each
 * kind of trust (an account with MFA, an AWS service, a GitHub repository, another role of the
 * stack, a SAML provider), one to three AWS-managed policies, an inline policy on a third of the
 * roles, one role in ten revoked. A role trusting another role is one its predecessor may assume
 * (an inline `sts:AssumeRole` on exactly that role), so the containment analysis has chains to
 * follow. With `chained`, every role trusts and is assumable by the one before it: one chain
 * through the whole stack, the worst case of `revoke --with-chained`.
 */
import * as YAML from "yaml";

/** The cutoff of the revoked roles. */
export const BENCH_CUTOFF = "2026-11-27T10:00:00Z";
/** The account the synthetic stacks deploy to. */
export const BENCH_ACCOUNT = "111111111111";

const MANAGED = [
    "arn:aws:iam::aws:policy/ReadOnlyAccess",
    "arn:aws:iam::aws:policy/SecurityAudit",
    "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
    "arn:aws:iam::aws:policy/CloudWatchReadOnlyAccess",
    "arn:aws:iam::aws:policy/AmazonSQSFullAccess",
    "arn:aws:iam::aws:policy/AmazonDynamoDBReadOnlyAccess",
    "arn:aws:iam::aws:policy/AmazonSSMReadOnlyAccess",
];
const SERVICES = ["ec2.amazonaws.com", "lambda.amazonaws.com", "ecs-tasks.amazonaws.com"];

/** The key of the i-th synthetic role. */
export const syntheticKey = (i: number): string => `service-${String(i).padStart(5, "0")}`;

/** Options of a synthetic stack. */
export interface SyntheticOptions {
    /** A stack-wide cutoff. */
    revokeAllBefore?: string;
    /** Also revoke this role (by index). */
    alsoRevoke?: number;
    /** Every role trusts, and may be assumed by, the one before it. */
    chained?: boolean;
}

/**
 * Written as YAML 1.1 reads it: strings that YAML 1.1 or the Pulumi CLI's go-yaml would read as
 * another type (a date such as 2012-10-17, a timestamp, yes) are quoted, as the loader requires.
 */
const STACK_FILE_STYLE = { version: "1.1" } as const;

/** A stack file with `count` roles. */
export function syntheticStack(count: number, options: SyntheticOptions = {}): string {
    const roles: Record<string, unknown> = {};
    const trustsPrevious = (i: number) => i > 0 && (options.chained === true || i % 5 === 3);
    for (let i = 0; i < count; i++) {
        const kind = i % 5;
        const trust: Record<string, unknown> = trustsPrevious(i)
            ? { principals: [`arn:aws:iam::${BENCH_ACCOUNT}:role/${syntheticKey(i - 1)}`] }
            : kind === 0
              ? { accounts: ["222222222222"], requireMfa: true }
              : kind === 1
                ? { services: [SERVICES[i % SERVICES.length]] }
                : kind === 2 || kind === 3
                  ? { githubActions: { repositories: [`acme/service-${i}:ref:refs/heads/main`] } }
                  : { saml: { providerArn: `arn:aws:iam::${BENCH_ACCOUNT}:saml-provider/okta` } };
        const role: Record<string, unknown> = {
            description: `Synthetic role ${i}`,
            trust,
            managedPolicyArns: MANAGED.slice(i % MANAGED.length, (i % MANAGED.length) + 1 + (i % 3)),
        };
        const inline: Record<string, unknown> = {};
        if (i % 3 === 0) {
            inline.artifacts = {
                Version: "2012-10-17",
                Statement: [
                    { Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject"], Resource: [`arn:aws:s3:::acme-artifacts/service-${i}/*`] },
                ],
            };
        }
        if (i + 1 < count && trustsPrevious(i + 1)) {
            inline.assume = {
                Version: "2012-10-17",
                Statement: [
                    { Effect: "Allow", Action: "sts:AssumeRole", Resource: `arn:aws:iam::${BENCH_ACCOUNT}:role/${syntheticKey(i + 1)}` },
                ],
            };
        }
        if (Object.keys(inline).length > 0) role.inlinePolicies = inline;
        // A chained stack starts unrevoked: revoking its first role with --with-chained revokes them all.
        if ((i % 10 === 0 && options.chained !== true) || i === options.alsoRevoke) role.revokeBefore = BENCH_CUTOFF;
        roles[syntheticKey(i)] = role;
    }
    // The account the stack deploys to, as docs/config.md recommends: trust policies then need no provider call.
    const config: Record<string, unknown> = { "aws:region": "eu-west-1", "aws:allowedAccountIds": [BENCH_ACCOUNT] };
    if (options.revokeAllBefore !== undefined) config["revocable-roles:revokeAllBefore"] = options.revokeAllBefore;
    config["revocable-roles:roles"] = roles;
    return YAML.stringify({ config }, STACK_FILE_STYLE);
}

/** The key of the revoked role of {@link starPatternStack}. */
export const STAR_VICTIM = "victim";
/** Its IAM name: 64 characters, the longest IAM allows. */
export const STAR_VICTIM_NAME = "ci-deployer-for-every-service-of-the-platform-team-in-production";

/**
 * The attack on the matcher (issue 28, class 6): a stack whose roles hold `patterns` long star
 * patterns in all (`arn:aws:iam::<account>:role/` + 40 stars + `-scratch-<n>`, ten per role,
 * within the inline quota), as a pull request merged while nothing was in force could leave them,
 * and one role to revoke. A matcher that backtracks spends minutes on each pattern when it asks
 * whether the pattern covers the revoked role.
 */
export function starPatternStack(patterns = 200, perRole = 10): string {
    const roles: Record<string, unknown> = {
        // A long path and name, as real ones are: the longer the ARN, the longer a backtracking matcher runs.
        [STAR_VICTIM]: { name: STAR_VICTIM_NAME, path: "/platform/deployers/", trust: { accounts: [BENCH_ACCOUNT] } },
    };
    for (let holder = 0; holder * perRole < patterns; holder++) {
        const resources = Array.from(
            { length: Math.min(perRole, patterns - holder * perRole) },
            (_, i) => `arn:aws:iam::${BENCH_ACCOUNT}:role/${"*".repeat(40)}-scratch-${holder * perRole + i}`,
        );
        roles[`scratch-${holder}`] = {
            trust: { accounts: [BENCH_ACCOUNT] },
            inlinePolicies: {
                scratch: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "iam:PutRolePolicy", Resource: resources }] },
            },
        };
    }
    const config = { "aws:region": "eu-west-1", "aws:allowedAccountIds": [BENCH_ACCOUNT], "revocable-roles:roles": roles };
    return YAML.stringify({ config }, STACK_FILE_STYLE);
}

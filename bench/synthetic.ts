/**
 * Synthetic stacks for the benchmark: each role has two trust principal kinds, two managed
 * policies and two inline policies; every other role is revoked.
 */
import * as YAML from "yaml";

/** The cutoff of the revoked half. */
export const BENCH_CUTOFF = "2026-11-27T10:00:00Z";

/** A stack file with `count` roles (and optionally a stack-wide cutoff or one more revoked role). */
export function syntheticStack(count: number, options: { revokeAllBefore?: string; alsoRevoke?: number } = {}): string {
    const roles: Record<string, unknown> = {};
    for (let i = 0; i < count; i++) {
        const role: Record<string, unknown> = {
            description: `Synthetic role ${i}`,
            trust: {
                accounts: [String(100000000000 + i)],
                githubActions: { repositories: [`acme/service-${i}:ref:refs/heads/main`] },
            },
            managedPolicyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess", "arn:aws:iam::aws:policy/SecurityAudit"],
            inlinePolicies: {
                artifacts: {
                    Version: "2012-10-17",
                    Statement: [
                        {
                            Effect: "Allow",
                            Action: ["s3:GetObject", "s3:PutObject"],
                            Resource: [`arn:aws:s3:::acme-artifacts/service-${i}/*`],
                        },
                    ],
                },
                queue: {
                    Version: "2012-10-17",
                    Statement: [
                        { Effect: "Allow", Action: "sqs:SendMessage", Resource: `arn:aws:sqs:eu-west-1:111111111111:service-${i}` },
                    ],
                },
            },
        };
        if (i % 2 === 0 || i === options.alsoRevoke) role.revokeBefore = BENCH_CUTOFF;
        roles[`service-${String(i).padStart(4, "0")}`] = role;
    }
    // The account the stack deploys to, as docs/config.md recommends: trust policies then need no provider call.
    const config: Record<string, unknown> = { "aws:region": "eu-west-1", "aws:allowedAccountIds": ["111111111111"] };
    if (options.revokeAllBefore !== undefined) config["revocable-roles:revokeAllBefore"] = options.revokeAllBefore;
    config["revocable-roles:roles"] = roles;
    return YAML.stringify({ config });
}

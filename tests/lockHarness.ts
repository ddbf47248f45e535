/**
 * The organization's lock in the IAM simulator: a call in the member account by a session of a
 * role its own policy allows everything, with FullAWSAccess and the lock (exempting DEPLOY) attached
 * at the root, as the lock's tests and its attacks ask it.
 */
import * as assert from "assert";
import { runSimulation } from "@cloud-copilot/iam-simulate";
import { LOCK_POLICY_NAME, lockPolicy } from "../iam/organizationPolicy";
import { PolicyDocument } from "../iam/policy";

/** The member account of the tests. */
export const MEMBER = "111111111111";
/** The deploy role the lock exempts. */
export const DEPLOY = `arn:aws:iam::${MEMBER}:role/pulumi-deploy`;
/** A policy that allows everything: the caller's own, and FullAWSAccess. */
export const ALLOW_ALL: PolicyDocument = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] };

/** What IAM decides. */
export type Decision = "Allowed" | "ExplicitlyDenied" | "ImplicitlyDenied";

/** `action` by a session of `role` on `resource` (`role/ci-deployer`) of the member account, with `context`'s keys. */
export async function underLock(
    action: string,
    role: string,
    resource: string,
    context: Record<string, string | string[]>,
): Promise<Decision> {
    const result = await runSimulation(
        {
            identityPolicies: [{ name: "administrator", policy: ALLOW_ALL }],
            serviceControlPolicies: [
                {
                    orgIdentifier: "r-ab12",
                    policies: [
                        { name: "FullAWSAccess", policy: ALLOW_ALL },
                        { name: LOCK_POLICY_NAME, policy: lockPolicy([DEPLOY]) },
                    ],
                },
                { orgIdentifier: MEMBER, policies: [{ name: "FullAWSAccess", policy: ALLOW_ALL }] },
            ],
            resourceControlPolicies: [],
            request: {
                action,
                principal: `arn:aws:sts::${MEMBER}:assumed-role/${role}/session`,
                resource: { accountId: MEMBER, resource: `arn:aws:iam::${MEMBER}:${resource}` },
                contextVariables: { "aws:PrincipalArn": `arn:aws:iam::${MEMBER}:role/${role}`, ...context },
            },
        },
        {},
    );
    assert.strictEqual(result.resultType, "single", JSON.stringify(result));
    return result.overallResult as Decision;
}

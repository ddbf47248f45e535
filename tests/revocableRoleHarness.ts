/** What the component's tests share: a role's arguments, and a revocation's document. */
import { RevocableRoleArgs } from "../components";

export const args: RevocableRoleArgs = {
    roleName: "ci-deployer",
    description: "Deploys",
    trust: { githubActions: { repositories: ["acme/infra:ref:refs/heads/main"] } },
    managedPolicyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess", "arn:aws:iam::aws:policy/AWSCodeArtifactReadOnlyAccess"],
    inlinePolicies: {
        "deploy-artifacts": {
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Action: ["s3:PutObject"], Resource: ["arn:aws:s3:::acme-artifacts/*"] }],
        },
    },
    revokeBefore: "2026-11-27T11:15:00+01:00",
};

export const revocationDocument = (cutoff: string) => ({
    Version: "2012-10-17",
    Statement: [{ Effect: "Deny", Action: ["*"], Resource: ["*"], Condition: { DateLessThan: { "aws:TokenIssueTime": cutoff } } }],
});

/**
 * A program of your own that uses the component directly: the role's trust and its inline policy
 * take Outputs of other resources (the GitHub OIDC provider, a bucket), and a stack config value
 * revokes it (`pulumi config set revokeBefore 2026-12-01T09:00:00Z`, reviewed and deployed like
 * any change).
 */
// The provider's modules one by one: importing all of @pulumi/aws costs seconds of type-checking.
import * as iam from "@pulumi/aws/iam";
import * as s3 from "@pulumi/aws/s3";
import * as pulumi from "@pulumi/pulumi";
import { RevocableRole } from "revocable-roles";

const config = new pulumi.Config();

const github = new iam.OpenIdConnectProvider("github", {
    url: "https://token.actions.githubusercontent.com",
    clientIdLists: ["sts.amazonaws.com"],
});

const artifacts = new s3.Bucket("artifacts");

const deployer = new RevocableRole("ci-deployer", {
    description: pulumi.interpolate`Deploys to ${artifacts.id} from GitHub Actions`,
    trust: {
        githubActions: { repositories: ["acme/infra:ref:refs/heads/main"], providerArn: github.arn },
    },
    managedPolicyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
    inlinePolicies: {
        "deploy-artifacts": {
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Action: ["s3:PutObject"], Resource: [pulumi.interpolate`${artifacts.arn}/*`] }],
        },
    },
    revokeBefore: config.get("revokeBefore"),
});

export const deployerArn: pulumi.Output<string> = deployer.arn;
export const revokedBefore: string | undefined = deployer.revocation?.cutoff;

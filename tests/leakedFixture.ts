/**
 * The fixture of revoke --leaked: three stack files in two accounts, with a chain that crosses
 * them, used by its own suite and by the emergency suite (--now, on the shared moto server).
 */
export const CI = "111111111111";
export const PROD = "222222222222";

const assume = (...arns: string[]): string =>
    `      inlinePolicies:\n        assume:\n          Version: "2012-10-17"\n          Statement:\n            - Effect: Allow\n              Action: sts:AssumeRole\n              Resource: [${arns.map((a) => `"${a}"`).join(", ")}]\n`;
export const arn = (account: string, name: string): string => `arn:aws:iam::${account}:role/${name}`;
const stackFile = (account: string, roles: string[]): string =>
    `config:\n  aws:region: eu-west-1\n  aws:allowedAccountIds: ["${account}"]\n  revocable-roles:roles:\n${roles.join("")}`;

/** GitHub's acme/web deploys through ci's deployer into prod, whose admin reaches the database admin, which reporting (staging) trusts. */
export const STACKS: Record<"Pulumi.ci.yaml" | "Pulumi.prod.yaml" | "Pulumi.staging.yaml", string> = {
    "Pulumi.ci.yaml": stackFile(CI, [
        `    deployer:\n      trust:\n        githubActions: {repositories: ["acme/web:ref:refs/heads/main"]}\n${assume(arn(PROD, "prod-admin"))}`,
        `    builder:\n      trust:\n        githubActions: {repositories: ["acme/*"]}\n`,
        `    other-ci:\n      trust:\n        githubActions: {repositories: ["acme/other"]}\n`,
    ]),
    "Pulumi.prod.yaml": stackFile(PROD, [
        `    prod-admin:\n      trust:\n        principals: ["${arn(CI, "deployer")}"]\n${assume(arn(PROD, "db-admin"))}`,
        `    db-admin:\n      trust:\n        principals: ["${arn(PROD, "prod-admin")}"]\n${assume(arn(CI, "reporting"))}`,
        `    web-server:\n      trust:\n        services: [ec2.amazonaws.com]\n`,
        `    sso-admin:\n      trust:\n        saml: {providerArn: "arn:aws:iam::${PROD}:saml-provider/Okta"}\n`,
    ]),
    "Pulumi.staging.yaml": stackFile(CI, [
        `    reporting:\n      trust:\n        principals: ["${arn(PROD, "db-admin")}"]\n`,
        `    staging-app:\n      trust:\n        services: [lambda.amazonaws.com]\n`,
    ]),
};

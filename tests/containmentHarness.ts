/**
 * What the tests of containment share: the clock, the account, a stack file of roles in it, and two
 * such files: a chain of three roles, and roles that pass others to services.
 */

export const NOW = new Date("2026-11-27T12:00:00Z");
export const ACCOUNT = "123456789012";

const assume = (...roles: string[]) =>
    `      inlinePolicies:\n        assume:\n          Version: "2012-10-17"\n          Statement:\n            - Effect: Allow\n              Action: sts:AssumeRole\n              Resource: [${roles.map((r) => `"arn:aws:iam::${ACCOUNT}:role/${r}"`).join(", ")}]\n`;
export const stackFile = (roles: string, account = `  aws:allowedAccountIds: ["${ACCOUNT}"]\n`) =>
    `config:\n  aws:region: eu-west-1\n${account}  revocable-roles:roles:\n${roles}`;

/** A leaked role A (GitHub), B trusting A's ARN, C trusting B's ARN, each allowed to assume the next, and a bystander. */
export const CHAIN = stackFile(
    [
        `    role-a:\n      trust:\n        githubActions: {repositories: ["acme/infra"]}\n${assume("role-b")}`,
        `    role-b:\n      trust:\n        principals: ["arn:aws:iam::${ACCOUNT}:role/role-a"]\n${assume("role-c")}`,
        `    role-c:\n      trust:\n        principals: ["arn:aws:iam::${ACCOUNT}:role/role-b"]\n`,
        `    bystander:\n      trust:\n        services: [ec2.amazonaws.com]\n`,
    ].join(""),
);

/** A deploy role that may pass the instance role and start instances, one that may only pass, one whose start is denied, and AWSLambda_FullAccess. */
export const PASSING = stackFile(
    [
        `    deployer:\n      trust:\n        githubActions: {repositories: ["acme/infra"]}\n      inlinePolicies:\n        deploy:\n          Version: "2012-10-17"\n          Statement:\n            - {Effect: Allow, Action: iam:PassRole, Resource: "arn:aws:iam::${ACCOUNT}:role/web-server"}\n            - {Effect: Allow, Action: "ec2:Run*", Resource: "*"}\n`,
        `    web-server:\n      trust:\n        services: [ec2.amazonaws.com]\n`,
        `    fn:\n      trust:\n        services: [lambda.amazonaws.com]\n`,
        `    passer:\n      trust:\n        githubActions: {repositories: ["acme/infra"]}\n      inlinePolicies:\n        pass:\n          Version: "2012-10-17"\n          Statement: [{Effect: Allow, Action: iam:PassRole, Resource: "*"}, {Effect: Allow, Action: "s3:*", Resource: "*"}]\n`,
        `    denied:\n      trust:\n        githubActions: {repositories: ["acme/infra"]}\n      inlinePolicies:\n        run:\n          Version: "2012-10-17"\n          Statement: [{Effect: Allow, Action: ["iam:PassRole", "ec2:RunInstances"], Resource: "*"}, {Effect: Deny, Action: "ec2:*", Resource: "*"}]\n`,
        `    lambda-dev:\n      trust:\n        githubActions: {repositories: ["acme/infra"]}\n      managedPolicyArns: ["arn:aws:iam::aws:policy/AWSLambda_FullAccess"]\n`,
    ].join(""),
);

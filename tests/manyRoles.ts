/**
 * A generated repository of many roles across several stacks and accounts, for pinning what the
 * reachability and undo analyses decide: every kind of trust principal (accounts, role ARNs,
 * assumed-role ARNs, wildcards, raw statements with conditions), every kind of permission
 * (inline Allow and Deny, NotResource, wildcards in names, known and unknown managed policies),
 * stacks whose account is unknown. A fixed seed makes it the same on every run.
 */
import * as YAML from "yaml";

/** A small deterministic generator (a linear congruential one), so the fixture never changes by itself. */
function random(seed: number): () => number {
    let state = seed >>> 0;
    return () => {
        state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
        return state / 2 ** 32;
    };
}

const ACCOUNTS = ["111111111111", "222222222222", "333333333333"];
const MANAGED = [
    "arn:aws:iam::aws:policy/ReadOnlyAccess",
    "arn:aws:iam::aws:policy/AdministratorAccess",
    "arn:aws:iam::aws:policy/IAMFullAccess",
    "arn:aws:iam::aws:policy/PowerUserAccess",
    "arn:aws:iam::111111111111:policy/custom-unknown",
];

/** Stack files holding `perStack` roles each: stack `a` and `b` in known accounts, `c` in an unknown one. */
export function manyRoleStacks(perStack: number, seed = 7): Record<string, string> {
    const next = random(seed);
    const pick = <T>(list: T[]): T => list[Math.floor(next() * list.length)];
    const stacks = [
        { name: "a", account: ACCOUNTS[0] },
        { name: "b", account: ACCOUNTS[1] },
        { name: "c", account: undefined },
    ];
    const names = (stack: string) => Array.from({ length: perStack }, (_, i) => `${stack}-role-${i}`);
    const all = stacks.flatMap((s) => names(s.name).map((name) => ({ name, account: s.account ?? ACCOUNTS[2] })));
    const files: Record<string, string> = {};
    for (const stack of stacks) {
        const roles: Record<string, unknown> = {};
        for (const name of names(stack.name)) {
            const other = pick(all);
            const principal = pick([
                () => ({ accounts: [pick(ACCOUNTS)] }),
                () => ({ principals: [`arn:aws:iam::${other.account}:role/${other.name}`] }),
                () => ({ principals: [`arn:aws:sts::${other.account}:assumed-role/${other.name}/session`] }),
                () => ({ services: ["ec2.amazonaws.com"] }),
                () => ({
                    statements: [
                        {
                            Effect: "Allow",
                            Principal: { AWS: `arn:aws:iam::${pick(ACCOUNTS)}:root` },
                            Action: "sts:AssumeRole",
                            Condition: { StringEquals: { "aws:PrincipalTag/team": "platform" } },
                        },
                    ],
                }),
                () => ({
                    statements: [
                        {
                            Effect: "Allow",
                            Principal: "*",
                            Action: "sts:AssumeRole",
                            Condition: { StringEquals: { "aws:PrincipalOrgID": "o-abc123def45" } },
                        },
                    ],
                }),
            ])();
            const target = pick(all);
            const statements = pick([
                () => [],
                () => [{ Effect: "Allow", Action: "sts:AssumeRole", Resource: `arn:aws:iam::${target.account}:role/${target.name}` }],
                () => [{ Effect: "Allow", Action: "sts:*", Resource: `arn:aws:iam::*:role/${stack.name}-role-1*` }],
                () => [
                    {
                        Effect: "Allow",
                        Action: ["iam:PutRolePolicy", "iam:DeleteRolePolicy"],
                        Resource: `arn:aws:iam::${target.account}:role/${target.name}`,
                    },
                ],
                () => [{ Effect: "Allow", Action: "sts:AssumeRole", NotResource: `arn:aws:iam::*:role/${target.name}` }],
                () => [
                    { Effect: "Allow", Action: "*", Resource: "*" },
                    { Effect: "Deny", Action: ["sts:AssumeRole", "iam:DeleteRole"], Resource: "*" },
                ],
            ])();
            const role: Record<string, unknown> = { trust: principal };
            if (statements.length > 0) role.inlinePolicies = { p: { Version: "2012-10-17", Statement: statements } };
            if (next() < 0.25) role.managedPolicyArns = [pick(MANAGED)];
            if (next() < 0.3) role.revokeBefore = "2026-11-27T10:00:00Z";
            roles[name] = role;
        }
        const config: Record<string, unknown> = { "aws:region": "eu-west-1" };
        if (stack.account !== undefined) config["aws:allowedAccountIds"] = [stack.account];
        config["revocable-roles:roles"] = roles;
        files[`Pulumi.${stack.name}.yaml`] = YAML.stringify({ config }, { version: "1.1" });
    }
    return files;
}

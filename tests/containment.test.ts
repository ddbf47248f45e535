/**
 * Containment: which roles a leaked session could reach, proved against an IAM simulator we did
 * not write (@cloud-copilot/iam-simulate, tests only) on the documents the offline plan renders;
 * the workloads a revocation interrupts; and the analyses on a generated repository of many roles.
 * `revoke --with-chained` is tests/revokeWithChained.test.ts.
 */
import * as assert from "assert";
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { runSimulation } from "@cloud-copilot/iam-simulate";
import { memorySource, plan } from "./helpers";
import { Cutoff } from "../iam/cutoff";
import { chainInWords, containment, interruptedWorkloads, repositoryRoles } from "../analysis/containment";
import { undoPathInWords } from "../analysis/undo";
import { manyRoleStacks } from "./manyRoles";
import { RoleFacts, chainOf, link, reachable, roleArn } from "../analysis/reachability";
import { passLink } from "../analysis/passRole";
import { Plan } from "../plan/model";
import { deployedRoles, policyRole } from "../plan/deployment";
import { documentOf } from "../backends";
import { PolicyDocument } from "../iam/policy";
import { NOW, ACCOUNT, CHAIN, stackFile, PASSING } from "./containmentHarness";

/** AWS's document of the AWS-managed policy AdministratorAccess. */
const ADMINISTRATOR_ACCESS: PolicyDocument = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] };

/** The roles of a set of stack files, as the analysis sees them. */
function rolesOf(files: Record<string, string>): RoleFacts[] {
    return repositoryRoles(memorySource(files), NOW).roles;
}

/** The simulator's decision on sts:AssumeRole by a session of `from` on `to`, from the documents the plans render. */
async function simulate(plans: Plan[], from: RoleFacts, to: RoleFacts, managed: Record<string, PolicyDocument> = {}): Promise<string> {
    const all = plans.flatMap((p) => p.resources);
    const target = plans.flatMap(deployedRoles).find((r) => r.physicalName === to.roleName)!;
    const identity = [
        ...all
            .filter((r) => r.type === "aws:iam/rolePolicy:RolePolicy" && policyRole(r) === from.roleName)
            .map((r) => documentOf(r.inputs.policy)),
        ...from.managedPolicyArns.map((arn) => managed[arn]).filter((d): d is PolicyDocument => d !== undefined),
    ];
    const result = await runSimulation(
        {
            identityPolicies: identity.map((policy, i) => ({ name: `p${i}`, policy })),
            serviceControlPolicies: [],
            resourceControlPolicies: [],
            resourcePolicy: target.trust,
            request: {
                action: "sts:AssumeRole",
                principal: `arn:aws:sts::${from.account ?? ACCOUNT}:assumed-role/${from.roleName}/leaked`,
                resource: { accountId: to.account ?? ACCOUNT, resource: roleArn({ ...to, account: to.account ?? ACCOUNT }) },
                contextVariables: {},
            },
        },
        {},
    );
    assert.strictEqual(result.resultType, "single", JSON.stringify(result));
    return result.overallResult;
}

/** Checks every ordered pair of roles: a reported link is allowed by the simulator, every other pair is not. */
async function proveEveryPair(roles: RoleFacts[], plans: Plan[], managed: Record<string, PolicyDocument> = {}): Promise<number> {
    let checked = 0;
    for (const from of roles) {
        for (const to of roles.filter((r) => r !== from)) {
            const decision = await simulate(plans, from, to, managed);
            assert.strictEqual(decision, link(from, to) === undefined ? "ImplicitlyDenied" : "Allowed", `${from.key} -> ${to.key}`);
            checked++;
        }
    }
    return checked;
}

describe("roles reachable from a leaked session", () => {
    it("follows a three-role chain, with the reason for each link, and the simulator confirms every link and every pair left out", async () => {
        const roles = rolesOf({ "Pulumi.dev.yaml": CHAIN });
        const [a] = roles;
        const reach = reachable(a, roles).map((r) => ({
            role: r.role.key,
            chain: chainOf(r).map((l) => `${l.from.key} -> ${l.to.key}: ${l.reasons.join("; ")}`),
        }));
        assert.deepStrictEqual(reach, [
            {
                role: "role-b",
                chain: [
                    `role-a -> role-b: role-b's trust names role-a's ARN (arn:aws:iam::${ACCOUNT}:role/role-a); in the same account that alone lets it assume the role`,
                ],
            },
            {
                role: "role-c",
                chain: [
                    `role-a -> role-b: role-b's trust names role-a's ARN (arn:aws:iam::${ACCOUNT}:role/role-a); in the same account that alone lets it assume the role`,
                    `role-b -> role-c: role-c's trust names role-b's ARN (arn:aws:iam::${ACCOUNT}:role/role-b); in the same account that alone lets it assume the role`,
                ],
            },
        ]);
        assert.strictEqual(await proveEveryPair(roles, [await plan(CHAIN, "dev")]), 12);
    });

    it("finds nothing for a role whose permissions cannot assume anything, though another role trusts its account", async () => {
        const text = stackFile(
            `    reader:\n      trust:\n        services: [lambda.amazonaws.com]\n      managedPolicyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"]\n      inlinePolicies:\n        read:\n          Version: "2012-10-17"\n          Statement: [{Effect: Allow, Action: "s3:GetObject", Resource: "*"}]\n` +
                `    ops:\n      trust:\n        accounts: ["${ACCOUNT}"]\n`,
        );
        const roles = rolesOf({ "Pulumi.dev.yaml": text });
        assert.deepStrictEqual(reachable(roles[0], roles), []);
        // ReadOnlyAccess is known not to allow sts:AssumeRole; the simulator sees the inline policy alone.
        assert.strictEqual(await simulate([await plan(text, "dev")], roles[0], roles[1]), "ImplicitlyDenied");
    });

    it("with AdministratorAccess, reaches every role that trusts its account, and only those", async () => {
        const text = stackFile(
            `    admin:\n      trust:\n        accounts: ["${ACCOUNT}"]\n        requireMfa: true\n      managedPolicyArns: ["arn:aws:iam::aws:policy/AdministratorAccess"]\n` +
                `    ops:\n      trust:\n        accounts: ["${ACCOUNT}"]\n` +
                `    audit:\n      trust:\n        accounts: ["${ACCOUNT}", "222222222222"]\n        externalId: audit-1\n` +
                `    partner:\n      trust:\n        accounts: ["222222222222"]\n`,
        );
        const roles = rolesOf({ "Pulumi.dev.yaml": text });
        const reasons = reachable(roles[0], roles).map((r) => [r.role.key, ...chainOf(r)[0].reasons]);
        assert.deepStrictEqual(reasons, [
            [
                "ops",
                `ops's trust allows account ${ACCOUNT}, admin's account`,
                "admin's managed policy AdministratorAccess allows sts:AssumeRole on *",
            ],
            [
                "audit",
                `audit's trust allows account ${ACCOUNT}, admin's account (with the ExternalId, which a session's holder may have)`,
                "admin's managed policy AdministratorAccess allows sts:AssumeRole on *",
            ],
        ]);
        const plans = [await plan(text, "dev")];
        const managed = { "arn:aws:iam::aws:policy/AdministratorAccess": ADMINISTRATOR_ACCESS };
        // audit needs its ExternalId, which the simulated request does not carry; the analysis assumes a holder may have it.
        const [, ops, , partner] = roles;
        assert.deepStrictEqual(
            [await simulate(plans, roles[0], ops, managed), await simulate(plans, roles[0], partner, managed)],
            ["Allowed", "ImplicitlyDenied"],
        );
    });

    it("reports trust by account as possible when the session's account is unknown", () => {
        const roles = rolesOf({
            "Pulumi.dev.yaml": stackFile(
                `    admin:\n      trust:\n        services: [ec2.amazonaws.com]\n      managedPolicyArns: ["arn:aws:iam::aws:policy/AdministratorAccess"]\n    ops:\n      trust:\n        accounts: ["111111111111"]\n`,
                "",
            ),
        });
        assert.deepStrictEqual(
            reachable(roles[0], roles).map((r) => chainOf(r)[0].reasons),
            [
                [
                    "ops's trust allows account 111111111111, which may be admin's (admin's account is unknown; set aws:allowedAccountIds in Pulumi.dev.yaml to decide)",
                    "admin's managed policy AdministratorAccess allows sts:AssumeRole on *",
                ],
            ],
        );
    });

    it("takes a customer-managed policy it cannot read as one that may allow it, saying so", () => {
        const roles = rolesOf({
            "Pulumi.dev.yaml": stackFile(
                `    app:\n      trust:\n        services: [ec2.amazonaws.com]\n      managedPolicyArns: ["arn:aws:iam::${ACCOUNT}:policy/AppPolicy"]\n    ops:\n      trust:\n        accounts: ["${ACCOUNT}"]\n`,
            ),
        });
        assert.deepStrictEqual(
            chainOf(reachable(roles[0], roles)[0])[0].reasons[1],
            `app's managed policy arn:aws:iam::${ACCOUNT}:policy/AppPolicy may allow it: its document is not known here`,
        );
    });
});

describe("roles reachable through iam:PassRole", () => {
    const cutoff = Cutoff.read("2026-11-27T10:00:00Z")!;
    const roles = rolesOf({ "Pulumi.dev.yaml": PASSING });
    const byKey = (key: string) => roles.find((r) => r.key === key)!;
    const reached = (key: string) => containment(byKey(key), roles, cutoff).reachable.map((r) => chainInWords(byKey(key), r.reach));

    it("reaches the role a principal may pass to a service it may start, saying which service and which call", () => {
        assert.deepStrictEqual(reached("deployer"), [
            {
                path: "deployer -> web-server",
                reasons: [
                    `deployer -> web-server: deployer passes web-server to ec2.amazonaws.com and starts it with ec2:RunInstances: an instance whose instance profile holds the role gets sessions of web-server for as long as it runs, past the 1-hour limit of role chaining; web-server's trust lets ec2.amazonaws.com in; deployer's inline policy deploy (statement 0) allows iam:PassRole on arn:aws:iam::${ACCOUNT}:role/web-server; deployer's inline policy deploy (statement 1) allows ec2:RunInstances`,
                ],
            },
        ]);
        assert.deepStrictEqual(reached("lambda-dev"), [
            {
                path: "lambda-dev -> fn",
                reasons: [
                    "lambda-dev -> fn: lambda-dev passes fn to lambda.amazonaws.com and starts it with lambda:CreateFunction: a function whose execution role it is gets sessions of fn for as long as it runs, past the 1-hour limit of role chaining; fn's trust lets lambda.amazonaws.com in; lambda-dev's managed policy AWSLambda_FullAccess allows iam:PassRole on *; lambda-dev's managed policy AWSLambda_FullAccess allows lambda:CreateFunction",
                ],
            },
        ]);
    });

    it("reaches nothing with iam:PassRole alone, nor when a Deny of the same policy takes the start away, nor a role whose trust lets in another service", () => {
        // passer may pass anything and start nothing; denied's ec2:RunInstances is denied in its own policy;
        // deployer may start instances but pass only web-server, and lambda-dev may start functions only.
        assert.deepStrictEqual(
            ["passer", "denied"].map((key) => [key, reached(key)]),
            [
                ["passer", []],
                ["denied", []],
            ],
        );
    });

    it("agrees with the simulator on iam:PassRole and the start call, for every pair of a declared inline policy and a role its service may take", async () => {
        const plans = [await plan(PASSING, "dev")];
        const all = plans.flatMap((p) => p.resources);
        const allowed = async (from: RoleFacts, action: string, resource: string) => {
            const identity = all
                .filter((r) => r.type === "aws:iam/rolePolicy:RolePolicy" && policyRole(r) === from.roleName)
                .map((r) => documentOf(r.inputs.policy));
            const result = await runSimulation(
                {
                    identityPolicies: identity.map((policy, i) => ({ name: `p${i}`, policy })),
                    serviceControlPolicies: [],
                    resourceControlPolicies: [],
                    request: {
                        action,
                        principal: `arn:aws:sts::${ACCOUNT}:assumed-role/${from.roleName}/leaked`,
                        resource: { accountId: ACCOUNT, resource },
                        contextVariables: {},
                    },
                },
                {},
            );
            return result.resultType === "single" && result.overallResult === "Allowed";
        };
        const decided: string[] = [];
        for (const from of ["deployer", "passer", "denied"].map(byKey)) {
            for (const to of [byKey("web-server"), byKey("fn")]) {
                const start = to.key === "web-server" ? "ec2:RunInstances" : "lambda:CreateFunction";
                const startOn =
                    to.key === "web-server"
                        ? `arn:aws:ec2:eu-west-1:${ACCOUNT}:instance/i-0123456789abcdef0`
                        : `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:f`;
                const simulator = (await allowed(from, "iam:PassRole", roleArn(to))) && (await allowed(from, start, startOn));
                assert.strictEqual(simulator, passLink(from, to) !== undefined, `${from.key} -> ${to.key}`);
                decided.push(`${from.key} -> ${to.key}: ${simulator}`);
            }
        }
        assert.deepStrictEqual(decided, [
            "deployer -> web-server: true",
            "deployer -> fn: false",
            "passer -> web-server: false",
            "passer -> fn: false",
            "denied -> web-server: false",
            "denied -> fn: false",
        ]);
    });
});

describe("the workloads a revocation interrupts", () => {
    const workloads = (trust: string) =>
        interruptedWorkloads(rolesOf({ "Pulumi.dev.yaml": stackFile(`    r:\n      trust:\n${trust}`) })[0]).map((w) => w.split(":")[0]);

    it("names every kind of holder of a session from before the cutoff, one line each", () => {
        assert.deepStrictEqual(
            [
                workloads("        services: [lambda.amazonaws.com, batch.amazonaws.com]\n"),
                workloads('        githubActions: {repositories: ["acme/infra:ref:refs/heads/main", "acme/web"]}\n'),
                workloads(`        accounts: ["${ACCOUNT}"]\n`),
                workloads(`        saml: {providerArn: "arn:aws:iam::${ACCOUNT}:saml-provider/okta"}\n`),
            ],
            [
                ["Lambda functions with this execution role", "batch.amazonaws.com"],
                ["GitHub Actions runs of `acme/infra"],
                ["People and programs of the trusted accounts or principals with a session from before the cutoff"],
                ["Federated users signed in through the role before the cutoff"],
            ],
        );
    });

    it("names the instance profile whose instances lose their credentials, when the role declares one", () => {
        const ec2 = (profile: string) =>
            interruptedWorkloads(
                rolesOf({ "Pulumi.dev.yaml": stackFile(`    r:\n      trust:\n        services: [ec2.amazonaws.com]\n${profile}`) })[0],
            );
        const rest =
            ': the instance metadata service keeps serving the credentials it issued before the cutoff, now denied, until it rotates them. EC2 makes new credentials available at least five minutes before the old ones expire (EC2 User Guide, "Retrieve security credentials from instance metadata"); instance-profile credentials have been seen to live about 6 hours. The SDKs pick up the new credentials by themselves.';
        assert.deepStrictEqual(
            [ec2("      instanceProfile: true\n"), ec2("      instanceProfile: AppServers\n"), ec2("")],
            [
                [`EC2 instances launched with the instance profile \`r\`, which holds this role${rest}`],
                [`EC2 instances launched with the instance profile \`AppServers\`, which holds this role${rest}`],
                [`EC2 instances with this role in their instance profile${rest}`],
            ],
        );
    });

    it("tells the runs of a CI role in progress that they lose their credentials, and how they recover", () => {
        assert.deepStrictEqual(interruptedWorkloads(rolesOf({ "Pulumi.dev.yaml": CHAIN }).find((r) => r.key === "role-a")!), [
            "GitHub Actions runs of `acme/infra` in progress at the cutoff: their credentials are denied from their next AWS call, so a deploy may stop half-way. Rerun them: a new run assumes the role again and gets a working session.",
        ]);
    });
});

describe("the analyses on a generated repository of many roles", () => {
    const PINNED = path.join(__dirname, "fixtures", "manyRoles.json");

    it("decide exactly the pinned result: every role reachable from every role with its chain, and who can undo each revocation", () => {
        const files = { "Pulumi.yaml": "name: revocable-roles\nruntime: nodejs\n", ...manyRoleStacks(40) };
        const { roles, problems } = repositoryRoles(memorySource(files), NOW);
        assert.deepStrictEqual({ roles: roles.length, problems }, { roles: 120, problems: [] });
        const digest = (lines: string[]) => createHash("sha256").update(lines.join("\n")).digest("hex").slice(0, 16);
        const decided: Record<string, { reachable: string[]; reasons: string; undoneBy: string[]; grants: string }> = {};
        for (const role of roles) {
            const analysis = containment(role, roles, Cutoff.read("2026-11-27T10:00:00Z")!);
            const chains = analysis.reachable.map((r) => ({ ...chainInWords(role, r.reach), covered: r.covered }));
            decided[`${role.stack}/${role.key}`] = {
                reachable: chains.map((c) => `${c.path}${c.covered ? " (covered)" : ""}`),
                reasons: digest(chains.flatMap((c) => c.reasons)),
                undoneBy: analysis.undoneBy.map((u) => `${u.holder.stack}/${u.holder.key}`),
                grants: digest(analysis.undoneBy.map(undoPathInWords)),
            };
        }
        if (process.env.UPDATE_MANY_ROLES === "1") fs.writeFileSync(PINNED, `${JSON.stringify(decided, null, 1)}\n`);
        const pinned = JSON.parse(fs.readFileSync(PINNED, "utf8")) as typeof decided;
        assert.deepStrictEqual(decided, pinned);
        // The fixture exercises the analyses: chains of several links, revocations covered, undo grants.
        const all = Object.values(pinned);
        assert.deepStrictEqual(
            {
                reachable: all.reduce((n, d) => n + d.reachable.length, 0),
                longest: Math.max(...all.flatMap((d) => d.reachable.map((p) => p.split(" -> ").length))),
                covered: all.reduce((n, d) => n + d.reachable.filter((p) => p.endsWith("(covered)")).length, 0),
                undoneBy: all.reduce((n, d) => n + d.undoneBy.length, 0),
            },
            // Through iam:PassRole too: roles with Action "*", AdministratorAccess or an unknown managed policy pass the
            // ec2.amazonaws.com roles of their account (and those trusting anyone) to instances they may start.
            { reachable: 5958, longest: 7, covered: 2017, undoneBy: 9123 },
        );
    });
});

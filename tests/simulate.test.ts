/**
 * Decisions made by an IAM evaluator we did not write (@cloud-copilot/iam-simulate, AGPL: a test
 * dependency only), on documents taken from the real program's offline plan.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import fc from "fast-check";
import { PROJECT_ROOT } from "../cli/project";
import { runSimulation, runUnsafeSimulation } from "@cloud-copilot/iam-simulate";
import { Plan } from "../plan/model";
import { DEV_STACK, plan as planText } from "./helpers";
import { validateRole } from "../iam/role";
import { PolicyDocument } from "../iam/policy";

const ROLE_ACCOUNT = "000000000000"; // the offline plan's placeholder account
const ALLOW_ALL: PolicyDocument = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] };

/** The document of a plan's resource input, by logical name and input. */
function documentOf(plan: Plan, name: string, input: string): PolicyDocument {
    const resource = plan.resources.find((r) => r.name === name);
    assert.ok(resource, `no resource ${name} in the plan`);
    return JSON.parse(String(resource.inputs[input]));
}

type Decision = "Allowed" | "ExplicitlyDenied" | "ImplicitlyDenied";

/** A request by a session of the role, with its permission policies, decided by the simulator. */
async function sessionRequest(policies: PolicyDocument[], action: string, resource: string, tokenIssueTime?: string): Promise<Decision> {
    const result = await runSimulation(
        {
            identityPolicies: policies.map((policy, i) => ({ name: `policy${i}`, policy })),
            serviceControlPolicies: [],
            resourceControlPolicies: [],
            request: {
                action,
                principal: `arn:aws:sts::${ROLE_ACCOUNT}:assumed-role/ci-deployer/session`,
                resource: { accountId: ROLE_ACCOUNT, resource },
                contextVariables: tokenIssueTime === undefined ? {} : { "aws:TokenIssueTime": tokenIssueTime },
            },
        },
        {},
    );
    assert.strictEqual(result.resultType, "single", JSON.stringify(result));
    return result.overallResult as Decision;
}

/** Actions across services, with a resource each action accepts. */
const SAMPLE: [string, string][] = [
    ["s3:GetObject", "arn:aws:s3:::acme-artifacts/build.zip"],
    ["s3:PutObject", "arn:aws:s3:::acme-artifacts/build.zip"],
    ["ec2:TerminateInstances", `arn:aws:ec2:eu-west-1:${ROLE_ACCOUNT}:instance/i-0123456789abcdef0`],
    ["iam:CreateUser", `arn:aws:iam::${ROLE_ACCOUNT}:user/intruder`],
    ["dynamodb:GetItem", `arn:aws:dynamodb:eu-west-1:${ROLE_ACCOUNT}:table/orders`],
    ["lambda:InvokeFunction", `arn:aws:lambda:eu-west-1:${ROLE_ACCOUNT}:function:billing`],
    ["sns:Publish", `arn:aws:sns:eu-west-1:${ROLE_ACCOUNT}:alerts`],
    ["sqs:SendMessage", `arn:aws:sqs:eu-west-1:${ROLE_ACCOUNT}:jobs`],
    ["secretsmanager:GetSecretValue", `arn:aws:secretsmanager:eu-west-1:${ROLE_ACCOUNT}:secret:db-AbCdEf`],
];

describe("the rendered revocation, as IAM decides it", () => {
    let revocation: PolicyDocument;
    let decisions = 0;

    before(async () => {
        revocation = documentOf(await planText(DEV_STACK, "dev"), "ci-deployer-revocation", "policy");
        assert.strictEqual(revocation.Statement[0].Condition?.DateLessThan["aws:TokenIssueTime"], "2026-11-27T10:15:00Z");
    });

    after(() => {
        assert.strictEqual(decisions, SAMPLE.length * 4);
    });

    it(`denies sessions issued one second before the cutoff for ${SAMPLE.length} actions across ${new Set(SAMPLE.map(([a]) => a.split(":")[0])).size} services`, async () => {
        for (const [action, resource] of SAMPLE) {
            assert.strictEqual(
                await sessionRequest([ALLOW_ALL, revocation], action, resource, "2026-11-27T10:14:59Z"),
                "ExplicitlyDenied",
                action,
            );
            decisions++;
        }
    });

    it("allows sessions issued at or after the cutoff", async () => {
        for (const [action, resource] of SAMPLE) {
            assert.strictEqual(await sessionRequest([ALLOW_ALL, revocation], action, resource, "2026-11-27T10:15:00Z"), "Allowed", action);
            assert.strictEqual(
                await sessionRequest([ALLOW_ALL, revocation], action, resource, "2026-11-27T12:00:00+01:00"),
                "Allowed",
                action,
            );
            decisions += 2;
        }
    });

    it("does not touch requests without aws:TokenIssueTime (long-term access keys), a documented limitation", async () => {
        for (const [action, resource] of SAMPLE) {
            assert.strictEqual(await sessionRequest([ALLOW_ALL, revocation], action, resource), "Allowed", action);
            decisions++;
        }
    });
});

describe("the revocation property", () => {
    const RUNS = 1000;
    const second = 1000;
    const offset = fc.integer({ min: -12 * 60, max: 14 * 60 }).map((m) => m - (m % 15));
    const written = (ms: number, offsetMinutes: number) => {
        const local = new Date(ms + offsetMinutes * 60_000).toISOString().slice(0, 19);
        const sign = offsetMinutes < 0 ? "-" : "+";
        const abs = Math.abs(offsetMinutes);
        return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, "0")}:${String(abs % 60).padStart(2, "0")}`;
    };

    it(`denies a request exactly when its token was issued before the cutoff (${RUNS} runs)`, () => {
        const base = Date.UTC(2024, 0, 1);
        let runs = 0;
        fc.assert(
            fc.property(
                fc.integer({ min: 0, max: 2 * 365 * 86400 }),
                fc.integer({ min: -3 * 86400, max: 3 * 86400 }),
                offset,
                offset,
                (cutoffSeconds, deltaSeconds, cutoffOffset, tokenOffset) => {
                    runs++;
                    const cutoff = base + cutoffSeconds * second;
                    const issued = cutoff + deltaSeconds * second;
                    // The component's own renderer, as the program calls it, with the cutoff written in a random zone.
                    const model = validateRole(
                        "prop",
                        { trust: { services: ["ec2.amazonaws.com"] }, revokeBefore: written(cutoff, cutoffOffset) },
                        new Date(cutoff + 86400_000),
                    );
                    const revocation = JSON.parse(model.revocation!.policy) as PolicyDocument;
                    const result = runUnsafeSimulation(
                        {
                            identityPolicies: [
                                { name: "all", policy: ALLOW_ALL },
                                { name: "revocation", policy: revocation },
                            ],
                            serviceControlPolicies: [],
                            resourceControlPolicies: [],
                            request: {
                                action: "s3:GetObject",
                                principal: `arn:aws:sts::${ROLE_ACCOUNT}:assumed-role/prop/session`,
                                resource: { accountId: ROLE_ACCOUNT, resource: "arn:aws:s3:::bucket/key" },
                                contextVariables: { "aws:TokenIssueTime": written(issued, tokenOffset) },
                            },
                        },
                        {},
                    );
                    assert.strictEqual(result, issued < cutoff ? "ExplicitlyDenied" : "Allowed");
                },
            ),
            { numRuns: RUNS },
        );
        assert.strictEqual(runs, RUNS);
    });
});

/** An assume-role request against a trust policy (the resource policy of the role). */
function assume(trust: PolicyDocument, action: string, principal: string, context: Record<string, string>): Decision {
    return runUnsafeSimulation(
        {
            // The caller's own account allows everything, so only the trust policy decides.
            identityPolicies: principal.includes(":oidc-provider/") ? [] : [{ name: "caller", policy: ALLOW_ALL }],
            serviceControlPolicies: [],
            resourceControlPolicies: [],
            // runUnsafeSimulation loads a plain resource policy without the name its analysis reads;
            // the pre-validated form (iam-policy's ValidatedPolicy) carries one.
            resourcePolicy: { __validated: true, policyDocument: trust, metadata: { name: "trust" }, errors: [] },
            request: {
                action,
                principal,
                resource: { accountId: ROLE_ACCOUNT, resource: `arn:aws:iam::${ROLE_ACCOUNT}:role/target` },
                contextVariables: context,
            },
        },
        {},
    ) as Decision;
}

describe("the rendered trust policies, as IAM decides them", () => {
    let plan: Plan;
    before(async () => {
        plan = await planText(DEV_STACK, "dev");
    });

    // The simulator's catalog lacks the GitHub provider's aud and sub keys, so these run unvalidated.
    const GITHUB = `arn:aws:iam::${ROLE_ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;
    const github = (sub: string, aud = "sts.amazonaws.com") =>
        assume(documentOf(plan, "ci-deployer-role", "assumeRolePolicy"), "sts:AssumeRoleWithWebIdentity", GITHUB, {
            "token.actions.githubusercontent.com:aud": aud,
            "token.actions.githubusercontent.com:sub": sub,
        });

    it("lets the allowed repository and ref assume the role through GitHub OIDC", () => {
        assert.strictEqual(github("repo:acme/infra:ref:refs/heads/main"), "Allowed");
    });

    it("refuses another repository, another ref and another audience", () => {
        assert.deepStrictEqual(
            [
                github("repo:acme/other:ref:refs/heads/main"),
                github("repo:acme/infra:ref:refs/heads/feature"),
                github("repo:acme/infra:ref:refs/heads/main", "sigstore"),
            ],
            ["ImplicitlyDenied", "ImplicitlyDenied", "ImplicitlyDenied"],
        );
    });

    const admin = (context: Record<string, string>) =>
        assume(
            documentOf(plan, "break-glass-admin-role", "assumeRolePolicy"),
            "sts:AssumeRole",
            "arn:aws:iam::111111111111:user/alice",
            context,
        );

    it("requires MFA, and MFA younger than the maximum age, from the break-glass account", () => {
        assert.deepStrictEqual(
            [
                admin({}),
                admin({ "aws:MultiFactorAuthPresent": "false", "aws:MultiFactorAuthAge": "10" }),
                admin({ "aws:MultiFactorAuthPresent": "true", "aws:MultiFactorAuthAge": "100" }),
                admin({ "aws:MultiFactorAuthPresent": "true", "aws:MultiFactorAuthAge": "901" }),
            ],
            ["ImplicitlyDenied", "ImplicitlyDenied", "Allowed", "ImplicitlyDenied"],
        );
    });

    it("requires the agreed ExternalId from the auditor's account, and refuses other accounts", () => {
        const auditor = (principal: string, context: Record<string, string>) =>
            assume(documentOf(plan, "external-auditor-role", "assumeRolePolicy"), "sts:AssumeRole", principal, context);
        assert.deepStrictEqual(
            [
                auditor("arn:aws:iam::222222222222:role/audit", { "sts:ExternalId": "acme-audit-7f3c9e" }),
                auditor("arn:aws:iam::222222222222:role/audit", { "sts:ExternalId": "guess" }),
                auditor("arn:aws:iam::222222222222:role/audit", {}),
                auditor("arn:aws:iam::333333333333:role/audit", { "sts:ExternalId": "acme-audit-7f3c9e" }),
            ],
            ["Allowed", "ImplicitlyDenied", "ImplicitlyDenied", "ImplicitlyDenied"],
        );
    });
});

describe("revokeAllBefore together with a role's own revokeBefore", () => {
    const cutoffDecisions = async (revokeAllBefore: string, issued: string[]) => {
        const plan = await planText(
            DEV_STACK.replace("config:\n", `config:\n  revocable-roles:revokeAllBefore: "${revokeAllBefore}"\n`),
            "dev",
        );
        const revocation = documentOf(plan, "ci-deployer-revocation", "policy");
        return Promise.all(issued.map((t) => sessionRequest([ALLOW_ALL, revocation], "s3:GetObject", "arn:aws:s3:::acme-artifacts/a", t)));
    };

    it("lets a later stack-wide cutoff decide", async () => {
        // The role's own cutoff is 10:15; the stack's is 11:00.
        assert.deepStrictEqual(await cutoffDecisions("2026-11-27T11:00:00Z", ["2026-11-27T10:30:00Z", "2026-11-27T11:00:00Z"]), [
            "ExplicitlyDenied",
            "Allowed",
        ]);
    });

    it("lets the role's own later cutoff decide over an earlier stack-wide one", async () => {
        assert.deepStrictEqual(
            await cutoffDecisions("2026-11-27T09:00:00Z", ["2026-11-27T09:30:00Z", "2026-11-27T10:14:59Z", "2026-11-27T10:15:00Z"]),
            ["ExplicitlyDenied", "ExplicitlyDenied", "Allowed"],
        );
    });
});

describe("shipped code", () => {
    /** Every project file an entry point imports, directly or through other project files. */
    function importGraph(entries: string[]): Map<string, string[]> {
        const graph = new Map<string, string[]>();
        const queue = entries.map((entry) => path.join(PROJECT_ROOT, entry));
        while (queue.length > 0) {
            const file = queue.shift()!;
            if (graph.has(file)) continue;
            const specifiers = [...fs.readFileSync(file, "utf8").matchAll(/(?:from|require\(|import\()\s*"([^"]+)"/g)].map((m) => m[1]);
            graph.set(file, specifiers);
            // The package's own name resolves to its entry point (a program imports it so); JSON is data.
            const local = specifiers.flatMap((s) =>
                s === "revocable-roles"
                    ? [path.relative(path.dirname(file), path.join(PROJECT_ROOT, "components"))]
                    : s.startsWith(".") && !s.endsWith(".json")
                      ? [s]
                      : [],
            );
            for (const specifier of local) {
                const target = path.resolve(path.dirname(file), specifier);
                queue.push(fs.existsSync(`${target}.ts`) ? `${target}.ts` : path.join(target, "index.ts"));
            }
        }
        return graph;
    }

    it("never imports the AGPL simulator, directly or through another module", () => {
        const entries = ["index.ts", "package/index.ts", ...fs.readdirSync(path.join(PROJECT_ROOT, "cli")).map((f) => `cli/${f}`)];
        const graph = importGraph(entries);
        const offenders = [...graph]
            .filter(([, specifiers]) => specifiers.some((s) => s.startsWith("@cloud-copilot/iam-simulate")))
            .map(([file]) => file);
        assert.deepStrictEqual(offenders, []);
        // The walk reaches the component, the config loader and the analysis the tools run.
        for (const module of ["components/revocableRole.ts", "config/loader.ts", "analysis/trust.ts"]) {
            assert.ok(graph.has(path.join(PROJECT_ROOT, module)), module);
        }
    });

    it("would notice an import of the simulator", () => {
        const graph = importGraph(["tests/simulate.test.ts"]);
        assert.ok([...graph.values()].some((specifiers) => specifiers.includes("@cloud-copilot/iam-simulate")));
    });
});

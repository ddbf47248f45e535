/**
 * Organization-wide revocation: the service control policies the renderer writes, decided by an
 * IAM simulator we did not write (@cloud-copilot/iam-simulate, tests only), which evaluates SCPs
 * down the organization's hierarchy.
 */
import * as assert from "assert";
import { runSimulation } from "@cloud-copilot/iam-simulate";
import {
    OrganizationRevocation,
    PLACEHOLDER_STATEMENT,
    SCP_MAX_CHARACTERS,
    organizationPolicies,
    scpCharacters,
} from "../iam/organizationPolicy";
import { PolicyDocument } from "../iam/policy";
import { Cutoff } from "../iam/cutoff";
import {
    AttachPolicyCommand,
    CreateOrganizationCommand,
    CreatePolicyCommand,
    DescribePolicyCommand,
    ListPoliciesForTargetCommand,
    ListRootsCommand,
    OrganizationsClient,
    PolicyType,
} from "@aws-sdk/client-organizations";
import { MOTO_INSTALL_HINT, inMotoAccount, startMoto } from "./moto";
import { memorySource } from "./helpers";
import { loadStack } from "../config/loader";
import { planStack } from "../plan/run";
import { PROJECT_ROOT } from "../cli/project";

const MEMBER = "111111111111";
const CUTOFF = "2026-12-01T09:00:00Z";
const BEFORE = "2026-12-01T08:59:59Z";
const AFTER = "2026-12-01T09:00:01Z";
const ALLOW_ALL: PolicyDocument = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] };
const FULL_AWS_ACCESS = { name: "FullAWSAccess", policy: ALLOW_ALL };
/** How many of the 60 revocations below fall into each of the four policies. */
const STATEMENTS = [14, 15, 16, 15];

type Decision = "Allowed" | "ExplicitlyDenied" | "ImplicitlyDenied";

/** A session's s3:GetObject in a member account, with the organization's SCPs attached at its root, decided by the simulator. */
async function decide(
    policies: PolicyDocument[],
    session: { role: string; path?: string; issued: string; identityCenterUser?: string },
): Promise<Decision> {
    const roleArn = `arn:aws:iam::${MEMBER}:role${session.path ?? "/"}${session.role}`;
    const result = await runSimulation(
        {
            identityPolicies: [{ name: "allow-all", policy: ALLOW_ALL }],
            serviceControlPolicies: [
                {
                    orgIdentifier: "r-ab12",
                    policies: [FULL_AWS_ACCESS, ...policies.map((policy, i) => ({ name: `revocations-${i}`, policy }))],
                },
                { orgIdentifier: MEMBER, policies: [FULL_AWS_ACCESS] },
            ],
            resourceControlPolicies: [],
            request: {
                action: "s3:GetObject",
                principal: `arn:aws:sts::${MEMBER}:assumed-role/${session.role}/session`,
                resource: { accountId: MEMBER, resource: "arn:aws:s3:::acme-artifacts/build.zip" },
                contextVariables: {
                    "aws:TokenIssueTime": session.issued,
                    "aws:PrincipalArn": roleArn,
                    ...(session.identityCenterUser === undefined ? {} : { "identitystore:userId": session.identityCenterUser }),
                },
            },
        },
        {},
    );
    assert.strictEqual(result.resultType, "single", JSON.stringify(result));
    return result.overallResult as Decision;
}

const USER = "90676d4c3b-1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d";
const OTHER_USER = "90676d4c3b-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
const SSO_ROLE = "AWSReservedSSO_AdministratorAccess_0123456789abcdef";

describe("organization-wide revocation (service control policies)", () => {
    const policies = organizationPolicies([
        { roleName: "ci-deployer", revokeBefore: Cutoff.read(CUTOFF)! },
        { roleName: "batch-*", revokeBefore: Cutoff.read(CUTOFF)! },
        { identityCenterUserId: USER, revokeBefore: Cutoff.read(CUTOFF)! },
    ]);

    it("denies the named role's sessions issued before the cutoff in a member account, and nothing else", async () => {
        const decisions = {
            before: await decide(policies, { role: "ci-deployer", issued: BEFORE }),
            after: await decide(policies, { role: "ci-deployer", issued: AFTER }),
            withPath: await decide(policies, { role: "ci-deployer", path: "/ops/", issued: BEFORE }),
            otherRole: await decide(policies, { role: "ci-deployer-v2", issued: BEFORE }),
            patternBefore: await decide(policies, { role: "batch-nightly", issued: BEFORE }),
            patternAfter: await decide(policies, { role: "batch-nightly", issued: AFTER }),
            patternOther: await decide(policies, { role: "nightly-batch", issued: BEFORE }),
        };
        assert.deepStrictEqual(decisions, {
            before: "ExplicitlyDenied",
            after: "Allowed",
            withPath: "ExplicitlyDenied",
            otherRole: "Allowed",
            patternBefore: "ExplicitlyDenied",
            patternAfter: "Allowed",
            patternOther: "Allowed",
        });
    });

    it("denies the Identity Center user's sessions issued before the cutoff, and not another user's", async () => {
        const decisions = {
            before: await decide(policies, {
                role: SSO_ROLE,
                path: "/aws-reserved/sso.amazonaws.com/",
                issued: BEFORE,
                identityCenterUser: USER,
            }),
            after: await decide(policies, {
                role: SSO_ROLE,
                path: "/aws-reserved/sso.amazonaws.com/",
                issued: AFTER,
                identityCenterUser: USER,
            }),
            other: await decide(policies, {
                role: SSO_ROLE,
                path: "/aws-reserved/sso.amazonaws.com/",
                issued: BEFORE,
                identityCenterUser: OTHER_USER,
            }),
        };
        assert.deepStrictEqual(decisions, { before: "ExplicitlyDenied", after: "Allowed", other: "Allowed" });
    });

    it("renders, when there is no revocation, placeholder policies that deny no session", async () => {
        const placeholder = organizationPolicies([]);
        assert.deepStrictEqual(placeholder, Array(4).fill({ Version: "2012-10-17", Statement: [PLACEHOLDER_STATEMENT] }));
        assert.strictEqual(await decide(placeholder, { role: "ci-deployer", issued: "2011-06-01T00:00:00Z" }), "Allowed");
    });

    it("places statements by a hash of what they revoke into the budget's policies of at most 5,120 characters, and refuses a fuller one", () => {
        const many: OrganizationRevocation[] = Array.from({ length: 60 }, (_, i) => ({
            roleName: `service-${String(i).padStart(3, "0")}`,
            revokeBefore: Cutoff.read(CUTOFF)!,
        }));
        const placed = organizationPolicies(many);
        assert.deepStrictEqual(
            {
                policies: placed.length,
                statements: placed.map((p) => p.Statement.length),
                fit: placed.every((p) => scpCharacters(p) <= SCP_MAX_CHARACTERS),
            },
            { policies: 4, statements: STATEMENTS, fit: true },
        );
        // Each policy's statements in the order of their keys, numbered from 0.
        assert.deepStrictEqual(
            placed.map((p) => p.Statement.map((s) => s.Sid)),
            STATEMENTS.map((count) => Array.from({ length: count }, (_, i) => `RevokeRole${i}`)),
        );
        assert.throws(() => organizationPolicies(many, 2), {
            message:
                "30 revocations fall into revocable-roles-revocations-1, 7258 characters, more than the 5120 a service control policy holds (a revocation's policy is chosen by a hash of what it revokes, so that no change moves one from policy to policy): remove revocations past their window (cutoff + 13 h), use a name pattern for roles that share a prefix, or raise policyBudget while no organization revocation is in force",
        });
    });
});

describe("organization-wide revocation against a real Organizations API (moto_server)", function () {
    this.timeout(30_000);

    it("accepts the policies and attachments the program deploys for an organization stack, as Pulumi would send them", async function () {
        const moto = await startMoto();
        if (moto === undefined) {
            console.log(`      skipped: ${MOTO_INSTALL_HINT}`);
            return this.skip();
        }
        // An account of its own on the run's moto server: the organization it creates is this suite's.
        const organizations = inMotoAccount(
            new OrganizationsClient({
                endpoint: moto.endpoint,
                region: "us-east-1",
                credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
            }),
            "310987654321",
        );
        try {
            await organizations.send(new CreateOrganizationCommand({ FeatureSet: "ALL" }));
            const root = (await organizations.send(new ListRootsCommand({}))).Roots![0].Id!;
            // 30 revocations: the budget's four policies, each attached to the root, as the program registers them.
            const entries = Array.from({ length: 30 }, (_, i) => `      - roleName: service-${i}\n        revokeBefore: "${CUTOFF}"\n`);
            const text = `config:\n  revocable-roles:organization:\n    targets: ["${root}"]\n    revocations:\n${entries.join("")}`;
            const plan = await planStack(loadStack(memorySource({ "Pulumi.org.yaml": text }), "org"), PROJECT_ROOT, new Date(AFTER));
            const ids = new Map<string, string>();
            // In the order of their names (the program registers the last first).
            const policies = plan.resources
                .filter((r) => r.type === "aws:organizations/policy:Policy")
                .sort((a, b) => String(a.inputs.name).localeCompare(String(b.inputs.name)));
            for (const policy of policies) {
                const { name, description, type, content } = policy.inputs as Record<string, string>;
                const created = await organizations.send(
                    new CreatePolicyCommand({ Name: name, Description: description, Type: type as PolicyType, Content: content }),
                );
                ids.set(policy.urn, created.Policy!.PolicySummary!.Id!);
            }
            for (const attachment of plan.resources.filter((r) => r.type === "aws:organizations/policyAttachment:PolicyAttachment")) {
                const [policyUrn] = plan.details.get(attachment.urn)!.propertyDependencies.policyId;
                await organizations.send(
                    new AttachPolicyCommand({ PolicyId: ids.get(policyUrn)!, TargetId: String(attachment.inputs.targetId) }),
                );
            }
            const attached = await organizations.send(
                new ListPoliciesForTargetCommand({ TargetId: root, Filter: "SERVICE_CONTROL_POLICY" }),
            );
            const stored = await Promise.all(
                [...ids.values()].map(
                    async (PolicyId) => (await organizations.send(new DescribePolicyCommand({ PolicyId }))).Policy!.Content!,
                ),
            );
            assert.deepStrictEqual(
                {
                    attached: attached.Policies!.map((p) => p.Name).sort(),
                    stored: stored.map((content) => JSON.parse(content) as unknown),
                },
                {
                    attached: [
                        "FullAWSAccess",
                        "revocable-roles-revocations-1",
                        "revocable-roles-revocations-2",
                        "revocable-roles-revocations-3",
                        "revocable-roles-revocations-4",
                    ],
                    stored: organizationPolicies(
                        Array.from({ length: 30 }, (_, i) => ({ roleName: `service-${i}`, revokeBefore: Cutoff.read(CUTOFF)! })),
                    ),
                },
            );
        } finally {
            organizations.destroy();
            await moto.stop();
        }
    });
});

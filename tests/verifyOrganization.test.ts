/** `verify` of an organization stack: its service control policies read back, with their targets, from moto's Organizations. */
import * as assert from "assert";
import {
    AttachPolicyCommand,
    CreateOrganizationCommand,
    CreatePolicyCommand,
    DetachPolicyCommand,
    ListRootsCommand,
    OrganizationsClient,
    UpdatePolicyCommand,
} from "@aws-sdk/client-organizations";
import { project } from "./helpers";
import { Moto, inMotoAccount } from "./moto";
import { organizationPolicies } from "../iam/organizationPolicy";
import { verifySuite, MANAGEMENT, CUTOFF, EARLIER } from "./verifyHarness";

describe("revocable-roles verify against a real IAM API (moto_server)", function () {
    this.timeout(30_000);
    let moto: Moto | undefined;
    const { run } = verifySuite((started) => (moto = started));

    it("reads an organization stack's service control policies back with their targets (moto's Organizations)", async () => {
        const organizations = inMotoAccount(
            new OrganizationsClient({
                endpoint: moto!.endpoint,
                region: "us-east-1",
                credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
            }),
            MANAGEMENT,
        );
        try {
            await organizations.send(new CreateOrganizationCommand({ FeatureSet: "ALL" }));
            const rootId = (await organizations.send(new ListRootsCommand({}))).Roots![0].Id!;
            const revocations = [
                { roleName: "ci-deployer", revokeBefore: CUTOFF },
                { roleName: "batch-*", revokeBefore: CUTOFF },
            ];
            const text = `config:\n  revocable-roles:organization:\n    targets: ["${rootId}"]\n    revocations:\n${revocations.map((r) => `      - roleName: "${r.roleName}"\n        revokeBefore: "${CUTOFF}"\n`).join("")}`;
            const root = project({ "Pulumi.org.yaml": text });
            // The four policies as the stack deploys them, attached to the root.
            const ids: string[] = [];
            for (const [i, document] of organizationPolicies(revocations).entries()) {
                const created = await organizations.send(
                    new CreatePolicyCommand({
                        Name: `revocable-roles-revocations-${i + 1}`,
                        Description: "d",
                        Type: "SERVICE_CONTROL_POLICY",
                        Content: JSON.stringify(document),
                    }),
                );
                ids.push(created.Policy!.PolicySummary!.Id!);
                await organizations.send(new AttachPolicyCommand({ PolicyId: ids[i], TargetId: rootId }));
            }
            const json = async () =>
                JSON.parse((await run(["--stack", "org", "--json"], root)).stdout) as {
                    organization: string;
                    policy: string;
                    state: string;
                    detail: string;
                    policies: { name: string; targets: string[] }[];
                }[];
            const first = await json();
            assert.deepStrictEqual(
                first.map(({ organization, state, detail, policies }) => ({
                    organization,
                    state,
                    detail,
                    targets: policies.map((p) => p.targets),
                })),
                [
                    {
                        organization: "role ci-deployer",
                        state: "live",
                        detail: `denies sessions issued before 2026-11-27T10:00:00Z on ${rootId}`,
                        targets: [[rootId]],
                    },
                    {
                        organization: "role batch-*",
                        state: "live",
                        detail: `denies sessions issued before 2026-11-27T10:00:00Z on ${rootId}`,
                        targets: [[rootId]],
                    },
                ],
            );
            // An earlier cutoff written over one policy, the other policy detached from the root.
            const slot = (name: string) =>
                ids[
                    Number(
                        first
                            .find((r) => r.organization === name)!
                            .policy.split("-")
                            .pop(),
                    ) - 1
                ];
            const earlier = organizationPolicies(revocations.map((r) => ({ ...r, revokeBefore: EARLIER })));
            const ciSlot = slot("role ci-deployer");
            await organizations.send(new UpdatePolicyCommand({ PolicyId: ciSlot, Content: JSON.stringify(earlier[ids.indexOf(ciSlot)]) }));
            await organizations.send(new DetachPolicyCommand({ PolicyId: slot("role batch-*"), TargetId: rootId }));
            const after = await json();
            const batchPolicy = first.find((r) => r.organization === "role batch-*")!.policy;
            assert.deepStrictEqual(
                after.map(({ organization, state, detail }) => ({ organization, state, detail })),
                [
                    {
                        organization: "role ci-deployer",
                        state: "weakened",
                        detail: `on ${rootId}: it denies only sessions issued before 2026-11-27T09:00:00Z, earlier than the cutoff 2026-11-27T10:00:00Z`,
                    },
                    {
                        organization: "role batch-*",
                        state: "missing",
                        detail: `on ${rootId}: service control policy ${batchPolicy} is not attached to target ${rootId}`,
                    },
                ],
            );
        } finally {
            organizations.destroy();
        }
    });
});

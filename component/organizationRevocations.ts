/**
 * The organization layer: the revocation service control policies of an organization stack, each
 * attached to every target. The first policy exists at all times (a placeholder that denies no
 * session while nothing is revoked), so an incident edits a policy and never has to attach one.
 */
import * as pulumi from "@pulumi/pulumi";
import * as organizations from "@pulumi/aws/organizations";
import { OrganizationModel, revocationKeysInForce } from "../config/organization";
import { currentTime } from "./clock";

/** The type token of the component. */
export const ORGANIZATION_REVOCATIONS_TYPE = "revocable-roles:index:OrganizationRevocations";

export class OrganizationRevocations extends pulumi.ComponentResource {
    /** The policies' IDs, in order. */
    readonly policyIds: pulumi.Output<string>[];

    constructor(name: string, model: OrganizationModel, opts?: pulumi.ComponentResourceOptions) {
        super(ORGANIZATION_REVOCATIONS_TYPE, name, {}, opts);
        const inForce = revocationKeysInForce(model.revocations, currentTime());
        const policyIds: pulumi.Output<string>[] = [];
        let previous: organizations.Policy | undefined;
        for (const policy of model.policies) {
            // While a policy holds a revocation in force, the engine refuses to delete or replace it or detach it.
            const protect = policy.holds.some((key) => inForce.has(key)) ? true : undefined;
            const resource = new organizations.Policy(
                `${name}-${policy.name}`,
                {
                    name: policy.name,
                    type: "SERVICE_CONTROL_POLICY",
                    description: "Denies sessions issued before their cutoff; managed by revocable-roles",
                    content: JSON.stringify(policy.document),
                },
                // One after another: a revocation that moves to an earlier policy (one before it was removed) is
                // added there before it leaves the later one.
                { parent: this, protect, dependsOn: previous === undefined ? [] : [previous] },
            );
            for (const target of model.targets) {
                new organizations.PolicyAttachment(
                    `${name}-${policy.name}-${target}`,
                    { policyId: resource.id, targetId: target },
                    { parent: this, protect },
                );
            }
            policyIds.push(resource.id);
            previous = resource;
        }
        this.policyIds = policyIds;
        this.registerOutputs({ policyIds });
    }
}

/**
 * The organization layer: the revocation service control policies of an organization stack, each
 * attached to every target. Every policy of the budget exists at all times (a placeholder denies
 * no session in one that holds no revocation), so an incident edits a policy and never attaches one.
 * With `lockRevocations`, one more policy, the lock, denies changing a role that carries the
 * revoked-until tag to every principal but the deploy roles.
 */
import * as pulumi from "@pulumi/pulumi";
import * as organizations from "@pulumi/aws/organizations";
import { OrganizationModel, revocationKeysInForce } from "../config/organization";

/** The type token of the component. */
export const ORGANIZATION_REVOCATIONS_TYPE = "revocable-roles:index:OrganizationRevocations";

export class OrganizationRevocations extends pulumi.ComponentResource {
    /** The policies' IDs, in order. */
    readonly policyIds: pulumi.Output<string>[];

    /** `now` decides which revocations are in force, and so protected. */
    constructor(name: string, model: OrganizationModel, now: Date, opts?: pulumi.ComponentResourceOptions) {
        super(ORGANIZATION_REVOCATIONS_TYPE, name, {}, opts);
        const inForce = revocationKeysInForce(model.revocations, now);
        const policyIds: pulumi.Output<string>[] = [];
        // The last policy first, each depending on the one after it and its attachments: a policy a change
        // adds (a larger budget adds the last ones) is created and attached before any existing one is updated.
        let next: pulumi.Resource[] = [];
        for (const policy of [...model.policies].reverse()) {
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
                { parent: this, protect, dependsOn: next },
            );
            const attachments = model.targets.map(
                (target) =>
                    new organizations.PolicyAttachment(
                        `${name}-${policy.name}-${target}`,
                        { policyId: resource.id, targetId: target },
                        { parent: this, protect },
                    ),
            );
            policyIds.unshift(resource.id);
            next = [resource, ...attachments];
        }
        if (model.lock !== undefined) {
            // Always protected: the lock guards role revocations of every stack, which this stack cannot see;
            // `ci deploy` unprotects it once the guard has agreed to remove it.
            const lock = new organizations.Policy(
                `${name}-${model.lock.name}`,
                {
                    name: model.lock.name,
                    type: "SERVICE_CONTROL_POLICY",
                    description:
                        "Denies changing a role while its revocation is in force, but to the deploy roles; managed by revocable-roles",
                    content: JSON.stringify(model.lock.document),
                },
                { parent: this, protect: true },
            );
            for (const target of model.targets) {
                new organizations.PolicyAttachment(
                    `${name}-${model.lock.name}-${target}`,
                    { policyId: lock.id, targetId: target },
                    { parent: this, protect: true },
                );
            }
        }
        this.policyIds = policyIds;
        this.registerOutputs({ policyIds });
    }
}

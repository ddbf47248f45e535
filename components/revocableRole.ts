import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import * as awsnative from "@pulumi/aws-native";
import { RevocationInfo } from "./policy";
import { AccountContext } from "./trust";
import { ProviderKind, RevocableRoleArgs, RoleModel, renderTrust, roleModel } from "./role";

/**
 * The deploying account's partition and (when `needs.accountId`) ID, asked from the provider.
 * A program with many roles asks once and passes the result to each component as `account`.
 */
export function deployingAccount(
    provider: ProviderKind,
    needs: { partition: boolean; accountId: boolean },
    opts?: pulumi.InvokeOutputOptions,
): pulumi.Output<AccountContext> {
    const account = (partition: pulumi.Output<string>, accountId: pulumi.Input<string>) =>
        pulumi.all([partition, accountId]).apply(([p, id]) => ({ partition: p, accountId: id }));
    if (provider === "aws-native") {
        return account(awsnative.getPartitionOutput(opts).partition, needs.accountId ? awsnative.getAccountIdOutput(opts).accountId : "");
    }
    return account(aws.getPartitionOutput({}, opts).partition, needs.accountId ? aws.getCallerIdentityOutput({}, opts).accountId : "");
}

/** The type token of the component. */
export const REVOCABLE_ROLE_TYPE = "revocable-roles:iam:RevocableRole";

/**
 * One IAM role with its trust policy and permission policies and, when `revokeBefore` is set,
 * the inline policy that denies every session issued before the cutoff.
 *
 * Inline policies and managed policy attachments are separate resources, never exclusively owned
 * by the role, so a revocation added in the console survives every update; named policies are
 * replaced delete-before-replace so a replacement never ends with the policy deleted.
 */
export class RevocableRole extends pulumi.ComponentResource {
    /** The IAM role resource (`aws.iam.Role`, or `aws-native.iam.Role` with `provider: "aws-native"`). */
    public readonly role: aws.iam.Role | awsnative.iam.Role;
    /** The role's ARN. */
    public readonly arn: pulumi.Output<string>;
    /** The role's physical name. */
    public readonly roleName: pulumi.Output<string>;
    /** The revocation in force, or undefined when `revokeBefore` is not set. */
    public readonly revocation: RevocationInfo | undefined;

    constructor(name: string, args: RevocableRoleArgs, opts?: pulumi.ComponentResourceOptions) {
        // Validate before anything is registered, the component itself included.
        const model = roleModel(name, args);
        super(REVOCABLE_ROLE_TYPE, name, {}, opts);

        const trustPolicy = this.trustDocument(model, args.account);
        const wired = model.provider === "aws-native" ? this.awsNative(name, model, trustPolicy) : this.awsClassic(name, model, trustPolicy);
        this.role = wired.role;
        this.arn = wired.role.arn;
        this.roleName = wired.roleName;
        this.revocation =
            model.revocation === undefined
                ? undefined
                : { cutoff: model.revocation.cutoff, policyName: model.revocation.policyName, safeToRemoveAfter: model.revocation.safeToRemoveAfter };

        this.registerOutputs({ role: this.role, arn: this.arn, roleName: this.roleName, revocation: this.revocation });
    }

    /** The trust policy JSON; asks for the account only when a shortcut needs it and none was given. */
    private trustDocument(model: RoleModel, account: pulumi.Input<AccountContext> | undefined): pulumi.Input<string> {
        if (!model.needs.partition && !model.needs.accountId) {
            return renderTrust(model.trust);
        }
        const context = account !== undefined ? pulumi.output(account) : deployingAccount(model.provider, model.needs, { parent: this });
        return context.apply((c) => renderTrust(model.trust, c));
    }

    private awsClassic(name: string, model: RoleModel, trustPolicy: pulumi.Input<string>) {
        const role = new aws.iam.Role(
            `${name}-role`,
            {
                name: model.roleName,
                path: model.path,
                description: model.description,
                maxSessionDuration: model.maxSessionDuration,
                permissionsBoundary: model.permissionsBoundary,
                tags: model.tags,
                assumeRolePolicy: trustPolicy,
                // A role removed from config must really be deletable, even with a hand-made policy on it.
                forceDetachPolicies: true,
            },
            { parent: this },
        );
        // The physical name is a plain value, so children take it as one and depend on the role
        // explicitly: the same ordering as passing the role's name Output, with one Output fewer per child.
        const named = { parent: this, deleteBeforeReplace: true, dependsOn: [role] };
        const roleName = model.roleName;
        for (const { arn, key } of model.managed) {
            new aws.iam.RolePolicyAttachment(`${name}-managed-${key}`, { role: roleName, policyArn: arn }, named);
        }
        for (const { name: policyName, policy } of model.inlinePolicies) {
            new aws.iam.RolePolicy(`${name}-policy-${policyName}`, { role: roleName, name: policyName, policy }, named);
        }
        if (model.revocation !== undefined) {
            const { policyName, policy } = model.revocation;
            new aws.iam.RolePolicy(`${name}-revocation`, { role: roleName, name: policyName, policy }, named);
        }
        return { role, roleName: role.name };
    }

    private awsNative(name: string, model: RoleModel, trustPolicy: pulumi.Input<string>) {
        const role = new awsnative.iam.Role(
            `${name}-role`,
            {
                roleName: model.roleName,
                path: model.path,
                description: model.description,
                maxSessionDuration: model.maxSessionDuration,
                permissionsBoundary: model.permissionsBoundary,
                tags: model.tags === undefined ? undefined : Object.entries(model.tags).map(([key, value]) => ({ key, value })),
                assumeRolePolicyDocument: pulumi.output(trustPolicy).apply((json) => JSON.parse(json)),
                // CloudFormation has no attachment resource: the list is owned by the role, sorted so order never matters.
                managedPolicyArns: model.managed.length > 0 ? model.managed.map((m) => m.arn).sort() : undefined,
            },
            { parent: this },
        );
        const roleName = model.roleName;
        const named = { parent: this, deleteBeforeReplace: true, dependsOn: [role] };
        for (const { name: policyName, policy } of model.inlinePolicies) {
            new awsnative.iam.RolePolicy(`${name}-policy-${policyName}`, { roleName, policyName, policyDocument: JSON.parse(policy) }, named);
        }
        if (model.revocation !== undefined) {
            const { policyName, policy } = model.revocation;
            new awsnative.iam.RolePolicy(`${name}-revocation`, { roleName, policyName, policyDocument: JSON.parse(policy) }, named);
        }
        return { role, roleName: role.roleName.apply((n) => n ?? model.roleName) };
    }
}

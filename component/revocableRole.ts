import * as pulumi from "@pulumi/pulumi";
// Submodules rather than the packages' roots: the same classes, a tenth of the type declarations
// to load for the type checker and the multi-language schema analyzer.
import * as iam from "@pulumi/aws/iam";
import { getCallerIdentityOutput } from "@pulumi/aws/getCallerIdentity";
import { getPartitionOutput } from "@pulumi/aws/getPartition";
import * as nativeIam from "@pulumi/aws-native/iam";
import { getAccountIdOutput } from "@pulumi/aws-native/getAccountId";
import { getPartitionOutput as getNativePartitionOutput } from "@pulumi/aws-native/getPartition";
import { RevocationInfo, revocationInForce } from "../iam/policy";
import { currentTime } from "./clock";
import { AccountContext } from "../iam/trust";
import { Backend, KnownRoleArgs, RoleModel, renderTrust, validateRole } from "../iam/role";
import { RevocableRoleArgs } from "./args";
import { isDeferred, knownShape } from "./inputs";
import { validatedModels } from "./validated";

/**
 * The deploying account's partition and (when `needs.accountId`) ID, asked from the provider.
 * A program with many roles asks once and passes the result to each component as `account`.
 */
export function deployingAccount(
    backend: Backend,
    needs: { partition: boolean; accountId: boolean },
    opts?: pulumi.InvokeOutputOptions,
): pulumi.Output<AccountContext> {
    const account = (partition: pulumi.Output<string>, accountId: pulumi.Input<string>) =>
        pulumi.all([partition, accountId]).apply(([p, id]) => ({ partition: p, accountId: id }));
    if (backend === "aws-native") {
        return account(getNativePartitionOutput(opts).partition, needs.accountId ? getAccountIdOutput(opts).accountId : "");
    }
    return account(getPartitionOutput({}, opts).partition, needs.accountId ? getCallerIdentityOutput({}, opts).accountId : "");
}

/** The type token of the component: `<package>:index:<class>`, as Pulumi's component provider requires. */
export const REVOCABLE_ROLE_TYPE = "revocable-roles:index:RevocableRole";

/** The type token of earlier versions, kept as an alias so that existing stacks are not replaced. */
export const FORMER_REVOCABLE_ROLE_TYPE = "revocable-roles:iam:RevocableRole";

/** The resources a role is made of, by backend. */
interface RoleChildren {
    role: iam.Role | nativeIam.Role;
    policies: Record<string, iam.RolePolicy | nativeIam.RolePolicy>;
    attachments: Record<string, iam.RolePolicyAttachment>;
    revocationPolicy?: iam.RolePolicy | nativeIam.RolePolicy;
}

// Kept outside the class: every class property becomes part of the multi-language schema, which has no union types.
const childrenOf = new WeakMap<RevocableRole, RoleChildren>();

/**
 * One IAM role with its trust policy and permission policies and, when `revokeBefore` is set,
 * the inline policy that denies every session issued before the cutoff.
 *
 * Inline policies and managed policy attachments are separate resources, never exclusively owned
 * by the role, so a revocation added in the console survives every update. Every child takes the
 * role's name from the role resource, so a replaced role replaces its policies too; named
 * resources are replaced delete-before-replace so a replacement never ends with a policy deleted.
 */
export class RevocableRole extends pulumi.ComponentResource {
    /** The role's ARN, resolved only once every policy and attachment of the role (the revocation included) exists. */
    declare public readonly arn: pulumi.Output<string>;
    /** The role's physical name. */
    public readonly roleName: pulumi.Output<string>;
    /** The revocation in force, or undefined when `revokeBefore` is not set. */
    public readonly revocation?: RevocationInfo;

    constructor(name: string, args: RevocableRoleArgs, opts?: pulumi.ComponentResourceOptions) {
        // Validate before anything is registered, the component itself included.
        const now = currentTime();
        const { account, ...rest } = args;
        // Arguments the stack config already validated hold no Outputs: no stand-ins to make.
        const shape = validatedModels.has(args) ? undefined : knownShape(rest);
        const model =
            shape === undefined ? validatedModels.get(args)! : validateRole(name, shape.known as KnownRoleArgs, now, shape.problems);
        super(REVOCABLE_ROLE_TYPE, name, {}, { ...opts, aliases: [{ type: FORMER_REVOCABLE_ROLE_TYPE }, ...(opts?.aliases ?? [])] });

        // Values that arrive as Outputs are validated again, as a whole role, once they resolve; every
        // input that carries them fails on its own error, so nothing invalid is ever sent to AWS.
        const values = shape?.deferred === true ? pulumi.output(rest) : undefined;
        const resolvedModel = (v: pulumi.Unwrap<typeof rest>) => validateRole(name, v as KnownRoleArgs, now);
        const resolved = values?.apply(resolvedModel);
        const value = <T>(pick: (m: RoleModel) => T): pulumi.Input<T> =>
            values === undefined ? pick(model) : values.apply((v) => pick(resolvedModel(v)));
        const trust = this.trustDocument(model, resolved, account);
        // While the revocation is in force the engine itself refuses to delete or replace the role or its
        // revocation policy, whatever got past review; afterwards they inherit the component's own setting.
        const protect = model.revocation !== undefined && revocationInForce(model.revocation, now) ? true : undefined;
        const children =
            model.backend === "aws-native"
                ? this.awsNative(name, model, value, trust, protect)
                : this.awsClassic(name, model, value, trust, protect);
        childrenOf.set(this, children);

        const dependents = [
            ...Object.values(children.policies),
            ...Object.values(children.attachments),
            ...(children.revocationPolicy ? [children.revocationPolicy] : []),
        ];
        // Made on first use: it costs Outputs and promises per role that a program never reading it
        // (the stack config program, with a thousand roles) should not pay for.
        let arn: pulumi.Output<string> | undefined;
        Object.defineProperty(this, "arn", {
            enumerable: true,
            get: () => (arn ??= pulumi.all([children.role.arn, ...dependents.map((child) => child.id)]).apply(([value]) => value)),
        });
        this.roleName = roleNameOf(children.role);
        this.revocation =
            model.revocation === undefined
                ? undefined
                : {
                      cutoff: model.revocation.cutoff,
                      policyName: model.revocation.policyName,
                      safeToRemoveAfter: model.revocation.safeToRemoveAfter,
                  };

        // The state shows the name as given: it is fixed, so the role's Output need not be awaited for it.
        this.registerOutputs({ roleName: model.roleName, revocation: this.revocation });
    }

    /** The IAM role resource (`iam.Role`, or `aws-native.iam.Role` with `backend: "aws-native"`). */
    get role(): iam.Role | nativeIam.Role {
        return childrenOf.get(this)!.role;
    }

    /** The permission policies by inline policy name (the revocation excluded). */
    get policies(): Readonly<Record<string, iam.RolePolicy | nativeIam.RolePolicy>> {
        return childrenOf.get(this)!.policies;
    }

    /** The managed policy attachments by key (`aws` backend only; aws-native lists them on the role). */
    get attachments(): Readonly<Record<string, iam.RolePolicyAttachment>> {
        return childrenOf.get(this)!.attachments;
    }

    /** The `RevokeOlderSessions` policy, or undefined when `revokeBefore` is not set. */
    get revocationPolicy(): iam.RolePolicy | nativeIam.RolePolicy | undefined {
        return childrenOf.get(this)!.revocationPolicy;
    }

    /** The trust policy JSON: plain when every value is known, else an Output that waits for the account and the values. */
    private trustDocument(
        model: RoleModel,
        resolved: pulumi.Output<RoleModel> | undefined,
        account: pulumi.Input<AccountContext> | undefined,
    ): pulumi.Input<string> {
        const needed = model.needs.partition || model.needs.accountId;
        if (resolved === undefined && (!needed || (account !== undefined && !isDeferred(account)))) {
            return renderTrust(model.trust, needed ? (account as AccountContext) : undefined);
        }
        const context = !needed
            ? undefined
            : account !== undefined
              ? pulumi.output(account)
              : deployingAccount(model.backend, model.needs, { parent: this });
        return pulumi.all([resolved ?? model, context]).apply(([m, c]) => renderTrust(m.trust, c));
    }

    private awsClassic(
        name: string,
        model: RoleModel,
        value: <T>(pick: (m: RoleModel) => T) => pulumi.Input<T>,
        trust: pulumi.Input<string>,
        protect: true | undefined,
    ): RoleChildren {
        const role = new iam.Role(
            `${name}-role`,
            {
                name: model.roleName,
                path: model.path,
                description: value((m) => m.description),
                maxSessionDuration: model.maxSessionDuration,
                permissionsBoundary: value((m) => m.permissionsBoundary),
                tags: value((m) => m.tags),
                assumeRolePolicy: trust,
                // A role removed from config must really be deletable, even with a hand-made policy on it.
                forceDetachPolicies: true,
            },
            // The physical name is fixed: a replacement (a new path) must delete the old role first.
            { parent: this, deleteBeforeReplace: true, protect },
        );
        const named = { parent: this, deleteBeforeReplace: true };
        const attachments: RoleChildren["attachments"] = {};
        for (const { key } of model.managed) {
            const policyArn = value((m) => m.managed.find((a) => a.key === key)!.arn);
            attachments[key] = new iam.RolePolicyAttachment(`${name}-managed-${key}`, { role: role.name, policyArn }, { parent: this });
        }
        const policies: RoleChildren["policies"] = {};
        for (const { name: policyName } of model.inlinePolicies) {
            const policy = value((m) => m.inlinePolicies.find((p) => p.name === policyName)!.policy);
            policies[policyName] = new iam.RolePolicy(`${name}-policy-${policyName}`, { role: role.name, name: policyName, policy }, named);
        }
        let revocationPolicy: iam.RolePolicy | undefined;
        if (model.revocation !== undefined) {
            const { policyName, policy } = model.revocation;
            revocationPolicy = new iam.RolePolicy(
                `${name}-revocation`,
                { role: role.name, name: policyName, policy },
                { ...named, protect },
            );
        }
        return { role, policies, attachments, revocationPolicy };
    }

    private awsNative(
        name: string,
        model: RoleModel,
        value: <T>(pick: (m: RoleModel) => T) => pulumi.Input<T>,
        trust: pulumi.Input<string>,
        protect: true | undefined,
    ): RoleChildren {
        const document = (json: pulumi.Input<string>) =>
            typeof json === "string" ? JSON.parse(json) : pulumi.output(json).apply((j) => JSON.parse(j));
        const role = new nativeIam.Role(
            `${name}-role`,
            {
                roleName: model.roleName,
                path: model.path,
                description: value((m) => m.description),
                maxSessionDuration: model.maxSessionDuration,
                permissionsBoundary: value((m) => m.permissionsBoundary),
                tags: value((m) => (m.tags === undefined ? undefined : Object.entries(m.tags).map(([key, tag]) => ({ key, value: tag })))),
                assumeRolePolicyDocument: document(trust),
                // CloudFormation has no attachment resource: the list is owned by the role, sorted so order never matters.
                managedPolicyArns: value((m) => (m.managed.length > 0 ? m.managed.map((a) => a.arn).sort() : undefined)),
            },
            { parent: this, deleteBeforeReplace: true, protect },
        );
        const roleName = roleNameOf(role);
        const named = { parent: this, deleteBeforeReplace: true };
        const policies: RoleChildren["policies"] = {};
        for (const { name: policyName } of model.inlinePolicies) {
            const policyDocument = document(value((m) => m.inlinePolicies.find((p) => p.name === policyName)!.policy));
            policies[policyName] = new nativeIam.RolePolicy(
                `${name}-policy-${policyName}`,
                { roleName, policyName, policyDocument },
                named,
            );
        }
        let revocationPolicy: nativeIam.RolePolicy | undefined;
        if (model.revocation !== undefined) {
            const { policyName, policy } = model.revocation;
            revocationPolicy = new nativeIam.RolePolicy(
                `${name}-revocation`,
                { roleName, policyName, policyDocument: JSON.parse(policy) },
                { ...named, protect },
            );
        }
        return { role, policies, attachments: {}, revocationPolicy };
    }
}

/** The role's name as an Output of the role resource, so that dependents are replaced with it. */
function roleNameOf(role: iam.Role | nativeIam.Role): pulumi.Output<string> {
    // aws-native types roleName as optional; it is always set here.
    return role instanceof iam.Role ? role.name : (role.roleName as pulumi.Output<string>);
}

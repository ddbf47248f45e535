/**
 * One IAM role as a Pulumi component: the component a program declares (`RevocableRole`, from
 * arguments that may hold Outputs, validated before anything is registered and again, as a
 * whole, once its Outputs resolve), and the resources of a role, registered as the role's backend
 * describes them (backends/): the role, its managed policy attachments, its inline policies, its
 * revocation policy and its instance profile. The stack config program's roles (stackConfigRole.ts) register the same
 * resources through {@link declareRole}.
 */
import * as pulumi from "@pulumi/pulumi";
import type * as iam from "@pulumi/aws/iam";
import type * as nativeIam from "@pulumi/aws-native/iam";
import { RevocationInfo, revocationInfo } from "../iam/policy";
import { AccountContext } from "../iam/trust";
import { Backend, KnownRoleArgs, RoleModel, RoleValidationError, renderTrust, validateRole, withRevocationTag } from "../iam/role";
import { BACKENDS, ResourceClass } from "../backends";
import { RevocableRoleArgs } from "./args";
import { isDeferred, knownShape } from "./inputs";

/** The type token of the component: `<package>:index:<class>`, as Pulumi's component provider requires. */
export const REVOCABLE_ROLE_TYPE = "revocable-roles:index:RevocableRole";

/** The type token of earlier versions, kept as an alias so that existing stacks are not replaced. */
export const FORMER_REVOCABLE_ROLE_TYPE = "revocable-roles:iam:RevocableRole";

/** The IAM role resource: `aws.iam.Role`, or `aws-native.iam.Role`. */
export type RoleResource = iam.Role | nativeIam.Role;
/** An inline policy resource: `aws.iam.RolePolicy`, or `aws-native.iam.RolePolicy`. */
export type PolicyResource = iam.RolePolicy | nativeIam.RolePolicy;
/** An instance profile resource: `aws.iam.InstanceProfile`, or `aws-native.iam.InstanceProfile`. */
export type InstanceProfileResource = iam.InstanceProfile | nativeIam.InstanceProfile;

/** The resources a role is made of. */
export interface RoleChildren {
    role: RoleResource;
    policies: Record<string, PolicyResource>;
    attachments: Record<string, iam.RolePolicyAttachment>;
    revocationPolicy?: PolicyResource;
    instanceProfile?: InstanceProfileResource;
}

// Kept outside the classes: every class property becomes part of the multi-language schema, which has no union types.
const childrenOf = new WeakMap<pulumi.ComponentResource, RoleChildren>();

/** The resources of a role component. */
export function childrenOfRole(component: pulumi.ComponentResource): RoleChildren {
    return childrenOf.get(component)!;
}

/**
 * The deploying account's partition and (when `needs.accountId`) ID, asked from the provider.
 * A program with many roles asks once and passes the result to each component as `account`.
 */
export function deployingAccount(
    backend: Backend,
    needs: { partition: boolean; accountId: boolean },
    opts?: pulumi.InvokeOutputOptions,
): pulumi.Output<AccountContext> {
    return BACKENDS[backend].account(needs, opts);
}

/** The trust policy JSON: plain when every value is known, else an Output that waits for the account and the values. */
function trustDocument(
    parent: pulumi.Resource,
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
          : deployingAccount(model.backend, model.needs, { parent });
    return pulumi.all([resolved ?? model, context]).apply(([m, c]) => renderTrust(m.trust, c));
}

/** A value for an input: the model's own, or an Input that resolves with the model once the component's Outputs do. */
export type ModelValue = <T>(pick: (m: RoleModel) => T) => pulumi.Input<T>;

/** Registers the role, its attachments, its inline policies, its revocation and its instance profile, in that order, as the backend describes them. */
function children(
    parent: pulumi.Resource,
    name: string,
    model: RoleModel,
    value: ModelValue,
    trust: pulumi.Input<string>,
    protect: true | undefined,
): RoleChildren {
    const backend = BACKENDS[model.backend];
    const classes = backend.resources();
    const document = (json: pulumi.Input<string>): unknown =>
        !backend.documentsAsObjects ? json : typeof json === "string" ? JSON.parse(json) : pulumi.output(json).apply((j) => JSON.parse(j));
    const create = <T>(Class: ResourceClass, logicalName: string, inputs: Record<string, unknown>, options: pulumi.CustomResourceOptions) =>
        new Class(logicalName, inputs as never, options) as T;
    // The physical name is fixed: a replacement (a new path) must delete the old role first.
    const named = { parent, deleteBeforeReplace: true };
    const role = create<RoleResource>(classes.Role, `${name}-role`, backend.roleInputs(model, value, document(trust)), {
        ...named,
        protect,
    });
    const roleName = backend.roleNameOutput(role);
    const attachments: RoleChildren["attachments"] = {};
    if (!backend.managedOnRole && classes.Attachment !== undefined) {
        for (const { key } of model.managed) {
            const policyArn = value((m) => m.managed.find((a) => a.key === key)!.arn);
            attachments[key] = create(classes.Attachment, `${name}-managed-${key}`, backend.attachmentInputs!(roleName, policyArn), {
                parent,
            });
        }
    }
    const policies: RoleChildren["policies"] = {};
    for (const { name: policyName } of model.inlinePolicies) {
        const policy = document(value((m) => m.inlinePolicies.find((p) => p.name === policyName)!.policy));
        policies[policyName] = create<PolicyResource>(
            classes.RolePolicy,
            `${name}-policy-${policyName}`,
            backend.policyInputs(roleName, policyName, policy),
            named,
        );
    }
    let revocationPolicy: PolicyResource | undefined;
    if (model.revocation !== undefined) {
        const { policyName, policy } = model.revocation;
        revocationPolicy = create<PolicyResource>(
            classes.RolePolicy,
            `${name}-revocation`,
            backend.policyInputs(roleName, policyName, document(policy)),
            {
                ...named,
                protect,
            },
        );
    }
    let instanceProfile: InstanceProfileResource | undefined;
    if (model.instanceProfile !== undefined) {
        if (classes.InstanceProfile === undefined || backend.instanceProfileInputs === undefined)
            throw new Error(`role "${model.roleName}": the ${backend.name} backend has no instance profile`);
        // Named like the role, so replaced delete-before-replace; it holds the role by its name Output, so it follows a replaced role.
        instanceProfile = create<InstanceProfileResource>(
            classes.InstanceProfile,
            `${name}-instance-profile`,
            backend.instanceProfileInputs(roleName, model),
            named,
        );
    }
    return { role, policies, attachments, revocationPolicy, instanceProfile };
}

/**
 * Registers a role's resources under `component` (already registered itself), gives the component
 * its outputs (`arn`, read on first use, `roleName`, `revocation`) and returns what its state records. `now` decides protection: while the revocation is in force the engine itself refuses
 * to delete or replace the role or its revocation policy, whatever got past review; afterwards
 * they inherit the component's own setting. `resolved` and `value` carry a model whose values
 * arrive as Outputs; `account`, the deploying account when the caller knows it.
 */
export function declareRole(
    component: pulumi.ComponentResource,
    name: string,
    model: RoleModel,
    options: { now: Date; account?: pulumi.Input<AccountContext>; resolved?: pulumi.Output<RoleModel>; value?: ModelValue },
): Record<string, unknown> {
    const given: ModelValue = options.value ?? ((pick) => pick(model));
    // While the revocation is in force the role carries its safe-to-remove time as a tag, for the organization's lock.
    const value: ModelValue = (pick) => given((m) => pick(withRevocationTag(m, options.now)));
    const trust = trustDocument(component, model, options.resolved, options.account);
    const protect = model.revocation?.cutoff.inForceAt(options.now) === true ? true : undefined;
    const registered = children(component, name, withRevocationTag(model, options.now), value, trust, protect);
    childrenOf.set(component, registered);
    const dependents = [
        ...Object.values(registered.policies),
        ...Object.values(registered.attachments),
        ...(registered.revocationPolicy ? [registered.revocationPolicy] : []),
    ];
    // Made on first use: it costs Outputs and promises per role that a program never reading it
    // (the stack config program, with a thousand roles) should not pay for.
    let arn: pulumi.Output<string> | undefined;
    Object.defineProperty(component, "arn", {
        enumerable: true,
        get: () => (arn ??= pulumi.all([registered.role.arn, ...dependents.map((child) => child.id)]).apply(([v]) => v)),
    });
    const outputs = component as unknown as { roleName: pulumi.Output<string>; revocation?: RevocationInfo; instanceProfileName?: string };
    outputs.roleName = BACKENDS[model.backend].roleNameOutput(registered.role);
    outputs.revocation = model.revocation === undefined ? undefined : revocationInfo(model.revocation.cutoff);
    if (model.instanceProfile !== undefined) outputs.instanceProfileName = model.instanceProfile.name;
    // The state shows the names as given: they are fixed, so the resources' Outputs need not be awaited for them.
    return {
        roleName: model.roleName,
        revocation: outputs.revocation,
        ...(model.instanceProfile === undefined ? {} : { instanceProfileName: model.instanceProfile.name }),
    };
}

/** A {@link RevocableRole}'s options: Pulumi's, and the instant it is judged at. */
export interface RevocableRoleOptions extends pulumi.ComponentResourceOptions {
    /**
     * The instant the role's cutoff is validated at (at most 5 minutes ahead of it) and its
     * revocation judged in force (protected) or not. The offline tools pass the instant they plan
     * as of. Default: the clock when the component is declared.
     */
    now?: Date;
}

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
    declare public readonly roleName: pulumi.Output<string>;
    /** The revocation in force, or undefined when `revokeBefore` is not set. */
    declare public readonly revocation?: RevocationInfo;
    /** The instance profile's physical name, or undefined when the role has none. */
    declare public readonly instanceProfileName?: string;

    constructor(name: string, args: RevocableRoleArgs, opts?: RevocableRoleOptions) {
        const { now: given, ...options } = opts ?? {};
        // Read by reference (a URN): the engine supplies the outputs; nothing is declared again.
        if (options.urn !== undefined) {
            super(
                REVOCABLE_ROLE_TYPE,
                name,
                { arn: undefined, roleName: undefined, revocation: undefined, instanceProfileName: undefined },
                options,
            );
            return;
        }
        const now = given ?? new Date();
        // Validate before anything is registered, the component itself included.
        const { account, ...rest } = args;
        const shape = knownShape(rest);
        const model = validateRole(name, shape.known as KnownRoleArgs, now, shape.problems);
        super(REVOCABLE_ROLE_TYPE, name, {}, { ...options, aliases: [{ type: FORMER_REVOCABLE_ROLE_TYPE }, ...(options.aliases ?? [])] });

        // Values that arrive as Outputs are validated again, as a whole role, once they resolve; every
        // input that carries them fails on its own error, tied to this component, so nothing invalid
        // is ever sent to AWS.
        const values = shape.deferred ? pulumi.output(rest) : undefined;
        const resolvedModel = (v: pulumi.Unwrap<typeof rest>) => {
            try {
                return validateRole(name, v as KnownRoleArgs, now);
            } catch (error) {
                throw error instanceof RoleValidationError ? new pulumi.ResourceError(error.message, this) : error;
            }
        };
        const outputs = declareRole(this, name, model, {
            now,
            account,
            resolved: values?.apply(resolvedModel),
            value: <T>(pick: (m: RoleModel) => T): pulumi.Input<T> =>
                values === undefined ? pick(model) : values.apply((v) => pick(resolvedModel(v))),
        });
        this.registerOutputs(outputs);
    }

    /** The IAM role resource (`iam.Role`, or `aws-native.iam.Role` with `backend: "aws-native"`). */
    get role(): RoleResource {
        return childrenOfRole(this).role;
    }

    /** The permission policies by inline policy name (the revocation excluded). */
    get policies(): Readonly<Record<string, PolicyResource>> {
        return childrenOfRole(this).policies;
    }

    /** The managed policy attachments by key (`aws` backend only; aws-native lists them on the role). */
    get attachments(): Readonly<Record<string, iam.RolePolicyAttachment>> {
        return childrenOfRole(this).attachments;
    }

    /** The `RevokeOlderSessions` policy, or undefined when `revokeBefore` is not set. */
    get revocationPolicy(): PolicyResource | undefined {
        return childrenOfRole(this).revocationPolicy;
    }

    /** The instance profile (`iam.InstanceProfile`, or `aws-native.iam.InstanceProfile`), or undefined when `instanceProfile` is not set. */
    get instanceProfile(): InstanceProfileResource | undefined {
        return childrenOfRole(this).instanceProfile;
    }
}

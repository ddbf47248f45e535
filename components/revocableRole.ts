import * as pulumi from "@pulumi/pulumi";
// Submodules rather than the packages' roots: the same classes, a tenth of the type declarations
// to load for the type checker and the multi-language schema analyzer.
import * as iam from "@pulumi/aws/iam";
import { getCallerIdentityOutput } from "@pulumi/aws/getCallerIdentity";
import { getPartitionOutput } from "@pulumi/aws/getPartition";
import * as nativeIam from "@pulumi/aws-native/iam";
import { getAccountIdOutput } from "@pulumi/aws-native/getAccountId";
import { getPartitionOutput as getNativePartitionOutput } from "@pulumi/aws-native/getPartition";
import { RevocationInfo, revocationInfo } from "../iam/policy";
import { AccountContext } from "../iam/trust";
import { Backend, KnownRoleArgs, RoleModel, RoleValidationError, renderTrust, validateRole } from "../iam/role";
import { BACKENDS } from "../backends";
import { currentTime } from "./clock";
import { RevocableRoleArgs } from "./args";
import { isDeferred, knownShape } from "./inputs";

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

/** The resource classes of each backend; what their inputs hold is the backend's description's to say. */
const RESOURCES = {
    aws: { Role: iam.Role, RolePolicy: iam.RolePolicy, Attachment: iam.RolePolicyAttachment },
    "aws-native": { Role: nativeIam.Role, RolePolicy: nativeIam.RolePolicy, Attachment: undefined },
} as const;

type RoleResource = iam.Role | nativeIam.Role;
type PolicyResource = iam.RolePolicy | nativeIam.RolePolicy;
// The constructors share a shape; their argument types differ per backend, and the description decides the inputs.
type Constructor<T> = new (name: string, args: never, opts?: pulumi.CustomResourceOptions) => T;

/** The resources a role is made of. */
interface RoleChildren {
    role: RoleResource;
    policies: Record<string, PolicyResource>;
    attachments: Record<string, iam.RolePolicyAttachment>;
    revocationPolicy?: PolicyResource;
}

// Kept outside the class: every class property becomes part of the multi-language schema, which has no union types.
const childrenOf = new WeakMap<RevocableRole, RoleChildren>();

/** The key under which {@link RevocableRole.fromModel} hands the constructor a model it already validated. */
const VALIDATED = Symbol("revocable-roles.validatedModel");

/** What {@link RevocableRole.fromModel} passes to the constructor. */
interface ValidatedArgs {
    [VALIDATED]: RoleModel;
    account?: pulumi.Input<AccountContext>;
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

    /**
     * A role from a model its caller has already validated, at the same clock (the stack config
     * reader does, for every role of a stack at once): nothing is validated a second time.
     */
    static fromModel(
        name: string,
        model: RoleModel,
        options: { account?: pulumi.Input<AccountContext> } = {},
        opts?: pulumi.ComponentResourceOptions,
    ): RevocableRole {
        const args: ValidatedArgs = { [VALIDATED]: model, account: options.account };
        return new RevocableRole(name, args as unknown as RevocableRoleArgs, opts);
    }

    constructor(name: string, args: RevocableRoleArgs, opts?: pulumi.ComponentResourceOptions) {
        // Read by reference (a URN): the engine supplies the outputs; nothing is declared again.
        if (opts?.urn !== undefined) {
            super(REVOCABLE_ROLE_TYPE, name, { arn: undefined, roleName: undefined, revocation: undefined }, opts);
            return;
        }
        // Validate before anything is registered, the component itself included.
        const now = currentTime();
        const handed = (args as unknown as Partial<ValidatedArgs>)[VALIDATED];
        const { account, ...rest } = args;
        // A model handed over was validated with plain values only: no Outputs, no stand-ins to make.
        const shape = handed === undefined ? knownShape(rest) : undefined;
        const model = handed ?? validateRole(name, shape!.known as KnownRoleArgs, now, shape!.problems);
        super(REVOCABLE_ROLE_TYPE, name, {}, { ...opts, aliases: [{ type: FORMER_REVOCABLE_ROLE_TYPE }, ...(opts?.aliases ?? [])] });

        // Values that arrive as Outputs are validated again, as a whole role, once they resolve; every
        // input that carries them fails on its own error, tied to this component, so nothing invalid
        // is ever sent to AWS.
        const values = shape?.deferred === true ? pulumi.output(rest) : undefined;
        const resolvedModel = (v: pulumi.Unwrap<typeof rest>) => {
            try {
                return validateRole(name, v as KnownRoleArgs, now);
            } catch (error) {
                throw error instanceof RoleValidationError ? new pulumi.ResourceError(error.message, this) : error;
            }
        };
        const resolved = values?.apply(resolvedModel);
        const value = <T>(pick: (m: RoleModel) => T): pulumi.Input<T> =>
            values === undefined ? pick(model) : values.apply((v) => pick(resolvedModel(v)));
        const trust = this.trustDocument(model, resolved, account);
        // While the revocation is in force the engine itself refuses to delete or replace the role or its
        // revocation policy, whatever got past review; afterwards they inherit the component's own setting.
        const protect = model.revocation?.cutoff.inForceAt(now) === true ? true : undefined;
        const children = this.children(name, model, value, trust, protect);
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
            get: () => (arn ??= pulumi.all([children.role.arn, ...dependents.map((child) => child.id)]).apply(([v]) => v)),
        });
        this.roleName = roleNameOf(children.role);
        this.revocation = model.revocation === undefined ? undefined : revocationInfo(model.revocation.cutoff);

        // The state shows the name as given: it is fixed, so the role's Output need not be awaited for it.
        this.registerOutputs({ roleName: model.roleName, revocation: this.revocation });
    }

    /** The IAM role resource (`iam.Role`, or `aws-native.iam.Role` with `backend: "aws-native"`). */
    get role(): RoleResource {
        return childrenOf.get(this)!.role;
    }

    /** The permission policies by inline policy name (the revocation excluded). */
    get policies(): Readonly<Record<string, PolicyResource>> {
        return childrenOf.get(this)!.policies;
    }

    /** The managed policy attachments by key (`aws` backend only; aws-native lists them on the role). */
    get attachments(): Readonly<Record<string, iam.RolePolicyAttachment>> {
        return childrenOf.get(this)!.attachments;
    }

    /** The `RevokeOlderSessions` policy, or undefined when `revokeBefore` is not set. */
    get revocationPolicy(): PolicyResource | undefined {
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

    /** Registers the role, its attachments, its inline policies and its revocation, in that order, as the backend describes them. */
    private children(
        name: string,
        model: RoleModel,
        value: <T>(pick: (m: RoleModel) => T) => pulumi.Input<T>,
        trust: pulumi.Input<string>,
        protect: true | undefined,
    ): RoleChildren {
        const backend = BACKENDS[model.backend];
        const classes = RESOURCES[model.backend];
        const document = (json: pulumi.Input<string>): unknown =>
            !backend.documentsAsObjects
                ? json
                : typeof json === "string"
                  ? JSON.parse(json)
                  : pulumi.output(json).apply((j) => JSON.parse(j));
        const create = <T>(
            Class: Constructor<T>,
            logicalName: string,
            inputs: Record<string, unknown>,
            options: pulumi.CustomResourceOptions,
        ) => new Class(logicalName, inputs as never, options);
        // The physical name is fixed: a replacement (a new path) must delete the old role first.
        const named = { parent: this, deleteBeforeReplace: true };
        const role = create<RoleResource>(classes.Role, `${name}-role`, backend.roleInputs(model, value, document(trust)), {
            ...named,
            protect,
        });
        const roleName = roleNameOf(role);
        const attachments: RoleChildren["attachments"] = {};
        if (!backend.managedOnRole && classes.Attachment !== undefined) {
            for (const { key } of model.managed) {
                const policyArn = value((m) => m.managed.find((a) => a.key === key)!.arn);
                attachments[key] = create(classes.Attachment, `${name}-managed-${key}`, backend.attachmentInputs!(roleName, policyArn), {
                    parent: this,
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
        return { role, policies, attachments, revocationPolicy };
    }
}

/** The role's name as an Output of the role resource, so that dependents are replaced with it. */
function roleNameOf(role: RoleResource): pulumi.Output<string> {
    // aws-native types roleName as optional; it is always set here.
    return role instanceof iam.Role ? role.name : (role.roleName as pulumi.Output<string>);
}

/**
 * What each backend's resources look like, in one place per backend: type tokens, input names,
 * the inputs whose change replaces a resource, how a role's model becomes inputs, and how
 * inputs are read back. The component writes through these descriptions and every analysis
 * reads through them, so adding a field touches one place per backend. Plain data and functions:
 * no Pulumi import, so the offline tools can read plans without loading a provider.
 */
import type * as pulumi from "@pulumi/pulumi";
import { PolicyDocument } from "../iam/policy";
import { Backend, RoleModel } from "../iam/role";
import { AccountContext } from "../iam/trust";
import { aws } from "./aws";
import { awsNative } from "./awsNative";
import { ORGANIZATION_REPLACING } from "./organization";

/**
 * A value for an input: the model's own when every value is known, or an Input that resolves
 * with the model once the component's Outputs do. The component supplies it; descriptions only
 * say which inputs may be deferred.
 */
export type Lift = <T>(pick: (model: RoleModel) => T) => unknown;

/** A provider's resource class: the constructors share a shape; their argument types differ per backend, and the description decides the inputs. */
export type ResourceClass = new (name: string, args: never, opts?: pulumi.CustomResourceOptions) => pulumi.CustomResource;

/** The provider's resource classes of a backend. */
export interface BackendResources {
    Role: ResourceClass;
    RolePolicy: ResourceClass;
    /** The managed policy attachment, where the backend has one. */
    Attachment?: ResourceClass;
    /** The instance profile, where the backend has one. */
    InstanceProfile?: ResourceClass;
}

/** One backend: its provider's resources, how a role's model becomes their inputs and how they read back, and its invokes. */
export interface BackendDescription {
    name: Backend;
    types: { role: string; policy: string; attachment?: string; instanceProfile?: string };
    /** Per type token, the inputs whose change makes the provider replace the resource rather than update it. */
    replacing: Readonly<Record<string, readonly string[]>>;
    /** Whether managed policies are a list on the role (CloudFormation has no attachment resource) rather than attachments. */
    managedOnRole: boolean;
    /** Whether policy documents are inputs as objects (true) or as JSON text (false). */
    documentsAsObjects: boolean;
    /** The role's inputs: fixed values from the model, the rest through `lift`; `trust` is the trust policy in the backend's document form. */
    roleInputs(model: RoleModel, lift: Lift, trust: unknown): Record<string, unknown>;
    /** An inline policy's inputs; `roleName` is the role resource's name Output, `document` in the backend's document form. */
    policyInputs(roleName: unknown, policyName: string, document: unknown): Record<string, unknown>;
    /** A managed policy attachment's inputs, where the backend has attachments. */
    attachmentInputs?(roleName: unknown, policyArn: unknown): Record<string, unknown>;
    /** An instance profile's inputs, where the backend has instance profiles: its name and path from the model, the role as `roleName` (the role resource's name Output). */
    instanceProfileInputs?(roleName: unknown, model: RoleModel): Record<string, unknown>;
    /**
     * The provider's resource classes, loaded when a program registers a role: the offline readers
     * of plans (the guard, the analyses) never load a provider.
     */
    resources(): BackendResources;
    /** The role resource's physical name, as an Output of the role resource (dependents take it, so they are replaced with the role). */
    roleNameOutput(role: pulumi.CustomResource): pulumi.Output<string>;
    /** The deploying account's partition and (when `needs.accountId`) ID, from the provider's invokes. */
    account(needs: { partition: boolean; accountId: boolean }, opts?: pulumi.InvokeOutputOptions): pulumi.Output<AccountContext>;
    /** The invokes {@link account} makes, by token, each with what an offline plan answers (no AWS call is ever made). */
    invokes: Readonly<Record<string, Record<string, unknown>>>;
    /** Reading a plan's inputs back. */
    read: {
        roleName(inputs: Record<string, unknown>): string;
        rolePath(inputs: Record<string, unknown>): string;
        trust(inputs: Record<string, unknown>): PolicyDocument;
        /** The role's tags, by key. */
        tags(inputs: Record<string, unknown>): Record<string, string>;
        /** Managed policy ARNs held on the role itself (aws-native); none on aws, whose attachments are resources. */
        managedOnRole(inputs: Record<string, unknown>): string[];
        policyName(inputs: Record<string, unknown>): string;
        policyRole(inputs: Record<string, unknown>): string;
        policyDocument(inputs: Record<string, unknown>): PolicyDocument;
        attachmentArn(inputs: Record<string, unknown>): string;
        /** An instance profile's physical name and the role it holds, where the backend has instance profiles. */
        instanceProfileName?(inputs: Record<string, unknown>): string;
        instanceProfileRole?(inputs: Record<string, unknown>): string;
    };
}

/** The descriptions by backend name. */
export const BACKENDS: Readonly<Record<Backend, BackendDescription>> = {} as Record<Backend, BackendDescription>;

/** What an offline plan answers each backend's invokes with. */
export const OFFLINE_INVOKES: Readonly<Record<string, Record<string, unknown>>> = {};

const byType = new Map<string, BackendDescription>();

/** The backend a resource type token belongs to, if any. */
export function backendOfType(type: string): BackendDescription | undefined {
    return byType.get(type);
}

/** The role resource types of every backend. */
export const ROLE_TYPES: ReadonlySet<string> = new Set();

/** The inline policy resource types of every backend. */
export const POLICY_TYPES: ReadonlySet<string> = new Set();

/** The managed policy attachment resource types (the backends that have one). */
export const ATTACHMENT_TYPES: ReadonlySet<string> = new Set();

/** The instance profile resource types (the backends that have one). */
export const INSTANCE_PROFILE_TYPES: ReadonlySet<string> = new Set();

/** Per type token, the inputs whose change replaces the resource, for every backend and the organization layer. */
export const REPLACING_INPUTS: Readonly<Record<string, readonly string[]>> = { ...ORGANIZATION_REPLACING };

/**
 * Adds a backend: its entry is all the component, the offline recorder, the plan's readers and
 * the guard know of it (its resource classes, the inputs a model becomes, the inputs that
 * replace, how inputs read back, its invokes and their offline answers). The two providers are
 * registered here, below; a test registers one of its own.
 */
export function registerBackend(description: BackendDescription): void {
    (BACKENDS as Record<string, BackendDescription>)[description.name] = description;
    Object.assign(OFFLINE_INVOKES, description.invokes);
    for (const type of Object.values(description.types)) byType.set(type, description);
    (ROLE_TYPES as Set<string>).add(description.types.role);
    (POLICY_TYPES as Set<string>).add(description.types.policy);
    if (description.types.attachment !== undefined) (ATTACHMENT_TYPES as Set<string>).add(description.types.attachment);
    if (description.types.instanceProfile !== undefined) (INSTANCE_PROFILE_TYPES as Set<string>).add(description.types.instanceProfile);
    Object.assign(REPLACING_INPUTS, description.replacing);
}

registerBackend(aws);
registerBackend(awsNative);

export { documentOf } from "./documents";

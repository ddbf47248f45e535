/**
 * The stack config as the interface: the `revocable-roles:*` keys as the Pulumi CLI hands them
 * to the program, validated completely, every problem reported as
 * `<stack file>: <config path>: <message>`. The program, the plan, the guard and revoke all read
 * the config through `readStackConfig`, so they agree on what a stack file means.
 */
import { z } from "zod";
import { Backend, KnownRoleArgs, RoleModel, modelOfValidRole } from "../iam/role";
import { Cutoff } from "../iam/cutoff";
import { Problem, formatPath, problemsOf, show } from "../iam/problems";
import { ROLE_NAME } from "../iam/patterns";
import { backendSchema, cutoffSchema, futureCutoffProblems, roleSchema } from "../iam/rules";
import { configValue } from "./configValue";
import { CiRoles, ciProblems, ciSchema } from "./ciRoles";
import {
    OrganizationModel,
    OrganizationSection,
    organizationModel,
    organizationProblems,
    organizationSchema,
    revocationKey,
} from "./organization";

/** The config namespace, which is also the Pulumi project name. */
export const NAMESPACE = "revocable-roles";

/** The first line of the error the program stops with when the stack config is invalid. */
export const CONFIG_ERROR_HEADER = "invalid stack config:";

/**
 * One role as written in the stack file, before validation: the component's arguments, with
 * `name` for `roleName` and `instanceProfile: true` or the profile's name for `instanceProfile` and
 * `instanceProfileName`.
 */
export type WrittenRole = Omit<KnownRoleArgs, "roleName" | "backend" | "instanceProfile" | "instanceProfileName"> & {
    name?: string;
    instanceProfile?: boolean | string;
};

/** The `revocable-roles:*` part of a stack file. */
export interface StackConfig {
    /** Absent only in an organization stack that declares no role. */
    roles?: Record<string, WrittenRole>;
    revokeAllBefore?: string;
    provider?: Backend;
    organization?: OrganizationSection;
    /** The stack's own CI roles; absent, the repository-wide ones. */
    ci?: CiRoles;
}

/** A role of the stack file once validated: its config key (the component name), its arguments, and the model they validate to. */
export interface ValidatedRole {
    key: string;
    args: KnownRoleArgs;
    /** Everything the component registers for the role, decided at the reader's `now` (the stack config program declares it as is). */
    model: RoleModel;
}

/** The schema of the namespace; the JSON Schema of the stack file is generated from it too. */
export function stackConfigSchema(): z.ZodObject {
    stackSchema ??= z.strictObject({
        roles: z.record(z.string(), roleSchema("name")).optional(),
        revokeAllBefore: cutoffSchema.optional(),
        provider: backendSchema.optional(),
        organization: organizationSchema().optional(),
        ci: ciSchema().optional(),
    });
    return stackSchema;
}

let stackSchema: z.ZodObject | undefined;

export { configValue } from "./configValue";

/** The `revocable-roles:*` keys of a CLI config, without the namespace, values read as the program reads them. */
function namespaced(cliConfig: Record<string, string>): Record<string, unknown> {
    const values: Record<string, unknown> = {};
    for (const [key, raw] of Object.entries(cliConfig)) {
        if (key.startsWith(`${NAMESPACE}:`)) values[key.slice(NAMESPACE.length + 1)] = configValue(raw);
    }
    return values;
}

/** A role's effective cutoff: the later of its own `revokeBefore` and the stack's `revokeAllBefore`. */
export function effectiveCutoff(roleCutoff: unknown, revokeAllBefore: unknown): Cutoff | undefined {
    return Cutoff.latest(Cutoff.read(roleCutoff), Cutoff.read(revokeAllBefore));
}

/** Keys JavaScript objects treat specially: `__proto__` sets an object's prototype instead of a key, the others are inherited by every object. */
const RESERVED_KEYS = new Set(["__proto__", "constructor", "prototype"]);

/** Every `__proto__` key in the values, wherever it sits: a JavaScript reader drops it, or turns it into a prototype. */
function prototypeKeyProblems(value: unknown, at: PropertyKey[]): Problem[] {
    if (Array.isArray(value)) return value.flatMap((item, i) => prototypeKeyProblems(item, [...at, i]));
    if (!isMapping(value)) return [];
    return Object.keys(value).flatMap((key) =>
        key === "__proto__"
            ? [
                  {
                      path: [...at, key],
                      message:
                          'the key "__proto__" is not supported: JavaScript readers drop it or turn it into a prototype, so the tools would not see it; rename it',
                  },
              ]
            : prototypeKeyProblems(value[key], [...at, key]),
    );
}

/** The result of reading a stack's config: the roles, or every error of the file. */
export type StackConfigResult =
    { ok: true; config: StackConfig; roles: ValidatedRole[]; organization?: OrganizationModel } | { ok: false; errors: string[] };

function isMapping(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Validates the `revocable-roles:*` keys of a stack's config (namespaced keys, values as the
 * Pulumi CLI passes them) and turns them into component arguments.
 */
export function readStackConfig(cliConfig: Record<string, string>, options: { stackFile: string; now: Date }): StackConfigResult {
    const values = namespaced(cliConfig);
    const { data, problems } = problemsOf(stackConfigSchema(), values);
    const roles = isMapping(values.roles) ? values.roles : {};
    const cutoffs = [
        { path: ["revokeAllBefore"], value: values.revokeAllBefore },
        ...Object.entries(roles).map(([key, role]) => ({
            path: ["roles", key, "revokeBefore"],
            value: isMapping(role) ? role.revokeBefore : undefined,
        })),
    ];
    const extra: Problem[] = [
        ...prototypeKeyProblems(values, []),
        ...futureCutoffProblems(cutoffs, options.now),
        ...organizationProblems(values.organization, options.now),
        ...ciProblems(values.ci, cliConfig, values.provider === "aws-native" ? "aws-native" : "aws"),
    ];
    if (values.organization !== undefined && values.provider === "aws-native") {
        extra.push({
            path: ["organization"],
            message: `is deployed with the aws provider only, and this stack sets provider: aws-native; move the section to a stack of the management account that uses the aws provider`,
        });
    }
    // Cross-role rules read the roles as written, so they report even when a role has other problems.
    // An organization stack may declare no role; any other stack that declares none is a mistake.
    const noRoles = values.roles === undefined || (isMapping(values.roles) && Object.keys(roles).length === 0);
    if (noRoles && values.organization === undefined) {
        extra.push({
            path: ["roles"],
            message: `defines no roles; add one under "${NAMESPACE}:roles" in ${options.stackFile}, for example { app-deployer: { trust: { accounts: ["123456789012"] } } }`,
        });
    }
    const byPhysicalName = new Map<string, { key: string; physical: string }>();
    const byProfileName = new Map<string, { key: string; physical: string }>();
    for (const [key, role] of Object.entries(roles)) {
        if (RESERVED_KEYS.has(key)) {
            if (key !== "__proto__") {
                extra.push({
                    path: ["roles", key],
                    message: `"${key}" is a name every JavaScript object inherits, which tools could misread as a role; rename the key and keep the IAM role name with name: ${key}`,
                });
            }
            continue;
        }
        if (!isMapping(role)) continue;
        const physical = typeof role.name === "string" ? role.name : key;
        if (role.name === undefined && !ROLE_NAME.test(key)) {
            extra.push({
                path: ["roles", key],
                message: `${show(key)} is not a role name of 1 to 64 characters of A-Za-z0-9+=,.@_-; rename the key or set name`,
            });
        }
        // IAM role names are unique regardless of case: "VICTIM" and "victim" are one role.
        const first = byPhysicalName.get(physical.toLowerCase());
        if (first !== undefined) {
            const caseOnly = first.physical !== physical ? ` (${show(first.physical)}: IAM role names ignore case)` : "";
            extra.push({
                path: ["roles", key],
                message: `has the physical name ${show(physical)}, already used by role "${first.key}"${caseOnly}; role names must be unique`,
            });
        } else {
            byPhysicalName.set(physical.toLowerCase(), { key, physical });
        }
        // Instance profile names are unique in an account regardless of case, like role names.
        const profile =
            role.instanceProfile === true ? physical : typeof role.instanceProfile === "string" ? role.instanceProfile : undefined;
        if (profile === undefined) continue;
        const holder = byProfileName.get(profile.toLowerCase());
        if (holder !== undefined) {
            const caseOnly = holder.physical !== profile ? ` (${show(holder.physical)}: IAM names ignore case)` : "";
            extra.push({
                path: ["roles", key, "instanceProfile"],
                message: `names the instance profile ${show(profile)}, already the instance profile of role "${holder.key}"${caseOnly}; instance profile names must be unique`,
            });
        } else {
            byProfileName.set(profile.toLowerCase(), { key, physical: profile });
        }
    }
    const all = [...problems, ...extra];
    if (all.length > 0 || data === undefined) {
        return { ok: false, errors: all.map((p) => `${options.stackFile}: ${NAMESPACE}:${formatPath(p.path)}: ${p.message}`) };
    }
    const config = data as unknown as StackConfig;
    const organization = config.organization === undefined ? undefined : organizationModel(config.organization);
    if (organization?.problem !== undefined) {
        const { path, message } = organization.problem;
        return { ok: false, errors: [`${options.stackFile}: ${NAMESPACE}:${formatPath(path)}: ${message}`] };
    }
    const planned = Object.entries(config.roles ?? {}).map(([key, role]) => {
        const { name, revokeBefore, instanceProfile, ...rest } = role;
        const cutoff = effectiveCutoff(revokeBefore, config.revokeAllBefore);
        const args: KnownRoleArgs = { ...rest, roleName: name ?? key };
        if (instanceProfile === true) args.instanceProfile = true;
        if (typeof instanceProfile === "string") Object.assign(args, { instanceProfile: true, instanceProfileName: instanceProfile });
        if (cutoff !== undefined) args.revokeBefore = cutoff.toString();
        if (config.provider !== undefined) args.backend = config.provider;
        return { key, args, model: modelOfValidRole(key, args) };
    });
    return organization === undefined
        ? { ok: true, config, roles: planned }
        : { ok: true, config, roles: planned, organization: organization.model };
}

/** What a stack's config says about revocations, read without any other validation. */
export interface Revocations {
    revokeAllBefore?: unknown;
    roles: Map<string, { name?: unknown; revokeBefore?: unknown }>;
    /** The organization section's targets and revocations (cutoff by {@link revocationKey}), when it has one. */
    organization?: OrganizationRevocationsAsWritten;
}

/** An organization section as the guard compares it: targets as written, and each revocation's cutoff by key. */
export interface OrganizationRevocationsAsWritten {
    targets: unknown[];
    revocations: Map<string, unknown>;
    /** `policyBudget` as written, when it is. */
    policyBudget?: unknown;
    /** `lockRevocations` as written, when it is. */
    lock?: unknown;
    /** `deployRoleArns` as written: the principals the lock exempts. */
    deployRoleArns?: unknown[];
}

/** Of two cutoffs as written, the later one (normalised); when neither is a cutoff, the first given. Over-approximates what is in force. */
export function latestCutoff(a: unknown, b: unknown): unknown {
    const latest = effectiveCutoff(a, b);
    return latest === undefined ? (a ?? b) : latest.toString();
}

/**
 * The targets and revocations of an organization section, read without validation; a key
 * written twice keeps its latest cutoff (over-approximating what is in force).
 */
export function organizationRevocationsOf(section: unknown): OrganizationRevocationsAsWritten | undefined {
    if (!isMapping(section)) return undefined;
    const revocations = new Map<string, unknown>();
    for (const entry of Array.isArray(section.revocations) ? section.revocations : []) {
        if (!isMapping(entry) || (entry.roleName === undefined && entry.identityCenterUserId === undefined)) continue;
        const key = revocationKey(entry);
        revocations.set(key, latestCutoff(revocations.get(key), entry.revokeBefore));
    }
    const targets = Array.isArray(section.targets) ? section.targets : [];
    return {
        targets,
        revocations,
        ...(section.policyBudget === undefined ? {} : { policyBudget: section.policyBudget }),
        ...(section.lockRevocations === undefined ? {} : { lock: section.lockRevocations }),
        ...(Array.isArray(section.deployRoleArns) ? { deployRoleArns: section.deployRoleArns } : {}),
    };
}

/** The revocation-relevant values of a CLI config, read as the program reads them but without validation. */
export function revocationsOf(cliConfig: Record<string, string>): Revocations {
    const values = namespaced(cliConfig);
    const roles = new Map<string, { name?: unknown; revokeBefore?: unknown }>();
    for (const [key, role] of Object.entries(isMapping(values.roles) ? values.roles : {})) {
        const r = isMapping(role) ? role : {};
        roles.set(key, { name: r.name, revokeBefore: r.revokeBefore });
    }
    const organization = organizationRevocationsOf(values.organization);
    return organization === undefined
        ? { revokeAllBefore: values.revokeAllBefore, roles }
        : { revokeAllBefore: values.revokeAllBefore, roles, organization };
}

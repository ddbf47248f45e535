/**
 * The stack config file as the interface: `revocable-roles:*` keys of `Pulumi.<stack>.yaml`,
 * validated completely, every problem reported as `<stack file>: <config path>: <message>`.
 */
import { z } from "zod";
import { ProviderKind, RevocableRoleArgs } from "../components/role";
import { formatUtc, latestInstant, show } from "../components/timestamps";
import { Problem, ValidationOptions, cutoffProblem, formatPath, problemsOf, roleSchema } from "../components/validation";

/** The config namespace, which is also the Pulumi project name. */
export const NAMESPACE = "revocable-roles";

/** The first line of the error the program stops with when the stack config is invalid. */
export const CONFIG_ERROR_HEADER = "invalid stack config:";

/** One role as written in the stack file (the component's arguments, with `name` for `roleName`). */
export type ConfigRole = Omit<RevocableRoleArgs, "roleName" | "revokeBefore" | "provider"> & { name?: string; revokeBefore?: string };

/** The `revocable-roles:*` part of a stack file. */
export interface StackConfig {
    roles: Record<string, ConfigRole>;
    revokeAllBefore?: string;
    provider?: ProviderKind;
}

/** A role ready for the component: its config key (the component name) and its arguments. */
export interface PlannedRole {
    key: string;
    args: RevocableRoleArgs;
}

/** The schema of the namespace; the JSON Schema of the stack file is generated from it too. */
export function stackConfigSchema() {
    stackSchema ??= buildStackSchema();
    return stackSchema;
}

let stackSchema: ReturnType<typeof buildStackSchema> | undefined;

function buildStackSchema() {
    return z.strictObject({
        roles: z.record(z.string(), roleSchema({ nameKey: "name", allowDateCutoff: false })).optional(),
        revokeAllBefore: z
            .string()
            .superRefine((value, ctx) => {
                const message = cutoffProblem(value);
                if (message !== undefined) ctx.addIssue({ code: "custom", message, input: value });
            })
            .optional(),
        provider: z
            .enum(["aws", "aws-native"], { error: (issue) => `${show(issue.input)} is not a provider; expected "aws" or "aws-native"` })
            .optional(),
    });
}

/** Reads a config value as Pulumi hands it to programs: structured values arrive as JSON strings. */
function configValue(raw: string): unknown {
    try {
        return JSON.parse(raw);
    } catch {
        return raw;
    }
}

const NAME_CHARS = /^[A-Za-z0-9+=,.@_-]{1,64}$/;

/** A role's effective cutoff: the later of its own `revokeBefore` and the stack's `revokeAllBefore`. */
export function effectiveCutoff(roleCutoff: unknown, revokeAllBefore: unknown): Date | undefined {
    return latestInstant(roleCutoff, revokeAllBefore);
}

/** The result of reading a stack's config: the roles, or every error of the file. */
export type StackConfigResult = { ok: true; config: StackConfig; roles: PlannedRole[] } | { ok: false; errors: string[] };

/**
 * Validates the `revocable-roles:*` keys of a stack's config (namespaced keys, values as the
 * Pulumi CLI passes them) and turns them into component arguments.
 */
export function readStackConfig(allConfig: Record<string, string>, options: ValidationOptions & { stackFile: string }): StackConfigResult {
    const values: Record<string, unknown> = {};
    for (const [key, raw] of Object.entries(allConfig)) {
        if (key.startsWith(`${NAMESPACE}:`)) {
            values[key.slice(NAMESPACE.length + 1)] = configValue(raw);
        }
    }
    const { data, problems } = problemsOf(stackConfigSchema(), values, options.now);
    const extra: Problem[] = [];
    // Cross-role rules read the roles as written, so they report even when a role has other problems.
    const roles = (typeof values.roles === "object" && values.roles !== null && !Array.isArray(values.roles) ? values.roles : {}) as Record<string, ConfigRole>;
    if (values.roles === undefined || (roles === values.roles && Object.keys(roles).length === 0)) {
        extra.push({
            path: ["roles"],
            message: `defines no roles; add one under "${NAMESPACE}:roles" in ${options.stackFile}, for example { app-deployer: { trust: { accounts: ["123456789012"] } } }`,
        });
    }
    const byPhysicalName = new Map<string, string>();
    for (const [key, role] of Object.entries(roles)) {
        if (typeof role !== "object" || role === null) continue;
        const physical = typeof role.name === "string" ? role.name : key;
        if (role.name === undefined && !NAME_CHARS.test(key)) {
            extra.push({ path: ["roles", key], message: `${show(key)} is not a role name of 1 to 64 characters of A-Za-z0-9+=,.@_-; rename the key or set name` });
        }
        const first = byPhysicalName.get(physical);
        if (first !== undefined) {
            extra.push({ path: ["roles", key], message: `has the physical name ${show(physical)}, already used by role "${first}"; role names must be unique` });
        } else {
            byPhysicalName.set(physical, key);
        }
    }
    const all = [...problems, ...extra];
    if (all.length > 0 || data === undefined) {
        return { ok: false, errors: all.map((p) => `${options.stackFile}: ${NAMESPACE}:${formatPath(p.path)}: ${p.message}`) };
    }
    const planned = Object.entries(data.roles as Record<string, ConfigRole>).map(([key, role]) => {
        const { name, revokeBefore, ...rest } = role;
        const cutoff = effectiveCutoff(revokeBefore, data.revokeAllBefore);
        const args: RevocableRoleArgs = { ...rest, roleName: name ?? key };
        if (cutoff !== undefined) args.revokeBefore = formatUtc(cutoff);
        if (data.provider !== undefined) args.provider = data.provider;
        return { key, args };
    });
    return { ok: true, config: data as StackConfig, roles: planned };
}

/**
 * Models of role arguments that were already validated in this run. The stack config validates
 * every role when it reads the file; the component then uses the model it recorded instead of
 * validating the same arguments a second time (for 1,000 roles, that second pass was a measured
 * part of the plan's time). Keyed by the arguments object itself, so only those exact,
 * unchanged arguments skip validation.
 */
import { RoleModel } from "../iam/role";

export const validatedModels = new WeakMap<object, RoleModel>();

/** The public API of revocable-roles. */
export { RevocableRole, REVOCABLE_ROLE_TYPE, deployingAccount } from "./revocableRole";
export { RevocableRoleArgs, ProviderKind, RoleValidationError, RoleModel, roleModel, roleProblems, renderTrust, arnKey } from "./role";
export * from "./policy";
export * from "./trust";
export { parseTimestamp, formatUtc, safeToRemoveAfter, REVOCATION_WINDOW_MS, MAX_FUTURE_SKEW_MS } from "./timestamps";
export { Problem, formatPath, roleSchema, documentSchema, cutoffProblem, ValidationOptions } from "./validation";
export { lintPolicy } from "./lint";

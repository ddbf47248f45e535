/** The public API of revocable-roles. */
export { RevocableRole, REVOCABLE_ROLE_TYPE, deployingAccount } from "./revocableRole";
export { RoleValidationError, roleModel, roleProblems, renderTrust, arnKey } from "./role";
export type { RevocableRoleArgs, ProviderKind, RoleModel, ManagedAttachment } from "./role";
export * from "./policy";
export * from "./trust";
export { parseTimestamp, formatUtc, safeToRemoveAfter, REVOCATION_WINDOW_MS, MAX_FUTURE_SKEW_MS } from "./timestamps";
export { formatPath, roleSchema, documentSchema, cutoffProblem } from "./validation";
export type { Problem, ValidationOptions } from "./validation";
export { lintPolicy } from "./lint";
export type { LintProblem } from "./lint";

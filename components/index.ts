/** The public API of revocable-roles. */
export { RevocableRole, REVOCABLE_ROLE_TYPE, FORMER_REVOCABLE_ROLE_TYPE, deployingAccount } from "./revocableRole";
export { Backend, RoleValidationError, roleModel, roleProblems, renderTrust, arnKey, modelOf } from "./role";
export type { RevocableRoleArgs, KnownRoleArgs, RoleModel, ManagedAttachment, PolicyDocumentArgs, PolicyStatementArgs } from "./role";
export * from "./policy";
export * from "./trust";
export { parseTimestamp, formatUtc, safeToRemoveAfter, wholeSecondsUp, REVOCATION_WINDOW_MS, MAX_FUTURE_SKEW_MS } from "./timestamps";
export { formatPath, roleSchema, documentSchema, cutoffProblem } from "./validation";
export type { Problem, ValidationOptions } from "./validation";
export { lintPolicy } from "./lint";
export type { LintProblem } from "./lint";

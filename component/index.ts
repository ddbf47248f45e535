/** The public API of revocable-roles. */
export { RevocableRole, REVOCABLE_ROLE_TYPE, FORMER_REVOCABLE_ROLE_TYPE, deployingAccount } from "./revocableRole";
export { Backend, RoleValidationError, roleModel, roleProblems, renderTrust, arnKey, modelOf } from "../iam/role";
export type { RevocableRoleArgs, KnownRoleArgs, RoleModel, ManagedAttachment, PolicyDocumentArgs, PolicyStatementArgs } from "../iam/role";
export * from "../iam/policy";
export * from "../iam/trust";
export { parseTimestamp, formatUtc, safeToRemoveAfter, wholeSecondsUp, REVOCATION_WINDOW_MS, MAX_FUTURE_SKEW_MS } from "../iam/timestamps";
export { formatPath, roleSchema, documentSchema, cutoffProblem } from "../iam/rules";
export type { Problem, ValidationOptions } from "../iam/rules";
export { lintPolicy } from "../iam/lint";
export type { LintProblem } from "../iam/lint";

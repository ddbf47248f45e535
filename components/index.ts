/**
 * The public API of revocable-roles: what a program that declares revocable roles needs, and
 * nothing of the tools' internals.
 */
export { RevocableRole, REVOCABLE_ROLE_TYPE, deployingAccount } from "./revocableRole";
export { stackConfigProgram } from "./program";
export type { RoleOutput } from "./program";
export type {
    RevocableRoleArgs,
    PolicyDocumentArgs,
    PolicyStatementArgs,
    TrustArgs,
    GitHubActionsTrust,
    OidcTrust,
    SamlTrust,
} from "./args";
export { Backend, RoleValidationError } from "../iam/role";
export type { AccountContext } from "../iam/trust";
export type { RevocationInfo } from "../iam/policy";

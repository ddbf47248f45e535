/**
 * The public API of revocable-roles: what a program that declares revocable roles needs, and
 * nothing of the tools' internals. Every type a signature here uses is exported here too (a test
 * holds the declaration files to it).
 */
export { RevocableRole, REVOCABLE_ROLE_TYPE, deployingAccount } from "./revocableRole";
export type { RevocableRoleOptions, RoleResource, PolicyResource, InstanceProfileResource } from "./revocableRole";
export { stackConfigProgram } from "./program";
export type { RoleOutput, OrganizationOutput, ProgramContext } from "./program";
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
export type { Problem } from "../iam/problems";
export type { AccountContext } from "../iam/trust";
export type { RevocationInfo } from "../iam/policy";

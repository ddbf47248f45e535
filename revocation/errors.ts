/**
 * The failures of the commands' domain, as the command line reports them: a {@link RevocationError}
 * is printed as it is (exit code 1); a {@link RequestError} is a request that cannot be carried out
 * as given (a flag's value, a flag another excludes), printed with the command's usage (exit code 2).
 */
import { UserFacingError } from "../iam/errors";

/** A user-facing failure: printed as is, without a stack trace, exit code 1. */
export class RevocationError extends UserFacingError {}

/** A request that cannot be carried out as given: printed with the usage, exit code 2. */
export class RequestError extends RevocationError {}

/**
 * What every command shares: where it writes, how it fails and the exit codes it documents.
 * Expected failures are one line each, never a stack trace.
 */
import { UserFacingError } from "../iam/errors";
import { RequestError } from "../revocation/errors";

/** Where a command writes: stdout and stderr, or a test's capture. */
export interface Writer {
    write(text: string): unknown;
}

// A user-facing failure (exit code 1), and a failure of the command line itself (an unknown flag, a
// missing value: printed with the usage, exit code 2), as the commands throw them.
export { RevocationError as CliError, RequestError as UsageError } from "../revocation/errors";

/** The exit codes every command documents: 0 success, 1 a finding or a failure, 2 a usage error. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** The help text's paragraph on exit codes, the same for every command. */
export const EXIT_CODES_HELP = "Exit codes: 0 success, 1 a finding or a failure, 2 a usage error (an unknown flag, a missing value).\n";

/** Prints an error the way every command does and returns its exit code: 2 for a usage error, 1 for anything else. */
export function fail(error: unknown, err: Writer, usage: string, debug: boolean): number {
    err.write(`${errorText(error, usage, debug)}\n`);
    return error instanceof RequestError ? EXIT.usage : EXIT.failed;
}

/** The message a command prints for an error. Unexpected errors print one line too; with `debug` (REVOCABLE_ROLES_DEBUG=1), the stack. */
export function errorText(error: unknown, usage: string, debug: boolean): string {
    if (error instanceof RequestError) return `${error.message}\n${usage}`;
    if (error instanceof UserFacingError) return error.message;
    if (debug) return String((error as Error)?.stack ?? error);
    const message = error instanceof Error ? error.message : String(error);
    return `internal error: ${message.split("\n")[0]} (set REVOCABLE_ROLES_DEBUG=1 for details)`;
}

/**
 * Turns off stack traces for the rest of the process, unless `keep` (REVOCABLE_ROLES_STACK_TRACES=1):
 * the commands print messages, never stacks, and a program of 10,000 roles creates many Errors
 * (Pulumi's own bookkeeping) whose traces would cost seconds.
 */
export function useFastStackTraces(keep: boolean): void {
    if (keep) return;
    (Error as { prepareStackTrace?: unknown }).prepareStackTrace = undefined;
    Error.stackTraceLimit = 0;
}

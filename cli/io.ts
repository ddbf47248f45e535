/**
 * What every command shares: where it writes, how it fails, how it reads its flags and how it
 * runs as a process. Expected failures are one line each, never a stack trace.
 */
import { parseArgs, ParseArgsConfig } from "util";
import { tuneHeapGrowth } from "../plan/heap";
import { UserFacingError } from "../iam/errors";

/** Where a command writes: stdout and stderr, or a test's capture. */
export interface Writer {
    write(text: string): unknown;
}

/** A user-facing failure: printed as is, without a stack trace, exit code 1. */
export class CliError extends UserFacingError {}

/** A failure of the command line itself (an unknown flag, a missing value): printed with the usage, exit code 2. */
export class UsageError extends CliError {}

/** The exit codes every command documents: 0 success, 1 a finding or a failure, 2 a usage error. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** The help text's paragraph on exit codes, the same for every command. */
export const EXIT_CODES_HELP = "Exit codes: 0 success, 1 a finding or a failure, 2 a usage error (an unknown flag, a missing value).\n";

/** Prints an error the way every command does and returns its exit code: 2 for a usage error, 1 for anything else. */
export function fail(error: unknown, err: Writer, usage: string): number {
    err.write(`${errorText(error, usage)}\n`);
    return error instanceof UsageError ? EXIT.usage : EXIT.failed;
}

/** The message a command prints for an error. Unexpected errors print one line too; set REVOCABLE_ROLES_DEBUG=1 for the stack. */
export function errorText(error: unknown, usage: string): string {
    if (error instanceof UsageError) return `${error.message}\n${usage}`;
    if (error instanceof UserFacingError) return error.message;
    if (process.env.REVOCABLE_ROLES_DEBUG !== undefined) return String((error as Error)?.stack ?? error);
    const message = error instanceof Error ? error.message : String(error);
    return `internal error: ${message.split("\n")[0]} (set REVOCABLE_ROLES_DEBUG=1 for details)`;
}

/**
 * Turns off stack traces for the rest of the process: the commands print messages, never stacks,
 * and a program of 10,000 roles creates many Errors (Pulumi's own bookkeeping) whose traces would
 * cost seconds. REVOCABLE_ROLES_STACK_TRACES=1 keeps them.
 */
export function useFastStackTraces(): void {
    if (process.env.REVOCABLE_ROLES_STACK_TRACES !== undefined) return;
    (Error as { prepareStackTrace?: unknown }).prepareStackTrace = undefined;
    Error.stackTraceLimit = 0;
}

type Options = NonNullable<ParseArgsConfig["options"]>;

/** The values of flags parsed strictly, typed by their options. */
export type Flags<T extends Options> = ReturnType<
    typeof parseArgs<{ args: string[]; options: T; strict: true; allowPositionals: false }>
>["values"];

/**
 * Parses flags strictly. Returns undefined when `--help` or `-h` was given (the caller prints
 * the help and exits 0); unknown flags become a {@link UsageError}.
 */
export function parseFlags<T extends Options>(argv: string[], options: T): Flags<T> | undefined {
    if (argv.includes("--help") || argv.includes("-h")) return undefined;
    try {
        return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
    } catch (error) {
        throw new UsageError((error as Error).message);
    }
}

/**
 * Runs a command as a process: its exit code becomes the process's. A reader that goes away
 * early (`| head`) ends output quietly; the command itself still runs to completion, so nothing
 * is left half-done.
 */
export function runAsProcess(main: (argv: string[]) => Promise<number>): void {
    tuneHeapGrowth();
    // The AWS SDK's notice that its 2027 releases need Node.js 22 is noise in the middle of an incident.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
    for (const stream of [process.stdout, process.stderr]) {
        stream.on("error", (error: NodeJS.ErrnoException) => {
            if (error.code !== "EPIPE") throw error;
        });
    }
    // Exit once stdout has taken everything: open sockets of an SDK client must not keep the process alive.
    const exit = (code: number) => process.stdout.write("", () => process.exit(code));
    main(process.argv.slice(2)).then(exit, (error: unknown) => {
        process.stderr.write(`${errorText(error, "")}\n`);
        exit(1);
    });
}

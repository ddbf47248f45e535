/**
 * The one module that touches the process: it installs the signal and exit handlers, tunes the
 * heap, keeps a reader that goes away early (`| head`) from crashing the output, and turns a
 * command's exit code into the process's. On exit it removes what the process still holds (a
 * stack file's lock, the guard's temporary checkouts); interrupted (SIGINT, SIGTERM), it says
 * what the running command asked to be told and exits with the conventional 128 + the signal's
 * number. A command that stops by itself (revoke --now: no IAM call starts after the signal, and
 * it reports what was applied and what was not) is told through a signal instead, and the process
 * waits for it; a second signal ends the process at once.
 */
import * as os from "os";
import { tuneHeapGrowth } from "../plan/heap";
import { removeTemporaryFolders } from "../config/repository";
import { releaseHeldLocks } from "../revocation/stackFile";
import { Environment, processEnvironment } from "./environment";
import { errorText } from "./io";

/** What a command may ask of the process while it runs. */
export interface ProcessHooks {
    /** What to print if the process is interrupted from now on (revoke names what was written and how to go on). */
    onInterrupt(note: string): void;
    /**
     * Declares that the command stops by itself when interrupted: the first SIGINT or SIGTERM
     * aborts the signal returned (its reason the signal's name) instead of ending the process,
     * and once the command returns the process exits with 128 + the signal's number.
     */
    interruptible(): AbortSignal;
}

/** Removes what the process still holds. */
function releaseEverything(): void {
    releaseHeldLocks();
    removeTemporaryFolders();
}

/** What the process knows of the running command: what to say if interrupted, and whether it stops by itself. */
interface State {
    note?: string;
    stopping?: AbortController;
    signalled?: NodeJS.Signals;
}

let installed: State | undefined;

/** The conventional exit code of a process ended by a signal: 128 + its number. */
function signalExitCode(signal: NodeJS.Signals): number {
    return 128 + os.constants.signals[signal];
}

/** Installs the process's exit and signal handlers, once; returns the hooks a command uses. */
export function installProcessHandlers(): ProcessHooks {
    if (installed === undefined) {
        const state: State = {};
        installed = state;
        process.on("exit", releaseEverything);
        for (const signal of ["SIGINT", "SIGTERM"] as const) {
            process.on(signal, () => {
                if (state.stopping !== undefined && state.signalled === undefined) {
                    // The command stops by itself and reports: the process waits for it.
                    state.signalled = signal;
                    process.stderr.write(
                        `\n${signal}: no more IAM calls start; reporting what was applied (${signal} again ends at once).\n`,
                    );
                    state.stopping.abort(signal);
                    return;
                }
                if (state.note !== undefined) process.stderr.write(state.note);
                // The exit handler releases what is held.
                process.exit(signalExitCode(signal));
            });
        }
    }
    const state = installed;
    return {
        onInterrupt: (note) => {
            state.note = note;
        },
        interruptible: () => {
            state.stopping ??= new AbortController();
            return state.stopping.signal;
        },
    };
}

/**
 * Runs a command line as a process: its exit code becomes the process's. A reader that goes away
 * early (`| head`) ends output quietly; the command itself still runs to completion, so nothing
 * is left half-done.
 */
export function runAsProcess(main: (argv: string[], env: Environment, hooks: ProcessHooks) => Promise<number>): void {
    tuneHeapGrowth();
    const hooks = installProcessHandlers();
    const env = processEnvironment();
    for (const stream of [process.stdout, process.stderr]) {
        stream.on("error", (error: NodeJS.ErrnoException) => {
            if (error.code !== "EPIPE") throw error;
        });
    }
    // Exit once stdout has taken everything: open sockets of an SDK client must not keep the process alive. An
    // interrupted command that reported by itself still ends as a process ended by the signal does.
    const exit = (code: number) =>
        process.stdout.write("", () => process.exit(installed?.signalled === undefined ? code : signalExitCode(installed.signalled)));
    main(process.argv.slice(2), env, hooks).then(exit, (error: unknown) => {
        process.stderr.write(`${errorText(error, "", env.debug)}\n`);
        exit(1);
    });
}

/**
 * Time as the emergency path sees it, handed in by the command: the instant now, a wait, a signal
 * that aborts a call after a while, and the jitter of a backoff. The command passes the system's
 * (cli/environment.ts); a test passes its own, so that a deadline is met or missed by the same
 * attempts on every machine.
 */
export interface Time {
    /** Milliseconds since the epoch. */
    now(): number;
    /** Resolves after `ms` milliseconds. */
    sleep(ms: number): Promise<void>;
    /** A signal that aborts after `ms` milliseconds (any number, a fraction included), as `AbortSignal.timeout` does. */
    timeout(ms: number): AbortSignal;
    /** A number from 0 (included) to 1 (excluded), as `Math.random` gives: the jitter of a backoff. */
    random(): number;
}

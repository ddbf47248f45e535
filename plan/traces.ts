/**
 * Stack traces while a program runs offline: off by default, kept when the process says so
 * (the command line does, once, for REVOCABLE_ROLES_STACK_TRACES=1). Its own module, without the
 * Pulumi SDK, so that the command line can set it before it knows whether a command plans.
 */

let keep = false;

/** Keeps stack traces in every offline run of this process (for debugging a program). */
export function keepStackTraces(keepThem: boolean): void {
    keep = keepThem;
}

/**
 * Turns off stack traces while a program runs offline, unless the process keeps them
 * ({@link keepStackTraces}). Pulumi records a stack trace for every promise it creates, for leak reports an offline
 * plan never prints, and ts-node maps each through source maps: that was 75% of the time and a
 * quarter of the memory of planning 1,000 roles. Resource source positions are unaffected (Pulumi
 * lifts the limit while it reads them). Restored afterwards, so the caller's own errors keep theirs.
 */
export function withoutStackTraces(): { restore(): void } {
    if (keep) return { restore() {} };
    const traces = Error as { prepareStackTrace?: unknown; stackTraceLimit: number };
    const saved = { prepare: traces.prepareStackTrace, limit: traces.stackTraceLimit };
    traces.prepareStackTrace = undefined;
    traces.stackTraceLimit = 0;
    return {
        restore() {
            traces.prepareStackTrace = saved.prepare;
            traces.stackTraceLimit = saved.limit;
        },
    };
}

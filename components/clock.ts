/**
 * The instant a program validates its cutoffs and decides which revocations are in force: the
 * real clock, except while the offline tools evaluate a program "as of" another instant (a test's
 * fixed now, or the guard judging a change). The instant is held on a process-wide symbol, not in
 * this module, so that a program loaded from another checkout (the guard plans a base's own code)
 * sees it too. Nothing sets it in a real `pulumi up`.
 */

const CLOCK = Symbol.for("revocable-roles.clock");

type Holder = { [CLOCK]?: Date };

/** Now: the real clock, or the instant of the offline evaluation under way. */
export function currentTime(): Date {
    const fixed = (globalThis as Holder)[CLOCK];
    return fixed === undefined ? new Date() : new Date(fixed.getTime());
}

/** Runs `work` with {@link currentTime} fixed at `now`, then restores the clock. */
export async function atTime<T>(now: Date | undefined, work: () => Promise<T>): Promise<T> {
    if (now === undefined) return work();
    const holder = globalThis as Holder;
    const saved = holder[CLOCK];
    holder[CLOCK] = new Date(now.getTime());
    try {
        return await work();
    } finally {
        if (saved === undefined) delete holder[CLOCK];
        else holder[CLOCK] = saved;
    }
}

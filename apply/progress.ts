/**
 * What the emergency path has done so far, for the person watching it: how many roles are
 * applied, how many failed, how many are still pending and, of those, why the ones being retried
 * are failing, one cause at a time. Every account's calls report to one board, and a watcher
 * prints a line from it at a fixed interval while calls are pending, so a run is never silent.
 */
import { Time } from "./time";

/** The roles of a run as the emergency path moves them: pending (failing for a cause while retried), applied or failed. */
export class ProgressBoard {
    private readonly pending = new Set<object>();
    private readonly failing = new Map<object, string>();
    private applied = 0;
    private failed = 0;

    /** @param started when the IAM phase started, on the run's clock. */
    constructor(readonly started: number) {}

    /** Roles that are to be applied. */
    add(roles: readonly object[]): void {
        for (const role of roles) this.pending.add(role);
    }

    /** A pending role's last attempt failed for `cause`, and it will be tried again. */
    failingFor(role: object, cause: string): void {
        if (this.pending.has(role)) this.failing.set(role, cause);
    }

    /** A role's outcome is known. */
    settled(role: object, applied: boolean): void {
        if (!this.pending.delete(role)) return;
        this.failing.delete(role);
        if (applied) this.applied++;
        else this.failed++;
    }

    /** Whether any role is still pending. */
    get busy(): boolean {
        return this.pending.size > 0;
    }

    /** The state at `now` in one line: `after 10 s: 120 of 257 roles applied, 0 failed, 137 pending; failing: endpoint unreachable: <url> (137 roles)`. */
    line(now: number): string {
        const total = this.applied + this.failed + this.pending.size;
        const causes = new Map<string, number>();
        for (const cause of this.failing.values()) causes.set(cause, (causes.get(cause) ?? 0) + 1);
        const why = [...causes]
            .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
            .map(([cause, count]) => `${cause} (${count} role${count === 1 ? "" : "s"})`);
        return `after ${Math.round((now - this.started) / 1000)} s: ${this.applied} of ${total} roles applied, ${this.failed} failed, ${this.pending.size} pending${why.length === 0 ? "" : `; failing: ${why.join(", ")}`}`;
    }
}

/** The interval of progress lines: at least one every 10 seconds while calls are pending. */
export const PROGRESS_INTERVAL_MS = 10_000;

/**
 * Tells `emit` the board's line every `intervalMs` on `time` while roles are pending, until `done`
 * settles or the deadline comes. It waits on `time.timeout`, which does not move a test's clock,
 * so the watcher never makes a run's time pass by itself.
 */
export async function watchProgress(
    board: ProgressBoard,
    time: Pick<Time, "now" | "timeout">,
    deadline: number,
    done: Promise<unknown>,
    emit: (line: string) => void,
    intervalMs: number = PROGRESS_INTERVAL_MS,
): Promise<void> {
    let finished = false;
    const ended = done.then(
        () => (finished = true),
        () => (finished = true),
    );
    for (;;) {
        // The next multiple of the interval since the start: a clock that jumps does not make lines pile up.
        const at = board.started + (Math.floor((time.now() - board.started) / intervalMs) + 1) * intervalMs;
        const wait = time.timeout(at - time.now());
        await Promise.race([ended, new Promise((resolve) => wait.addEventListener("abort", resolve, { once: true }))]);
        if (finished || !board.busy || time.now() >= deadline) return;
        // The time the line was due: a clock that moved in a jump still reads at the interval.
        emit(board.line(at));
    }
}

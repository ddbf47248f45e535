/**
 * A revocation's cutoff as one value, from where it enters (a stack file, `--at`, the clock, a
 * live policy, a plan) to where it leaves (a policy document, a message, a file): parsed once by
 * the strict grammar of {@link parseTimestamp}, rounded up to the whole second once, and formatted
 * only by `toString()`. Every comparison, window and policy reads the rounded instant, the one IAM
 * is given (docs/design.md, "Cutoffs in whole seconds, rounded up").
 */
import { MAX_FUTURE_SKEW_MS, formatUtc, parseTimestamp, safeToRemoveAfter, tooEarlyProblem } from "./timestamps";

/** The result of parsing a cutoff: the cutoff, or why the value is not one (the caller adds the field and the value). */
export type ParsedCutoff = { ok: true; cutoff: Cutoff } | { ok: false; problem: string };

/** A cutoff: sessions issued before it are denied. Immutable; compare with its methods, never with `===`. */
export class Cutoff {
    /**
     * @param ms the cutoff as rendered: milliseconds since the epoch, a whole second
     * @param askedMs the instant asked for, before rounding: the future rule judges what was written
     */
    private constructor(
        private readonly ms: number,
        private readonly askedMs: number,
    ) {}

    /** The cutoff for an instant: rounded up to the next whole second unless it is one, so the instant asked for is always denied. */
    static of(instant: Date): Cutoff {
        return new Cutoff(Math.ceil(instant.getTime() / 1000) * 1000, instant.getTime());
    }

    /**
     * The default cutoff for "now": the next whole second after `now`, never `now` itself, so that
     * the request that set it (and any session issued during the same second) is denied too.
     */
    static after(now: Date): Cutoff {
        return new Cutoff(Math.floor(now.getTime() / 1000) * 1000 + 1000, now.getTime());
    }

    /** A cutoff as a person writes it: an ISO-8601 timestamp with a date, a time and a zone, no earlier than 2006. */
    static parse(value: unknown): ParsedCutoff {
        const parsed = parseTimestamp(value);
        if (!parsed.ok) return parsed;
        const early = tooEarlyProblem(parsed.date);
        return early === undefined ? { ok: true, cutoff: Cutoff.of(parsed.date) } : { ok: false, problem: early };
    }

    /** The cutoff a value holds when it is a valid timestamp (a stack file read leniently, a policy read back); undefined for anything else. */
    static read(value: unknown): Cutoff | undefined {
        if (value === undefined || value === null) return undefined;
        if (value instanceof Cutoff) return value;
        const parsed = parseTimestamp(value);
        return parsed.ok ? Cutoff.of(parsed.date) : undefined;
    }

    /** The latest of some cutoffs, or undefined when none is given. */
    static latest(...cutoffs: (Cutoff | undefined)[]): Cutoff | undefined {
        return cutoffs.reduce<Cutoff | undefined>(
            (latest, c) => (c === undefined || (latest !== undefined && !c.isAfter(latest)) ? latest : c),
            undefined,
        );
    }

    /** The rendered instant: what IAM compares `aws:TokenIssueTime` with. */
    get instant(): Date {
        return new Date(this.ms);
    }

    /** Cutoff + 13 hours: from then on no session issued before the cutoff can still be alive. */
    get safeToRemoveAfter(): Date {
        return safeToRemoveAfter(this.instant);
    }

    /** The safe-to-remove time as text, written like the cutoff. */
    get safeToRemoveAfterText(): string {
        return formatUtc(this.safeToRemoveAfter);
    }

    /** Whether the revocation is in force at `now`: until its safe-to-remove time, a session issued before it may be alive. */
    inForceAt(now: Date): boolean {
        return now < this.safeToRemoveAfter;
    }

    /** Whether the instant asked for lies more than the allowed clock skew (5 minutes) ahead of `now`. */
    isFutureAt(now: Date, skewMs: number = MAX_FUTURE_SKEW_MS): boolean {
        return this.askedMs - now.getTime() > skewMs;
    }

    /** Whether the instant asked for lies ahead of `now` at all. */
    isAfterNow(now: Date): boolean {
        return this.askedMs > now.getTime();
    }

    /** Whether this cutoff is later than `other` (denies more sessions). */
    isAfter(other: Cutoff): boolean {
        return this.ms > other.ms;
    }

    /** Whether this cutoff is earlier than `other` (denies fewer sessions). */
    isBefore(other: Cutoff): boolean {
        return this.ms < other.ms;
    }

    /** Whether both deny exactly the same sessions. */
    equals(other: Cutoff | undefined): boolean {
        return other !== undefined && this.ms === other.ms;
    }

    /** The cutoff as IAM, the console and the stack files write it: UTC, ending in `Z` (`2026-11-27T10:15:00Z`). */
    toString(): string {
        return formatUtc(this.instant);
    }

    /** In JSON (a `--json` output, a report), the text of {@link toString}. */
    toJSON(): string {
        return this.toString();
    }
}

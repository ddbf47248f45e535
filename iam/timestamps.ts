/**
 * Timestamps: strict ISO-8601 parsing and UTC formatting, the grammar under iam/cutoff.ts.
 *
 * JavaScript's `Date` parser reads a zone-less timestamp as local time and accepts many shapes
 * that IAM would read differently, so cutoffs are parsed by a strict grammar instead.
 */

/** How long a revocation must stay in place: the longest session (12 h) plus a 1 h margin. */
export const REVOCATION_WINDOW_MS: number = 13 * 60 * 60 * 1000;

/** How far in the future a cutoff may lie before it would lock out fresh sessions too. */
export const MAX_FUTURE_SKEW_MS: number = 5 * 60 * 1000;

/** The form of a cutoff: a date, a time (seconds and up to three fraction digits optional) and a zone. */
export const ISO_8601: RegExp = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(Z|[+-]\d{2}:\d{2})$/;

/** The result of parsing a timestamp: the instant, or why it is not one. */
export type ParsedTimestamp = { ok: true; date: Date } | { ok: false; problem: string };

const EXAMPLE = "2026-11-27T10:00:00Z";

/**
 * Parses an ISO-8601 timestamp that has a date, a time and an explicit zone (`Z` or `+hh:mm`).
 * Date-only values, zone-less values, epoch numbers and impossible dates are refused with a
 * message that names the problem (the caller adds the field and the value).
 */
export function parseTimestamp(value: unknown): ParsedTimestamp {
    if (value instanceof Date) {
        return Number.isNaN(value.getTime()) ? { ok: false, problem: "is an invalid Date" } : { ok: true, date: new Date(value.getTime()) };
    }
    if (typeof value === "number") {
        return { ok: false, problem: `is a number; write an ISO-8601 UTC timestamp such as ${EXAMPLE}` };
    }
    if (typeof value !== "string") {
        return { ok: false, problem: `is not a timestamp; write an ISO-8601 UTC timestamp such as ${EXAMPLE}` };
    }
    const text = value;
    const match = ISO_8601.exec(text);
    if (!match) {
        if (/^\d{4}-\d{2}-\d{2}$/.test(text)) {
            return { ok: false, problem: `has no time; write an ISO-8601 UTC timestamp such as ${EXAMPLE}` };
        }
        if (/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(text)) {
            return { ok: false, problem: `has no time zone; write an ISO-8601 UTC timestamp such as ${EXAMPLE}` };
        }
        if (/^\d+$/.test(text)) {
            return { ok: false, problem: `is an epoch number; write an ISO-8601 UTC timestamp such as ${EXAMPLE}` };
        }
        return { ok: false, problem: `is not an ISO-8601 timestamp; write it like ${EXAMPLE}` };
    }
    const [, y, mo, d, h, mi, s = "0", frac = "0", zone] = match;
    const [year, month, day, hour, minute, second] = [y, mo, d, h, mi, s].map(Number);
    const millis = Number(frac.padEnd(3, "0"));
    const daysInMonth = utcInstant(year, month, 0, 0, 0, 0, 0).getUTCDate();
    if (month < 1 || month > 12 || day < 1 || day > daysInMonth || hour > 23 || minute > 59 || second > 59) {
        return { ok: false, problem: `is not a real date and time; write it like ${EXAMPLE}` };
    }
    let offsetMinutes = 0;
    if (zone !== "Z") {
        const [zh, zm] = zone.slice(1).split(":").map(Number);
        if (zh > 23 || zm > 59) {
            return { ok: false, problem: `has an invalid time zone offset "${zone}"; write it like ${EXAMPLE}` };
        }
        offsetMinutes = (zone[0] === "-" ? -1 : 1) * (zh * 60 + zm);
    }
    const utc = utcInstant(year, month - 1, day, hour, minute, second, millis).getTime() - offsetMinutes * 60_000;
    return { ok: true, date: new Date(utc) };
}

/** The instant of a UTC date and time, with the year exactly as given (Date.UTC reads years 0 to 99 as 1900 to 1999). */
function utcInstant(year: number, month: number, day: number, hour: number, minute: number, second: number, millis: number): Date {
    const date = new Date(0);
    date.setUTCFullYear(year, month, day);
    date.setUTCHours(hour, minute, second, millis);
    return date;
}

/** No AWS session can have been issued before 2006, when AWS began: a cutoff before then denies nothing. */
export const EARLIEST_CUTOFF: Date = new Date("2006-01-01T00:00:00Z");

/** Why a parsed cutoff cannot be one, or undefined: it must not lie before {@link EARLIEST_CUTOFF}. */
export function tooEarlyProblem(date: Date): string | undefined {
    return date < EARLIEST_CUTOFF
        ? `is before 2006, earlier than any AWS session could be issued, so it would deny nothing; write the year in full, such as ${EXAMPLE}`
        : undefined;
}

/**
 * Formats an instant as IAM and the console expect: UTC, ending in `Z`, with milliseconds only
 * when they are not zero (`2026-11-27T10:15:00Z`, `2022-02-16T01:36:00.138Z`).
 */
export function formatUtc(date: Date): string {
    return date.toISOString().replace(".000Z", "Z");
}

/** The earliest moment a revocation with this cutoff may be removed: cutoff + 13 hours. */
export function safeToRemoveAfter(cutoff: Date): Date {
    return new Date(cutoff.getTime() + REVOCATION_WINDOW_MS);
}

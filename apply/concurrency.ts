/**
 * How many calls the emergency path keeps in flight in one account: additive increase,
 * multiplicative decrease, as TCP paces itself. IAM throttles per account, so each account has a
 * limit of its own, and accounts never slow each other down.
 */

/**
 * One account's limit on calls in flight. It starts at `initial`; each call that succeeds adds
 * one, up to `max`; a throttled call halves it (down to 1), once per generation: calls started
 * before the last decrease answered the load that decrease already took back, so their throttles
 * do not halve it again.
 */
export class AdaptiveLimit {
    private limit: number;
    private generation = 0;

    /** @param initial the calls in flight at first. @param max the most it grows to. */
    constructor(
        readonly initial: number,
        readonly max: number,
    ) {
        this.limit = Math.max(1, Math.min(initial, max));
    }

    /** The calls that may be in flight now. */
    get current(): number {
        return this.limit;
    }

    /** A call starts: the generation it belongs to, to hand back with its outcome. */
    started(): number {
        return this.generation;
    }

    /** A call succeeded: one more may be in flight. */
    succeeded(): void {
        this.limit = Math.min(this.max, this.limit + 1);
    }

    /** A call started in `generation` was throttled: half as many in flight, unless a later decrease already answered it. */
    throttled(generation: number): void {
        if (generation < this.generation) return;
        this.generation++;
        this.limit = Math.max(1, Math.floor(this.limit / 2));
    }
}

/** Maps with at most `limit` calls in flight. */
export async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
    const results: R[] = new Array(items.length);
    let next = 0;
    const worker = async () => {
        while (next < items.length) {
            const index = next++;
            results[index] = await fn(items[index]);
        }
    };
    await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
    return results;
}

/**
 * How far V8 lets the heap grow past what the last full collection kept, for the commands' own
 * processes (never a program that `pulumi up` runs). V8's default grows it by up to 100 % and more
 * while a program allocates fast: a plan of 1,000 roles (about 80 MiB alive) peaked at 255 to 305
 * MiB, most of it garbage, and with growth held to 40 % at 220 to 230 MiB, for full collections
 * that cost little on a small heap. On a large heap each full collection costs seconds: held to 40
 * %, the guard of 5,000 roles took 15 % more CPU, so above {@link GENTLE_GROWTH_MAX_BYTES} of stack
 * file V8's own policy stays (docs/performance.md).
 */
import { setFlagsFromString } from "v8";

/** The growth per full collection, in percent, for small stacks. */
export const GENTLE_HEAP_GROWTH_PERCENT = 40;

/** The largest stack file planned with gentle growth: about 2,500 roles of the benchmark's. */
export const GENTLE_GROWTH_MAX_BYTES = 1_000_000;

let tuned = false;

/** Lets this process tune its heap growth to what it plans: a command's process opts in, a test run does not. */
export function tuneHeapGrowth(): void {
    tuned = true;
}

/** Before planning a stack file of `bytes`: gentle growth for a small one, V8's own policy for a large one (0 restores it). */
export function heapGrowthFor(bytes: number): void {
    if (!tuned) return;
    setFlagsFromString(`--heap-growing-percent=${bytes <= GENTLE_GROWTH_MAX_BYTES ? GENTLE_HEAP_GROWTH_PERCENT : 0}`);
}

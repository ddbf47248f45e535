import * as assert from "assert";
import { Registration, runOffline } from "../cli/offline";

/** Runs `program` under the recording mock runtime and fails the test if it threw. */
export async function register(program: () => unknown, stack = "test"): Promise<Registration[]> {
    const run = await runOffline(program, { project: "revocable-roles", stack, config: {} });
    assert.strictEqual(run.error, undefined, run.error?.message);
    return run.registrations;
}

/** The registrations of one type, by logical name. */
export function byName(registrations: Registration[]): Map<string, Registration> {
    return new Map(registrations.map((r) => [r.name, r]));
}

/** `type name` lines, sorted, for exact comparisons of what was registered. */
export function shape(registrations: { type: string; name: string }[]): string[] {
    return registrations.map((r) => `${r.type} ${r.name}`).sort();
}

import * as assert from "assert";
import { Writable } from "stream";
import * as pulumi from "@pulumi/pulumi";
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

/** Captures what a command writes to stdout or stderr. */
export class Capture extends Writable {
    text = "";
    override _write(chunk: Buffer, _encoding: string, done: () => void) {
        this.text += chunk.toString();
        done();
    }
}

/** The value of an Output, awaited without `done` callbacks (a failed assert in `apply` would be a timeout). */
export function promiseOf<T>(output: pulumi.Output<T>): Promise<T> {
    return new Promise((resolve) => output.apply(resolve));
}

/**
 * What the guard's tests share: the fixed clock, a cutoff in force at it, the guard run on a real
 * git repository whose base is committed and whose working tree is the head, and its verdict lines.
 */
import * as assert from "assert";
import { Capture, environment, repository } from "./helpers";
import { PROJECT_ROOT } from "../cli/project";
import { commandMain } from "../cli/main";

/** The guard as a user runs it. */
export const guard: ReturnType<typeof commandMain> = commandMain("guard");

/** The guard's clock in these tests. */
export const NOW: Date = new Date("2026-11-27T12:00:00Z");
/** A cutoff in force at {@link NOW}: until 2026-11-27T23:00:00Z. */
export const CUTOFF = "2026-11-27T10:00:00Z";
/** How findings name {@link CUTOFF}'s window. */
export const WINDOW = "(revoked before 2026-11-27T10:00:00Z, safe to remove after 2026-11-27T23:00:00Z)";

/** The guard's last line when `n` findings fail, and when none does. */
export const FAILED = (n: number): string => `${n} change(s) would weaken a revocation since main.`;
export const PASSED = "No revocation is weakened since main.";

/** The guard's verdict: its exit code, the lines it printed, and its stderr. */
export interface GuardVerdict {
    code: number;
    lines: string[];
    stderr: string;
}

/**
 * Runs the guard on a repository whose base is `base` and whose working tree is `head`;
 * `prepare` may change the repository further and say which program to plan with.
 */
export async function runGuard(
    base: Record<string, string>,
    head: Record<string, string | undefined>,
    prepare?: (root: string) => string | void,
): Promise<GuardVerdict> {
    const root = repository(base, head);
    const programRoot = prepare?.(root) ?? PROJECT_ROOT;
    const out = new Capture();
    const err = new Capture();
    const code = await guard(["--base", "main"], out, err, environment({ root, programRoot, now: NOW }));
    return { code, lines: out.text.split("\n").slice(0, -1), stderr: err.text };
}

/** Asserts the guard's exact verdict and findings, and nothing on stderr. */
export async function expectGuard(
    base: Record<string, string>,
    head: Record<string, string | undefined>,
    code: number,
    lines: string[],
    prepare?: (root: string) => string | void,
): Promise<void> {
    assert.deepStrictEqual(await runGuard(base, head, prepare), { code, lines, stderr: "" });
}

/** The account the test stacks deploy to. */
export const ACCOUNT = "111111111111";

/** A role of a test stack: its physical name and path when set, its trust (the account by default), more lines, its cutoff. */
export interface Role {
    name?: string;
    path?: string;
    trust?: string;
    extra?: string;
    revokeBefore?: string;
}

/** A role in stack-file YAML (indented under revocable-roles:roles). */
export function role(key: string, r: Role = {}): string {
    const lines = [`    ${key}:`];
    if (r.name !== undefined) lines.push(`      name: ${r.name}`);
    if (r.path !== undefined) lines.push(`      path: ${r.path}`);
    lines.push("      trust:", r.trust ?? `        accounts: ["${ACCOUNT}"]`);
    if (r.extra !== undefined) lines.push(r.extra);
    if (r.revokeBefore !== undefined) lines.push(`      revokeBefore: "${r.revokeBefore}"`);
    return `${lines.join("\n")}\n`;
}

/** A stack file of `roles`, in eu-west-1, with `top` config lines before them. */
export const stack = (roles: string, top = ""): string => `config:\n  aws:region: eu-west-1\n${top}  revocable-roles:roles:\n${roles}`;

/** A stack file of `roles` that names its account. */
export const accountStack = (roles: string, account: string = ACCOUNT): string =>
    `config:\n  aws:region: eu-west-1\n  aws:allowedAccountIds: ["${account}"]\n  revocable-roles:roles:\n${roles}`;

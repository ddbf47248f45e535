#!/usr/bin/env node
/**
 * `revocable-roles <command>`: the package's command line, for any Pulumi project that installs
 * it. Each command's module is loaded only when that command runs, so a command pays for what it
 * uses and nothing else.
 */
import { EXIT, EXIT_CODES_HELP, runAsProcess } from "./io";

export interface Command {
    summary: string;
    load: () => Promise<{ run(argv: string[]): Promise<number> }>;
}

export const COMMANDS: Record<string, Command> = {
    init: { summary: "set up a Pulumi project for revocable roles: program, first stack file, workflows", load: () => import("./init") },
    plan: { summary: "what a stack would deploy, offline; --diff <ref> for what changes since a commit", load: () => import("./plan") },
    revoke: { summary: "write a revocation into a stack file (and apply it at once with --now)", load: () => import("./revoke") },
    revocations: { summary: "every revocation, in force or removable; --prune removes the removable", load: () => import("./revocations") },
    guard: { summary: "fail a change that would weaken a revocation in force", load: () => import("./guard") },
    ci: { summary: "the GitHub Actions workflows' steps: guard, pull-request, deploy", load: () => import("./ci") },
    drill: { summary: "practise the emergency path against a local IAM endpoint", load: () => import("./drill") },
};

const USAGE = "usage: revocable-roles <command> [options]   (revocable-roles <command> --help for a command's options)";

/** The help: every command in one line. */
export function help(): string {
    const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length));
    const lines = Object.entries(COMMANDS).map(([name, command]) => `  ${name.padEnd(width)}  ${command.summary}`);
    return `${USAGE}\n\n${lines.join("\n")}\n\n${EXIT_CODES_HELP}`;
}

/** Runs the command named first in `argv` with the rest; returns the exit code. */
export async function dispatch(argv: string[]): Promise<number> {
    const [name, ...rest] = argv;
    if (name === undefined || name === "--help" || name === "-h") {
        process.stdout.write(help());
        return name === undefined ? EXIT.usage : EXIT.ok;
    }
    if (name === "--version") {
        // eslint-disable-next-line @typescript-eslint/no-require-imports -- read once, only when asked
        process.stdout.write(`${(require("../package.json") as { version: string }).version}\n`);
        return EXIT.ok;
    }
    const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
    if (command === undefined) {
        process.stderr.write(`unknown command "${name}"\n${USAGE}\n`);
        return EXIT.usage;
    }
    return (await command.load()).run(rest);
}

if (require.main === module) runAsProcess(dispatch);

#!/usr/bin/env node
/**
 * `revocable-roles <command>`: the package's command line, for any Pulumi project that installs
 * it. The table names each command once with its summary; each command's module (its flags,
 * usage and help: cli/command.ts) is loaded only when that command runs, so a command pays for
 * what it uses and nothing else.
 */
import type { Command, CommandIO } from "./command";
import type { Environment } from "./environment";
import { EXIT, EXIT_CODES_HELP, useFastStackTraces } from "./io";
import { runAsProcess } from "./process";
import { keepStackTraces } from "../plan/traces";

/** A command of the table: what it does in one line, and its module. */
export interface CommandEntry {
    summary: string;
    load: () => Promise<{ command: Command }>;
}

/** Every command, in the order the help lists them. */
export const COMMANDS: Record<string, CommandEntry> = {
    init: {
        summary: "set up a Pulumi project for revocable roles: program, first stack file, workflows",
        load: async () => ({ command: (await import("./init")).init }),
    },
    plan: {
        summary: "what a stack would deploy, offline; --diff <ref> for what changes since a commit",
        load: async () => ({ command: (await import("./plan")).plan }),
    },
    revoke: {
        summary: "write a revocation into a stack file (and apply it at once with --now)",
        load: async () => ({ command: (await import("./revoke")).revoke }),
    },
    revocations: {
        summary: "every revocation, in force or removable; --prune removes the removable",
        load: async () => ({ command: (await import("./revocations")).revocations }),
    },
    guard: {
        summary: "fail a change that would weaken a revocation in force",
        load: async () => ({ command: (await import("./guard")).guard }),
    },
    ci: {
        summary: "the GitHub Actions workflows' steps: guard, pull-request, deploy",
        load: async () => ({ command: (await import("./ci")).ci }),
    },
    drill: {
        summary: "practise the emergency path against a local IAM endpoint",
        load: async () => ({ command: (await import("./drill")).drill }),
    },
};

const USAGE = "usage: revocable-roles <command> [options]   (revocable-roles <command> --help for a command's options)";

/** The help: every command in one line. */
export function help(): string {
    const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length));
    const lines = Object.entries(COMMANDS).map(([name, entry]) => `  ${name.padEnd(width)}  ${entry.summary}`);
    return `${USAGE}\n\n${lines.join("\n")}\n\n${EXIT_CODES_HELP}`;
}

/** Runs the command named first in `argv` with the rest; returns the exit code. */
export async function dispatch(argv: string[], io: CommandIO, env: Environment): Promise<number> {
    const [name, ...rest] = argv;
    if (name === undefined || name === "--help" || name === "-h") {
        io.out.write(help());
        return name === undefined ? EXIT.usage : EXIT.ok;
    }
    if (name === "--version") {
        // eslint-disable-next-line @typescript-eslint/no-require-imports -- read once, only when asked
        io.out.write(`${(require("../package.json") as { version: string }).version}\n`);
        return EXIT.ok;
    }
    const entry = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
    if (entry === undefined) {
        io.err.write(`unknown command "${name}"\n${USAGE}\n`);
        return EXIT.usage;
    }
    const { runCommand } = await import("./command");
    return runCommand((await entry.load()).command, rest, io, env);
}

if (require.main === module) {
    runAsProcess(async (argv, env, hooks) => {
        // The commands print messages, never stacks: traces cost seconds on large plans (REVOCABLE_ROLES_STACK_TRACES=1 keeps them).
        const keep = env.variables.REVOCABLE_ROLES_STACK_TRACES !== undefined;
        useFastStackTraces(keep);
        keepStackTraces(keep);
        return dispatch(argv, { out: process.stdout, err: process.stderr, onInterrupt: hooks.onInterrupt }, env);
    });
}

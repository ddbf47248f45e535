#!/usr/bin/env node
/**
 * `revocable-roles <command>`: the package's command line, for any Pulumi project that installs
 * it. The command table (commands.ts) declares every command once; each command's module is
 * loaded only when that command runs, so a command pays for what it uses and nothing else.
 */
import { CommandIO, Main, runCommand } from "./command";
import { COMMANDS, TOOLS } from "./commands";
import { Environment, keepsStackTraces } from "./environment";
import { EXIT, EXIT_CODES_HELP, useFastStackTraces } from "./io";

export { COMMANDS };
import { runAsProcess } from "./process";
import { keepStackTraces } from "../plan/traces";

const USAGE = "usage: revocable-roles <command> [options]   (revocable-roles <command> --help for a command's options)";

/** The help: every command in one line. */
export function help(): string {
    const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length));
    const lines = Object.entries(COMMANDS).map(([name, command]) => `  ${name.padEnd(width)}  ${command.summary}`);
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
    // The repository's own tools (managed-policies) run the same way, unlisted.
    const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : Object.hasOwn(TOOLS, name) ? TOOLS[name] : undefined;
    if (command === undefined) {
        io.err.write(`unknown command "${name}"\n${USAGE}\n`);
        return EXIT.usage;
    }
    return runCommand(command, rest, io, env);
}

/** A command of the table as tests run it: its arguments, output, errors and environment; interrupt notes go nowhere. */
export function commandMain(name: string): Main {
    return (argv, out, err, env) => runCommand(COMMANDS[name], argv, { out, err, onInterrupt: () => {} }, env);
}

if (require.main === module) {
    runAsProcess(async (argv, env, hooks) => {
        // The commands print messages, never stacks: traces cost seconds on large plans (REVOCABLE_ROLES_STACK_TRACES=1
        // keeps them, and REVOCABLE_ROLES_DEBUG=1, which prints an unexpected error's stack, keeps the command's own).
        const keep = keepsStackTraces(env.variables);
        useFastStackTraces(keep || env.debug);
        keepStackTraces(keep);
        return dispatch(
            argv,
            { out: process.stdout, err: process.stderr, onInterrupt: hooks.onInterrupt, interruptible: hooks.interruptible },
            env,
        );
    });
}

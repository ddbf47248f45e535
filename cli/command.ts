/**
 * The command table's shape and its one dispatcher, after the npm CLI's `lib/commands`: each
 * command declares its usage, its description, its flags (type, value, what they do and their
 * default) and its variants or steps once, and the dispatcher makes everything else of the
 * command line from that: `--help`, the unknown-flag and missing-value errors with the usage and
 * exit code 2, and the choice of a variant (`revoke --leaked`, `revoke --org`) or a step (`ci guard`).
 * A command's work (commands.ts loads it) receives its parsed flags and returns the exit code.
 */
import { parseArgs } from "util";
import type { Environment } from "./environment";
import { EXIT_CODES_HELP, UsageError, Writer, fail } from "./io";

/** One flag. */
export interface Flag {
    type: "string" | "boolean";
    /** Whether it may be given several times (its values come as a list). */
    multiple?: boolean;
    /** What its value looks like in the help: `<name>`. */
    value?: string;
    /** What it does, with its default, for `--help`. A flag without one is taken only to be refused with a better message, and not listed. */
    description?: string;
}

/** A flag that takes a value. */
export type StringFlag = Flag & { type: "string"; multiple?: false };
/** A flag without a value. */
export type BooleanFlag = Flag & { type: "boolean" };

/** A command's flags, by name. */
export type Flags = Readonly<Record<string, Flag>>;

type ValueOf<T extends Flag> = T["type"] extends "boolean" ? boolean : T extends { multiple: true } ? string[] : string;

/** The parsed values of a command's flags: absent when not given. */
export type Values<F extends Flags> = { [K in keyof F]?: ValueOf<F[K]> };

/** Where a command writes, and what it may ask of the process. */
export interface CommandIO {
    out: Writer;
    err: Writer;
    /** What to print if the process is interrupted from now on. */
    onInterrupt(note: string): void;
    /**
     * Declares that the command stops by itself when interrupted, and returns the signal that
     * says so (absent where nothing interrupts: a test's run). The process then waits for the
     * command's report instead of ending.
     */
    interruptible?(): AbortSignal;
}

/** What a command does with its parsed flags; returns the exit code. */
export type Runner<F extends Flags> = (values: Values<F>, io: CommandIO, env: Environment) => Promise<number>;

/** A command's work, its flags' types erased: the table pairs each with its flags ({@link entry}). */
type AnyRunner = (values: never, io: CommandIO, env: Environment) => Promise<number>;

/** One step of a command that has several (`ci guard`): what it does, its flags, and its work. Its help and usage errors are the command's. */
export interface Step {
    description: string;
    flags: Flags;
    load(): Promise<AnyRunner>;
}

/** A command (or a variant of one), as the table declares it. */
export interface Command {
    /** What it does in one line, for `revocable-roles --help`. */
    summary?: string;
    /** The usage line(s), printed first by `--help` and after every usage error. */
    usage: string;
    /** What it does, for `--help`. */
    description: string;
    flags: Flags;
    /** More for `--help`, after the flags (made when the help is printed). */
    notes?: () => string;
    /** Its work, loaded when it runs. */
    load?(): Promise<AnyRunner>;
    /** Variants chosen by a flag given anywhere (`revoke --leaked <source>`), each a command of its own with its own flags and help. */
    variants?: Readonly<Record<string, Command>>;
    /** Steps chosen by the first argument (`ci guard`). */
    steps?: Readonly<Record<string, Step>>;
}

/** A command as declared, its work typed by its flags. */
export interface Entry<F extends Flags> extends Omit<Command, "flags" | "load"> {
    flags: F;
    load?: () => Promise<Runner<F>>;
}

/** Declares a command of the table, holding its work to its flags' types. */
export function entry<const F extends Flags>(declared: Entry<F>): Command {
    return declared as Command;
}

/** Declares a step, holding its work to its flags' types. */
export function step<const F extends Flags>(declared: { description: string; flags: F; load: () => Promise<Runner<F>> }): Step {
    return declared as Step;
}

const HELP_WIDTH = 104;

/** Words filled into lines of at most `width` characters, each after `indent`. */
function wrap(text: string, width: number, indent: string): string[] {
    const lines: string[] = [];
    let line = "";
    for (const word of text.split(" ")) {
        if (line !== "" && indent.length + line.length + 1 + word.length > width) {
            lines.push(line);
            line = word;
        } else line = line === "" ? word : `${line} ${word}`;
    }
    return [...lines, line];
}

/** Names and what each does, as an aligned list: `  --name <value>  what it does`, continued under the text. */
function table(rows: [name: string, text: string][]): string[] {
    const width = Math.max(0, ...rows.map(([name]) => name.length));
    const indent = " ".repeat(width + 4);
    return rows.flatMap(([name, text]) =>
        wrap(text, HELP_WIDTH, indent).map((line, n) => (n === 0 ? `  ${name.padEnd(width)}  ${line}` : `${indent}${line}`)),
    );
}

/** A command's help: its usage, what it does, its steps, each listed flag with what it does, its notes and the exit codes. */
export function helpText(declared: Command): string {
    const flags = table(
        Object.entries(declared.flags).flatMap(([name, flag]): [string, string][] =>
            flag.description === undefined ? [] : [[`--${name}${flag.value === undefined ? "" : ` ${flag.value}`}`, flag.description]],
        ),
    );
    const steps = table(Object.entries(declared.steps ?? {}).map(([name, step]) => [name, step.description]));
    const sections = [
        declared.usage,
        declared.description,
        ...[steps, flags].filter((rows) => rows.length > 0).map((rows) => rows.join("\n")),
    ];
    if (declared.notes !== undefined) sections.push(declared.notes());
    return `${sections.join("\n\n")}\n\n${EXIT_CODES_HELP}`;
}

/** A command's flags parsed from `argv` as its work receives them; undefined when they ask for help. */
export function parsedFlags(declared: Command, argv: string[]): Values<Flags> | undefined {
    return wantsHelp(argv) ? undefined : parse(argv, declared.flags);
}

/** Whether the arguments ask for help. */
function wantsHelp(argv: string[]): boolean {
    return argv.includes("--help") || argv.includes("-h");
}

/** Parses flags strictly: an unknown flag, a missing value or a stray argument is a usage error. */
function parse<F extends Flags>(argv: string[], flags: F): Values<F> {
    try {
        return parseArgs({ args: argv, options: flags as Record<string, Flag>, strict: true, allowPositionals: false }).values as Values<F>;
    } catch (error) {
        throw new UsageError((error as Error).message);
    }
}

/** The variant the arguments choose (its flag given as `--flag` or `--flag=value`), or the command itself. */
function chosen(declared: Command, argv: string[]): Command {
    const variant = Object.entries(declared.variants ?? {}).find(([flag]) =>
        argv.some((arg) => arg === `--${flag}` || arg.startsWith(`--${flag}=`)),
    );
    return variant?.[1] ?? declared;
}

/** Runs the step the first argument names, with the rest as its flags. */
async function runStep(declared: Command, argv: string[], io: CommandIO, env: Environment): Promise<number> {
    const [name, ...rest] = argv;
    if (name === undefined) throw new UsageError("give a command");
    const help = name === "--help" || name === "-h";
    const found = !help && Object.hasOwn(declared.steps!, name) ? declared.steps![name] : undefined;
    if (!help && found === undefined) throw new UsageError(`unknown command "${name}"`);
    if (found === undefined || wantsHelp(rest)) {
        io.out.write(helpText(declared));
        return 0;
    }
    const values = parse(rest, found.flags);
    return (await found.load())(values as never, io, env);
}

/**
 * Runs a command line against a declared command: its variant or step, `--help`, the flags
 * parsed strictly, then the command's `run`. Every error is printed the one way ({@link fail}):
 * a usage error with the usage and exit code 2, any other with exit code 1.
 */
export async function runCommand(declared: Command, argv: string[], io: CommandIO, env: Environment): Promise<number> {
    const variant = chosen(declared, argv);
    try {
        if (variant.steps !== undefined) return await runStep(variant, argv, io, env);
        if (wantsHelp(argv) || variant.load === undefined) {
            io.out.write(helpText(variant));
            return 0;
        }
        const values = parse(argv, variant.flags);
        return await (
            await variant.load()
        )(values as never, io, env);
    } catch (error) {
        return fail(error, io.err, variant.usage, env.debug);
    }
}

/** A command's entry point as tests call it: arguments, output, errors and environment; returns the exit code. */
export type Main = (argv: string[], out: Writer, err: Writer, env: Environment) => Promise<number>;

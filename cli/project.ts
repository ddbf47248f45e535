/**
 * The Pulumi project on disk: `Pulumi.yaml`, its stacks' `Pulumi.<stack>.yaml` files, and the
 * config as the Pulumi CLI hands it to a program.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";

/** The project root: the folder with Pulumi.yaml and index.ts. */
export const PROJECT_ROOT = path.resolve(__dirname, "..");

/** A user-facing failure: printed without a stack trace, exit code 1. */
export class CliError extends Error {}

/** The project name from Pulumi.yaml. */
export function projectName(root = PROJECT_ROOT): string {
    const project = YAML.parse(fs.readFileSync(path.join(root, "Pulumi.yaml"), "utf8")) as { name?: unknown };
    if (typeof project?.name !== "string") {
        throw new CliError(`${path.join(root, "Pulumi.yaml")}: has no project name`);
    }
    return project.name;
}

/** The stack file's name. */
export function stackFileName(stack: string): string {
    return `Pulumi.${stack}.yaml`;
}

/** The stack names among file names (`Pulumi.<stack>.yaml`), sorted. */
function stacksAmong(files: string[]): string[] {
    return files
        .map((file) => /^Pulumi\.(.+)\.yaml$/.exec(file)?.[1])
        .filter((stack): stack is string => stack !== undefined)
        .sort();
}

/** The stacks that have a stack file in the project root. */
export function listStacks(root = PROJECT_ROOT): string[] {
    return stacksAmong(fs.readdirSync(root));
}

function git(root: string, args: string[]): string {
    return execFileSync("git", args, { cwd: root, stdio: "pipe", encoding: "utf8" });
}

/** Refuses a git ref that names no commit. */
export function verifyRef(ref: string, root = PROJECT_ROOT): void {
    try {
        git(root, ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`]);
    } catch {
        throw new CliError(`unknown git ref "${ref}"`);
    }
}

/** The stacks that had a stack file in the project root at a git ref. */
export function stacksAt(ref: string, root = PROJECT_ROOT): string[] {
    return stacksAmong(git(root, ["ls-tree", "--name-only", ref, "./"]).split("\n").map((file) => path.basename(file)));
}

/** A stack file as it was at a git ref, or undefined when it did not exist there. */
export function stackFileAt(ref: string, stack: string, root = PROJECT_ROOT): string | undefined {
    verifyRef(ref, root);
    try {
        return git(root, ["show", `${ref}:./${stackFileName(stack)}`]);
    } catch {
        return undefined;
    }
}

/** Reads a stack file, or explains which stacks exist. */
export function readStackFile(stack: string, root = PROJECT_ROOT): string {
    const file = path.join(root, stackFileName(stack));
    if (!fs.existsSync(file)) {
        const stacks = listStacks(root);
        throw new CliError(`unknown stack "${stack}": there is no ${stackFileName(stack)}; stacks: ${stacks.length > 0 ? stacks.join(", ") : "none"}`);
    }
    return fs.readFileSync(file, "utf8");
}

/** A YAML parse error in one line: yaml's messages end with a source excerpt. */
export function yamlProblem(error: unknown): string {
    return String((error as Error).message).split("\n")[0].replace(/:$/, "");
}

/**
 * The config of a stack file as the Pulumi CLI passes it to a program: namespaced keys, strings
 * as they are, every other value as JSON.
 */
export function programConfig(stackText: string, stackFile: string): Record<string, string> {
    let document: unknown;
    try {
        document = YAML.parse(stackText);
    } catch (error) {
        throw new CliError(`${stackFile}: is not valid YAML: ${yamlProblem(error)}`);
    }
    const config = (document as { config?: unknown } | null)?.config ?? {};
    if (typeof config !== "object" || config === null || Array.isArray(config)) {
        throw new CliError(`${stackFile}: config: expected a mapping of namespaced keys such as revocable-roles:roles`);
    }
    const result: Record<string, string> = {};
    for (const [key, value] of Object.entries(config)) {
        result[key] = typeof value === "string" ? value : JSON.stringify(value);
    }
    return result;
}

/** The message a command prints for an error: its own words for expected failures, the usage for bad flags, a stack otherwise. */
export function errorText(error: unknown, usage: string): string {
    if (error instanceof CliError) return error.message;
    if (error instanceof TypeError && (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS") === true) {
        return `${error.message}\n${usage}`;
    }
    return String((error as Error).stack ?? error);
}

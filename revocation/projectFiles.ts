/**
 * What `init` writes into a folder (empty, or an existing Pulumi project) for revocable roles: the
 * project file, a one-line program, package.json's scripts, `.npmrc` and `.gitignore`, a first
 * stack file, the four workflows and a CODEOWNERS example, from the package's templates. It never
 * overwrites a file: an existing package.json gets only the scripts it lacks, and any other file
 * that exists is kept and named, so running it again changes nothing.
 */
import * as fs from "fs";
import * as path from "path";
import { PROJECT_FILE, stackFileName } from "../config/files";
import { RevocationError } from "./errors";
import { addScripts } from "./packageScripts";

/** The package's templates: what a project gets, as this repository uses them itself. */
const TEMPLATES = path.join(__dirname, "..", "templates");

/** One file init may write: where, and its text. */
export interface Planned {
    file: string;
    text: string;
    /** What to check when the file exists already, if anything; from its text, when that decides. */
    whenKept?: string | ((existing: string) => string | undefined);
    /** What to add to the file when it exists already (package.json's scripts), instead of keeping it as it is. */
    scripts?: Readonly<Record<string, string>>;
}

function template(name: string): string {
    return fs.readFileSync(path.join(TEMPLATES, name), "utf8");
}

/** A project name Pulumi accepts, from a folder's name. */
export function projectName(folder: string): string {
    const name = path.basename(folder).replace(/[^A-Za-z0-9_.-]/g, "-");
    return name === "" ? "roles" : name;
}

/** The package's commands as npm scripts, so `npm run revoke -- ...` works as in the docs. */
export const SCRIPTS: Readonly<Record<string, string>> = Object.fromEntries(
    ["plan", "revoke", "revocations", "verify", "guard", "drill", "ci"].map((command) => [command, `revocable-roles ${command}`]),
);

/** What `.npmrc` must say: no dependency's install script runs (the Pulumi CLI installs the provider plugins itself). */
const NPMRC = "ignore-scripts=true\n";

/** What `.gitignore` must hold: installed packages, the lock and temporary files revoke writes beside a stack file, a build. */
const GITIGNORE = [
    "node_modules/",
    "# revoke's lock and temporary files beside a stack file, while it writes.",
    ".Pulumi.*.yaml.lock",
    ".Pulumi.*.yaml.*.tmp",
    "dist/",
];

/** The lines of `wanted` (comments aside) that a file's text lacks. */
function missingLines(existing: string, wanted: string[]): string[] {
    const have = new Set(existing.split(/\r?\n/).map((line) => line.trim()));
    return wanted.filter((line) => !line.startsWith("#") && !have.has(line));
}

/** Everything init writes, decided before anything is written. */
export function plannedFiles(options: { name: string; stack: string; account: string; region: string }): Planned[] {
    const { name, stack, account, region } = options;
    return [
        {
            file: PROJECT_FILE,
            text: `name: ${name}\ndescription: IAM roles whose leaked temporary credentials can be revoked by an ordinary, reviewed deploy\n# The program is index.ts: the Pulumi CLI runs this file, and the offline tools plan the same one.\nmain: index.ts\nruntime:\n  name: nodejs\n  options:\n    typescript: true\n    packagemanager: npm\n`,
            whenKept: 'check that it has runtime nodejs, and main: index.ts or a package.json with "main": "index.ts"',
        },
        {
            file: "index.ts",
            text: template("index.ts"),
            whenKept:
                'to declare the roles of the stack files, make it: import { stackConfigProgram } from "revocable-roles"; export = stackConfigProgram;',
        },
        {
            file: "package.json",
            text: `${JSON.stringify({ name, private: true, main: "index.ts", scripts: SCRIPTS }, null, 4)}\n`,
            scripts: SCRIPTS,
        },
        {
            file: "tsconfig.json",
            text: `${JSON.stringify({ compilerOptions: { strict: true, target: "es2022", lib: ["es2022"], module: "commonjs", moduleResolution: "node", esModuleInterop: true, skipLibCheck: true }, files: ["index.ts"] }, null, 4)}\n`,
        },
        {
            file: ".npmrc",
            text: NPMRC,
            whenKept: (existing) =>
                /^[ \t]*ignore-scripts[ \t]*=[ \t]*true[ \t]*$/m.test(existing)
                    ? undefined
                    : "add ignore-scripts=true, so that npm ci runs no dependency's install script (the Pulumi CLI installs the provider plugins itself)",
        },
        {
            file: ".gitignore",
            text: `${GITIGNORE.join("\n")}\n`,
            whenKept: (existing) => {
                const missing = missingLines(existing, GITIGNORE);
                return missing.length === 0 ? undefined : `add ${missing.join(", ")}`;
            },
        },
        {
            file: stackFileName(stack),
            text: [
                `# The roles of stack ${stack}. Every field: the revocable-roles package's docs/config.md.`,
                "config:",
                `  aws:region: ${region}`,
                "  # The provider refuses any other account, and the offline tools know which account the roles are in.",
                `  aws:allowedAccountIds: ["${account}"]`,
                "  revocable-roles:roles:",
                "    # An example: replace it with your roles.",
                "    example-reader:",
                "      description: Reads everything, for people of this account with MFA",
                "      trust:",
                `        accounts: ["${account}"]`,
                "        requireMfa: true",
                '      managedPolicyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"]',
                "",
            ].join("\n"),
        },
        ...["guard", "pull-request", "deploy", "verify"].map((workflow) => ({
            file: `.github/workflows/revocable-roles-${workflow}.yml`,
            text: template(`workflows/revocable-roles-${workflow}.yml`),
        })),
        {
            file: ".github/CODEOWNERS.example",
            text: template("CODEOWNERS.example"),
            whenKept: undefined,
        },
    ];
}

/** What init did to one file: wrote it, added to it (package.json's scripts), or kept it, and why or what to check. */
export interface FileStep {
    file: string;
    action: "wrote" | "added" | "kept";
    /** For `added`, what was added; for `kept`, why, or what to check. */
    note?: string;
}

/** What writing a project did to each of its files. */
export interface Setup {
    /** In order, one or more per file. */
    files: FileStep[];
}

/** What init does to a file that exists: keep it with a note, or add the scripts it lacks. */
function existingFile(target: string, { file, text, whenKept, scripts }: Planned): { steps: FileStep[]; text?: string } {
    const existing = fs.readFileSync(target, "utf8");
    if (existing === text) return { steps: [{ file, action: "kept", note: "as init writes it" }] };
    if (scripts !== undefined) {
        const result = addScripts(existing, scripts);
        const names = Object.keys(scripts);
        const different = result.different.map(({ name, command }) => ({
            file,
            action: "kept" as const,
            note: `its script ${name} runs ${JSON.stringify(command)}; npm run ${name} runs that, not ${JSON.stringify(scripts[name])}`,
        }));
        if (result.problem !== undefined) {
            return {
                steps: [
                    {
                        file,
                        action: "kept",
                        note: `${result.problem}; add the scripts by hand: ${names.map((n) => `"${n}": ${JSON.stringify(scripts[n])}`).join(", ")}`,
                    },
                    ...different,
                ],
            };
        }
        if (result.text === undefined) {
            return { steps: different.length > 0 ? different : [{ file, action: "kept", note: "it has every script init adds" }] };
        }
        return { steps: [{ file, action: "added", note: `scripts ${result.added.join(", ")}` }, ...different], text: result.text };
    }
    const check = typeof whenKept === "function" ? whenKept(existing) : whenKept;
    const note = check === undefined ? (typeof whenKept === "function" ? "it has what init writes" : "it exists") : `it exists; ${check}`;
    return { steps: [{ file, action: "kept", note }] };
}

/**
 * Writes the project's files into `root`, never overwriting one: what exists is kept and named,
 * and an existing package.json gets only the scripts it lacks. Decided before anything is
 * written: a path taken by a folder stops everything.
 */
export function writeProject(root: string, planned: Planned[]): Setup {
    for (const { file } of planned) {
        const stat = fs.lstatSync(path.join(root, file), { throwIfNoEntry: false });
        if (stat !== undefined && !stat.isFile())
            throw new RevocationError(`${file} exists and is not a regular file; nothing was written`);
    }
    const files: FileStep[] = [];
    for (const plan of planned) {
        const target = path.join(root, plan.file);
        if (fs.existsSync(target)) {
            const { steps, text } = existingFile(target, plan);
            if (text !== undefined) fs.writeFileSync(target, text);
            files.push(...steps);
            continue;
        }
        fs.mkdirSync(path.dirname(target), { recursive: true });
        // Exclusive create: a file that appears meanwhile is never overwritten.
        fs.writeFileSync(target, plan.text, { flag: "wx" });
        files.push({ file: plan.file, action: "wrote" });
    }
    return { files };
}

/** Whether the package is installed in the project (`npm install revocable-roles` has run there). */
export function packageInstalled(root: string): boolean {
    return fs.existsSync(path.join(root, "node_modules", "revocable-roles", "package.json"));
}

/**
 * What `init` writes into a folder (empty, or an existing Pulumi project) for revocable roles: the
 * project file, a one-line program, a first stack file, the four workflows and a CODEOWNERS
 * example, from the package's templates. It never overwrites a file, so running it again changes
 * nothing.
 */
import * as fs from "fs";
import * as path from "path";
import { PROJECT_FILE, stackFileName } from "../config/files";
import { RevocationError } from "./errors";

/** The package's templates: what a project gets, as this repository uses them itself. */
const TEMPLATES = path.join(__dirname, "..", "templates");

/** One file init may write: where, and its text. */
export interface Planned {
    file: string;
    text: string;
    /** What to do when the file exists already, if anything. */
    whenKept?: string;
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
const SCRIPTS = Object.fromEntries(
    ["plan", "revoke", "revocations", "verify", "guard", "drill"].map((command) => [command, `revocable-roles ${command}`]),
);

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
            whenKept:
                'it needs "main": "index.ts" (or Pulumi.yaml main: index.ts), and revocable-roles, @pulumi/pulumi, @pulumi/aws, @pulumi/aws-native and typescript installed',
        },
        {
            file: "tsconfig.json",
            text: `${JSON.stringify({ compilerOptions: { strict: true, target: "es2022", lib: ["es2022"], module: "commonjs", moduleResolution: "node", esModuleInterop: true, skipLibCheck: true }, files: ["index.ts"] }, null, 4)}\n`,
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

/** What writing a project did to each of its files. */
export interface Setup {
    /** Per file, in order: written, or kept (and as init writes it, or with what to check). */
    files: { file: string; written: boolean; note?: string }[];
}

/**
 * Writes the project's files into `root`, never overwriting one: what exists is kept and named.
 * Decided before anything is written: a path taken by a folder stops everything.
 */
export function writeProject(root: string, planned: Planned[]): Setup {
    for (const { file } of planned) {
        const stat = fs.lstatSync(path.join(root, file), { throwIfNoEntry: false });
        if (stat !== undefined && !stat.isFile())
            throw new RevocationError(`${file} exists and is not a regular file; nothing was written`);
    }
    const files: Setup["files"] = [];
    for (const { file, text, whenKept } of planned) {
        const target = path.join(root, file);
        if (fs.existsSync(target)) {
            const same = fs.readFileSync(target, "utf8") === text;
            files.push({
                file,
                written: false,
                note: same ? "as init writes it" : `it exists${whenKept === undefined ? "" : `; ${whenKept}`}`,
            });
            continue;
        }
        fs.mkdirSync(path.dirname(target), { recursive: true });
        // Exclusive create: a file that appears meanwhile is never overwritten.
        fs.writeFileSync(target, text, { flag: "wx" });
        files.push({ file, written: true });
    }
    return { files };
}

/**
 * `revocable-roles init`: sets up a folder (empty, or an existing Pulumi project) for revocable
 * roles: the project file, a one-line program, a first stack file, the three workflows and a
 * CODEOWNERS example. It never overwrites a file: what exists is kept and named, so running it
 * again changes nothing.
 */
import * as fs from "fs";
import * as path from "path";
import { CliError, EXIT_CODES_HELP, UsageError, Writer, fail, parseFlags, runAsProcess } from "./io";
import { PROJECT_FILE, stackFileName } from "../config/loader";
import { ACCOUNT } from "../iam/patterns";

/** The package's templates: what a project gets, as this repository uses them itself. */
const TEMPLATES = path.join(__dirname, "..", "templates");

/** One file init may write: where, and its text. */
interface Planned {
    file: string;
    text: string;
    /** What to do when the file exists already, if anything. */
    whenKept?: string;
}

function template(name: string): string {
    return fs.readFileSync(path.join(TEMPLATES, name), "utf8");
}

/** A project name Pulumi accepts, from a folder's name. */
function projectName(folder: string): string {
    const name = path.basename(folder).replace(/[^A-Za-z0-9_.-]/g, "-");
    return name === "" ? "roles" : name;
}

/** The package's commands as npm scripts, so `npm run revoke -- ...` works as in the docs. */
const SCRIPTS = Object.fromEntries(
    ["plan", "revoke", "revocations", "guard", "drill"].map((command) => [command, `revocable-roles ${command}`]),
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
        ...["guard", "pull-request", "deploy"].map((workflow) => ({
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

const USAGE = "usage: revocable-roles init [--stack <name>] [--account <12-digit id>] [--region <region>] [--name <project>]";
const HELP = `${USAGE}

Writes into this folder what a project needs for revocable roles, and never overwrites a file:
Pulumi.yaml (if absent), a one-line index.ts that declares every role of the stack files, a
package.json and tsconfig.json (if absent), a first stack file Pulumi.<stack>.yaml with one
example role, the three GitHub Actions workflows (.github/workflows/revocable-roles-*.yml) and
.github/CODEOWNERS.example. Running it again writes nothing.

  --stack <name>        the first stack; default dev
  --account <id>        the AWS account the stack deploys to; default 123456789012 (a placeholder:
                        aws:allowedAccountIds then refuses every real account until you set yours)
  --region <region>     default us-east-1
  --name <project>      the Pulumi project's name, for a new Pulumi.yaml; default this folder's name

${EXIT_CODES_HELP}`;

/** The command line; returns the exit code. */
export async function main(argv: string[], out: Writer, err: Writer, env: { root: string }): Promise<number> {
    try {
        const values = parseFlags(argv, {
            stack: { type: "string" },
            account: { type: "string" },
            region: { type: "string" },
            name: { type: "string" },
        });
        if (values === undefined) {
            out.write(HELP);
            return 0;
        }
        const stack = values.stack ?? "dev";
        if (!/^[A-Za-z0-9_.-]+$/.test(stack)) throw new UsageError(`--stack ${JSON.stringify(stack)} is not a stack name of A-Za-z0-9_.-`);
        const account = values.account ?? "123456789012";
        if (!ACCOUNT.test(account)) throw new UsageError(`--account ${JSON.stringify(account)} is not a 12-digit AWS account ID`);
        const region = values.region ?? "us-east-1";
        if (!/^[a-z]{2}(?:-[a-z]+)+-\d+$/.test(region))
            throw new UsageError(`--region ${JSON.stringify(region)} is not an AWS region such as eu-west-1`);
        const planned = plannedFiles({ name: values.name ?? projectName(env.root), stack, account, region });
        // Decided before anything is written: a path taken by a folder stops everything.
        for (const { file } of planned) {
            const stat = fs.lstatSync(path.join(env.root, file), { throwIfNoEntry: false });
            if (stat !== undefined && !stat.isFile()) throw new CliError(`${file} exists and is not a regular file; nothing was written`);
        }
        let written = 0;
        for (const { file, text, whenKept } of planned) {
            const target = path.join(env.root, file);
            if (fs.existsSync(target)) {
                const same = fs.readFileSync(target, "utf8") === text;
                out.write(`kept   ${file} (${same ? "as init writes it" : `it exists${whenKept === undefined ? "" : `; ${whenKept}`}`})\n`);
                continue;
            }
            fs.mkdirSync(path.dirname(target), { recursive: true });
            // Exclusive create: a file that appears meanwhile is never overwritten.
            fs.writeFileSync(target, text, { flag: "wx" });
            out.write(`wrote  ${file}\n`);
            written++;
        }
        out.write(
            written === 0
                ? "\nNothing to write: the project is set up.\n"
                : `\nNext: npm install revocable-roles @pulumi/pulumi @pulumi/aws @pulumi/aws-native && npm install --save-dev typescript\nthen: npx revocable-roles plan --stack ${stack}\n`,
        );
        return 0;
    } catch (error) {
        return fail(error, err, USAGE);
    }
}

/** The command as a process runs it: in the folder it is started in. */
export function run(argv: string[]): Promise<number> {
    return main(argv, process.stdout, process.stderr, { root: process.cwd() });
}

if (require.main === module) runAsProcess(run);

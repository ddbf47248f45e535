/**
 * `revocable-roles init`: sets up a folder (empty, or an existing Pulumi project) for revocable
 * roles (what it writes is revocation/projectFiles.ts's). It never overwrites a file: an existing
 * package.json gets the scripts it lacks, anything else that exists is kept and named, so running
 * it again changes nothing.
 */
import { ACCOUNT } from "../iam/patterns";
import { FileStep, packageInstalled, plannedFiles, projectName, writeProject } from "../revocation/projectFiles";
import { CommandIO, Values } from "./command";
import type { InitFlags } from "./commands";
import { Environment } from "./environment";
import { UsageError } from "./io";

/** `init`: the project's files, written where they are missing. */
export async function run(values: Values<InitFlags>, { out }: CommandIO, env: Environment): Promise<number> {
    const stack = values.stack ?? "dev";
    if (!/^[A-Za-z0-9_.-]+$/.test(stack)) throw new UsageError(`--stack ${JSON.stringify(stack)} is not a stack name of A-Za-z0-9_.-`);
    const account = values.account ?? "123456789012";
    if (!ACCOUNT.test(account)) throw new UsageError(`--account ${JSON.stringify(account)} is not a 12-digit AWS account ID`);
    const region = values.region ?? "us-east-1";
    if (!/^[a-z]{2}(?:-[a-z]+)+-\d+$/.test(region))
        throw new UsageError(`--region ${JSON.stringify(region)} is not an AWS region such as eu-west-1`);
    const { files } = writeProject(env.root, plannedFiles({ name: values.name ?? projectName(env.root), stack, account, region }));
    for (const step of files) out.write(`${line(step)}\n`);
    if (files.every((f) => f.action === "kept")) {
        out.write("\nNothing to write: the project is set up.\n");
        return 0;
    }
    // npm run plan works where package.json has init's plan script; npx always does.
    const ownPlan = files.some((f) => f.file === "package.json" && f.action === "kept" && f.note?.startsWith("its script plan ") === true);
    const plan = ownPlan ? `npx revocable-roles plan --stack ${stack}` : `npm run plan -- --stack ${stack}`;
    out.write(
        packageInstalled(env.root)
            ? `\nNext: ${plan}\n`
            : `\nNext: npm install revocable-roles @pulumi/pulumi @pulumi/aws @pulumi/aws-native typescript@5\nthen: ${plan}\n`,
    );
    return 0;
}

/** One line per file: `wrote  f`, `added  scripts ... to f`, `kept   f (why)`. */
function line({ file, action, note }: FileStep): string {
    if (action === "wrote") return `wrote  ${file}`;
    if (action === "added") return `added  ${note} to ${file}`;
    return `kept   ${file} (${note})`;
}

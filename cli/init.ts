/**
 * `revocable-roles init`: sets up a folder (empty, or an existing Pulumi project) for revocable
 * roles (what it writes is revocation/projectFiles.ts's). It never overwrites a file: what exists
 * is kept and named, so running it again changes nothing.
 */
import { ACCOUNT } from "../iam/patterns";
import { plannedFiles, projectName, writeProject } from "../revocation/projectFiles";
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
    for (const { file, written, note } of files) out.write(written ? `wrote  ${file}\n` : `kept   ${file} (${note})\n`);
    out.write(
        files.every((f) => !f.written)
            ? "\nNothing to write: the project is set up.\n"
            : `\nNext: npm install revocable-roles @pulumi/pulumi @pulumi/aws @pulumi/aws-native && npm install --save-dev typescript\nthen: npx revocable-roles plan --stack ${stack}\n`,
    );
    return 0;
}

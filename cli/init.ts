/**
 * `revocable-roles init`: sets up a folder (empty, or an existing Pulumi project) for revocable
 * roles (what it writes is revocation/projectFiles.ts's). It never overwrites a file: what exists
 * is kept and named, so running it again changes nothing.
 */
import { ACCOUNT } from "../iam/patterns";
import { plannedFiles, projectName, writeProject } from "../revocation/projectFiles";
import { Command, Main, command, mainOf } from "./command";
import { UsageError } from "./io";

export const init: Command = command({
    usage: "usage: revocable-roles init [--stack <name>] [--account <12-digit id>] [--region <region>] [--name <project>]",
    description:
        "Writes into this folder what a project needs for revocable roles, and never overwrites a file:\nPulumi.yaml (if absent), a one-line index.ts that declares every role of the stack files, a\npackage.json and tsconfig.json (if absent), a first stack file Pulumi.<stack>.yaml with one\nexample role, the three GitHub Actions workflows (.github/workflows/revocable-roles-*.yml) and\n.github/CODEOWNERS.example. Running it again writes nothing.",
    flags: {
        stack: { type: "string", value: "<name>", description: "the first stack; default dev" },
        account: {
            type: "string",
            value: "<id>",
            description:
                "the AWS account the stack deploys to; default 123456789012 (a placeholder: aws:allowedAccountIds then refuses every real account until you set yours)",
        },
        region: { type: "string", value: "<region>", description: "default us-east-1" },
        name: {
            type: "string",
            value: "<project>",
            description: "the Pulumi project's name, for a new Pulumi.yaml; default this folder's name",
        },
    },
    async run(values, { out }, env) {
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
    },
});

/** The command line, as tests call it. */
export const main: Main = mainOf(init);

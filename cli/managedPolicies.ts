/**
 * `npm run managed-policies`: rebuilds iam/managedPolicyCatalog.json from the AWS-managed
 * policy documents that moto's IAM server carries, starting the server on loopback itself (or
 * reading `--endpoint-url`). One command for a new snapshot; review the diff, then commit it.
 */
import * as fs from "fs";
import * as path from "path";
import { GetPolicyVersionCommand, IAMClient, ListPoliciesCommand } from "@aws-sdk/client-iam";
import { CATALOG_FILE, ManagedPolicyCatalog, catalogText, policyFacts } from "../iam/managedPolicies";
import { MOTO_INSTALL_HINT, startMotoServer } from "../apply/localIam";
import { Command, command, runCommand } from "./command";
import { CliError } from "./io";
import { runAsProcess } from "./process";

/** Reads every AWS-managed policy of an IAM endpoint into a catalog. */
export async function buildCatalog(client: IAMClient, source: string): Promise<ManagedPolicyCatalog> {
    const policies: ManagedPolicyCatalog["policies"] = {};
    let marker: string | undefined;
    do {
        const page = await client.send(new ListPoliciesCommand({ Scope: "AWS", Marker: marker, MaxItems: 1000 }));
        for (const policy of page.Policies ?? []) {
            const version = await client.send(new GetPolicyVersionCommand({ PolicyArn: policy.Arn, VersionId: policy.DefaultVersionId }));
            policies[policy.PolicyName!] = policyFacts(policy.Path ?? "/", version.PolicyVersion?.Document ?? '{"Statement":[]}');
        }
        marker = page.IsTruncated ? page.Marker : undefined;
    } while (marker !== undefined);
    return { source, policies };
}

export const managedPolicies: Command = command({
    usage: "usage: npm run managed-policies [-- --endpoint-url <moto endpoint>] [--source <text>]",
    description: `Rebuilds ${path.relative(path.join(__dirname, ".."), CATALOG_FILE)} from moto's copy of the AWS-managed policies:\nit starts moto_server on 127.0.0.1 (or reads --endpoint-url), lists every policy with its path and\ndefault version, and writes one line per policy.`,
    flags: {
        "endpoint-url": { type: "string", value: "<url>", description: "moto's IAM endpoint; default moto_server, started for the run" },
        source: { type: "string", value: "<text>", description: "where the snapshot comes from, in words, for the catalog" },
    },
    async run(values, { out }, env) {
        const server =
            values["endpoint-url"] === undefined ? await startMotoServer({ env: env.variables, managedPolicies: true }) : undefined;
        if (values["endpoint-url"] === undefined && server === undefined) throw new CliError(MOTO_INSTALL_HINT);
        const endpoint = values["endpoint-url"] ?? server!.endpoint;
        const client = new IAMClient({
            endpoint,
            region: "us-east-1",
            credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
        });
        try {
            const built = await buildCatalog(client, values.source ?? "moto 5.2.1's copy of AWS's managed policy documents");
            fs.writeFileSync(CATALOG_FILE, catalogText(built));
            out.write(`wrote ${Object.keys(built.policies).length} policies to ${path.relative(env.root, CATALOG_FILE)}\n`);
        } finally {
            client.destroy();
            await server?.stop();
        }
        return 0;
    },
});

if (require.main === module)
    runAsProcess((argv, env, hooks) =>
        runCommand(managedPolicies, argv, { out: process.stdout, err: process.stderr, onInterrupt: hooks.onInterrupt }, env),
    );

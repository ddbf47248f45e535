/**
 * `npm run managed-policies` (`revocable-roles managed-policies`, left out of its help): rebuilds iam/managedPolicyCatalog.json from the AWS-managed
 * policy documents that moto's IAM server carries, starting the server on loopback itself (or
 * reading `--endpoint-url`). One command for a new snapshot; review the diff, then commit it.
 */
import * as fs from "fs";
import * as path from "path";
import { GetPolicyVersionCommand, IAMClient, ListPoliciesCommand } from "@aws-sdk/client-iam";
import { CATALOG_FILE, ManagedPolicyCatalog, catalogText, policyFacts } from "../iam/managedPolicies";
import { MOTO_INSTALL_HINT, startMotoServer } from "../apply/localIam";
import { CommandIO, Values } from "./command";
import type { ManagedPoliciesFlags } from "./commands";
import { Environment } from "./environment";
import { CliError } from "./io";

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

/** `managed-policies`: the catalog rebuilt from moto's copy of the policies. */
export async function run(values: Values<ManagedPoliciesFlags>, { out }: CommandIO, env: Environment): Promise<number> {
    const server = values["endpoint-url"] === undefined ? await startMotoServer({ env: env.variables, managedPolicies: true }) : undefined;
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
}

/**
 * What AWS-managed policies let a role do with `sts:AssumeRole`, from AWS's published documents:
 * for every AWS-managed policy known here, the resource patterns on which one of its Allow
 * statements allows sts:AssumeRole (conditions ignored, so never fewer than AWS would allow).
 * A policy not in this catalog, or a customer-managed one, is unknown, and the containment
 * analysis treats it as one that may allow anything.
 *
 * `npm run managed-policies` rebuilds analysis/assumeRoleCatalog.json from the copies of AWS's
 * documents that moto's IAM server carries (MOTO_IAM_LOAD_MANAGED_POLICIES=true); a test checks
 * a sample of the catalog against that server.
 */
import * as fs from "fs";
import * as path from "path";
import { GetPolicyVersionCommand, IAMClient, ListPoliciesCommand } from "@aws-sdk/client-iam";
import { PolicyDocument, asList, decodePolicyDocument } from "../components/policy";
import { wildcardCovers } from "./trust";

/** The catalog file. */
export const CATALOG_FILE = path.join(__dirname, "assumeRoleCatalog.json");

/** The catalog: where it comes from, and per policy name the patterns on which it allows sts:AssumeRole (empty: nowhere). */
export interface ManagedPolicyCatalog {
    source: string;
    policies: Record<string, string[]>;
}

let catalog: ManagedPolicyCatalog | undefined;

/** The catalog, read once. */
export function managedPolicyCatalog(): ManagedPolicyCatalog {
    catalog ??= JSON.parse(fs.readFileSync(CATALOG_FILE, "utf8")) as ManagedPolicyCatalog;
    return catalog;
}

/** Whether an action pattern (or a NotAction list) lets a statement cover `sts:AssumeRole`. */
export function coversAssumeRole(statement: PolicyDocument["Statement"][number]): boolean {
    const action = "sts:assumerole";
    if (statement.NotAction !== undefined)
        return !asList(statement.NotAction).some((pattern) => wildcardCovers(pattern.toLowerCase(), action));
    return asList(statement.Action).some((pattern) => wildcardCovers(pattern.toLowerCase(), action));
}

/** The resource patterns on which a document's Allow statements allow sts:AssumeRole (`NotResource:` prefixed for NotResource). */
export function assumeRolePatterns(document: PolicyDocument): string[] {
    // A single statement may be written without the list around it.
    const statements = Array.isArray(document.Statement) ? document.Statement : [document.Statement as PolicyDocument["Statement"][number]];
    return statements
        .filter((s) => s.Effect === "Allow" && coversAssumeRole(s))
        .flatMap((s) => (s.Resource !== undefined ? asList(s.Resource) : asList(s.NotResource).map((r) => `NotResource:${r}`)));
}

/** The AWS-managed policy name of an ARN, or undefined for a customer-managed policy. */
export function awsManagedName(arn: string): string | undefined {
    return /^arn:[^:]+:iam::aws:policy\/(?:.*\/)?([^/]+)$/.exec(arn)?.[1];
}

/** Rebuilds the catalog from an IAM endpoint that carries the AWS-managed policies. */
export async function buildCatalog(client: IAMClient, source: string): Promise<ManagedPolicyCatalog> {
    const policies: Record<string, string[]> = {};
    let marker: string | undefined;
    do {
        const page = await client.send(new ListPoliciesCommand({ Scope: "AWS", Marker: marker, MaxItems: 1000 }));
        for (const policy of page.Policies ?? []) {
            const version = await client.send(new GetPolicyVersionCommand({ PolicyArn: policy.Arn, VersionId: policy.DefaultVersionId }));
            policies[policy.PolicyName!] = assumeRolePatterns(decodePolicyDocument(version.PolicyVersion?.Document ?? '{"Statement":[]}'));
        }
        marker = page.IsTruncated ? page.Marker : undefined;
    } while (marker !== undefined);
    return { source, policies: Object.fromEntries(Object.entries(policies).sort(([a], [b]) => a.localeCompare(b))) };
}

if (require.main === module) {
    const [endpoint, source] = process.argv.slice(2);
    if (endpoint === undefined || source === undefined) {
        process.stderr.write('usage: npm run managed-policies -- <moto endpoint> <source, such as "moto 5.2.1">\n');
        process.exit(1);
    }
    const client = new IAMClient({ endpoint, region: "us-east-1", credentials: { accessKeyId: "testing", secretAccessKey: "testing" } });
    void buildCatalog(client, source).then((built) => {
        fs.writeFileSync(CATALOG_FILE, `${JSON.stringify(built, null, 1)}\n`);
        process.stdout.write(`wrote ${Object.keys(built.policies).length} policies to ${path.relative(process.cwd(), CATALOG_FILE)}\n`);
    });
}

/**
 * One measured run, in a fresh process: the offline plan of a stack (`plan <root> <stack>`), or
 * the baseline that registers the identical resources directly (`baseline <root> <resources.json>`).
 * Prints `{"resources": n, "ms": wall ms of the run, "peakMiB": peak RSS}` on stdout.
 */
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as iam from "@pulumi/aws/iam";
import { planStack } from "../cli/plan";
import { runOffline, useFastStackTraces } from "../cli/offline";
import { PlannedResource } from "../analysis/plan";
import { loadStack } from "../config/loader";
import { directorySource } from "../config/sources";

type Constructor = new (name: string, args: never, opts?: pulumi.CustomResourceOptions) => pulumi.Resource;

/** The resource classes the program uses, by type token. */
const CLASSES: Record<string, Constructor> = {
    "aws:iam/role:Role": iam.Role as unknown as Constructor,
    "aws:iam/rolePolicy:RolePolicy": iam.RolePolicy as unknown as Constructor,
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": iam.RolePolicyAttachment as unknown as Constructor,
};

/** The raw-resource floor: the same types, names, parents and inputs, documents already serialized. */
function registerDirectly(resources: PlannedResource[]): void {
    const byUrn = new Map<string, pulumi.Resource>();
    for (const r of resources) {
        const parent = r.parent === null ? undefined : byUrn.get(r.parent);
        const Class = CLASSES[r.type];
        const resource =
            Class === undefined
                ? new pulumi.ComponentResource(r.type, r.name, {}, { parent })
                : new Class(r.name, r.inputs as never, { parent, ...(r.type.includes("rolePolicy:") ? { deleteBeforeReplace: true } : {}) });
        byUrn.set(r.urn, resource);
    }
}

async function main(): Promise<void> {
    useFastStackTraces(); // as `npm run plan` does
    const [mode, root, target] = process.argv.slice(2);
    const start = performance.now();
    let resources: number;
    if (mode === "plan") {
        resources = (await planStack(loadStack(directorySource(root), target))).resources.length;
    } else {
        const planned = JSON.parse(fs.readFileSync(path.join(root, target), "utf8")) as PlannedResource[];
        const run = await runOffline(() => registerDirectly(planned), { project: "revocable-roles", stack: "bench", config: {} });
        if (run.error !== undefined) throw run.error;
        resources = run.registrations.length;
    }
    const ms = performance.now() - start;
    process.stdout.write(`${JSON.stringify({ resources, ms, peakMiB: process.resourceUsage().maxRSS / 1024 })}\n`);
}

main().catch((error) => {
    process.stderr.write(`${String(error?.stack ?? error)}\n`);
    process.exit(1);
});

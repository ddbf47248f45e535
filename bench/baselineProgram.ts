/**
 * The raw-resource floor as a Pulumi program: the resources the real program registered for a
 * stack (written by `npm run bench` to the file named by the `bench:resources` config key),
 * declared directly, with no stack file, no validation and no component code.
 *
 * It is loaded and run exactly as the plan loads and runs `index.ts`, and declares its resources
 * the way that program does, one role (one top-level resource and its children) at a time, so
 * the two differ only in what the programs themselves compute.
 */
import * as fs from "fs";
import * as pulumi from "@pulumi/pulumi";
import * as iam from "@pulumi/aws/iam";
import { BaselineResource } from "./baseline";

type Constructor = new (name: string, args: never, opts?: pulumi.CustomResourceOptions) => pulumi.Resource;

/** The resource classes the program uses, by type token. */
const CLASSES: Record<string, Constructor> = {
    "aws:iam/role:Role": iam.Role as unknown as Constructor,
    "aws:iam/rolePolicy:RolePolicy": iam.RolePolicy as unknown as Constructor,
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": iam.RolePolicyAttachment as unknown as Constructor,
};

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

export = async (): Promise<void> => {
    const resources = JSON.parse(fs.readFileSync(new pulumi.Config("bench").require("resources"), "utf8")) as BaselineResource[];
    // The same types, names, parents, inputs and options (aliases, delete-before-replace), documents
    // already serialized, and the same wiring: an input that came from the role's name takes the
    // role's name Output here too, as any program must for its policies to be replaced with their role.
    const byUrn = new Map<string, pulumi.Resource>();
    for (const r of resources) {
        if (r.parent === null && byUrn.size > 0) await nextTurn();
        const parent = r.parent === null ? undefined : byUrn.get(r.parent);
        const Class = CLASSES[r.type];
        const inputs: Record<string, unknown> = { ...r.inputs };
        for (const [property, [urn]] of Object.entries(r.propertyDependencies)) {
            const source = byUrn.get(urn);
            if (source instanceof iam.Role) inputs[property] = source.name;
        }
        const aliases = r.aliases.filter((a): a is { type: string } => "type" in a);
        const resource =
            Class === undefined
                ? new pulumi.ComponentResource(r.type, r.name, {}, { parent, aliases })
                : new Class(r.name, inputs as never, { parent, aliases, deleteBeforeReplace: r.deleteBeforeReplace });
        byUrn.set(r.urn, resource);
    }
};

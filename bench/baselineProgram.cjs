// The raw-resource floor as a Pulumi program: the resources the real program registered for a
// stack (written by `npm run bench` to the file named by the `bench:resources` config key),
// declared directly, with no stack file, no validation and no component code.
//
// It is loaded and run exactly as the plan loads and runs `index.ts`, and declares its resources
// the way that program does, one role (one top-level resource and its children) at a time, so the
// two differ only in what the programs themselves compute. Plain JavaScript, so that the floor
// process loads no compiler.
"use strict";
const fs = require("fs");
const pulumi = require("@pulumi/pulumi");
const iam = require("@pulumi/aws/iam");

/** The resource classes the program uses, by type token. */
const CLASSES = {
    "aws:iam/role:Role": iam.Role,
    "aws:iam/rolePolicy:RolePolicy": iam.RolePolicy,
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": iam.RolePolicyAttachment,
};

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

module.exports = async () => {
    const resources = JSON.parse(fs.readFileSync(new pulumi.Config("bench").require("resources"), "utf8"));
    // The same types, names, parents, inputs and options (aliases, delete-before-replace), documents
    // already serialized, and the same wiring: an input that came from the role's name takes the
    // role's name Output here too, as any program must for its policies to be replaced with their role.
    const byUrn = new Map();
    for (const r of resources) {
        if (r.parent === null && byUrn.size > 0) await nextTurn();
        const parent = r.parent === null ? undefined : byUrn.get(r.parent);
        const Class = CLASSES[r.type];
        const inputs = { ...r.inputs };
        for (const [property, [urn]] of Object.entries(r.propertyDependencies)) {
            const source = byUrn.get(urn);
            if (source instanceof iam.Role) inputs[property] = source.name;
        }
        const aliases = r.aliases.filter((a) => "type" in a);
        const options = { parent, aliases, ...(r.protect ? { protect: true } : {}) };
        const resource =
            Class === undefined
                ? new pulumi.ComponentResource(r.type, r.name, {}, options)
                : new Class(r.name, inputs, { ...options, deleteBeforeReplace: r.deleteBeforeReplace });
        byUrn.set(r.urn, resource);
    }
};

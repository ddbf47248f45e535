/**
 * The examples in examples/: the Pulumi YAML program is checked against the committed package
 * schema (every property known, of its type, plain where the schema says so, every output
 * reference resolvable), as `pulumi preview` would before running it. The TypeScript program is
 * type-checked by the lint and run from the packed package by tests/pack.test.ts.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { PROJECT_ROOT } from "../cli/project";
import { PACKAGE_SCHEMA_FILE } from "../package/packageSchema";

/** The part of a Pulumi package schema's type specs that the checks read. */
interface Spec {
    type?: string;
    $ref?: string;
    items?: Spec;
    additionalProperties?: Spec;
    plain?: boolean;
    properties?: Record<string, Spec>;
    required?: string[];
    enum?: { value: unknown }[];
}

interface PackageSchema {
    name: string;
    types: Record<string, Spec>;
    resources: Record<string, { inputProperties: Record<string, Spec>; requiredInputs?: string[]; properties: Record<string, Spec> }>;
}

const INTERPOLATION = /\$\{([^}]*)\}/g;

/** Whether a YAML value is computed by the engine: an interpolation or an fn:: call. */
function computed(value: unknown): boolean {
    if (typeof value === "string") return /\$\{[^}]*\}/.test(value);
    return value !== null && typeof value === "object" && !Array.isArray(value) && Object.keys(value).some((k) => k.startsWith("fn::"));
}

/** The problems of one value against its spec; `where` is the path for messages. */
function problems(value: unknown, spec: Spec, where: string, schema: PackageSchema): string[] {
    if (computed(value)) {
        if (spec.plain === true) return [`${where}: is plain in the schema, so it takes a literal value, not ${JSON.stringify(value)}`];
        if (typeof value === "string" && spec.type !== "string" && !/^\$\{[^}]*\}$/.test(value)) {
            return [`${where}: ${JSON.stringify(value)} is a string, the schema wants ${spec.type ?? spec.$ref}`];
        }
        return [];
    }
    if (spec.$ref === "pulumi.json#/Any") return [];
    if (spec.$ref !== undefined) {
        const named = schema.types[spec.$ref.replace(/^#\/types\//, "")];
        if (named === undefined) return [`${where}: the schema has no type ${spec.$ref}`];
        if (named.enum !== undefined && !named.enum.some((e) => e.value === value)) {
            return [`${where}: ${JSON.stringify(value)} is not one of ${named.enum.map((e) => JSON.stringify(e.value)).join(", ")}`];
        }
        return named.enum !== undefined ? [] : problems(value, { ...named, plain: spec.plain }, where, schema);
    }
    const kind = Array.isArray(value) ? "array" : value === null ? "null" : typeof value;
    const wanted = spec.type === "integer" ? "number" : spec.type;
    if (kind !== wanted) return [`${where}: ${JSON.stringify(value)} is not of type ${spec.type}`];
    if (spec.type === "array") return (value as unknown[]).flatMap((item, i) => problems(item, spec.items ?? {}, `${where}[${i}]`, schema));
    if (spec.type !== "object") return [];
    const object = value as Record<string, unknown>;
    if (spec.properties !== undefined) {
        return [
            ...(spec.required ?? []).filter((key) => !(key in object)).map((key) => `${where}: ${key} is required`),
            ...Object.entries(object).flatMap(([key, v]) =>
                spec.properties![key] === undefined
                    ? [`${where}.${key}: is not a property of the schema (${Object.keys(spec.properties!).join(", ")})`]
                    : problems(v, spec.properties![key], `${where}.${key}`, schema),
            ),
        ];
    }
    return Object.entries(object).flatMap(([key, v]) => problems(v, spec.additionalProperties ?? {}, `${where}.${key}`, schema));
}

/** Follows `a.b.c` through a resource's outputs in the schema; returns a problem or undefined. */
function outputProblem(
    reference: string,
    resources: Record<string, { type: string }>,
    schema: PackageSchema,
    where: string,
): string | undefined {
    const [name, ...fields] = reference.split(".");
    const resource = resources[name];
    if (resource === undefined) return `${where}: \${${reference}} names no resource of the program`;
    const component = schema.resources[resource.type];
    if (component === undefined || fields.length === 0) return undefined;
    let spec: Spec | undefined = { type: "object", properties: component.properties };
    for (const field of fields) {
        while (spec?.$ref !== undefined) spec = schema.types[spec.$ref.replace(/^#\/types\//, "")];
        spec = spec?.properties?.[field];
        if (spec === undefined) return `${where}: \${${reference}}: ${resource.type} has no output ${fields.join(".")}`;
    }
    return undefined;
}

/** Every problem of a Pulumi YAML program's use of the package's resources. */
export function checkYamlProgram(text: string, schema: PackageSchema): string[] {
    const program = YAML.parse(text) as {
        resources?: Record<string, { type: string; properties?: Record<string, unknown> }>;
        outputs?: Record<string, unknown>;
    };
    const resources = program.resources ?? {};
    const found: string[] = [];
    for (const [name, resource] of Object.entries(resources)) {
        const component = schema.resources[resource.type];
        if (!resource.type.startsWith(`${schema.name}:`)) continue;
        const where = `resources.${name}.properties`;
        if (component === undefined) {
            found.push(
                `resources.${name}.type: ${resource.type} is not a resource of the package (${Object.keys(schema.resources).join(", ")})`,
            );
            continue;
        }
        found.push(
            ...problems(
                resource.properties ?? {},
                { type: "object", properties: component.inputProperties, required: component.requiredInputs },
                where,
                schema,
            ),
        );
    }
    const references = [...JSON.stringify(program).matchAll(INTERPOLATION)].map((m) => m[1]);
    for (const reference of new Set(references)) {
        const problem = outputProblem(reference, resources, schema, "program");
        if (problem !== undefined) found.push(problem);
    }
    return found;
}

const SCHEMA = JSON.parse(fs.readFileSync(PACKAGE_SCHEMA_FILE, "utf8")) as PackageSchema;
const EXAMPLE = fs.readFileSync(path.join(PROJECT_ROOT, "examples", "yaml", "Pulumi.yaml"), "utf8");

describe("the Pulumi YAML example", () => {
    it("uses only what the committed package schema declares, with plain values where it wants them", () => {
        assert.deepStrictEqual(checkYamlProgram(EXAMPLE, SCHEMA), []);
    });

    it("names the package's local folder as pulumi package add writes it", () => {
        assert.deepStrictEqual((YAML.parse(EXAMPLE) as { packages: unknown }).packages, {
            "revocable-roles": "./node_modules/revocable-roles/package",
        });
    });

    it("the check catches every kind of mistake, so the test above can fail", () => {
        const broken = EXAMPLE.replace(
            "      roleName: ci-deployer\n",
            "      roleName: ${artifacts.bucket}\n      maxSessionDuration: 1h\n      backend: cdk\n",
        )
            .replace("        githubActions:\n          repositories:", "        githubActions:\n          repos:")
            .replace('            - Effect: Allow\n              Action: ["s3:PutObject"]', '            - Action: ["s3:PutObject"]')
            .replace("${deployer.revocation.cutoff}", "${deployer.revocation.until}")
            .replace("${deployer.roleName}", "${deployr.roleName}");
        assert.deepStrictEqual(checkYamlProgram(broken, SCHEMA), [
            'resources.deployer.properties.roleName: is plain in the schema, so it takes a literal value, not "${artifacts.bucket}"',
            'resources.deployer.properties.maxSessionDuration: "1h" is not of type number',
            'resources.deployer.properties.backend: "cdk" is not one of "aws", "aws-native"',
            "resources.deployer.properties.trust.githubActions: repositories is required",
            "resources.deployer.properties.trust.githubActions.repos: is not a property of the schema (repositories, providerArn, audience)",
            "resources.deployer.properties.inlinePolicies.deploy-artifacts.Statement[0]: Effect is required",
            "program: ${deployr.roleName} names no resource of the program",
            "program: ${deployer.revocation.until}: revocable-roles:index:RevocableRole has no output revocation.until",
        ]);
    });

    it("refuses a program without the required trust", () => {
        const untrusted = EXAMPLE.replace(
            '      trust:\n        githubActions:\n          repositories: ["acme/infra:ref:refs/heads/main"]\n',
            "",
        );
        assert.notStrictEqual(untrusted, EXAMPLE);
        assert.deepStrictEqual(checkYamlProgram(untrusted, SCHEMA), ["resources.deployer.properties: trust is required"]);
    });
});

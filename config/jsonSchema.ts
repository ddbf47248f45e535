/**
 * The JSON Schema of a stack file, generated from the same zod schema the program validates
 * with, for editors' YAML language servers. `npm run schema` rewrites the committed file.
 */
import * as fs from "fs";
import * as path from "path";
import { z } from "zod";
import { NAMESPACE, stackConfigSchema } from "./stackConfig";

/** Where the committed schema lives. */
export const SCHEMA_FILE: string = path.resolve(__dirname, "..", "schema", "stack-config.schema.json");

/** The JSON Schema of `Pulumi.<stack>.yaml`. */
export function stackFileJsonSchema(): object {
    const shape = stackConfigSchema().shape;
    const property = (schema: z.ZodType) => {
        const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { unrepresentable: "any", io: "input" }) as Record<string, unknown>;
        return rest;
    };
    return {
        $schema: "https://json-schema.org/draft/2020-12/schema",
        title: "revocable-roles stack file (Pulumi.<stack>.yaml)",
        type: "object",
        properties: {
            config: {
                type: "object",
                properties: Object.fromEntries(
                    Object.entries(shape).map(([key, schema]) => [`${NAMESPACE}:${key}`, property(schema as z.ZodType)]),
                ),
                // A stack declares roles, or (an organization stack) organization-wide revocations, or both.
                anyOf: [`${NAMESPACE}:roles`, `${NAMESPACE}:organization`].map((key) => ({ properties: { [key]: true }, required: [key] })),
                // Other namespaces (aws:region, pulumi:...) are free; unknown keys of ours are errors.
                patternProperties: { [`^(?!${NAMESPACE}:)[^:]+:.+$`]: {} },
                additionalProperties: false,
            },
        },
    };
}

/** The schema file's exact text. */
export function schemaText(): string {
    return `${JSON.stringify(stackFileJsonSchema(), null, 2)}\n`;
}

if (require.main === module) {
    fs.mkdirSync(path.dirname(SCHEMA_FILE), { recursive: true });
    fs.writeFileSync(SCHEMA_FILE, schemaText());
    process.stdout.write(`wrote ${path.relative(process.cwd(), SCHEMA_FILE)}\n`);
}

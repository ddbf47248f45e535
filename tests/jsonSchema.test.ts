/**
 * The JSON Schema editors use for stack files, checked with a standard validator (ajv) against
 * every fixture: it accepts the good ones and refuses every structural error the program refuses.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import Ajv2020 from "ajv/dist/2020";
import * as YAML from "yaml";
import { FIXTURES, fixture } from "./helpers";
import { SCHEMA_FILE, schemaText } from "../config/jsonSchema";

const validate = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true }).compile(
    JSON.parse(fs.readFileSync(SCHEMA_FILE, "utf8")),
);

/** The schema's verdict on a fixture: "valid", or its first error. */
function verdict(...parts: string[]): string {
    return validate(YAML.parse(fixture(...parts))) ? "valid" : `${validate.errors![0].instancePath} ${validate.errors![0].message}`;
}

describe("the JSON Schema of the stack file", () => {
    it("is committed exactly as the schema generates it", () => {
        assert.strictEqual(fs.readFileSync(SCHEMA_FILE, "utf8"), schemaText());
    });

    it("carries the rules editors can check: patterns, ranges and enums", () => {
        const role = JSON.parse(fs.readFileSync(SCHEMA_FILE, "utf8")).properties.config.properties["revocable-roles:roles"]
            .additionalProperties.properties;
        assert.deepStrictEqual(
            {
                name: role.name.pattern,
                session: [role.maxSessionDuration.minimum, role.maxSessionDuration.maximum],
                cutoff: role.revokeBefore.pattern,
                account: role.trust.properties.accounts.items.pattern,
            },
            {
                name: "^[A-Za-z0-9+=,.@_-]{1,64}$",
                session: [3600, 43200],
                cutoff: "^(\\d{4})-(\\d{2})-(\\d{2})T(\\d{2}):(\\d{2})(?::(\\d{2})(?:\\.(\\d{1,3}))?)?(Z|[+-]\\d{2}:\\d{2})$",
                account: "^\\d{12}$",
            },
        );
    });

    for (const file of [
        "stacks/Pulumi.dev.yaml",
        "stacks/Pulumi.ci.yaml",
        "diff/Pulumi.before.yaml",
        "diff/Pulumi.after.yaml",
        "revoke/Pulumi.commented.yaml",
    ]) {
        it(`accepts the good fixture ${file}`, () => {
            assert.strictEqual(verdict(...file.split("/")), "valid");
        });
    }

    // A bad fixture whose errors no JSON Schema can express says why in its first line; the schema
    // must refuse every other one, and must accept those (so that the note stays true).
    for (const file of fs.readdirSync(path.join(FIXTURES, "bad")).sort()) {
        const note = /^# not in the JSON Schema: (.*)$/m.exec(fixture("bad", file))?.[1];
        it(note === undefined ? `refuses bad/${file}, as the program does` : `cannot refuse bad/${file}: ${note}`, () => {
            const result = verdict("bad", file);
            if (note === undefined) assert.notStrictEqual(result, "valid");
            else assert.strictEqual(result, "valid");
        });
    }
});

/**
 * The package's Pulumi schema, as Pulumi infers it from the component class and its args
 * interface when a program runs `pulumi package add`. `npm run schema` rewrites the committed copy
 * (package/schema.json), which documents the package for every language and which a test keeps
 * equal to what the provider serves.
 */
import * as fs from "fs";
import * as path from "path";
import { ComponentProvider } from "@pulumi/pulumi/provider/experimental";
import { RevocableRole } from "../components/revocableRole";

/** The package folder: PulumiPlugin.yaml, package.json, tsconfig.json and the entry point. */
export const PACKAGE_DIR: string = __dirname;

/** The committed schema. */
export const PACKAGE_SCHEMA_FILE: string = path.join(PACKAGE_DIR, "schema.json");

/** The provider Pulumi's Node.js plugin host starts for this package. */
export function componentProvider(): ComponentProvider {
    const name = (JSON.parse(fs.readFileSync(path.join(PACKAGE_DIR, "package.json"), "utf8")) as { name: string }).name;
    return new ComponentProvider({ dirname: PACKAGE_DIR, name, components: [RevocableRole] });
}

/** The schema file's exact text. */
export async function packageSchemaText(provider: ComponentProvider = componentProvider()): Promise<string> {
    return `${JSON.stringify(JSON.parse(await provider.getSchema()), null, 2)}\n`;
}

if (require.main === module) {
    void packageSchemaText().then((text) => {
        fs.writeFileSync(PACKAGE_SCHEMA_FILE, text);
        process.stdout.write(`wrote ${path.relative(process.cwd(), PACKAGE_SCHEMA_FILE)}\n`);
    });
}

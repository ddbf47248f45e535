/** Where the tools run from. */
import * as path from "path";

/** This checkout: the folder with Pulumi.yaml, index.ts and node_modules. */
export const PROJECT_ROOT: string = path.resolve(__dirname, "..");

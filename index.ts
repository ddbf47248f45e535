/**
 * The Pulumi program of this project: every role of the stack's config (Pulumi.<stack>.yaml),
 * declared by the package's stack config program. The Pulumi CLI calls the exported function and
 * publishes what it returns as the stack's outputs.
 */
import { stackConfigProgram } from "./component";

export = stackConfigProgram;

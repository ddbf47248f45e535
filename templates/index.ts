/**
 * The Pulumi program of this project: every role of the stack's config (Pulumi.<stack>.yaml),
 * declared by the package's stack config program, imported by the package's name as any project
 * that installs revocable-roles imports it. The Pulumi CLI calls the exported function and
 * publishes what it returns as the stack's outputs.
 */
import { stackConfigProgram } from "revocable-roles";

export = stackConfigProgram;

/**
 * The names of a project's files, in one place: the program, the tools and their messages build
 * them here. A module of its own, without the loader's parsers, so that the program (which runs on
 * every `pulumi up`) and the analyses can name a stack file without loading a YAML reader.
 */

/** The only project file this project supports. */
export const PROJECT_FILE = "Pulumi.yaml";

/** The stack file of a stack. */
export function stackFileName(stack: string): string {
    return `Pulumi.${stack}.yaml`;
}

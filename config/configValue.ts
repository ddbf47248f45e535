/**
 * A config value as a program reads it: structured values arrive from the Pulumi CLI as JSON
 * strings. A module of its own, so that every reader of the config (the stack config, the account)
 * shares it without importing each other.
 */

/**
 * Reads a config value as a program does: structured values arrive from the CLI as JSON
 * strings, and a value written as a JSON string in the stack file (what `pulumi config set`
 * stores without `--path`) arrives identically, so both are read as the data they hold.
 */
export function configValue(raw: string): unknown {
    try {
        return JSON.parse(raw);
    } catch {
        return raw;
    }
}

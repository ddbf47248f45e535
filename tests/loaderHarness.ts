/** What the config loader's tests share: a stack file of one role, and the problems the loader reports for a project. */
import * as assert from "assert";
import { ConfigSourceError, loadStack } from "../config/loader";
import { memorySource } from "./helpers";

export const role = 'revocable-roles:roles:\n    ci:\n      trust:\n        accounts: ["111111111111"]\n';
export const stackFile = (extra = "") => `config:\n  aws:region: eu-west-1\n  ${role}${extra}`;

/** The problems the loader reports for a project, or "loaded". */
export function problems(files: Record<string, string>, stack = "dev"): string[] | "loaded" {
    try {
        loadStack(memorySource(files), stack);
        return "loaded";
    } catch (error) {
        assert.ok(error instanceof ConfigSourceError, String(error));
        return error.problems;
    }
}

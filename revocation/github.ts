/**
 * Texts meant for GitHub (a pull-request body, a comment) must fit its limit of 65,536 characters
 * at any size: past it the API refuses the text, and a revocation's pull request could not be
 * opened. A text that does not fit is replaced by its summary, which names the file holding the
 * full report (an artifact in CI, a file next to the body elsewhere).
 */
import * as fs from "fs";
import * as path from "path";
import { show } from "../iam/problems";
import { RequestError } from "./errors";

/** GitHub's limit for a pull-request body or an issue comment, in characters. */
export const GITHUB_TEXT_LIMIT = 65_536;

/** A text that fits, and whether it is the summary of a longer one. */
export interface Fitted {
    text: string;
    summarised: boolean;
}

/**
 * `full` when it fits in `limit` characters, else `summary()`, cut at a line end with a last line
 * saying so if even that is too long. Lengths count UTF-16 code units, never fewer than GitHub's
 * characters.
 */
export function fitForGitHub(full: string, summary: () => string, limit: number = GITHUB_TEXT_LIMIT): Fitted {
    if (full.length <= limit) return { text: full, summarised: false };
    const short = summary();
    if (short.length <= limit) return { text: short, summarised: true };
    const note = "\n\n_Cut here to fit GitHub's limit; the full report has the rest._";
    const cut = short.slice(0, limit - note.length);
    return { text: `${cut.slice(0, Math.max(0, cut.lastIndexOf("\n")))}${note}`, summarised: true };
}

/** Writes the full report beside a summary; returns the file's path. */
export function writeFullReport(file: string, full: string): string {
    fs.writeFileSync(file, full.endsWith("\n") ? full : `${full}\n`);
    return file;
}

/** Refuses a body file (`--body-file`, as `given`) that cannot be written, before the stack file is. */
export function checkBodyFile(file: string, given: string): void {
    const folder = path.dirname(file);
    if (!fs.statSync(folder, { throwIfNoEntry: false })?.isDirectory()) {
        throw new RequestError(`--body-file ${show(given)}: its folder ${path.dirname(given)} does not exist`);
    }
    if (fs.lstatSync(file, { throwIfNoEntry: false })?.isFile() === false) {
        throw new RequestError(`--body-file ${show(given)} exists and is not a regular file`);
    }
}

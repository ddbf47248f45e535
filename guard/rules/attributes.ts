/**
 * The guard and the plan read the head from git's objects; the deploy job reads a checkout, which
 * git writes through the repository's `.gitattributes`. Three attributes make the checkout differ
 * from what git stores: `filter` (a driver such as git-lfs writes other content: a stack file or
 * the program fetched from elsewhere), `working-tree-encoding` (the Pulumi CLI then reads bytes in
 * another encoding, and refuses them) and `ident` (expands `$Id$`). A change that sets one fails at
 * any time: once merged, every later pull request would be judged on bytes the deploy does not
 * read.
 */
import { Finding, failure, file } from "../findings";

/** Attributes that make git check out other bytes than it stores. */
const REWRITING = new Set(["filter", "working-tree-encoding", "ident"]);

/** One changed attributes file at the head: its path (relative to the project folder) and text. */
export interface AttributesFile {
    path: string;
    text: string;
}

/** The findings of changed `.gitattributes` files: one per line that sets a rewriting attribute. */
export function attributeRules(files: AttributesFile[]): Finding[] {
    const findings: Finding[] = [];
    for (const { path, text } of files) {
        text.split(/\r?\n/).forEach((line, index) => {
            const fields = line.trim().split(/[ \t]+/);
            if (fields[0] === undefined || fields[0] === "" || fields[0].startsWith("#")) return;
            for (const attribute of fields.slice(1)) {
                // `attr`, `attr=value` set it; `-attr` and `!attr` unset it.
                const name = attribute.split("=")[0];
                if (!REWRITING.has(name)) continue;
                findings.push(
                    failure(
                        file(path),
                        `line ${index + 1}: ${fields[0]} ${attribute} makes git check out other bytes than it stores, and the guard and the plan read what git stores: the deploy would read stack files or a program that nobody reviewed as they are checked out; remove the attribute`,
                    ),
                );
            }
        });
    }
    return findings;
}

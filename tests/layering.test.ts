/**
 * The module map of docs/design.md, enforced: every folder imports only from the folders before it.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { PROJECT_ROOT } from "../cli/project";

/** The folders in order; each may import from those before it. */
const LAYERS = ["iam", "backends", "config", "components", "plan", "analysis", "guard", "cli"];
/** Where a folder's allowed imports stop short of "everything before it". */
const NARROWER: Record<string, string[]> = { analysis: ["iam", "config"] };

/** Every relative import of the TypeScript files below a folder, as the folders they reach. */
function importsOf(folder: string): Map<string, Set<string>> {
    const found = new Map<string, Set<string>>();
    const visit = (dir: string) => {
        for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
            const full = path.join(dir, entry.name);
            if (entry.isDirectory()) visit(full);
            else if (entry.name.endsWith(".ts")) {
                const text = fs.readFileSync(full, "utf8");
                for (const [, spec] of text.matchAll(/(?:from|import\(|require\()\s*"(\.{1,2}\/[^"]+)"/g)) {
                    const target = path.relative(PROJECT_ROOT, path.resolve(path.dirname(full), spec)).split(path.sep)[0];
                    // Files at the root (package.json) are data, not a layer.
                    if (target !== folder && fs.statSync(path.join(PROJECT_ROOT, target)).isDirectory())
                        found.set(
                            path.relative(PROJECT_ROOT, full),
                            (found.get(path.relative(PROJECT_ROOT, full)) ?? new Set()).add(target),
                        );
                }
            }
        }
    };
    visit(path.join(PROJECT_ROOT, folder));
    return found;
}

/** The imports of a folder outside the allowed folders, as `file -> folder`. */
function offendersOf(folder: string, allowed: string[]): string[] {
    return [...importsOf(folder)].flatMap(([file, targets]) =>
        [...targets].filter((t) => !allowed.includes(t)).map((t) => `${file} -> ${t}`),
    );
}

describe("the module map", () => {
    for (const [index, folder] of LAYERS.entries()) {
        const allowed = NARROWER[folder] ?? LAYERS.slice(0, index);
        it(`${folder}/ imports only from ${allowed.length === 0 ? "nothing of ours" : allowed.join(", ")}`, () => {
            assert.deepStrictEqual(offendersOf(folder, allowed), []);
        });
    }

    it("notices an import against the map: the guard without the plan", () => {
        assert.deepStrictEqual(
            offendersOf("guard", ["iam", "backends", "config", "components", "analysis"]).filter((o) => o.endsWith("-> plan")),
            [
                "guard/rules/deployment.ts -> plan",
                "guard/rules/organization.ts -> plan",
                "guard/rules/provider.ts -> plan",
                "guard/sides.ts -> plan",
            ],
        );
    });
});

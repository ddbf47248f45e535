/**
 * The layer map of docs/design.md, enforced: every folder imports only from the folders before it
 * (or fewer), static imports, `require` and dynamic `import()` alike; the benchmark, the package's
 * multi-language entry and the tools only from what they name.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { PROJECT_ROOT } from "../cli/project";

/** The shipped layers in order; each may import from those before it. */
const LAYERS = ["iam", "backends", "config", "components", "plan", "analysis", "guard", "apply", "revocation", "cli"];
/** Where a layer's allowed imports stop short of "everything before it". */
const NARROWER: Record<string, string[]> = {
    analysis: ["iam", "config"],
    // The emergency path is IAM's API and nothing of the project's: what to revoke is decided above it.
    apply: ["iam"],
};
/** The folders beside the layers, and what each may import. */
const OUTSIDE: Record<string, string[]> = {
    // The multi-language package serves the component, and nothing else.
    package: ["components"],
    // The benchmark measures the shipped layers, with the tests' generators of many roles and moto.
    bench: [...LAYERS, "tests"],
    // The build, the lint and the test runner read files; they import nothing of ours.
    tools: [],
};

/** Relative imports, requires and dynamic imports in a source text. */
const IMPORT = /(?:^\s*(?:import|export)\b[^;]*?\bfrom|\bimport\(|\brequire\()\s*"(\.{1,2}\/[^"]+)"/gm;

/** Every relative import of the source files below a folder, as the folders they reach, by file. */
function importsOf(folder: string): Map<string, Set<string>> {
    const found = new Map<string, Set<string>>();
    const visit = (dir: string) => {
        for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
            const full = path.join(dir, entry.name);
            if (entry.isDirectory()) visit(full);
            else if (/\.(?:ts|mjs|cjs)$/.test(entry.name)) {
                const text = fs.readFileSync(full, "utf8");
                for (const [, spec] of text.matchAll(IMPORT)) {
                    const target = path.relative(PROJECT_ROOT, path.resolve(path.dirname(full), spec)).split(path.sep)[0];
                    // Files at the root (package.json) are data, not a layer; dist/ is the build of the layers.
                    if (target !== folder && target !== "dist" && fs.statSync(path.join(PROJECT_ROOT, target)).isDirectory())
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

const said = (allowed: string[]) => (allowed.length === 0 ? "nothing of ours" : allowed.join(", "));

describe("the layer map", () => {
    for (const [index, folder] of LAYERS.entries()) {
        const allowed = NARROWER[folder] ?? LAYERS.slice(0, index);
        it(`${folder}/ imports only from ${said(allowed)}`, () => {
            assert.deepStrictEqual(offendersOf(folder, allowed), []);
        });
    }

    for (const [folder, allowed] of Object.entries(OUTSIDE)) {
        it(`${folder}/ imports only from ${said(allowed)}`, () => {
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

    it("notices a dynamic import against the map: the command line without the guard", () => {
        assert.deepStrictEqual(
            offendersOf(
                "cli",
                LAYERS.filter((layer) => layer !== "guard"),
            ).filter((o) => o.endsWith("-> guard")),
            ["cli/guard.ts -> guard"],
        );
    });
});

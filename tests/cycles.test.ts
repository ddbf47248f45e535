/**
 * No import cycle anywhere: between the files of the shipped layers, the program, the package,
 * the benchmark and the tests, counting static imports, `require` and dynamic `import()` alike
 * (a module loaded lazily still runs half-initialised when it closes a cycle).
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { PROJECT_ROOT } from "../cli/project";

/** The folders whose files are searched, and the program. */
const ROOTS = [
    "iam",
    "backends",
    "config",
    "components",
    "plan",
    "analysis",
    "guard",
    "apply",
    "revocation",
    "cli",
    "package",
    "bench",
    "tests",
];

/** Relative imports, requires and dynamic imports in a source text; not `import type`, which TypeScript erases (it loads nothing). */
const IMPORT = /(?:^\s*(?:import(?!\s+type\b)|export(?!\s+type\b))\b[^;]*?\bfrom|\bimport\(|\brequire\()\s*"(\.{1,2}\/[^"]+)"/gm;

/** The source file a relative specifier names from `file`, if it is one of ours. */
function resolved(file: string, specifier: string): string | undefined {
    const target = path.resolve(path.dirname(file), specifier);
    for (const candidate of [`${target}.ts`, path.join(target, "index.ts"), target]) {
        if (/\.(?:ts|cjs|mjs)$/.test(candidate) && fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return candidate;
    }
    return undefined;
}

/** Every source file below the roots, with the files it imports. */
function importGraph(): Map<string, string[]> {
    const graph = new Map<string, string[]>();
    const visit = (dir: string) => {
        for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
            const full = path.join(dir, entry.name);
            if (entry.isDirectory()) {
                if (entry.name !== "fixtures" && entry.name !== "node_modules") visit(full);
            } else if (/\.(?:ts|cjs|mjs)$/.test(entry.name) && !entry.name.endsWith(".d.ts")) {
                const text = fs.readFileSync(full, "utf8");
                const targets = [...text.matchAll(IMPORT)].flatMap(([, spec]) => resolved(full, spec) ?? []);
                graph.set(path.relative(PROJECT_ROOT, full), [...new Set(targets.map((t) => path.relative(PROJECT_ROOT, t)))]);
            }
        }
    };
    for (const root of ROOTS) visit(path.join(PROJECT_ROOT, root));
    graph.set("index.ts", []);
    return graph;
}

/** The cycles of a graph: its strongly connected components of more than one file, or of one file that imports itself (Tarjan). */
export function cyclesOf(graph: ReadonlyMap<string, readonly string[]>): string[][] {
    let counter = 0;
    const index = new Map<string, number>();
    const low = new Map<string, number>();
    const stack: string[] = [];
    const onStack = new Set<string>();
    const cycles: string[][] = [];
    const connect = (node: string) => {
        index.set(node, counter);
        low.set(node, counter++);
        stack.push(node);
        onStack.add(node);
        for (const next of graph.get(node) ?? []) {
            if (!index.has(next)) {
                connect(next);
                low.set(node, Math.min(low.get(node)!, low.get(next)!));
            } else if (onStack.has(next)) low.set(node, Math.min(low.get(node)!, index.get(next)!));
        }
        if (low.get(node) !== index.get(node)) return;
        const component: string[] = [];
        let member: string;
        do {
            member = stack.pop()!;
            onStack.delete(member);
            component.push(member);
        } while (member !== node);
        if (component.length > 1 || (graph.get(node) ?? []).includes(node)) cycles.push(component.sort());
    };
    for (const node of [...graph.keys()].sort()) if (!index.has(node)) connect(node);
    return cycles;
}

describe("the import graph", () => {
    it("has no cycle between files, dynamic imports and requires included", () => {
        assert.deepStrictEqual(cyclesOf(importGraph()), []);
    });

    it("reaches the files a command loads lazily", () => {
        const graph = importGraph();
        assert.ok(graph.get("cli/commands.ts")!.includes("cli/revoke.ts"), JSON.stringify(graph.get("cli/commands.ts")));
        assert.ok(graph.get("cli/guard.ts")!.includes("guard/index.ts"), JSON.stringify(graph.get("cli/guard.ts")));
    });

    it("notices a cycle, however long, and one through a dynamic import", () => {
        const graph = new Map([
            ["a.ts", ["b.ts"]],
            ["b.ts", ["c.ts"]],
            ["c.ts", ["a.ts", "d.ts"]],
            ["d.ts", []],
            ["e.ts", ["e.ts"]],
        ]);
        assert.deepStrictEqual(cyclesOf(graph), [["a.ts", "b.ts", "c.ts"], ["e.ts"]]);
        const text = 'export async function f() { return import("./revoke"); }';
        assert.deepStrictEqual(
            [...text.matchAll(IMPORT)].map((m) => m[1]),
            ["./revoke"],
        );
    });
});

/**
 * The package's public API, read from the declaration files the build emits (dist/, what a team's
 * type checker reads): every type of the package that an exported signature reaches, directly or
 * through another such type, is exported from the entry point too, so that a program can name
 * what it is handed and what it must pass.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as ts from "typescript";
import { PROJECT_ROOT } from "../cli/project";

/** The package's own types reached from the entry point's exports that the entry point does not export, as `name (file)`. */
function unexportedReachable(entry: string, packageRoot: string): string[] {
    const program = ts.createProgram([entry], {
        noEmit: true,
        skipLibCheck: true,
        types: [],
        moduleResolution: ts.ModuleResolutionKind.Node10,
    });
    const checker = program.getTypeChecker();
    const resolve = (symbol: ts.Symbol) => (symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol);
    const ours = (declaration: ts.Declaration) => {
        const file = declaration.getSourceFile().fileName;
        return file.startsWith(packageRoot) && !file.includes(`${path.sep}node_modules${path.sep}`);
    };
    const exported = new Set(checker.getExportsOfModule(checker.getSymbolAtLocation(program.getSourceFile(entry)!)!).map(resolve));
    const seen = new Set<ts.Symbol>();
    const queue = [...exported];
    const missing = new Set<string>();
    while (queue.length > 0) {
        const symbol = queue.shift()!;
        if (seen.has(symbol)) continue;
        seen.add(symbol);
        for (const declaration of symbol.declarations ?? []) {
            if (!ours(declaration)) continue;
            const visit = (node: ts.Node): void => {
                // What a private member holds is no one's to name.
                if (ts.canHaveModifiers(node) && ts.getModifiers(node)?.some((m) => m.kind === ts.SyntaxKind.PrivateKeyword)) return;
                const name = ts.isTypeReferenceNode(node)
                    ? node.typeName
                    : ts.isExpressionWithTypeArguments(node)
                      ? node.expression
                      : ts.isTypeQueryNode(node)
                        ? node.exprName
                        : undefined;
                const found = name === undefined ? undefined : checker.getSymbolAtLocation(name);
                if (found !== undefined) {
                    const target = resolve(found);
                    if ((target.declarations ?? []).some(ours) && !(target.flags & ts.SymbolFlags.TypeParameter)) {
                        if (!exported.has(target)) {
                            const file = path.relative(packageRoot, target.declarations![0].getSourceFile().fileName);
                            missing.add(`${target.name} (${file})`);
                        }
                        queue.push(target);
                    }
                }
                ts.forEachChild(node, visit);
            };
            visit(declaration);
        }
    }
    return [...missing].sort();
}

describe("the package's public API", function () {
    this.timeout(60_000);

    it("exports every type of the package that an exported signature uses (read from dist/'s declarations)", () => {
        const dist = path.join(PROJECT_ROOT, "dist");
        assert.deepStrictEqual(unexportedReachable(path.join(dist, "components", "index.d.ts"), dist), []);
    });

    it("notices a type a signature uses that the entry point does not export, however deep", () => {
        const folder = fs.mkdtempSync(path.join(os.tmpdir(), "revocable-roles-api-"));
        try {
            fs.writeFileSync(
                path.join(folder, "model.d.ts"),
                "export interface Inner { n: number }\nexport interface Model { inner: Inner }\nexport declare class Hidden { private secret; }\n",
            );
            fs.writeFileSync(
                path.join(folder, "index.d.ts"),
                'import { Model } from "./model";\nexport declare function fromModel(model: Model): void;\nexport declare const shown: number;\n',
            );
            assert.deepStrictEqual(unexportedReachable(path.join(folder, "index.d.ts"), folder), [
                "Inner (model.d.ts)",
                "Model (model.d.ts)",
            ]);
        } finally {
            fs.rmSync(folder, { recursive: true, force: true });
        }
    });
});

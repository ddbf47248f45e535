// `npm run build`: the npm package in dist/, ready for `npm pack dist` (`npm run pack`): the shipped
// folders compiled to CommonJS file by file, each with its type declarations (TypeScript's
// transpileModule and transpileDeclaration: no type checker, so a build takes about a second; the
// type check is npm run lint's, which also holds every export to isolatedDeclarations so that the
// declarations written here are the checked ones), the data files read at run time, the templates
// `revocable-roles init` writes, the multi-language component package (package/, with the
// TypeScript sources Pulumi infers its schema from), and a package.json for the package (exports,
// bin, peers, and where it comes from) made from this one, without its `private` (which keeps this
// repository's own package.json, the sources, from being published by mistake). `--if-stale`
// builds only when a source is newer than the last build.
import fs from "node:fs";
import path from "node:path";
import process from "node:process";

const ROOT = path.resolve(import.meta.dirname, "..");
const DIST = path.join(ROOT, "dist");
const STAMP = path.join(DIST, ".built");

/** The folders whose TypeScript is the package, in the order of the module map (docs/design.md). */
const SHIPPED = ["iam", "backends", "config", "components", "plan", "analysis", "guard", "apply", "revocation", "cli"];
/** Files copied as they are: what the code reads at run time, what init writes, and what a package carries. */
const ASSETS = ["iam/managedPolicyCatalog.json", "schema", "templates", "README.md", "LICENSE", "NOTICE", "CHANGELOG.md", "SECURITY.md"];
/** Runtime dependencies of the package; the Pulumi SDK and providers are peers, so a program has one copy of each. */
const PEERS = ["@pulumi/pulumi", "@pulumi/aws", "@pulumi/aws-native", "typescript"];

/** Every file below a folder, relative to the root. */
function filesBelow(relative) {
    const full = path.join(ROOT, relative);
    if (!fs.statSync(full).isDirectory()) return [relative];
    return fs.readdirSync(full).flatMap((entry) => filesBelow(path.join(relative, entry)));
}

const sources = SHIPPED.flatMap(filesBelow).filter((f) => f.endsWith(".ts"));
const assets = ASSETS.filter((a) => fs.existsSync(path.join(ROOT, a))).flatMap(filesBelow);

if (process.argv.includes("--if-stale") && fs.existsSync(STAMP)) {
    const built = fs.statSync(STAMP).mtimeMs;
    const inputs = [
        ...sources,
        ...assets,
        ...fs.readdirSync(path.join(ROOT, "package")).map((f) => path.join("package", f)),
        "package.json",
        "tools/build.mjs",
    ];
    if (inputs.every((f) => fs.statSync(path.join(ROOT, f)).mtimeMs <= built)) process.exit(0);
}

// Loaded only when there is something to build: it takes longer to load than a check of the sources.
const ts = (await import("typescript")).default;
const started = Date.now();
fs.rmSync(DIST, { recursive: true, force: true });
const write = (relative, text, mode) => {
    const target = path.join(DIST, relative);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, text, mode === undefined ? undefined : { mode });
};

const compilerOptions = { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true, strict: true };
const declarationOptions = { ...compilerOptions, declaration: true, isolatedDeclarations: true };
const problems = [];
for (const file of sources) {
    const text = fs.readFileSync(path.join(ROOT, file), "utf8");
    const js = ts.transpileModule(text, { compilerOptions, fileName: file, reportDiagnostics: true });
    const dts = ts.transpileDeclaration(text, { compilerOptions: declarationOptions, fileName: file, reportDiagnostics: true });
    for (const d of [...(js.diagnostics ?? []), ...(dts.diagnostics ?? [])]) {
        problems.push(`${file}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`);
    }
    const base = file.replace(/\.ts$/, "");
    // The command-line entry keeps its #! line and is executable.
    write(`${base}.js`, js.outputText, text.startsWith("#!") ? 0o755 : undefined);
    write(`${base}.d.ts`, dts.outputText);
}
if (problems.length > 0) {
    process.stderr.write(`${problems.join("\n")}\nnpm run build: ${problems.length} problem(s); nothing is usable in dist/\n`);
    fs.rmSync(DIST, { recursive: true, force: true });
    process.exit(1);
}
for (const file of assets) write(file, fs.readFileSync(path.join(ROOT, file)));

// The multi-language component package (`pulumi package add ./node_modules/revocable-roles/package`):
// Pulumi infers its schema from TypeScript source, so it carries the shipped sources as they are
// (package/src/), and its entry point imports the component from there.
const COMPONENT_IMPORT = 'from "../components/revocableRole"';
for (const file of ["PulumiPlugin.yaml", "package.json", "tsconfig.json", "schema.json", "index.ts"]) {
    let text = fs.readFileSync(path.join(ROOT, "package", file), "utf8");
    if (file === "index.ts") {
        if (!text.includes(COMPONENT_IMPORT))
            throw new Error(`package/index.ts no longer imports ${COMPONENT_IMPORT}; update tools/build.mjs`);
        text = text.replace(COMPONENT_IMPORT, 'from "./src/components/revocableRole"');
    }
    write(path.join("package", file), text);
}
for (const file of [...sources, "iam/managedPolicyCatalog.json"])
    write(path.join("package", "src", file), fs.readFileSync(path.join(ROOT, file)));

const own = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
const versionOf = (name) => own.peerDependencies?.[name] ?? own.devDependencies?.[name] ?? own.dependencies?.[name];
const manifest = {
    name: own.name,
    version: own.version,
    description: own.description,
    license: own.license,
    // Where the package comes from: npm shows them, and npm publish --provenance requires the
    // repository to be the one whose workflow publishes it.
    homepage: own.homepage,
    repository: own.repository,
    bugs: own.bugs,
    keywords: ["pulumi", "aws", "iam", "incident-response", "revocation"],
    engines: own.engines,
    main: "./components/index.js",
    types: "./components/index.d.ts",
    exports: {
        ".": { types: "./components/index.d.ts", default: "./components/index.js" },
        "./package.json": "./package.json",
    },
    bin: { "revocable-roles": "./cli/main.js" },
    dependencies: own.dependencies,
    peerDependencies: Object.fromEntries(PEERS.map((name) => [name, own.peerDependencies?.[name] ?? versionOf(name)])),
    peerDependenciesMeta: { typescript: { optional: true } },
};
write("package.json", `${JSON.stringify(manifest, null, 4)}\n`);
// The build's own stamp stays out of the tarball.
write(".npmignore", ".built\n.npmignore\n");
write(".built", `${new Date().toISOString()}\n`);
if (!process.argv.includes("--quiet")) {
    process.stdout.write(`npm run build: ${sources.length} modules and ${assets.length} files in dist/ (${Date.now() - started} ms)\n`);
}

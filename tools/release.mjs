// `node tools/release.mjs [<tag>]`: what a release publishes, checked before anything is built. The
// version is package.json's, and the lock file, the component package (package/package.json) and
// its schema carry the same; CHANGELOG.md's sections are "## Unreleased" (optional, on top) and
// then "## <version>" headings, each a version x.y.z, newest first, the first of them this version.
// With a tag (the release workflow's, on `v*.*.*`), the tag must be `v<version>` and nothing may
// wait under "## Unreleased": what the tag publishes is documented under its own version. Prints
// the version and the tarball `npm run pack` makes, and on GitHub Actions writes both as the
// step's outputs (`version`, `tarball`). Exit codes: 0 ready, 1 not, 2 a usage error.
import fs from "node:fs";
import path from "node:path";
import process from "node:process";

const ROOT = path.resolve(import.meta.dirname, "..");
const read = (file) => fs.readFileSync(path.join(ROOT, file), "utf8");
const VERSION = /^(\d+)\.(\d+)\.(\d+)$/;

const args = process.argv.slice(2);
if (args.length > 1 || args.some((a) => a.startsWith("-"))) {
    process.stderr.write("usage: node tools/release.mjs [v<major>.<minor>.<patch>]\n");
    process.exit(2);
}
const tag = args[0];

const own = JSON.parse(read("package.json"));
const problems = [];
const version = own.version;
if (!VERSION.test(version)) problems.push(`package.json: version ${JSON.stringify(version)} is not a release version x.y.z`);
for (const [file, found] of [
    ["package-lock.json", JSON.parse(read("package-lock.json")).version],
    ["package/package.json", JSON.parse(read("package/package.json")).version],
    ["package/schema.json", JSON.parse(read("package/schema.json")).version],
]) {
    if (found !== version) problems.push(`${file}: version ${JSON.stringify(found)}, but package.json's is ${version}`);
}

// The changelog: "## Unreleased" on top if anywhere, then versions, strictly newest first.
const lines = read("CHANGELOG.md").split("\n");
const headings = lines.flatMap((line, index) => (line.startsWith("## ") ? [{ text: line.slice(3), line: index + 1 }] : []));
const releases = [];
for (const [position, { text, line }] of headings.entries()) {
    if (text === "Unreleased") {
        if (position !== 0) problems.push(`CHANGELOG.md:${line}: "## Unreleased" must be the first section`);
        continue;
    }
    const match = VERSION.exec(text);
    if (match === null) {
        problems.push(`CHANGELOG.md:${line}: "## ${text}" is neither "## Unreleased" nor a version "## x.y.z"`);
        continue;
    }
    const numbers = match.slice(1).map(Number);
    const previous = releases.at(-1);
    const newer =
        previous === undefined
            ? 1
            : previous.numbers[0] - numbers[0] || previous.numbers[1] - numbers[1] || previous.numbers[2] - numbers[2];
    if (newer <= 0) problems.push(`CHANGELOG.md:${line}: ${text} is listed below ${previous.text}; versions go newest first, each once`);
    releases.push({ text, line, numbers });
}
if (releases.length === 0) problems.push("CHANGELOG.md: no version section (## x.y.z)");
else if (releases[0].text !== version) {
    problems.push(`CHANGELOG.md:${releases[0].line}: the newest section is ${releases[0].text}, but package.json's version is ${version}`);
}

if (tag !== undefined) {
    if (tag !== `v${version}`) problems.push(`the tag ${JSON.stringify(tag)} is not v${version}, the version package.json holds`);
    const unreleased = headings[0]?.text === "Unreleased" ? headings[0] : undefined;
    if (unreleased !== undefined) {
        const end = headings[1]?.line ?? lines.length + 1;
        const entries = lines.slice(unreleased.line, end - 1).filter((l) => l.trim() !== "");
        if (entries.length > 0) {
            problems.push(
                `CHANGELOG.md:${unreleased.line}: ${entries.length} line(s) wait under "## Unreleased"; move them under "## ${version}" before tagging`,
            );
        }
    }
}

if (problems.length > 0) {
    process.stderr.write(
        `${problems.join("\n")}\nnot ready to release${tag === undefined ? "" : ` ${tag}`}: ${problems.length} problem(s)\n`,
    );
    process.exit(1);
}
const tarball = `${own.name}-${version}.tgz`;
process.stdout.write(`version ${version}${tag === undefined ? "" : `, tag ${tag}`}, CHANGELOG.md "## ${version}", tarball ${tarball}\n`);
if (process.env.GITHUB_OUTPUT) fs.appendFileSync(process.env.GITHUB_OUTPUT, `version=${version}\ntarball=${tarball}\n`);

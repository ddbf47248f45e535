/**
 * What a release publishes: the changelog's versions are the tags the release workflow runs on, and
 * tools/release.mjs (the workflow's first check) refuses a tag that is not the package's version,
 * a changelog whose newest section is another version or whose sections are out of order, and
 * changes left under "## Unreleased" when a version is tagged.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { PROJECT_ROOT } from "../cli/project";

const read = (file: string) => fs.readFileSync(path.join(PROJECT_ROOT, file), "utf8");

/**
 * A GitHub Actions filter pattern (`on.push.tags`) as a regular expression: `*` matches any
 * characters but `/`. Patterns with the other special characters (`**`, `?`, `+`, `[]`, `!`) are
 * refused rather than read approximately.
 */
function filterPattern(pattern: string): RegExp {
    if (/\*\*|[?+[\]!]/.test(pattern)) throw new Error(`the filter pattern ${pattern} uses syntax this test does not read`);
    return new RegExp(`^${pattern.replace(/[.^$|(){}\\]/g, "\\$&").replace(/\*/g, "[^/]*")}$`);
}

describe("the changelog and the release tags", () => {
    const headings = [...read("CHANGELOG.md").matchAll(/^## (.*)$/gm)].map((m) => m[1]);
    const versions = headings.filter((h) => h !== "Unreleased");

    it('holds "## Unreleased" on top, then only versions x.y.z, newest first, each once', () => {
        assert.strictEqual(headings[0], "Unreleased");
        assert.deepStrictEqual(
            headings.slice(1).filter((h) => !/^\d+\.\d+\.\d+$/.test(h)),
            [],
        );
        const numbers = versions.map((v) => v.split(".").map(Number));
        const newestFirst = [...numbers].sort((a, b) => b[0] - a[0] || b[1] - a[1] || b[2] - a[2]);
        assert.deepStrictEqual(numbers, newestFirst);
        assert.strictEqual(new Set(versions).size, versions.length);
        assert.ok(versions.length >= 3);
    });

    it("names versions the release workflow's tag pattern accepts as v<version>, and nothing else", () => {
        const workflow = YAML.parse(read(".github/workflows/release.yml")) as { on: { push: { tags: string[] } } };
        assert.deepStrictEqual(workflow.on.push.tags, ["v*.*.*"]);
        const tags = workflow.on.push.tags.map(filterPattern);
        const accepted = (name: string) => tags.some((t) => t.test(name));
        assert.deepStrictEqual(
            versions.filter((v) => !accepted(`v${v}`)),
            [],
        );
        // The pattern as read here can fail: none of these is a version tag.
        assert.deepStrictEqual(["main", "v1.2", "0.3.0", "release/v0.3.0", "v0.3"].filter(accepted), []);
        assert.throws(() => filterPattern("v[0-9]*"), { message: "the filter pattern v[0-9]* uses syntax this test does not read" });
    });
});

describe("where the package comes from", () => {
    it("names one repository in package.json's homepage, repository and bugs, and SECURITY.md gives its private reporting form", () => {
        const own = JSON.parse(read("package.json")) as {
            homepage: string;
            repository: { type: string; url: string };
            bugs: { url: string };
        };
        const repository = /^git\+(https:\/\/github\.com\/[\w.-]+\/[\w.-]+)\.git$/.exec(own.repository.url)?.[1];
        assert.strictEqual(repository, "https://github.com/revocable-roles/revocable-roles");
        assert.deepStrictEqual(
            { type: own.repository.type, homepage: own.homepage, bugs: own.bugs },
            { type: "git", homepage: `${repository}#readme`, bugs: { url: `${repository}/issues` } },
        );
        assert.ok(read("SECURITY.md").includes(`<${repository}/security/advisories/new>`), "SECURITY.md does not give the reporting form");
    });
});

describe("tools/release.mjs", () => {
    let root: string;
    /** A project holding what the script reads, with package.json at `version` and the given changelog. */
    function project(files: { version?: string; lock?: string; changelog: string }): string {
        root = fs.mkdtempSync(path.join(os.tmpdir(), "revocable-roles-release-"));
        const version = files.version ?? "0.4.0";
        const write = (file: string, text: string) => {
            fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
            fs.writeFileSync(path.join(root, file), text);
        };
        write("tools/release.mjs", read("tools/release.mjs"));
        write("package.json", JSON.stringify({ name: "revocable-roles", version }));
        write("package-lock.json", JSON.stringify({ name: "revocable-roles", version: files.lock ?? version }));
        write("package/package.json", JSON.stringify({ name: "revocable-roles", version }));
        write("package/schema.json", JSON.stringify({ name: "revocable-roles", version }));
        write("CHANGELOG.md", files.changelog);
        return root;
    }
    const run = (at: string, args: string[], env: NodeJS.ProcessEnv = {}) => {
        const result = spawnSync(process.execPath, [path.join(at, "tools", "release.mjs"), ...args], {
            encoding: "utf8",
            env: { PATH: process.env.PATH, ...env },
        });
        return { code: result.status, stdout: result.stdout, stderr: result.stderr };
    };
    const RELEASED = "# Changelog\n\n## Unreleased\n\n## 0.4.0\n\n### Added\n- x\n\n## 0.3.1\n\n## 0.3.0\n\n## 0.2.0\n";
    afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

    it("passes this repository as it is, and names the tarball npm run pack makes", () => {
        root = fs.mkdtempSync(path.join(os.tmpdir(), "revocable-roles-release-"));
        const outputs = path.join(root, "outputs");
        const { version } = JSON.parse(read("package.json")) as { version: string };
        assert.deepStrictEqual(run(PROJECT_ROOT, [], { GITHUB_OUTPUT: outputs }), {
            code: 0,
            stdout: `version ${version}, CHANGELOG.md "## ${version}", tarball revocable-roles-${version}.tgz\n`,
            stderr: "",
        });
        assert.strictEqual(fs.readFileSync(outputs, "utf8"), `version=${version}\ntarball=revocable-roles-${version}.tgz\n`);
    });

    it("passes the tag of the version whose section is the newest, with nothing under Unreleased", () => {
        assert.deepStrictEqual(run(project({ changelog: RELEASED }), ["v0.4.0"]), {
            code: 0,
            stdout: 'version 0.4.0, tag v0.4.0, CHANGELOG.md "## 0.4.0", tarball revocable-roles-0.4.0.tgz\n',
            stderr: "",
        });
    });

    it("refuses a tag of another version, and changes still waiting under Unreleased", () => {
        const changelog = RELEASED.replace("## Unreleased\n", "## Unreleased\n\n### Fixed\n- y\n");
        assert.deepStrictEqual(run(project({ changelog }), ["v0.4.1"]), {
            code: 1,
            stdout: "",
            stderr: [
                'the tag "v0.4.1" is not v0.4.0, the version package.json holds',
                'CHANGELOG.md:3: 2 line(s) wait under "## Unreleased"; move them under "## 0.4.0" before tagging',
                "not ready to release v0.4.1: 2 problem(s)",
                "",
            ].join("\n"),
        });
        // Without a tag (CI between releases), changes wait under Unreleased as they should.
        assert.strictEqual(run(root, []).code, 0);
    });

    it("refuses a changelog whose newest section is not the version, out of order, or with other headings, and a lock file of another version", () => {
        const changelog = "# Changelog\n\n## 0.3.0\n\n## Unreleased\n\n## 0.4.0\n\n## Next\n\n## 0.2.0\n\n## 0.2.0\n";
        assert.deepStrictEqual(run(project({ changelog, lock: "0.3.0" }), []), {
            code: 1,
            stdout: "",
            stderr: [
                'package-lock.json: version "0.3.0", but package.json\'s is 0.4.0',
                'CHANGELOG.md:5: "## Unreleased" must be the first section',
                "CHANGELOG.md:7: 0.4.0 is listed below 0.3.0; versions go newest first, each once",
                'CHANGELOG.md:9: "## Next" is neither "## Unreleased" nor a version "## x.y.z"',
                "CHANGELOG.md:13: 0.2.0 is listed below 0.2.0; versions go newest first, each once",
                "CHANGELOG.md:3: the newest section is 0.3.0, but package.json's version is 0.4.0",
                "not ready to release: 6 problem(s)",
                "",
            ].join("\n"),
        });
    });

    it("refuses a version that is not x.y.z, and a usage error", () => {
        assert.deepStrictEqual(run(project({ version: "0.4.0-rc.1", changelog: "## 0.4.0-rc.1\n" }), []), {
            code: 1,
            stdout: "",
            stderr: [
                'package.json: version "0.4.0-rc.1" is not a release version x.y.z',
                'CHANGELOG.md:1: "## 0.4.0-rc.1" is neither "## Unreleased" nor a version "## x.y.z"',
                "CHANGELOG.md: no version section (## x.y.z)",
                "not ready to release: 3 problem(s)",
                "",
            ].join("\n"),
        });
        assert.deepStrictEqual(run(root, ["v0.4.0", "v0.4.1"]), {
            code: 2,
            stdout: "",
            stderr: "usage: node tools/release.mjs [v<major>.<minor>.<patch>]\n",
        });
    });
});

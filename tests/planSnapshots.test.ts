/**
 * The offline plan (`plan --json`) of every fixture stack file, compared byte for byte with the
 * committed snapshot (tests/fixtures/plans.json): a restructuring of the code changes no byte of
 * what any stack deploys. A deliberate change of a plan regenerates it with
 * `UPDATE_PLAN_SNAPSHOTS=1 npx mocha tests/planSnapshots.test.ts`, and the diff shows it.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { Capture, FIXTURES, project, environment } from "./helpers";
import { commandMain } from "../cli/main";

const plan = commandMain("plan");

const SNAPSHOT = path.join(FIXTURES, "plans.json");
const NOW = new Date("2026-11-27T12:00:00Z");

/** Every fixture stack file, by its path under tests/fixtures. */
function fixtureStackFiles(folder = FIXTURES): string[] {
    return fs
        .readdirSync(folder, { withFileTypes: true })
        .flatMap((entry) => {
            const full = path.join(folder, entry.name);
            if (entry.isDirectory()) return fixtureStackFiles(full);
            return entry.name.endsWith(".yaml") && entry.name !== "Pulumi.yaml" ? [path.relative(FIXTURES, full)] : [];
        })
        .sort();
}

/** What `plan --stack fixture --json` prints for a stack file, or its error. */
async function planOf(file: string): Promise<string> {
    const root = project({ "Pulumi.fixture.yaml": fs.readFileSync(path.join(FIXTURES, file), "utf8") });
    const [out, err] = [new Capture(), new Capture()];
    const code = await plan(["--stack", "fixture", "--json"], out, err, environment(environment({ root, now: NOW })));
    return code === 0 ? out.text : `exit ${code}: ${err.text}`;
}

describe("the offline plan of every fixture stack file", function () {
    this.timeout(60_000);

    it("is byte for byte the committed snapshot", async () => {
        const plans: Record<string, string> = {};
        for (const file of fixtureStackFiles()) plans[file] = await planOf(file);
        if (process.env.UPDATE_PLAN_SNAPSHOTS === "1") fs.writeFileSync(SNAPSHOT, `${JSON.stringify(plans, null, 1)}\n`);
        const committed = JSON.parse(fs.readFileSync(SNAPSHOT, "utf8")) as Record<string, string>;
        assert.deepStrictEqual(Object.keys(plans), Object.keys(committed));
        for (const file of Object.keys(plans)) assert.strictEqual(plans[file], committed[file], file);
        // Valid stacks are planned, the rest refused: both kinds are covered.
        assert.ok(Object.values(plans).filter((p) => p.startsWith("{")).length >= 5);
        assert.ok(Object.values(plans).filter((p) => p.startsWith("exit 1")).length >= 30);
    });
});

/**
 * Before the suite: the package build (dist/), as fresh as the sources, since tests run the
 * commands as a user's shell does, from the compiled JavaScript. About a second when something
 * changed, nothing when nothing did.
 */
import { execFileSync } from "child_process";
import * as path from "path";

execFileSync(process.execPath, [path.join(__dirname, "..", "tools", "build.mjs"), "--if-stale", "--quiet"], { stdio: "inherit" });

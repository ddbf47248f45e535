/** What the tests of revoke --leaked share: the clock, revoke run in this process on a project, and the fixture's stack files read back. */
import * as fs from "fs";
import * as path from "path";
import { capture, environment } from "./helpers";
import { STACKS } from "./leakedFixture";
import { commandMain } from "../cli/main";

const revoke = commandMain("revoke");

export const NOW = new Date("2026-12-01T12:00:00Z");

export const run = (root: string, argv: string[], now = NOW) => capture((out, err) => revoke(argv, out, err, environment({ root, now })));

export const read = (root: string) =>
    Object.fromEntries(Object.keys(STACKS).map((name) => [name, fs.readFileSync(path.join(root, name), "utf8")]));

export const CUTOFF = "2026-12-01T09:00:00Z";

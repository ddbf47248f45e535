/**
 * What the tests of `ci` share: the command in this process, with its clock and the IAM its deploy
 * verifies against; the stack file the pull requests change; and a fake `pulumi` on PATH that logs
 * its calls and keeps stack tags in files.
 */
import * as fs from "fs";
import * as path from "path";
import { Capture, fixture, project, environment } from "./helpers";
import { commandMain } from "../cli/main";
import { IAMClient, ListRolePoliciesCommand } from "@aws-sdk/client-iam";
import { AwsAccess } from "../revocation/context";
import { awsAccess, systemTime } from "../cli/environment";
import { Cutoff } from "../iam/cutoff";
import { revocationPolicy, serializePolicy } from "../iam/policy";

const main = commandMain("ci");

export const NOW = new Date("2026-11-27T12:00:00Z");
export const BASE = fixture("diff", "Pulumi.before.yaml");

export const revoked = (text: string, key: string, cutoff: string) =>
    text.replace(`    ${key}:\n`, `    ${key}:\n      revokeBefore: "${cutoff}"\n`);

/**
 * A fake Pulumi CLI: appends its arguments to a log, one call per line; keeps stack tags in
 * tags-<stack>.json (`stack tag ls --json`, `stack tag set`); fails `--target` calls when told to.
 */
export function fakePulumi(tags: Record<string, Record<string, string>> = {}): {
    bin: string;
    log: string;
    tags: (stack: string) => unknown;
} {
    const bin = project({});
    const log = path.join(bin, "pulumi.log");
    for (const [stack, values] of Object.entries(tags)) fs.writeFileSync(path.join(bin, `tags-${stack}.json`), JSON.stringify(values));
    // A shell script: a node one would cost a tenth of a second per call. One tag per stack is all a test needs.
    const script = `#!/bin/sh
echo "$*" >> "${log}"
stack=""; previous=""
for arg in "$@"; do [ "$previous" = "--stack" ] && stack="$arg"; previous="$arg"; done
tags="${bin}/tags-$stack.json"
case "$1 $2 $3" in
"stack tag ls") if [ -f "$tags" ]; then cat "$tags"; else echo "{}"; fi; exit 0;;
"stack tag set") printf '{"%s":"%s"}' "$4" "$5" > "$tags"; exit 0;;
esac
case "$*" in *--target*) exit "\${FAKE_TARGET_EXIT:-0}";; esac
exit 0
`;
    fs.writeFileSync(path.join(bin, "pulumi"), script, { mode: 0o755 });
    const tagsOf = (stack: string) => {
        const file = path.join(bin, `tags-${stack}.json`);
        return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : {};
    };
    return { bin, log, tags: tagsOf };
}

/** GitHub's answer that these reviewers may write to acme/infra: a code owner's review counts only then. */
export const WRITERS: Record<string, unknown> = Object.fromEntries(
    ["alice", "bob", "carol"].map((login) => [
        `/repos/acme/infra/collaborators/${login}/permission`,
        { permission: "write", role_name: "write" },
    ]),
);

export const calls = (log: string) => (fs.existsSync(log) ? fs.readFileSync(log, "utf8").split("\n").slice(0, -1) : []);

/** IAM as the deploy's verify reads it in these tests: every role holds a revocation later than any cutoff here. */
const LIVE_IAM: AwsAccess = {
    ...awsAccess({}, systemTime),
    client: () =>
        ({
            send: async (command: unknown) =>
                command instanceof ListRolePoliciesCommand
                    ? { PolicyNames: ["RevokeOlderSessions"] }
                    : { PolicyDocument: serializePolicy(revocationPolicy(Cutoff.read("2099-01-01T00:00:00Z")!)) },
        }) as unknown as IAMClient,
};

export async function inProcess(args: string[], root: string, env: NodeJS.ProcessEnv, now = NOW) {
    const [out, err] = [new Capture(), new Capture()];
    const code = await main(args, out, err, environment({ root, now, variables: { ...process.env, ...env }, aws: LIVE_IAM }));
    return { code, stdout: out.text, stderr: err.text };
}

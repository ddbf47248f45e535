/**
 * `npm run revoke --with-chained`: every role of the stack file a leaked role's sessions could
 * reach (chains of sts:AssumeRole, iam:PassRole) revoked with one cutoff, in one edit; the
 * reachable roles of other stack files listed as follow-ups.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { Capture, project, environment } from "./helpers";
import { commandMain } from "../cli/main";
import { NOW, CHAIN, ACCOUNT, PASSING, stackFile } from "./containmentHarness";

const revoke = commandMain("revoke");

describe("npm run revoke --with-chained", () => {
    async function run(argv: string[], files: Record<string, string>) {
        const root = project(files);
        const [out, err] = [new Capture(), new Capture()];
        const code = await revoke(argv, out, err, environment(environment({ root, now: NOW })));
        return { code, stdout: out.text, stderr: err.text, file: (name: string) => fs.readFileSync(path.join(root, name), "utf8") };
    }

    it("revokes every role of the stack file its sessions could reach, with one cutoff, in one edit", async () => {
        const result = await run(["--stack", "dev", "--role", "role-a", "--at", "2026-11-27T11:00:00Z", "--with-chained"], {
            "Pulumi.dev.yaml": CHAIN,
        });
        assert.deepStrictEqual({ code: result.code, stderr: result.stderr }, { code: 0, stderr: "" });
        const revoked = [...result.file("Pulumi.dev.yaml").matchAll(/^ {4}(\S+):$|revokeBefore: "([^"]+)"/gm)].map(
            (m) => m[1] ?? `  ${m[2]}`,
        );
        assert.deepStrictEqual(revoked, [
            "role-a",
            "  2026-11-27T11:00:00Z",
            "role-b",
            "  2026-11-27T11:00:00Z",
            "role-c",
            "  2026-11-27T11:00:00Z",
            "bystander",
        ]);
        assert.deepStrictEqual(result.stdout.split("\n").slice(0, 4), [
            "Wrote Pulumi.dev.yaml: role-a, role-b, role-c revoked before 2026-11-27T11:00:00Z.",
            "",
            "Pull request title:",
            "Revoke sessions of role-a, role-b, role-c (dev) issued before 2026-11-27T11:00:00Z",
        ]);
        assert.ok(
            result.stdout.includes(
                "| Roles | `role-a` (IAM role `role-a`), `role-b` (IAM role `role-b`, reachable from `role-a`), `role-c` (IAM role `role-c`, reachable from `role-a`) |",
            ),
            result.stdout,
        );
    });

    it("without the flag, revokes only the role asked for and lists the reachable ones", async () => {
        const result = await run(["--stack", "dev", "--role", "role-a", "--at", "2026-11-27T11:00:00Z"], { "Pulumi.dev.yaml": CHAIN });
        assert.strictEqual((result.file("Pulumi.dev.yaml").match(/revokeBefore/g) ?? []).length, 1);
        const section = result.stdout.slice(result.stdout.indexOf("**Roles reachable"), result.stdout.indexOf("**Workloads"));
        assert.deepStrictEqual(section.split("\n"), [
            "**Roles reachable from its sessions** (a session created from a leaked one has its own, later issue time and survives this revocation for up to 1 hour, the role-chaining limit, unless that role is revoked too):",
            "- `role-a -> role-b`",
            `  - role-a -> role-b: role-b's trust names role-a's ARN (arn:aws:iam::${ACCOUNT}:role/role-a); in the same account that alone lets it assume the role`,
            "- `role-a -> role-b -> role-c`",
            `  - role-a -> role-b: role-b's trust names role-a's ARN (arn:aws:iam::${ACCOUNT}:role/role-a); in the same account that alone lets it assume the role`,
            `  - role-b -> role-c: role-c's trust names role-b's ARN (arn:aws:iam::${ACCOUNT}:role/role-b); in the same account that alone lets it assume the role`,
            "",
            "",
        ]);
    });

    it("follows iam:PassRole: revokes the instance role a deploy role may pass to EC2 and start, and says how in the pull request", async () => {
        const result = await run(["--stack", "dev", "--role", "deployer", "--at", "2026-11-27T11:00:00Z", "--with-chained"], {
            "Pulumi.dev.yaml": PASSING,
        });
        assert.deepStrictEqual({ code: result.code, stderr: result.stderr }, { code: 0, stderr: "" });
        assert.deepStrictEqual(
            result.stdout.split("\n")[0],
            "Wrote Pulumi.dev.yaml: deployer, web-server revoked before 2026-11-27T11:00:00Z.",
        );
        const section = result.stdout.slice(result.stdout.indexOf("**Roles reachable"), result.stdout.indexOf("**Workloads"));
        assert.deepStrictEqual(section.split("\n").slice(1, -2), [
            "- `deployer -> web-server`",
            `  - deployer -> web-server: deployer passes web-server to ec2.amazonaws.com and starts it with ec2:RunInstances: an instance whose instance profile holds the role gets sessions of web-server for as long as it runs, past the 1-hour limit of role chaining; web-server's trust lets ec2.amazonaws.com in; deployer's inline policy deploy (statement 0) allows iam:PassRole on arn:aws:iam::${ACCOUNT}:role/web-server; deployer's inline policy deploy (statement 1) allows ec2:RunInstances`,
        ]);
        // Without the flag, the instance role is listed, not revoked.
        const listed = await run(["--stack", "dev", "--role", "passer", "--at", "2026-11-27T11:00:00Z"], { "Pulumi.dev.yaml": PASSING });
        const none = listed.stdout.slice(listed.stdout.indexOf("**Roles reachable"), listed.stdout.indexOf("**Workloads"));
        assert.deepStrictEqual(
            none.split("\n")[1],
            "- none: no role of this repository both trusts it (or its account) and may be assumed with its permissions",
        );
    });

    it("lists reachable roles of other stack files as follow-ups, with the exact command", async () => {
        const prod = stackFile(`    prod-deployer:\n      trust:\n        principals: ["arn:aws:iam::${ACCOUNT}:role/role-c"]\n`);
        const result = await run(["--stack", "dev", "--role", "role-a", "--at", "2026-11-27T11:00:00Z", "--with-chained"], {
            "Pulumi.dev.yaml": CHAIN,
            "Pulumi.prod.yaml": prod,
        });
        assert.ok(
            result.stdout.includes(
                '**Follow-ups in other stack files** (run each and open its pull request):\n\n```\nnpm run revoke -- --stack prod --role prod-deployer --at 2026-11-27T11:00:00Z --with-chained --reason "reachable from role-a in dev"\n```',
            ),
            result.stdout,
        );
        assert.strictEqual((result.file("Pulumi.prod.yaml").match(/revokeBefore/g) ?? []).length, 0);
    });
});

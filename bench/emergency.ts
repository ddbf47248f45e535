/**
 * `npm run bench:now [-- --roles N] [-- --runs N]`: how long the emergency path (`revoke --all
 * --now`) takes for N roles against a real IAM API (moto's server on a loopback port), from the
 * command's start to its last write. Needs moto_server on PATH.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseArgs } from "util";
import { CreateRoleCommand } from "@aws-sdk/client-iam";
import { Writer } from "../cli/io";
import { runAsProcess } from "../cli/process";
import { processEnvironment } from "../cli/environment";
import { MOTO_INSTALL_HINT, startMoto } from "../tests/moto";
import { commandMain } from "../cli/main";

const revoke = commandMain("revoke");

const sink: Writer = { write: () => true };

const USAGE = "usage: npm run bench:now -- [--roles 100] [--runs 3]";
const HELP = `${USAGE}

Times revoke --all --now for the given number of roles against moto's IAM server on a loopback
port (needs moto_server), from the command's start to its last write; the median of the runs.
`;

/** The benchmark; returns the exit code. */
export async function main(argv: string[], out: Writer, err: Writer): Promise<number> {
    if (argv.includes("--help") || argv.includes("-h")) {
        out.write(HELP);
        return 0;
    }
    let values: { roles?: string; runs?: string };
    try {
        values = parseArgs({ args: argv, options: { roles: { type: "string" }, runs: { type: "string" } }, strict: true }).values;
    } catch (error) {
        err.write(`${(error as Error).message}\n${USAGE}\n`);
        return 2;
    }
    const count = Number(values.roles ?? 100);
    const runs = Number(values.runs ?? 3);
    if (!Number.isInteger(count) || count < 1 || !Number.isInteger(runs) || runs < 1) {
        err.write(`--roles and --runs take whole numbers of at least 1\n${USAGE}\n`);
        return 2;
    }
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
    const moto = await startMoto();
    if (moto === undefined) throw new Error(MOTO_INSTALL_HINT);
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "revocable-roles-bench-now-"));
    try {
        const keys = Array.from({ length: count }, (_, i) => `bench-now-${String(i).padStart(4, "0")}`);
        const trust = JSON.stringify({
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
        });
        for (const RoleName of keys) await moto.client.send(new CreateRoleCommand({ RoleName, AssumeRolePolicyDocument: trust }));
        fs.writeFileSync(path.join(root, "Pulumi.yaml"), "name: revocable-roles\nruntime: nodejs\n");
        fs.writeFileSync(
            path.join(root, "Pulumi.bench.yaml"),
            `config:\n  revocable-roles:roles:\n${keys.map((k) => `    ${k}:\n      trust:\n        services: [ec2.amazonaws.com]\n`).join("")}`,
        );
        const times: number[] = [];
        for (let run = 0; run < runs; run++) {
            const at = new Date(Date.now() - 60_000 + run * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
            const base = processEnvironment();
            const env = { ...base, root, aws: { ...base.aws, client: () => moto.client } };
            const start = performance.now();
            const code = await revoke(["--stack", "bench", "--all", "--at", at, "--now", "--endpoint-url", moto.endpoint], sink, sink, env);
            times.push(performance.now() - start);
            if (code !== 0) throw new Error(`revoke --now exited ${code}`);
        }
        const sorted = [...times].sort((a, b) => a - b);
        const median = sorted[Math.floor(sorted.length / 2)];
        out.write(
            `revoke --all --now for ${count} roles against moto_server: median ${Math.round(median)} ms of ${runs} runs (${sorted.map((t) => Math.round(t)).join(", ")} ms); ${count * 2} IAM calls each, 4 at a time\n`,
        );
        return 0;
    } finally {
        fs.rmSync(root, { recursive: true, force: true });
        await moto.stop();
    }
}

if (require.main === module) runAsProcess((argv) => main(argv, process.stdout, process.stderr));

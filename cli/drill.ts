/**
 * `revocable-roles drill`: practise the emergency path end to end against a local IAM endpoint,
 * never AWS: starts moto's server on loopback (or uses `--endpoint-url`, which must be local),
 * creates the stack's roles there from the offline plan, runs `revoke --now` on a copy of the
 * project (the real stack file is never touched), reads every policy back and reports each role's
 * state and the time the emergency path took.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { CreateRoleCommand, GetRolePolicyCommand, IAMClient } from "@aws-sdk/client-iam";
import { CliError, EXIT_CODES_HELP, UsageError, Writer, fail, parseFlags, runAsProcess } from "./io";
import { callerAccount, iamClientConfig } from "./emergency";
import { MOTO_INSTALL_HINT, startMotoServer } from "./localIam";
import { main as revoke } from "./revoke";
import { PROJECT_FILE, loadStack, stackFileName } from "../config/loader";
import { directorySource } from "../config/sources";
import { allowedAccounts } from "../config/account";
import { deployedRoles } from "../plan/deployment";
import { REVOCATION_POLICY_NAME, decodePolicyDocument } from "../iam/policy";

/** Credentials a local endpoint accepts; never real ones. */
const DRILL_CREDENTIALS = { accessKeyId: "drill", secretAccessKey: "drill" };

const USAGE = "usage: revocable-roles drill --stack <name> (--role <key> ... | --all) [--endpoint-url <local url>]";
const HELP = `${USAGE}

Practises revoke --now against a local IAM endpoint: moto_server started on 127.0.0.1 in the stack's
account (pip install "moto[server]"), or --endpoint-url on this machine, which must act in the
account the stack file names (moto: MOTO_ACCOUNT_ID), as revoke --now checks. The stack's roles are created there from the
offline plan; revoke --now runs on a temporary copy of the project, so the stack file is not
changed; then every role's RevokeOlderSessions policy is read back. Reports each role's state and
how long the emergency path took.

${EXIT_CODES_HELP}`;

/** Whether an endpoint is on this machine. */
function local(endpoint: string): boolean {
    try {
        return ["127.0.0.1", "localhost", "[::1]"].includes(new URL(endpoint).hostname);
    } catch {
        return false;
    }
}

/** Where the drill runs, and the clock revoke uses. */
export interface DrillEnvironment {
    root: string;
    programRoot: string;
    now: () => Date;
}

/** The command line; returns the exit code: 0 when every role ended revoked. */
export async function main(argv: string[], out: Writer, err: Writer, env: DrillEnvironment): Promise<number> {
    let server: { stop(): Promise<void> } | undefined;
    let copy: string | undefined;
    let client: IAMClient | undefined;
    try {
        const values = parseFlags(argv, {
            stack: { type: "string" },
            role: { type: "string", multiple: true },
            all: { type: "boolean" },
            "endpoint-url": { type: "string" },
        });
        if (values === undefined) {
            out.write(HELP);
            return 0;
        }
        if (values.stack === undefined) throw new UsageError("--stack is required");
        if ((values.role ?? []).length > 0 === (values.all === true)) throw new UsageError("give either --role (one or more) or --all");
        const given = values["endpoint-url"];
        if (given !== undefined && !local(given)) {
            throw new UsageError(
                `--endpoint-url ${JSON.stringify(given)} is not on this machine; a drill runs against a local IAM endpoint only`,
            );
        }
        const loaded = loadStack(directorySource(env.root), values.stack);
        const { planStack } = await import("../plan/run");
        const plan = await planStack(loaded, env.programRoot, env.now());
        const roles = deployedRoles(plan);

        let endpoint = given;
        if (endpoint === undefined) {
            // moto's one account is the stack's, as the stack's real credentials would be.
            const account = allowedAccounts(loaded.config, "aws")?.[0] ?? allowedAccounts(loaded.config, "aws-native")?.[0];
            const started = await startMotoServer(account === undefined ? {} : { account });
            if (started === undefined) throw new CliError(`${MOTO_INSTALL_HINT}, or give --endpoint-url of a local IAM endpoint`);
            server = started;
            endpoint = started.endpoint;
        }
        out.write(
            `Drill against ${endpoint}${server === undefined ? "" : " (moto_server, started for this drill)"}: no AWS account is touched.\n`,
        );
        client = new IAMClient({ ...iamClientConfig(endpoint, "us-east-1"), credentials: DRILL_CREDENTIALS });
        for (const role of roles) {
            try {
                await client.send(
                    new CreateRoleCommand({
                        RoleName: role.physicalName,
                        Path: role.path,
                        AssumeRolePolicyDocument: JSON.stringify(role.trust),
                    }),
                );
            } catch (error) {
                if ((error as { name?: string }).name !== "EntityAlreadyExistsException") throw error;
            }
        }
        out.write(`Created the ${roles.length} roles of ${loaded.file} from its offline plan.\n\n`);

        // A copy of the project: the drill records its revocation there, never in the real stack file.
        copy = fs.mkdtempSync(path.join(os.tmpdir(), "revocable-roles-drill-"));
        fs.copyFileSync(path.join(env.root, PROJECT_FILE), path.join(copy, PROJECT_FILE));
        fs.writeFileSync(path.join(copy, stackFileName(values.stack)), loaded.text);
        const selection = values.all === true ? ["--all"] : (values.role ?? []).flatMap((key) => ["--role", key]);
        const started = performance.now();
        const code = await revoke(
            ["--stack", values.stack, ...selection, "--now", "--endpoint-url", endpoint, "--reason", "drill", "--json"],
            { write: () => true },
            err,
            {
                root: copy,
                now: env.now,
                client: (url) => new IAMClient({ ...iamClientConfig(url, "us-east-1"), credentials: DRILL_CREDENTIALS }),
                account: (url, _region, signal) => callerAccount(url, "us-east-1", signal, { credentials: DRILL_CREDENTIALS }),
                env: {},
            },
        );
        const took = performance.now() - started;

        const revoked = values.all === true ? roles : roles.filter((r) => (values.role ?? []).includes(r.key));
        const states = await Promise.all(
            revoked.map(async (role) => {
                try {
                    const got = await client!.send(
                        new GetRolePolicyCommand({ RoleName: role.physicalName, PolicyName: REVOCATION_POLICY_NAME }),
                    );
                    const cutoff = decodePolicyDocument(got.PolicyDocument ?? "{}").Statement?.[0]?.Condition?.DateLessThan?.[
                        "aws:TokenIssueTime"
                    ];
                    return [role.key, role.physicalName, `revoked: sessions issued before ${String(cutoff)} are denied`];
                } catch (error) {
                    return [role.key, role.physicalName, `NOT revoked: ${(error as Error).name}`];
                }
            }),
        );
        const rows = [["role", "IAM role", "state"], ...states];
        const widths = [0, 1].map((column) => Math.max(...rows.map((row) => row[column].length)));
        out.write(`${rows.map((row) => `${row[0].padEnd(widths[0])}  ${row[1].padEnd(widths[1])}  ${row[2]}`).join("\n")}\n\n`);
        const all = states.every((s) => s[2].startsWith("revoked"));
        out.write(
            `The emergency path took ${(took / 1000).toFixed(2)} s for ${revoked.length} role(s) (revoke --now, exit code ${code}). ${all ? "Every role is revoked." : "Not every role is revoked: read the table and revoke's errors above."}\n`,
        );
        return all && code === 0 ? 0 : 1;
    } catch (error) {
        return fail(error, err, USAGE);
    } finally {
        client?.destroy();
        if (copy !== undefined) fs.rmSync(copy, { recursive: true, force: true });
        await server?.stop();
    }
}

/** The command as a process runs it: in the project folder it is started in. */
export function run(argv: string[]): Promise<number> {
    return main(argv, process.stdout, process.stderr, { root: process.cwd(), programRoot: process.cwd(), now: () => new Date() });
}

if (require.main === module) runAsProcess(run);

/**
 * `revocable-roles drill`: practise the emergency path end to end against a local IAM endpoint,
 * never AWS: starts moto's server on loopback (or uses `--endpoint-url`, which must be local),
 * creates the stack's roles there from the offline plan, runs `revoke --now` on a copy of the
 * project (the real stack file is never touched), reads every policy back and reports each role's
 * state and the time the emergency path took.
 */
import * as fs from "fs";
import { IAMClient } from "@aws-sdk/client-iam";
import { loadStack } from "../config/loader";
import { directorySource } from "../config/sources";
import { allowedAccounts } from "../config/account";
import { deployedRoles } from "../plan/deployment";
import { callerAccount, iamClientConfig } from "../apply/client";
import { alignedRows } from "../apply/emergency";
import { MOTO_INSTALL_HINT, MotoServer, startMotoServer } from "../apply/localIam";
import { DRILL_CREDENTIALS, createRoles, isLocal, projectCopy, readBack } from "../revocation/drill";
import { CommandIO, Values } from "./command";
import type { DrillFlags } from "./commands";
import { Environment } from "./environment";
import { CliError, UsageError } from "./io";
import { revokeRoles } from "../revocation/revokeRoles";
import { fail } from "./io";
import { reportFailures } from "./output";

/** A client of the local endpoint, with the drill's credentials. */
const localClient = (endpoint: string | undefined) =>
    new IAMClient({ ...iamClientConfig(endpoint, "us-east-1"), credentials: DRILL_CREDENTIALS });

/** The local endpoint: the one given, or moto_server started in the stack's account (as the stack's real credentials would act in). */
async function localEndpoint(
    given: string | undefined,
    config: Record<string, string>,
    env: Environment,
): Promise<{ endpoint: string; server?: MotoServer }> {
    if (given !== undefined) return { endpoint: given };
    const account = allowedAccounts(config, "aws")?.[0] ?? allowedAccounts(config, "aws-native")?.[0];
    const server = await startMotoServer({ env: env.variables, ...(account === undefined ? {} : { account }) });
    if (server === undefined) throw new CliError(`${MOTO_INSTALL_HINT}, or give --endpoint-url of a local IAM endpoint`);
    return { endpoint: server.endpoint, server };
}

/** `drill`: the emergency path practised against a local IAM endpoint. */
export async function run(values: Values<DrillFlags>, { out, err }: CommandIO, env: Environment): Promise<number> {
    if (values.stack === undefined) throw new UsageError("--stack is required");
    if ((values.role ?? []).length > 0 === (values.all === true)) throw new UsageError("give either --role (one or more) or --all");
    const given = values["endpoint-url"];
    if (given !== undefined && !isLocal(given)) {
        throw new UsageError(
            `--endpoint-url ${JSON.stringify(given)} is not on this machine; a drill runs against a local IAM endpoint only`,
        );
    }
    const loaded = loadStack(directorySource(env.root), values.stack);
    const { planStack } = await import("../plan/run");
    const roles = deployedRoles(await planStack(loaded, env.programRoot, env.now));
    const { endpoint, server } = await localEndpoint(given, loaded.config, env);
    const client = localClient(endpoint);
    let copy: string | undefined;
    try {
        out.write(
            `Drill against ${endpoint}${server === undefined ? "" : " (moto_server, started for this drill)"}: no AWS account is touched.\n`,
        );
        await createRoles(client, roles);
        out.write(`Created the ${roles.length} roles of ${loaded.file} from its offline plan.\n\n`);
        // A copy of the project: the drill records its revocation there, never in the real stack file.
        copy = projectCopy(env.root, loaded, env.temporaryFolder);
        const aws = {
            ...env.aws,
            client: localClient,
            account: (url: string | undefined, _region: string, signal: AbortSignal) =>
                callerAccount(url, "us-east-1", signal, { credentials: DRILL_CREDENTIALS }),
            endpointVariables: {},
        };
        const request = {
            stack: values.stack,
            roles: values.all === true ? [] : [...new Set(values.role ?? [])],
            all: values.all === true,
            withChained: false,
            reason: "drill",
            now: { endpointUrl: endpoint, deadlineMs: 120_000 },
        };
        const started = performance.now();
        // revoke --now's work, and its exit code: 1 when a role was not applied or a later cutoff not recorded, as revoke's.
        const code = await revokeRoles(request, { ...env, root: copy, aws }).then(
            (outcome) => {
                const failed = reportFailures(
                    err,
                    (outcome.applied?.results ?? []).map((result) => ({ result })),
                );
                if (outcome.unrecorded.length > 0) err.write(`${outcome.unrecorded.join("\n")}\n`);
                return failed > 0 || outcome.unrecorded.length > 0 ? 1 : 0;
            },
            (error: unknown) => fail(error, err, "", env.debug),
        );
        const took = performance.now() - started;
        const revoked = values.all === true ? roles : roles.filter((r) => (values.role ?? []).includes(r.key));
        const states = await readBack(client, revoked);
        out.write(`${alignedRows([["role", "IAM role", "state"], ...states])}\n\n`);
        const all = states.every((s) => s[2].startsWith("revoked"));
        out.write(
            `The emergency path took ${(took / 1000).toFixed(2)} s for ${revoked.length} role(s) (revoke --now, exit code ${code}). ${all ? "Every role is revoked." : "Not every role is revoked: read the table and revoke's errors above."}\n`,
        );
        return all && code === 0 ? 0 : 1;
    } finally {
        client.destroy();
        if (copy !== undefined) fs.rmSync(copy, { recursive: true, force: true });
        await server?.stop();
    }
}

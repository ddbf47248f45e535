/**
 * The drill's work against a local IAM endpoint, never AWS: the stack's roles created there from
 * the offline plan, a copy of the project for revoke to write (the real stack file is never
 * touched), and every role's revocation policy read back.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { CreateRoleCommand, GetRolePolicyCommand, IAMClient } from "@aws-sdk/client-iam";
import { LoadedStack, PROJECT_FILE, stackFileName } from "../config/loader";
import { DeployedRole } from "../plan/deployment";
import { REVOCATION_POLICY_NAME, decodePolicyDocument } from "../iam/policy";

/** Credentials a local endpoint accepts; never real ones. */
export const DRILL_CREDENTIALS = { accessKeyId: "drill", secretAccessKey: "drill" };

/** Whether an endpoint is on this machine. */
export function isLocal(endpoint: string): boolean {
    try {
        return ["127.0.0.1", "localhost", "[::1]"].includes(new URL(endpoint).hostname);
    } catch {
        return false;
    }
}

/** Creates the roles, as the plan deploys them, at the endpoint; a role that exists already is kept. */
export async function createRoles(client: IAMClient, roles: DeployedRole[]): Promise<void> {
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
}

/** A copy of the project in the temporary folder (`temporaryFolder`): its project file and the stack file as loaded. */
export function projectCopy(root: string, loaded: LoadedStack, temporaryFolder: string = os.tmpdir()): string {
    const copy = fs.mkdtempSync(path.join(temporaryFolder, "revocable-roles-drill-"));
    fs.copyFileSync(path.join(root, PROJECT_FILE), path.join(copy, PROJECT_FILE));
    fs.writeFileSync(path.join(copy, stackFileName(loaded.stack)), loaded.text);
    return copy;
}

/** Each role's state at the endpoint, read back: `[key, IAM role, state]`. */
export function readBack(client: IAMClient, roles: DeployedRole[]): Promise<string[][]> {
    return Promise.all(
        roles.map(async (role) => {
            try {
                const got = await client.send(
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
}

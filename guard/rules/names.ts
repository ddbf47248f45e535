/**
 * IAM role names are unique per account regardless of case: two stacks that deploy the same name
 * to the same known account would take over, or fail on, each other's role. So are instance
 * profile names: the second stack's deploy would fail on the profile, for good.
 */
import { LoadedStack } from "../../config/loader";
import { readStackConfig } from "../../config/stackConfig";
import { accountFromConfig } from "../../config/account";
import { Finding, failure, role } from "../findings";

/** Duplicates across the given stacks, reported on the later one (the caller lists untouched stacks first). */
export function duplicateNameRules(stacks: LoadedStack[], now: Date): Finding[] {
    const seen = new Map<string, string>();
    const findings: Finding[] = [];
    for (const loaded of stacks) {
        const read = readStackConfig(loaded.config, { stackFile: loaded.file, now });
        if (!read.ok) continue;
        const account = accountFromConfig(loaded.config, read.config.provider ?? "aws").accountId;
        if (account === undefined) continue;
        for (const { key, model } of read.roles) {
            const profile = model.instanceProfile?.name;
            if (profile !== undefined) {
                const id = `${account}/instance-profile/${profile.toLowerCase()}`;
                const first = seen.get(id);
                if (first !== undefined && !first.startsWith(`${loaded.stack}/`)) {
                    findings.push(
                        failure(
                            role(loaded.stack, key),
                            `instance profile ${profile} is also declared by ${first} in account ${account}; IAM instance profile names are unique per account regardless of case, so the deploy of one stack would fail on it, and no later revocation of that stack could deploy`,
                        ),
                    );
                } else if (first === undefined) seen.set(id, `${loaded.stack}/${key}`);
            }
            const name = model.roleName;
            const id = `${account}/${name.toLowerCase()}`;
            const first = seen.get(id);
            if (first !== undefined && !first.startsWith(`${loaded.stack}/`)) {
                findings.push(
                    failure(
                        role(loaded.stack, key),
                        `IAM role ${name} is also declared by ${first} in account ${account}; IAM role names are unique per account regardless of case, so one stack would take over or fail on the other's role`,
                    ),
                );
            } else if (first === undefined) seen.set(id, `${loaded.stack}/${key}`);
        }
    }
    return findings;
}

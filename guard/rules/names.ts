/**
 * IAM role names are unique per account regardless of case: two stacks that deploy the same name
 * to the same known account would take over, or fail on, each other's role. So are instance
 * profile names: the second stack's deploy would fail on the profile, for good.
 */
import { LoadedStack } from "../../config/loader";
import { readStackConfig } from "../../config/stackConfig";
import { accountFromConfig } from "../../config/account";
import { stackFileName } from "../../config/files";
import { Finding, failure, file, role } from "../findings";

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

/**
 * The workflows deploy each stack in the GitHub environment named after it, and run its hourly
 * check in `<stack>-verify`; GitHub compares environment names regardless of case. Two stacks
 * whose names differ only in case would share one environment, and a stack named like another's
 * check (`prod-verify`) would deploy in that environment, which has no required reviewers and
 * whose OIDC `sub` the other stack's deploy role trusts. Reported on the later stack of `stacks`
 * (the caller lists untouched stacks first), at any time.
 */
export function environmentRules(stacks: string[]): Finding[] {
    const findings: Finding[] = [];
    const seen = new Map<string, string>();
    for (const stack of stacks) {
        const environment = stack.toLowerCase();
        const first = seen.get(environment);
        if (first !== undefined) {
            findings.push(
                failure(
                    file(stackFileName(stack), stack),
                    `the deploy of stack ${stack} runs in the GitHub environment ${stack}, which is stack ${first}'s (GitHub compares environment names regardless of case): the two stacks would share its protection rules, secrets and the OIDC sub their deploy roles trust; rename the stack`,
                ),
            );
            continue;
        }
        seen.set(environment, stack);
    }
    for (const stack of stacks) {
        const checked = stacks.find((other) => `${other}-verify`.toLowerCase() === stack.toLowerCase());
        if (checked === undefined) continue;
        findings.push(
            failure(
                file(stackFileName(stack), stack),
                `the deploy of stack ${stack} runs in the GitHub environment ${stack}, which is the hourly check's of stack ${checked} (<stack>-verify): that environment has no required reviewers and ${checked}'s deploy role trusts its OIDC sub, so a change merged to ${stack} would deploy with ${checked}'s deploy role past ${checked}'s reviewers; rename the stack`,
            ),
        );
    }
    return findings;
}

/**
 * A stack's CI roles (`revocable-roles:ci`): the role the previews of pull requests assume and the
 * role the deploy assumes, for this stack alone. With one stack per account, each stack's CI
 * works in its own account with roles of that account; a stack without the key keeps the
 * repository-wide roles. Validated with the rest of the stack file: each a role ARN of the stack's
 * account (from `allowedAccountIds`), and the deploy role never the preview role, which runs the
 * pull request's own code.
 */
import { z } from "zod";
import { ROLE_ARN } from "../iam/patterns";
import { Problem, show } from "../iam/problems";
import { allowedAccounts } from "./account";

/** `revocable-roles:ci` as written: the preview role and the deploy role of the stack. */
export interface CiRoles {
    /** The role `pulumi preview` of a pull request assumes: read-only, trusting the pull_request `sub`. */
    previewRoleArn: string;
    /** The role `pulumi up` assumes: trusting only the GitHub environment named after the stack. */
    deployRoleArn: string;
}

/** A role ARN, required, with the expected form in its errors (the JSON Schema carries the pattern). */
function roleArn(example: string): z.ZodString {
    const form = `an IAM role ARN such as arn:aws:iam::123456789012:role/${example}`;
    return z
        .string({ error: (issue) => (issue.input === undefined ? `is required; expected ${form}` : `${show(issue.input)} is not ${form}`) })
        .regex(ROLE_ARN, { error: (issue) => `${show(issue.input)} is not ${form}` });
}

/** The schema of the key. */
export function ciSchema(): z.ZodType<CiRoles> {
    return z.strictObject({ previewRoleArn: roleArn("ci-preview"), deployRoleArn: roleArn("ci-deploy") });
}

/** A role ARN's account and name: `arn:<partition>:iam::<account>:role/<path><name>`. */
function parts(arn: string): { account: string; name: string } {
    return { account: arn.split(":")[4], name: arn.slice(arn.lastIndexOf("/") + 1) };
}

/**
 * What the schema cannot check, for a value it accepts: both roles in the stack's one account
 * (`<backend>:allowedAccountIds`), and two different roles (IAM role names ignore case).
 */
export function ciProblems(value: unknown, cliConfig: Record<string, string>, backend: string): Problem[] {
    const parsed = ciSchema().safeParse(value);
    if (!parsed.success) return [];
    const roles = parsed.data;
    const allowed = allowedAccounts(cliConfig, backend);
    const key = `${backend}:allowedAccountIds`;
    if (allowed?.length !== 1) {
        return [
            {
                path: ["ci"],
                message: `needs the stack's one account in ${key}, to check that its roles are in it; add ${key}: ["${parts(roles.deployRoleArn).account}"] (the account this stack deploys to)`,
            },
        ];
    }
    const [account] = allowed;
    const problems: Problem[] = [];
    for (const field of ["previewRoleArn", "deployRoleArn"] as const) {
        const arn = roles[field];
        const own = parts(arn).account;
        if (own !== account) {
            problems.push({
                path: ["ci", field],
                message: `${show(arn)} is a role of account ${own}, not of the stack's account ${account} (${key}); expected a role of that account such as arn:aws:iam::${account}:role/${field === "previewRoleArn" ? "ci-preview" : "ci-deploy"}`,
            });
        }
    }
    const [preview, deploy] = [parts(roles.previewRoleArn), parts(roles.deployRoleArn)];
    if (preview.account === deploy.account && preview.name.toLowerCase() === deploy.name.toLowerCase()) {
        problems.push({
            path: ["ci", "deployRoleArn"],
            message: `${show(roles.deployRoleArn)} is the preview role too${roles.deployRoleArn === roles.previewRoleArn ? "" : " (IAM role names ignore case)"}; the deploy role must be another role: the preview runs the pull request's own code, and must not be able to deploy`,
        });
    }
    return problems;
}

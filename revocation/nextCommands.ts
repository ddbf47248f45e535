/**
 * The commands revoke prints for what comes next, exactly as they are to be typed: a rerun carries
 * the same cutoff (`--at`), endpoint and credentials, so that it applies what the pull request
 * records; a check reads back, per account, each role's RevokeOlderSessions with the AWS CLI and
 * the same profile or role.
 */
import { REVOCATION_POLICY_NAME } from "../iam/policy";
import { Cutoff } from "../iam/cutoff";
import { Credentials, ROLE_SESSION_NAME } from "../apply/client";
import { AccountResult } from "./applyNow";

/** A word as a POSIX shell reads it back: as it is when it is plain, else single-quoted. */
export function shellWord(word: string): string {
    return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** What every rerun carries besides its roles: the endpoint given, and the credentials flags of the accounts concerned. */
export interface RerunFlags {
    endpointUrl?: string;
    /** `--profile <a>=<p>` and `--role-arn <a>=<arn>`, as given. */
    credentials: string[];
}

function tail(cutoff: Cutoff, flags: RerunFlags): string[] {
    return [
        "--at",
        cutoff.toString(),
        "--now",
        ...(flags.endpointUrl === undefined ? [] : ["--endpoint-url", flags.endpointUrl]),
        ...flags.credentials,
    ];
}

/** `npm run revoke -- --stack <s> (--role <k> ... | --all) --at <cutoff> --now ...`: one stack's roles applied again. */
export function stackRerun(stack: string, keys: string[] | "all", cutoff: Cutoff, flags: RerunFlags): string {
    const roles = keys === "all" ? ["--all"] : keys.flatMap((key) => ["--role", key]);
    return ["npm", "run", "revoke", "--", "--stack", stack, ...roles, ...tail(cutoff, flags)].map(shellWord).join(" ");
}

/** `npm run revoke -- --leaked <source> --at <cutoff> --now ...`: the whole change applied again (a rerun counts what is applied). */
export function leakedRerun(source: string, cutoff: Cutoff, flags: RerunFlags): string {
    return ["npm", "run", "revoke", "--", "--leaked", source, ...tail(cutoff, flags)].map(shellWord).join(" ");
}

/** The credentials flags of the given accounts, in their order. */
export function credentialFlags(applied: AccountResult[], accounts?: (string | undefined)[]): string[] {
    return applied.filter((a) => accounts === undefined || accounts.includes(a.account)).flatMap((a) => a.flags);
}

/**
 * Per account, one line that prints each role's revocation cutoff as IAM holds it, with the AWS CLI
 * and the account's credentials: its profile, or the role assumed with it (exported for the loop
 * only, in a subshell). A role without the policy makes `aws` say NoSuchEntity.
 */
export function checkCommands(applied: AccountResult[], endpointUrl: string | undefined): string[] {
    const endpoint = endpointUrl === undefined ? [] : ["--endpoint-url", endpointUrl];
    return applied.map(({ who, results }) => {
        const profile = who.profile === undefined ? [] : ["--profile", who.profile];
        const names = [...new Set(results.map((r) => r.target.roleName))];
        const get = [
            "aws iam get-role-policy --role-name",
            '"$role"',
            ...["--policy-name", REVOCATION_POLICY_NAME].map(shellWord),
            "--query",
            shellWord('PolicyDocument.Statement[0].Condition.DateLessThan."aws:TokenIssueTime"'),
            "--output text",
            ...[...(who.roleArn === undefined ? profile : []), ...endpoint].map(shellWord),
        ].join(" ");
        const loop = `for role in ${names.map(shellWord).join(" ")}; do echo "$role $(${get})"; done`;
        if (who.roleArn === undefined) return loop;
        const assume = [
            "aws sts assume-role --role-arn",
            shellWord(who.roleArn),
            "--role-session-name",
            `${ROLE_SESSION_NAME}-check`,
            ...(who.externalId === undefined ? [] : ["--external-id", shellWord(who.externalId)]),
            "--query",
            shellWord("Credentials.[AccessKeyId,SecretAccessKey,SessionToken]"),
            "--output text",
            ...[...profile, ...endpoint].map(shellWord),
        ].join(" ");
        return `(set -- $(${assume}) && export AWS_ACCESS_KEY_ID="$1" AWS_SECRET_ACCESS_KEY="$2" AWS_SESSION_TOKEN="$3" && ${loop})`;
    });
}

/**
 * Per stack, `npm run verify -- --stack <s>` with the credentials its account used: it reads every
 * revocation in force of the stack back and judges it (live, missing, weakened, role missing).
 */
export function verifyCommands(stacks: { stack: string; who?: Credentials }[], endpointUrl: string | undefined): string[] {
    return stacks.map(({ stack, who }) =>
        [
            "npm",
            "run",
            "verify",
            "--",
            "--stack",
            stack,
            ...(endpointUrl === undefined ? [] : ["--endpoint-url", endpointUrl]),
            ...(who?.profile === undefined ? [] : ["--profile", who.profile]),
            ...(who?.roleArn === undefined ? [] : ["--role-arn", who.roleArn]),
        ]
            .map(shellWord)
            .join(" "),
    );
}

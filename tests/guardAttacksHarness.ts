/**
 * What the attacks on the guard's newest parts share: the stack dev (victim revoked, trusting EC2,
 * and bystander), the guard run at a given clock, the freeze's finding, and the commands they run.
 */
import { Capture, environment, repository } from "./helpers";
import { PROJECT_ROOT } from "../cli/project";
import { commandMain } from "../cli/main";
import { ACCOUNT, CUTOFF, GuardVerdict, NOW, guard } from "./guardHarness";

/** The ci command, as a user runs it. */
export const ci: ReturnType<typeof commandMain> = commandMain("ci");

/** When {@link CUTOFF}'s revocation is safe to remove. */
export const SAFE = "2026-11-27T23:00:00Z";

/** Stack dev: victim (revoked, trusting EC2) and bystander, in ACCOUNT; `victimExtra` and `top` add lines. */
export const dev = (victimExtra = "", top = "", bystanderExtra = ""): string =>
    `config:\n  aws:region: eu-west-1\n  aws:allowedAccountIds: ["${ACCOUNT}"]\n${top}  revocable-roles:roles:\n    victim:\n      trust:\n        services: ["ec2.amazonaws.com"]\n      revokeBefore: "${CUTOFF}"\n${victimExtra}    bystander:\n      trust:\n        accounts: ["${ACCOUNT}"]\n${bystanderExtra}`;

/** Runs the guard on a repository whose base is `base` and whose working tree is `head`, at `now`. */
export async function run(base: Record<string, string>, head: Record<string, string | undefined>, now: Date = NOW): Promise<GuardVerdict> {
    const root = repository(base, head);
    const [out, err] = [new Capture(), new Capture()];
    const code = await guard(["--base", "main"], out, err, environment({ root, programRoot: PROJECT_ROOT, now }));
    return { code, lines: out.text.split("\n").slice(0, -1), stderr: err.text };
}

/** The freeze's finding for `paths`, while `held` is in force. */
export const FROZEN = (paths: string, held = `dev/victim until ${SAFE}`): string =>
    `FAIL project: ${paths}: changed while revocations are in force (${held}): only stack files and documentation may change until every revocation is safe to remove, because the guard cannot judge what a change to the program, its packages, settings, tools or workflows deploys; merge after ${SAFE}, when every revocation is safe to remove`;

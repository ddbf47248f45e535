/**
 * `verify`: proves that every revocation in force in a stack is live in the account, by reading
 * it back: each revoked role's `RevokeOlderSessions` and `AWSRevokeOlderSessions` from IAM, and,
 * for an organization stack, each service control policy and the targets it is attached to. A
 * revocation is live, missing, weakened (an earlier cutoff, a narrower action or resource, a
 * condition added: iam/liveRevocation.ts), its role missing, or unverified (what could not be read,
 * and why). `repair` re-applies what is missing or weakened on roles through the emergency path
 * (apply/emergency.ts, the same retries and deadline) and reads it back again. The deploy runs the
 * same check after `pulumi up` (revocation/workflow.ts).
 *
 * IAM is eventually consistent: with `settle`, what is not live is read again, with backoff, until
 * it is or the deadline comes.
 */
import { GetRolePolicyCommand, IAMClient, ListRolePoliciesCommand } from "@aws-sdk/client-iam";
import type { OrganizationsClient } from "@aws-sdk/client-organizations";
import { loadStack } from "../config/loader";
import { directorySource } from "../config/sources";
import { readStackConfig } from "../config/stackConfig";
import { allowedAccounts } from "../config/account";
import { OrganizationModel } from "../config/organization";
import { Cutoff } from "../iam/cutoff";
import { CONSOLE_REVOCATION_POLICY_NAME, PolicyDocument, REVOCATION_POLICY_NAME, decodePolicyDocument } from "../iam/policy";
import { LiveState, judgeOrganizationStatements, judgeRolePolicies } from "../iam/liveRevocation";
import { OrganizationRevocation, revocationKey, revocationOfStatement, revocationStatement } from "../iam/organizationPolicy";
import { Credentials, endpointInUse } from "../apply/client";
import { EmergencyResult, EmergencyTarget, Schedule, accountMismatch, backoff, revokeNow } from "../apply/emergency";
import { mapLimit } from "../apply/concurrency";
import { awsError, retryable } from "../apply/errors";
import { Time } from "../apply/time";
import { credentialsInWords, stackRole } from "./applyNow";
import { AwsAccess } from "./context";
import { RevocationError } from "./errors";

/** What to verify, and how. */
export interface VerifyRequest {
    stack: string;
    /** `--endpoint-url`: another endpoint for IAM and Organizations (the one in use is always named). */
    endpointUrl?: string;
    /** Re-apply what is missing or weakened on roles through the emergency path, then read it back. */
    repair: boolean;
    /** How long the reads (and repairs) may take in all, in milliseconds. */
    deadlineMs: number;
    /** `--profile` and `--role-arn`; default the stack file's `aws:profile` and `aws:assumeRoles`, else the standard chain. */
    credentials?: Credentials;
    /** Read again what is not live, with backoff, until it is or the deadline comes: right after a deploy, IAM may not show it yet. */
    settle?: boolean;
}

/** Where and when verify runs: the project, the instant, time for waits and deadlines, and AWS. */
export interface VerifyContext {
    root: string;
    now: Date;
    time: Time;
    aws: AwsAccess;
}

/** A revocation's state in the account. */
export type VerifyState = LiveState | "role missing" | "unverified";

/** What a state was before a repair, and what the emergency path did. */
export interface Repair {
    found: { state: VerifyState; detail: string };
    outcome: EmergencyResult["outcome"];
    detail: string;
}

/** One role's revocation, read back. */
export interface RoleCheck {
    kind: "role";
    key: string;
    roleName: string;
    cutoff: Cutoff;
    /** Where the cutoff comes from: the role's own, or the stack's `revokeAllBefore` (the later one is in force). */
    source: "revokeBefore" | "revokeAllBefore";
    state: VerifyState;
    detail: string;
    /** The revocation policies read from the role, as IAM holds them. */
    policies: { name: string; document: PolicyDocument }[];
    /** When it was last read: for a live one, the moment it was verified live. */
    readAt?: Date;
    repair?: Repair;
}

/** A service control policy of the organization stack, read back. */
export interface PolicyRead {
    name: string;
    id: string;
    document?: PolicyDocument;
    targets: string[];
}

/** One organization revocation, read back on each target. */
export interface OrganizationCheck {
    kind: "organization";
    /** What it revokes: `role ci-deployer`, `Identity Center user …`. */
    key: string;
    cutoff: Cutoff;
    /** The policy the stack puts it in. */
    policy: string;
    state: VerifyState;
    detail: string;
    targets: { target: string; state: VerifyState; detail: string }[];
    readAt?: Date;
}

/** Every revocation in force in one stack, read back. */
export interface StackVerification {
    stack: string;
    file: string;
    /** The endpoint in use, and who chose it. */
    endpoint: string;
    /** Where the credentials come from, in words. */
    credentials: string;
    checks: (RoleCheck | OrganizationCheck)[];
    /** The organization stack's policies as read, when it has revocations in force. */
    policies: PolicyRead[];
}

/** What a stack holds in force, and what reading it needs. */
interface InForce {
    file: string;
    roles: { key: string; roleName: string; cutoff: Cutoff; source: RoleCheck["source"]; policy: string }[];
    organization?: { model: OrganizationModel; revocations: OrganizationRevocation[] };
    region?: string;
    accounts?: string[];
    who: Credentials;
    words: string;
}

/** The revocations in force in a stack at `now`, read from its file (which must be valid). */
function inForce(request: VerifyRequest, context: VerifyContext): InForce {
    const loaded = loadStack(directorySource(context.root), request.stack);
    const read = readStackConfig(loaded.config, { stackFile: loaded.file, now: context.now });
    if (!read.ok) throw new RevocationError(`${loaded.file} is invalid; fix it before verifying:\n${read.errors.join("\n")}`);
    const backend = read.config.provider ?? "aws";
    const roles = read.roles.flatMap(({ key, model }) => {
        const revocation = model.revocation;
        if (revocation === undefined || !revocation.cutoff.inForceAt(context.now)) return [];
        const own = Cutoff.read(read.config.roles?.[key]?.revokeBefore);
        const source: RoleCheck["source"] = own?.equals(revocation.cutoff) === true ? "revokeBefore" : "revokeAllBefore";
        return [{ key, roleName: model.roleName, cutoff: revocation.cutoff, source, policy: revocation.policy }];
    });
    const model = read.organization;
    const revocations = model?.revocations.filter((r) => r.revokeBefore.inForceAt(context.now)) ?? [];
    const fromStack = loaded.config["aws:profile"];
    const stackRoleOf = stackRole(loaded);
    const { who, words } = credentialsInWords(request.credentials ?? {}, {
        ...(fromStack === undefined ? {} : { profile: fromStack }),
        ...(stackRoleOf === undefined ? {} : { role: stackRoleOf }),
    });
    const accounts = allowedAccounts(loaded.config, backend);
    return {
        file: loaded.file,
        roles,
        ...(model === undefined || revocations.length === 0 ? {} : { organization: { model, revocations } }),
        region: loaded.config[`${backend}:region`],
        ...(accounts === undefined ? {} : { accounts }),
        who,
        words,
    };
}

/** Runs `call` until it answers, retrying what may pass until the deadline; the last error otherwise. */
async function retried<T>(schedule: Schedule, call: (signal: AbortSignal) => Promise<T>): Promise<T> {
    for (let round = 0; ; round++) {
        const remaining = schedule.deadline - schedule.time.now();
        if (remaining <= 0) throw new RevocationError("the deadline came before the call");
        try {
            return await call(schedule.time.timeout(remaining));
        } catch (error) {
            const delay = backoff(schedule, round);
            if (!retryable(error) || schedule.time.now() + delay >= schedule.deadline) throw error;
            await schedule.time.sleep(delay);
        }
    }
}

const NAMES = [REVOCATION_POLICY_NAME, CONSOLE_REVOCATION_POLICY_NAME].map((name) => name.toLowerCase());

/** Whether an error says the role itself does not exist (not one of its policies). */
function roleIsMissing(error: unknown): boolean {
    return (error as { name?: string }).name === "NoSuchEntityException";
}

/** One role read back: its revocation policies (IAM compares their names regardless of case), judged against the cutoff. */
async function readRole(
    client: IAMClient,
    role: InForce["roles"][number],
    schedule: Schedule,
): Promise<Pick<RoleCheck, "state" | "detail" | "policies">> {
    const names: string[] = [];
    try {
        let marker: string | undefined;
        do {
            const page = await retried(schedule, (abortSignal) =>
                client.send(new ListRolePoliciesCommand({ RoleName: role.roleName, Marker: marker }), { abortSignal }),
            );
            names.push(...(page.PolicyNames ?? []));
            marker = page.IsTruncated === true ? page.Marker : undefined;
        } while (marker !== undefined);
    } catch (error) {
        if (roleIsMissing(error))
            return { state: "role missing", detail: `IAM has no role ${role.roleName} in this account`, policies: [] };
        return { state: "unverified", detail: `its policies could not be listed: ${awsError(error)}`, policies: [] };
    }
    const policies: RoleCheck["policies"] = [];
    for (const name of names.filter((n) => NAMES.includes(n.toLowerCase()))) {
        try {
            const got = await retried(schedule, (abortSignal) =>
                client.send(new GetRolePolicyCommand({ RoleName: role.roleName, PolicyName: name }), { abortSignal }),
            );
            policies.push({ name, document: decodePolicyDocument(got.PolicyDocument ?? "{}") });
        } catch (error) {
            // Deleted between the list and the read: it is not there.
            if (roleIsMissing(error)) continue;
            return { state: "unverified", detail: `${name} could not be read: ${awsError(error)}`, policies };
        }
    }
    return { ...judgeRolePolicies(policies, role.cutoff), policies };
}

/** The organization's policies of the stack, read back by name: content and targets. */
async function readPolicies(client: OrganizationsClient, names: string[], schedule: Schedule): Promise<PolicyRead[]> {
    // Loaded only for an organization stack: most stacks never call Organizations.
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use
    const sdk = require("@aws-sdk/client-organizations") as typeof import("@aws-sdk/client-organizations");
    const found: { name: string; id: string }[] = [];
    let token: string | undefined;
    do {
        const page = await retried(schedule, (abortSignal) =>
            client.send(new sdk.ListPoliciesCommand({ Filter: "SERVICE_CONTROL_POLICY", NextToken: token }), { abortSignal }),
        );
        for (const p of page.Policies ?? [])
            if (p.Name !== undefined && p.Id !== undefined && names.includes(p.Name)) found.push({ name: p.Name, id: p.Id });
        token = page.NextToken;
    } while (token !== undefined);
    return Promise.all(
        found.map(async ({ name, id }) => {
            const described = await retried(schedule, (abortSignal) =>
                client.send(new sdk.DescribePolicyCommand({ PolicyId: id }), { abortSignal }),
            );
            const targets: string[] = [];
            let next: string | undefined;
            do {
                const page = await retried(schedule, (abortSignal) =>
                    client.send(new sdk.ListTargetsForPolicyCommand({ PolicyId: id, NextToken: next }), { abortSignal }),
                );
                targets.push(...(page.Targets ?? []).flatMap((t) => (t.TargetId === undefined ? [] : [t.TargetId])));
                next = page.NextToken;
            } while (next !== undefined);
            const content = described.Policy?.Content;
            return { name, id, ...(content === undefined ? {} : { document: decodePolicyDocument(content) }), targets };
        }),
    );
}

/** One organization revocation judged on every target from the policies read. */
function judgeOrganization(
    revocation: OrganizationRevocation,
    model: OrganizationModel,
    read: PolicyRead[],
): Omit<OrganizationCheck, "readAt"> {
    const key = revocationKey(revocation);
    const policy = model.policies.find((p) => p.holds.includes(key))?.name ?? "";
    const { DateLessThan: _cutoff, ...expected } = revocationStatement(revocation, 0).Condition ?? {};
    const targets = model.targets.map((target) => {
        const attached = read.filter((p) => p.targets.includes(target));
        const statements = attached.flatMap((p) => (p.document?.Statement ?? []).filter((s) => revocationOfStatement(s)?.key === key));
        const home = read.find((p) => p.name === policy);
        const absent =
            home === undefined
                ? `service control policy ${policy} does not exist`
                : !home.targets.includes(target)
                  ? `service control policy ${policy} is not attached to target ${target}`
                  : `service control policy ${policy} holds no statement for ${key}`;
        return { target, ...judgeOrganizationStatements(statements, expected, revocation.revokeBefore, absent) };
    });
    const failing = targets.filter((t) => t.state !== "live");
    const state: VerifyState = failing.length === 0 ? "live" : failing.some((t) => t.state === "missing") ? "missing" : "weakened";
    const detail =
        failing.length === 0
            ? `${targets[0].detail} on ${targets.map((t) => t.target).join(", ")}`
            : failing.map((t) => `on ${t.target}: ${t.detail}`).join("; ");
    return { kind: "organization", key, cutoff: revocation.revokeBefore, policy, state, detail, targets };
}

/**
 * Reads back every revocation in force in the stack and judges it; with `repair`, re-applies what
 * is missing or weakened on roles through the emergency path and reads it back again. Nothing is
 * read with credentials of another account than the stack's (IAM names roles by name in the
 * caller's account): every revocation is then unverified, with why.
 */
export async function verifyStack(request: VerifyRequest, context: VerifyContext): Promise<StackVerification> {
    const held = inForce(request, context);
    const { aws, time } = context;
    const started = time.now();
    const at = () => new Date(context.now.getTime() + (time.now() - started));
    const region = held.region ?? aws.region;
    const endpoint = endpointInUse(request.endpointUrl, aws.endpointVariables, region);
    const result: StackVerification = {
        stack: request.stack,
        file: held.file,
        endpoint,
        credentials: held.words,
        checks: [],
        policies: [],
    };
    const roleChecks: RoleCheck[] = held.roles.map((r) => ({
        kind: "role",
        key: r.key,
        roleName: r.roleName,
        cutoff: r.cutoff,
        source: r.source,
        state: "unverified",
        detail: "not read",
        policies: [],
    }));
    const organization = held.organization;
    const organizationChecks: OrganizationCheck[] = (organization?.revocations ?? []).map((r) => ({
        kind: "organization",
        key: revocationKey(r),
        cutoff: r.revokeBefore,
        policy: organization!.model.policies.find((p) => p.holds.includes(revocationKey(r)))?.name ?? "",
        state: "unverified",
        detail: "not read",
        targets: [],
    }));
    result.checks = [...roleChecks, ...organizationChecks];
    if (result.checks.length === 0) return result;
    const schedule = aws.schedule(request.deadlineMs);
    if (held.accounts !== undefined) {
        const targets = roleChecks.length > 0 ? targetsOf(roleChecks, held) : [placeholderTarget()];
        const ask = (signal: AbortSignal) => aws.account(request.endpointUrl, region, signal, held.who);
        const refused = await accountMismatch(targets, held.accounts, ask, `aws:allowedAccountIds of ${held.file}`, schedule);
        if (refused !== undefined) {
            const detail = refused[0].detail
                .replace("nothing was applied", "nothing was read")
                .replace("is not revoked instead", "is not taken for this one");
            for (const check of result.checks) Object.assign(check, { state: "unverified", detail });
            return result;
        }
    }
    const client = roleChecks.length > 0 ? aws.client(request.endpointUrl, region, held.who) : undefined;
    const readRoles = async (checks: RoleCheck[]) => {
        await mapLimit(checks, schedule.concurrency, async (check) => {
            Object.assign(
                check,
                await readRole(
                    client!,
                    held.roles.find((r) => r.key === check.key)!,
                    schedule,
                ),
                { readAt: at() },
            );
        });
    };
    const readOrganization = async () => {
        if (organization === undefined) return;
        if (aws.organizations === undefined) throw new Error("no Organizations client was handed in");
        try {
            const names = organization.model.policies.map((p) => p.name);
            result.policies = await readPolicies(aws.organizations(request.endpointUrl, region, held.who), names, schedule);
        } catch (error) {
            for (const check of organizationChecks) {
                Object.assign(check, {
                    state: "unverified",
                    detail: `the service control policies could not be read: ${awsError(error)}`,
                    readAt: at(),
                });
            }
            return;
        }
        for (const [i, revocation] of organization.revocations.entries()) {
            Object.assign(organizationChecks[i], judgeOrganization(revocation, organization.model, result.policies), { readAt: at() });
        }
    };
    await Promise.all([readRoles(roleChecks), readOrganization()]);
    if (request.repair) {
        const broken = roleChecks.filter((c) => c.state === "missing" || c.state === "weakened");
        if (broken.length > 0) {
            const found = new Map(broken.map((c) => [c.key, { state: c.state, detail: c.detail }]));
            const repaired = await revokeNow(client!, targetsOf(broken, held), schedule);
            for (const r of repaired) {
                const check = broken.find((c) => c.key === r.target.key)!;
                check.repair = { found: found.get(check.key)!, outcome: r.outcome, detail: r.detail };
            }
        }
    }
    // Read again, with backoff, what is not live until it is or the deadline comes: what was repaired
    // (IAM may not show a write at once), and with `settle` everything (a deploy has just written it).
    for (let round = 0; ; round++) {
        // Not what could not be read: its calls were retried already, until the deadline or an answer that will not change.
        const unsettled = (c: RoleCheck | OrganizationCheck) => c.state !== "live" && c.state !== "unverified";
        const roles = roleChecks.filter((c) => unsettled(c) && (request.settle === true || c.repair !== undefined));
        const organizations = request.settle === true ? organizationChecks.filter(unsettled) : [];
        if (roles.length + organizations.length === 0) break;
        const delay = backoff(schedule, round);
        if (schedule.time.now() + delay >= schedule.deadline) break;
        await schedule.time.sleep(delay);
        await Promise.all([readRoles(roles), organizations.length > 0 ? readOrganization() : Promise.resolve()]);
    }
    return result;
}

/** The emergency path's targets for role checks: exactly the policy the component renders. */
function targetsOf(checks: RoleCheck[], held: InForce): EmergencyTarget[] {
    return checks.map((check) => {
        const role = held.roles.find((r) => r.key === check.key)!;
        return { key: role.key, roleName: role.roleName, cutoff: role.cutoff, policy: role.policy };
    });
}

/** A stand-in target for the account check of a stack that holds only organization revocations. */
function placeholderTarget(): EmergencyTarget {
    return { key: "", roleName: "", cutoff: Cutoff.of(new Date(0)), policy: "" };
}

/** Whether every revocation read is live. */
export function allLive(verification: StackVerification): boolean {
    return verification.checks.every((c) => c.state === "live");
}

/** Whether anything had to be repaired (whatever the repair's outcome). */
export function repairedAny(verification: StackVerification): boolean {
    return verification.checks.some((c) => c.kind === "role" && c.repair !== undefined);
}

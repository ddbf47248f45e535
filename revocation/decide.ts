/**
 * What revoking roles of one stack file does, decided before anything is done: the cutoff, the
 * stack file's new text (one byte-preserving edit, verified), the exact policy `pulumi up` will
 * deploy on each role (which the emergency path applies as is), the roles their sessions could
 * reach, and what each revocation leaves open. Pure: the caller loads the file and writes it.
 */
import { LoadedStack, stackConfig } from "../config/loader";
import { allowedAccounts } from "../config/account";
import { NAMESPACE, StackConfig, StackConfigResult, readStackConfig } from "../config/stackConfig";
import { RoleFacts } from "../analysis/reachability";
import { Containment, RepositoryIndex, containment } from "../analysis/containment";
import { Cutoff } from "../iam/cutoff";
import { show } from "../iam/problems";
import { closest } from "../iam/suggest";
import { formatUtc } from "../iam/timestamps";
import { EmergencyTarget } from "../apply/emergency";
import { RevocationError } from "./errors";
import { setRoleCutoffs, setStackCutoff } from "./stackEdit";

/** Which roles of one stack file to revoke, and before when. */
export interface RoleRevocationRequest {
    stack: string;
    /** Role keys, each once, in the order given; empty with `all`. */
    roles: string[];
    /** Every role of the stack (`revocable-roles:revokeAllBefore`). */
    all: boolean;
    /** The cutoff as written (`--at`); default: now, rounded up to the next whole second. */
    at?: string;
    /** Also revoke the roles of the same stack file the revoked roles' sessions could reach. */
    withChained: boolean;
}

/** The cutoff: `at` as given (never in the future) or now, in whole seconds rounded up. */
export function chooseCutoff(at: string | undefined, now: Date): Cutoff {
    if (at === undefined) return Cutoff.after(now);
    const parsed = Cutoff.parse(at);
    if (!parsed.ok) throw new RevocationError(`--at ${show(at)} ${parsed.problem}`);
    // Now rounded up, the cutoff a run without --at takes, is not the future: the rerun it prints gives it as --at.
    if (parsed.cutoff.isAfterNow(now) && !parsed.cutoff.equals(Cutoff.after(now))) {
        throw new RevocationError(
            `--at ${show(at)} is in the future (now is ${formatUtc(now)}); a future cutoff would also deny every session issued until then`,
        );
    }
    return parsed.cutoff;
}

/** Everything revoking roles of one stack file will do, decided before anything is done. */
export interface Decision {
    stack: string;
    file: string;
    /** The requested cutoff. */
    cutoff: Cutoff;
    /** The stack file's new text; equal to the old when it already records the revocation. */
    edited: string;
    changed: boolean;
    /** What the edit sets: the roles' keys, or `revocable-roles:revokeAllBefore`. */
    subject: string;
    all: boolean;
    /** Per role: the policy `pulumi up` will deploy (the effective cutoff) and thus the one `--now` applies. */
    targets: EmergencyTarget[];
    /** The AWS region of the stack, for the emergency path's client. */
    region?: string;
    /** The provider package the stack deploys with (`revocable-roles:provider`), which names its config keys. */
    backend: string;
    /** The accounts the stack may deploy to (`<backend>:allowedAccountIds`), undefined when it does not say. */
    accounts?: string[];
    /** Roles added because the requested ones' sessions could reach them (--with-chained), by key, with the role they are reached from. */
    chained: Map<string, string>;
    /** What each revoked role leaves open. */
    containment: Containment[];
    /** Commands that revoke reachable roles of other stack files. */
    followUps: string[];
    /**
     * Without `--at` (the cutoff is now), the revocations in force this edit moves to it, later: the
     * key (or `revocable-roles:revokeAllBefore`) and the cutoff it had. A rerun does this without
     * being asked to, and a pull request text printed for the earlier cutoff is then stale.
     */
    moved: { key: string; from: Cutoff }[];
}

/** A stack's valid config. */
export type ValidConfig = Extract<StackConfigResult, { ok: true }>;

/** The stack's config as revoke reads it before editing: refused, with every error, when it is invalid. */
export function currentConfig(loaded: LoadedStack, now: Date): ValidConfig {
    const current = readStackConfig(loaded.config, { stackFile: loaded.file, now });
    if (!current.ok) throw new RevocationError(`${loaded.file} is invalid; fix it before revoking:\n${current.errors.join("\n")}`);
    return current;
}

/** What the requested roles' sessions could reach: the roles of this stack file to revoke too (with --with-chained), and those of others. */
interface Reached {
    analyses: Containment[];
    /** Roles of this stack file added, by key, with the requested role they are reached from. */
    chained: Map<string, string>;
    /** Reachable roles of other stack files, by stack. */
    elsewhere: Map<string, Set<string>>;
}

function reached(request: RoleRevocationRequest, requested: string[], repository: RoleFacts[], cutoff: Cutoff): Reached {
    const index = new RepositoryIndex(repository);
    const analyses = requested.flatMap((key) => {
        const role = index.role(request.stack, key);
        return role === undefined ? [] : [containment(role, index, cutoff)];
    });
    const chained = new Map<string, string>();
    const elsewhere = new Map<string, Set<string>>();
    const isRequested = new Set(requested);
    for (const analysis of analyses) {
        for (const { reach, covered } of analysis.reachable) {
            if (covered || (isRequested.has(reach.role.key) && reach.role.stack === request.stack)) continue;
            if (reach.role.stack === request.stack) {
                if (request.withChained && !chained.has(reach.role.key)) chained.set(reach.role.key, analysis.role.key);
            } else {
                elsewhere.set(reach.role.stack, (elsewhere.get(reach.role.stack) ?? new Set()).add(reach.role.key));
            }
        }
    }
    return { analyses, chained, elsewhere };
}

/**
 * The stack file's text with the cutoffs set: `revokeAllBefore` with `all`, each named role's
 * `revokeBefore` otherwise, every role in one edit of one parse. Refuses, with every reason at
 * once, a cutoff earlier than one in force and an unknown role.
 */
function editedText(
    loaded: LoadedStack,
    config: StackConfig,
    all: boolean,
    named: string[],
    cutoff: Cutoff,
    now: Date,
    implicit: boolean,
): { edited: string; moved: Decision["moved"] } {
    const roles = config.roles ?? {};
    const roleKeys = Object.keys(roles);
    const stackCutoff = Cutoff.read(config.revokeAllBefore);
    const problems: string[] = [];
    const weaker = (existing: Cutoff) =>
        `${existing}; the new cutoff ${cutoff} is earlier and would re-enable sessions that revocation denies`;
    let edited = loaded.text;
    const roleCutoffs = new Map<string, string>();
    const moved: Decision["moved"] = [];
    const moves = (key: string, from: Cutoff | undefined) => {
        if (implicit && from?.isBefore(cutoff) === true && from.inForceAt(now)) moved.push({ key, from });
    };
    try {
        if (all) {
            if (stackCutoff?.isAfter(cutoff) === true) problems.push(`${NAMESPACE}:revokeAllBefore is already ${weaker(stackCutoff)}`);
            else if (!cutoff.equals(stackCutoff)) {
                moves(`${NAMESPACE}:revokeAllBefore`, stackCutoff);
                edited = setStackCutoff(edited, cutoff.toString());
            }
        }
        for (const key of named) {
            // Own keys only: "constructor" must not find Object's.
            const role = Object.hasOwn(roles, key) ? roles[key] : undefined;
            if (role === undefined) {
                const suggestion = closest(key, roleKeys);
                problems.push(
                    `unknown role "${key}" in ${loaded.file};${suggestion === undefined ? "" : ` did you mean "${suggestion}"?`} the roles are: ${roleKeys.join(", ")}`,
                );
                continue;
            }
            const own = Cutoff.read(role.revokeBefore);
            if (own?.isAfter(cutoff) === true) {
                problems.push(`role "${key}" is already revoked before ${weaker(own)}`);
            } else if (stackCutoff !== undefined && !stackCutoff.isBefore(cutoff)) {
                problems.push(
                    `role "${key}" is already revoked before ${stackCutoff} by ${NAMESPACE}:revokeAllBefore, which is not earlier than ${cutoff}: that cutoff is the one in force; give --at later than ${stackCutoff} to deny later sessions`,
                );
            } else if (!cutoff.equals(own)) {
                moves(key, own);
                roleCutoffs.set(key, cutoff.toString());
            }
        }
        // Every role in one edit of one parse, verified once.
        if (problems.length === 0) edited = setRoleCutoffs(edited, roleCutoffs);
    } catch (error) {
        throw new RevocationError(`${loaded.file}: ${(error as Error).message}`);
    }
    if (problems.length > 0) throw new RevocationError(problems.join("\n"));
    return { edited, moved };
}

/** The commands that revoke the reachable roles of other stack files, with the same cutoff. */
function followUps(request: RoleRevocationRequest, found: Reached, cutoff: Cutoff): string[] {
    const reason = (stack: string, key: string) =>
        `reachable from ${[...new Set(found.analyses.filter((a) => a.reachable.some((r) => r.reach.role.stack === stack && r.reach.role.key === key)).map((a) => a.role.key))].join(", ")} in ${request.stack}`;
    return [...found.elsewhere].map(
        ([stack, keys]) =>
            `npm run revoke -- --stack ${stack} ${[...keys].map((k) => `--role ${k}`).join(" ")} --at ${cutoff} --with-chained --reason "${reason(stack, [...keys][0])}"`,
    );
}

/**
 * Decides the edit and the policies, refusing (with every reason at once) anything that would
 * weaken a revocation, name an unknown role, or leave the file invalid. `repository` holds every
 * role of the repository's stack files, for the containment analysis.
 */
export function decide(request: RoleRevocationRequest, loaded: LoadedStack, now: Date, repository: RoleFacts[] = []): Decision {
    const file = loaded.file;
    const current = currentConfig(loaded, now);
    const accounts = allowedAccounts(loaded.config, current.config.provider ?? "aws");
    const cutoff = chooseCutoff(request.at, now);
    const requested = request.all ? Object.keys(current.config.roles ?? {}) : request.roles;
    const found = reached(request, requested, repository, cutoff);
    // Chained roles are never requested ones, and with --all there are none: every role of the stack is requested.
    const named = [...request.roles, ...found.chained.keys()];
    const { edited, moved } = editedText(loaded, current.config, request.all, named, cutoff, now, request.at === undefined);
    const after = readStackConfig({ ...loaded.config, ...stackConfig(file, edited, loaded.project.name) }, { stackFile: file, now });
    if (!after.ok) {
        throw new RevocationError(`the edited ${file} would not pass validation; nothing was written:\n${after.errors.join("\n")}`);
    }
    const revoked = new Set([...requested, ...found.chained.keys()]);
    // The same code the component runs: the emergency policy is byte-identical to what pulumi up writes.
    const targets = after.roles
        .filter((r) => revoked.has(r.key))
        .map(({ key, model }) => ({ key, roleName: model.roleName, cutoff: model.revocation!.cutoff, policy: model.revocation!.policy }));
    return {
        stack: request.stack,
        file,
        cutoff,
        edited,
        changed: edited !== loaded.text,
        subject: request.all ? `${NAMESPACE}:revokeAllBefore` : named.join(", "),
        all: request.all,
        targets,
        region: loaded.config["aws:region"],
        backend: current.config.provider ?? "aws",
        ...(accounts === undefined ? {} : { accounts }),
        chained: found.chained,
        containment: found.analyses,
        followUps: followUps(request, found, cutoff),
        moved,
    };
}

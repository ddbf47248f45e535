/**
 * Reachability through `iam:PassRole`: a role that may pass role Y to a service that runs code
 * with it (iam/passRole.ts: EC2 through an instance profile, Lambda, ECS tasks, ...), and may also
 * start that service, reaches Y's credentials, when Y's trust lets the service in. What it starts
 * gets sessions of Y issued after any cutoff, for as long as it runs: not bound by the 1-hour
 * limit of role chaining. A grant of iam:PassRole without the means to start the service reaches
 * nothing.
 *
 * Over-approximate like the rest of the analysis: conditions are taken as possibly true
 * (`iam:PassedToService` included), the start actions' resources are not narrowed (a holder may
 * launch into any subnet or cluster it can name), a managed policy whose document is not known here
 * may allow anything; only an unconditional Deny on `*` in the same inline policy takes a start
 * action away. Only roles declared here pass roles: a leaked principal whose permissions are not
 * declared in the repository is not taken to pass any.
 */
import { asList } from "../iam/policy";
import { coversAction, awsManagedName, managedPolicyCatalog } from "../iam/managedPolicies";
import { PassTarget, passTargets } from "../iam/passRole";
import { Link, RoleFacts } from "./reachability";
import { rights, statementsOf } from "./rights";
import { passGrant, trustedServices } from "./undo";
import { grantInWords } from "./undoWords";

/** Where a role's permissions allow an action: the policy (and statement), and whether for certain. */
export interface ActionGrant {
    via: string;
    /** False for a conditional statement or a policy whose document is not known here: it may allow it. */
    known: boolean;
}

/** Where `role`'s permissions may allow `action`, whatever the resource; undefined when they provably do not. */
export function actionGrant(role: RoleFacts, action: string): ActionGrant | undefined {
    let conditional: ActionGrant | undefined;
    for (const { name, document } of role.inlinePolicies) {
        const statements = statementsOf(document);
        // A Deny takes the action away from its own document only: each inline policy deploys on its own.
        const denied = statements.some(
            (s) => s.Effect === "Deny" && s.Condition === undefined && asList(s.Resource).includes("*") && coversAction(s, action),
        );
        if (denied) continue;
        for (const [index, statement] of statements.entries()) {
            if (statement.Effect !== "Allow" || !coversAction(statement, action)) continue;
            if (statement.Condition === undefined) return { via: `inline policy ${name} (statement ${index})`, known: true };
            conditional ??= { via: `inline policy ${name} (statement ${index}, under conditions taken as possibly true)`, known: false };
        }
    }
    const catalog = managedPolicyCatalog();
    const lower = action.toLowerCase();
    for (const arn of role.managedPolicyArns) {
        const name = awsManagedName(arn);
        const facts = name === undefined ? undefined : catalog.policies[name];
        if (facts === undefined) {
            conditional ??= { via: `managed policy ${arn}, whose document is not known here,`, known: false };
            continue;
        }
        if ((facts.starts ?? []).some((a) => a.toLowerCase() === lower)) return { via: `managed policy ${name}`, known: true };
    }
    return conditional;
}

/** How a role starts a service: the first way of the table it may take, each action with its grant. */
interface Start {
    actions: string[];
    grants: ActionGrant[];
}

const startsOf = new WeakMap<RoleFacts, Map<string, Start | null>>();

/** The first way `role` may start `target`'s service, or undefined when it may take none. */
function startOf(role: RoleFacts, target: PassTarget): Start | undefined {
    let known = startsOf.get(role);
    if (known === undefined) startsOf.set(role, (known = new Map()));
    const cached = known.get(target.service);
    if (cached !== undefined) return cached ?? undefined;
    let found: Start | undefined;
    for (const way of target.starts) {
        const grants = way.map((action) => actionGrant(role, action));
        if (grants.every((g) => g !== undefined)) {
            found = { actions: [...way], grants: grants as ActionGrant[] };
            break;
        }
    }
    known.set(target.service, found ?? null);
    return found;
}

/** The services of the table a role's trust lets in: those it names, every one when it lets anyone in. */
export function passableServices(role: RoleFacts): PassTarget[] {
    const named = new Set(trustedServices(role.trust).map((s) => s.toLowerCase()));
    const anyone = (role.trust.statements ?? []).some(
        (s) => s.Effect === "Allow" && s.Principal === "*" && coversAction(s, "sts:AssumeRole"),
    );
    return passTargets().filter((target) => anyone || named.has(target.service));
}

/** A link from `from` to `to` by passing `to` to a service `from` may start, with the reasons, or undefined when there is none. */
export function passLink(from: RoleFacts, to: RoleFacts): Link | undefined {
    return from === to ? undefined : linkThrough(from, to, passableServices(to));
}

/** The link through the first of `services` (those `to`'s trust lets in) that `from` may start, when it may pass `to`. */
function linkThrough(from: RoleFacts, to: RoleFacts, services: readonly PassTarget[]): Link | undefined {
    const target = services.find((t) => startOf(from, t) !== undefined);
    if (target === undefined) return undefined;
    const pass = passGrant(from, to);
    if (pass === undefined) return undefined;
    const start = startOf(from, target)!;
    const named = trustedServices(to.trust).some((s) => s.toLowerCase() === target.service);
    return {
        from,
        to,
        pass: { service: target.service, starts: start.actions },
        reasons: [
            `${from.key} passes ${to.key} to ${target.service} and starts it with ${start.actions.join(" and ")}: ${target.runs} gets sessions of ${to.key} for as long as it runs, past the 1-hour limit of role chaining`,
            named ? `${to.key}'s trust lets ${target.service} in` : `${to.key}'s trust lets anyone in, ${target.service} included`,
            grantInWords(`${from.key}'s`, pass.grant, pass.resource),
            ...start.grants.map((g, i) => `${from.key}'s ${g.via} ${g.known ? "allows" : "may allow"} ${start.actions[i]}`),
        ],
    };
}

/**
 * The roles a holder of iam:PassRole may pass to a service, found once per run: those whose trust
 * lets in a service of the table, with those services. `search` gives the reachability index its
 * second kind of hop: a role that may pass no role, or start no service of the table, has none,
 * found without looking at any role (passGrant decides the account: the same one, or an unknown one).
 */
export class PassIndex {
    private readonly passable: { role: RoleFacts; services: PassTarget[] }[];

    constructor(roles: readonly RoleFacts[]) {
        this.passable = roles.flatMap((role) => {
            const services = passableServices(role);
            return services.length === 0 ? [] : [{ role, services }];
        });
    }

    /**
     * The pass hops of one search that has reached the roles `reached` names: every role a role
     * reaches by passing it to a service it may start, not reached yet, in the repository's order.
     * The roles still to reach shrink as the search goes, so once they are all reached a hop costs
     * nothing, however many roles may pass them.
     */
    search(reached: (role: RoleFacts) => boolean): (from: RoleFacts) => Link[] {
        let pending = this.passable;
        return (from) => {
            pending = pending.filter((entry) => !reached(entry.role));
            if (pending.length === 0 || rights(from).passRole.length === 0) return [];
            const startable = new Set(passTargets().filter((target) => startOf(from, target) !== undefined));
            if (startable.size === 0) return [];
            const links: Link[] = [];
            for (const { role, services } of pending) {
                if (role === from) continue;
                const usable = services.filter((target) => startable.has(target));
                if (usable.length === 0) continue;
                const link = linkThrough(from, role, usable);
                if (link !== undefined) links.push(link);
            }
            return links;
        };
    }
}

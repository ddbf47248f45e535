/**
 * The offline plan: runs the real program against a stack file under Pulumi's mock runtime and
 * shows what it would deploy, as text for people, as JSON for tools, or as a diff against the
 * same stack file at a git ref.
 */
import * as path from "path";
import { isDeepStrictEqual, parseArgs } from "util";
import { PLACEHOLDER_ACCOUNT, PLACEHOLDER_PARTITION, Registration, loadProgram, runOffline, useFastStackTraces } from "./offline";
import { CliError, errorText, PROJECT_ROOT, programConfig, projectName, readStackFile, stackFileAt, stackFileName } from "./project";
import { REVOCABLE_ROLE_TYPE } from "../components/revocableRole";
import { CONFIG_ERROR_HEADER } from "../config/stackConfig";
import { PolicyDocument, PolicyStatement, REVOCATION_POLICY_NAME, asList } from "../components/policy";
import { formatUtc, safeToRemoveAfter } from "../components/timestamps";
import { formatPath } from "../components/validation";

/** A resource of the plan: the `--json` contract. */
export interface PlannedResource {
    urn: string;
    type: string;
    name: string;
    parent: string | null;
    inputs: Record<string, unknown>;
}

/** The plan of one stack: the `--json` contract. */
export interface Plan {
    project: string;
    stack: string;
    resources: PlannedResource[];
}

/** Plans a stack from its file's text (the working tree's, or another version's). */
export async function planStack(stack: string, stackText: string, root = PROJECT_ROOT): Promise<Plan> {
    const project = projectName(root);
    const config = programConfig(stackText, stackFileName(stack));
    const run = await runOffline(loadProgram(path.join(PROJECT_ROOT, "index.ts")), { project, stack, config });
    if (run.error !== undefined) {
        // Config errors: the lines themselves, one per problem, without the program's header.
        const message = run.error.message;
        throw new CliError(message.startsWith(`${CONFIG_ERROR_HEADER}\n`) ? message.slice(CONFIG_ERROR_HEADER.length + 1) : message);
    }
    return { project, stack, resources: run.registrations.map(toResource) };
}

function toResource(r: Registration): PlannedResource {
    return { urn: r.urn, type: r.type, name: r.name, parent: r.parent ?? null, inputs: r.inputs };
}

const ROLE_TYPES = new Set(["aws:iam/role:Role", "aws-native:iam:Role"]);
const POLICY_TYPES = new Set(["aws:iam/rolePolicy:RolePolicy", "aws-native:iam:RolePolicy"]);

function document(value: unknown): PolicyDocument {
    return (typeof value === "string" ? JSON.parse(value) : value) as PolicyDocument;
}

/** A trust statement in words: who, and under which conditions. */
export function describeTrustStatement(statement: PolicyStatement): string {
    const principal = statement.Principal;
    const who: string[] = [];
    if (principal === "*") {
        who.push("anyone");
    } else if (principal !== undefined) {
        for (const arn of asList(principal.AWS)) {
            const account = /^arn:[^:]+:iam::(\d{12}):root$/.exec(arn)?.[1];
            who.push(account !== undefined ? `account ${account}` : arn.includes(":role/") ? `role ${arn}` : arn.includes(":user/") ? `user ${arn}` : arn);
        }
        who.push(...asList(principal.Service).map((service) => `service ${service}`));
        for (const federated of asList(principal.Federated)) {
            const subjects = Object.values(statement.Condition ?? {}).flatMap((keys) => asList(keys["token.actions.githubusercontent.com:sub"]));
            if (federated.endsWith("oidc-provider/token.actions.githubusercontent.com")) {
                who.push(`GitHub Actions ${subjects.join(", ")} (provider ${federated})`);
            } else {
                who.push(`${federated.includes(":saml-provider/") ? "SAML" : "OIDC"} provider ${federated}`);
            }
        }
    }
    const conditions: string[] = [];
    const c = statement.Condition ?? {};
    if (c.Bool?.["aws:MultiFactorAuthPresent"] !== undefined) conditions.push("MFA required");
    if (c.NumericLessThan?.["aws:MultiFactorAuthAge"] !== undefined) conditions.push(`MFA younger than ${String(c.NumericLessThan["aws:MultiFactorAuthAge"])} s`);
    if (c.StringEquals?.["sts:ExternalId"] !== undefined) conditions.push(`ExternalId ${String(c.StringEquals["sts:ExternalId"])}`);
    const effect = statement.Effect === "Deny" ? "denies " : "";
    return `${effect}${who.join(", ")}${conditions.length > 0 ? ` (${conditions.join(", ")})` : ""}`;
}

/** The plan for people: per role, its name, trust in words, policies and revocation state. */
export function describePlan(plan: Plan): string {
    const lines = [
        `Offline plan of stack "${plan.stack}" (project ${plan.project}): no AWS call was made.`,
        `Account ${PLACEHOLDER_ACCOUNT} and partition "${PLACEHOLDER_PARTITION}" below are placeholders for the deploying account.`,
    ];
    const components = plan.resources.filter((r) => r.type === REVOCABLE_ROLE_TYPE);
    for (const component of components) {
        const children = plan.resources.filter((r) => r.parent === component.urn);
        const role = children.find((r) => ROLE_TYPES.has(r.type));
        if (role === undefined) continue;
        const inputs = role.inputs;
        const trust = document(inputs.assumeRolePolicy ?? inputs.assumeRolePolicyDocument);
        const managed = [
            ...asList(inputs.managedPolicyArns),
            ...children.filter((r) => r.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment").map((r) => String(r.inputs.policyArn)),
        ].sort();
        const policies = children.filter((r) => POLICY_TYPES.has(r.type));
        const policyName = (r: PlannedResource) => String(r.inputs.name ?? r.inputs.policyName);
        const revocation = policies.find((r) => policyName(r) === REVOCATION_POLICY_NAME);
        const inline = policies.filter((r) => r !== revocation).map(policyName);
        const physical = String(inputs.name ?? inputs.roleName);
        lines.push("", `${component.name}: role ${String(inputs.path ?? "/")}${physical}`);
        trust.Statement.forEach((statement, i) => lines.push(`  ${i === 0 ? "trusted by:" : "           "} ${describeTrustStatement(statement)}`));
        lines.push(`  managed:    ${managed.length > 0 ? managed.join(", ") : "none"}`);
        lines.push(`  inline:     ${inline.length > 0 ? inline.join(", ") : "none"}`);
        if (revocation === undefined) {
            lines.push("  revocation: not revoked");
        } else {
            const cutoff = String(document(revocation.inputs.policy ?? revocation.inputs.policyDocument).Statement[0].Condition?.DateLessThan["aws:TokenIssueTime"]);
            lines.push(`  revocation: sessions issued before ${cutoff} are denied; safe to remove after ${formatUtc(safeToRemoveAfter(new Date(cutoff)))}`);
        }
    }
    lines.push("", `${components.length} roles, ${plan.resources.length} resources.`);
    return lines.join("\n");
}

function parsed(value: unknown): unknown {
    if (typeof value === "string" && /^\s*[{[]/.test(value)) {
        try {
            return JSON.parse(value);
        } catch {
            return value;
        }
    }
    return value;
}

/** Structural differences between two values, one line each, with JSON documents compared as data. */
export function structuralDiff(before: unknown, after: unknown, at: PropertyKey[] = []): string[] {
    const a = parsed(before);
    const b = parsed(after);
    if (JSON.stringify(a) === JSON.stringify(b)) return [];
    const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null;
    if (isObject(a) && isObject(b) && Array.isArray(a) === Array.isArray(b)) {
        const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
        return keys.flatMap((key) => structuralDiff(a[key], b[key], [...at, Array.isArray(a) ? Number(key) : key]));
    }
    const where = formatPath(at);
    if (a === undefined) return [`+ ${where}: ${JSON.stringify(b)}`];
    if (b === undefined) return [`- ${where}: ${JSON.stringify(a)}`];
    return [`~ ${where}: ${JSON.stringify(a)} -> ${JSON.stringify(b)}`];
}

/** Resources a new plan adds, changes (any input differs) and removes, by URN. */
export interface Footprint {
    added: string[];
    changed: string[];
    removed: string[];
}

/** Compares two plans of the same stack. */
export function footprint(before: Plan, after: Plan): Footprint {
    const old = new Map(before.resources.map((r) => [r.urn, r]));
    const now = new Set(after.resources.map((r) => r.urn));
    const added: string[] = [];
    const changed: string[] = [];
    for (const resource of after.resources) {
        const previous = old.get(resource.urn);
        if (previous === undefined) added.push(resource.urn);
        else if (!isDeepStrictEqual(previous.inputs, resource.inputs)) changed.push(resource.urn);
    }
    return { added, changed, removed: before.resources.filter((r) => !now.has(r.urn)).map((r) => r.urn) };
}

/** Every URN a footprint touches. */
export function touched(f: Footprint): string[] {
    return [...f.added, ...f.changed, ...f.removed];
}

/** What changes from one plan to another: resources added, changed and removed, with their differences. */
export function diffPlans(before: Plan, after: Plan, ref: string): string {
    const f = footprint(before, after);
    const [added, changed] = [new Set(f.added), new Set(f.changed)];
    const old = new Map(before.resources.map((r) => [r.urn, r]));
    const label = (r: PlannedResource) => `${r.type} ${r.name}`;
    const indent = (lines: string[]) => lines.map((l) => `    ${l}`);
    const lines: string[] = [];
    for (const resource of after.resources) {
        if (added.has(resource.urn)) lines.push(`+ ${label(resource)}`, ...indent(structuralDiff({}, resource.inputs)));
        if (changed.has(resource.urn)) lines.push(`~ ${label(resource)}`, ...indent(structuralDiff(old.get(resource.urn)!.inputs, resource.inputs)));
    }
    lines.push(...f.removed.map((urn) => `- ${label(old.get(urn)!)}`));
    const header = `Changes to stack "${after.stack}" since ${ref}: ${f.added.length} to add, ${f.changed.length} to change, ${f.removed.length} to remove.`;
    return [header, ...(lines.length > 0 ? ["", ...lines] : [])].join("\n");
}

/** Where a command writes: stdout and stderr, or a test's capture. */
export interface Writer {
    write(text: string): unknown;
}

const USAGE = "usage: npm run plan -- --stack <name> [--json] [--diff <git-ref>]";

/** The command line: returns the exit code; writes results to stdout and errors to stderr only. */
export async function main(argv: string[], out: Writer = process.stdout, err: Writer = process.stderr, root = PROJECT_ROOT): Promise<number> {
    try {
        const { values } = parseArgs({
            args: argv,
            options: { stack: { type: "string" }, json: { type: "boolean" }, diff: { type: "string" } },
            strict: true,
        });
        if (values.stack === undefined) throw new CliError(`--stack is required\n${USAGE}`);
        const stack = values.stack;
        const plan = await planStack(stack, readStackFile(stack, root), root);
        if (values.diff !== undefined) {
            const text = stackFileAt(values.diff, stack, root);
            const before = text === undefined ? { ...plan, resources: [] } : await planStack(stack, text, root).catch((error: Error) => {
                throw new CliError(`${stackFileName(stack)} at ${values.diff}: ${error.message}`);
            });
            const diff = diffPlans(before, plan, values.diff);
            out.write(`${values.json ? JSON.stringify({ before, after: plan }) : diff}\n`);
        } else {
            out.write(`${values.json ? JSON.stringify(plan) : describePlan(plan)}\n`);
        }
        return 0;
    } catch (error) {
        err.write(`${errorText(error, USAGE)}\n`);
        return 1;
    }
}

if (require.main === module) {
    useFastStackTraces();
    main(process.argv.slice(2)).then((code) => process.exit(code));
}

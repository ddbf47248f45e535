/**
 * The rules of a role's trust: its shortcuts (accounts, principals, services, GitHub Actions,
 * OIDC, SAML, ExternalId, MFA) and raw statements, and the `sub` forms GitHub's claim can have.
 * Part of the role's schema (rules.ts).
 */
import { z } from "zod";
import { POLICY_VERSION, PolicyStatement } from "./policy";
import { show } from "./problems";
import {
    ACCOUNT,
    EXTERNAL_ID,
    GITHUB_REPOSITORY,
    OIDC_PROVIDER_ARN,
    PRINCIPAL_ARN,
    SAML_PROVIDER_ARN,
    SERVICE_PRINCIPAL,
} from "./patterns";
import { lintPolicy } from "./lint";
import { conditionBlock, matching, refine, statementSchema, wholeNumber } from "./documentRules";

const githubProviderArn = "an OIDC provider ARN such as arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com";

/**
 * The claim keys a GitHub `sub` claim has after `repo:<owner>/<repo>:`: the default ones (`ref`,
 * `environment`, `pull_request`) and those an organization may add by customizing its sub claim.
 */
const GITHUB_SUB_KEYS = new Set([
    "ref",
    "environment",
    "pull_request",
    "actor",
    "actor_id",
    "base_ref",
    "context",
    "enterprise",
    "enterprise_id",
    "event_name",
    "head_ref",
    "job_workflow_ref",
    "job_workflow_sha",
    "ref_protected",
    "ref_type",
    "repository_id",
    "repository_owner",
    "repository_owner_id",
    "repository_visibility",
    "run_attempt",
    "runner_environment",
    "workflow",
    "workflow_ref",
    "workflow_sha",
]);

const GITHUB_SUB_FORMS =
    "after the repository, GitHub's sub claim has ref:refs/heads/<branch>, ref:refs/tags/<tag>, environment:<name> or pull_request (* and ? are wildcards)";

/** Why a repository entry's `sub` suffix is one GitHub's claim never has, with the form meant; undefined when it may match. */
export function githubSubjectProblem(entry: string): string | undefined {
    const colon = entry.indexOf(":");
    if (colon < 0 || !GITHUB_REPOSITORY.test(entry)) return undefined;
    const [repository, suffix] = [entry.slice(0, colon), entry.slice(colon + 1)];
    const [key, ...rest] = suffix.split(":");
    const value = rest.join(":");
    if (/[*?]/.test(key)) return undefined;
    let meant: string | undefined;
    if (key === "ref") {
        if (/^(?:refs\/|[*?])/.test(value)) return undefined;
        meant = `ref:refs/heads/${value}`;
    } else if (key === "environment") {
        if (value !== "") return undefined;
    } else if (GITHUB_SUB_KEYS.has(key)) {
        return undefined;
    } else if (/^refs\//.test(suffix)) {
        meant = `ref:${suffix}`;
    } else if (/^[A-Za-z0-9_./-]+$/.test(suffix)) {
        meant = `ref:refs/heads/${suffix}`;
    }
    return `${show(entry)} never matches: ${GITHUB_SUB_FORMS}${meant === undefined ? "" : `; did you mean ${show(`${repository}:${meant}`)}?`}`;
}

export function trustSchema(): z.ZodType {
    return z
        .strictObject({
            accounts: z.array(matching(ACCOUNT, "a 12-digit AWS account ID such as 123456789012")).optional(),
            principals: z.array(matching(PRINCIPAL_ARN, "an IAM role or user ARN such as arn:aws:iam::123456789012:role/name")).optional(),
            services: z.array(matching(SERVICE_PRINCIPAL, "a service principal such as ec2.amazonaws.com")).optional(),
            githubActions: z
                .strictObject({
                    repositories: z
                        .array(
                            refine(
                                matching(
                                    GITHUB_REPOSITORY,
                                    'a repository "org/repo" or "org/repo:<sub suffix>" such as "acme/infra:ref:refs/heads/main"',
                                ),
                                githubSubjectProblem,
                            ),
                        )
                        .min(1, {
                            error: 'must not be empty; without a repository every GitHub repository could assume the role; add one such as "acme/infra"',
                        }),
                    providerArn: matching(OIDC_PROVIDER_ARN, githubProviderArn).optional(),
                    audience: z.string().min(1).optional(),
                })
                .optional(),
            oidc: z
                .strictObject({
                    providerArn: matching(
                        OIDC_PROVIDER_ARN,
                        "an OIDC provider ARN such as arn:aws:iam::123456789012:oidc-provider/example.com",
                    ),
                    conditions: refine(conditionBlock, (c) =>
                        Object.keys(c).length === 0
                            ? "must not be empty; without conditions every identity of the provider could assume the role"
                            : undefined,
                    ),
                })
                .optional(),
            saml: z
                .strictObject({
                    providerArn: matching(SAML_PROVIDER_ARN, "a SAML provider ARN such as arn:aws:iam::123456789012:saml-provider/Okta"),
                })
                .optional(),
            externalId: matching(EXTERNAL_ID, "an external ID of 2 to 1224 characters of letters, digits and +=,.@:/-").optional(),
            requireMfa: z.boolean().optional(),
            mfaMaxAgeSeconds: wholeNumber(1, 129600, "whole seconds from 1 to 129600").optional(),
            statements: z.array(statementSchema("trust")).min(1).optional(),
        })
        .superRefine((trust, ctx) => {
            const namedPrincipals = (trust.accounts?.length ?? 0) + (trust.principals?.length ?? 0) > 0;
            const kinds =
                namedPrincipals ||
                (trust.services?.length ?? 0) > 0 ||
                trust.githubActions !== undefined ||
                trust.oidc !== undefined ||
                trust.saml !== undefined ||
                (trust.statements?.length ?? 0) > 0;
            if (!kinds) {
                ctx.addIssue({
                    code: "custom",
                    message:
                        "trusts no principal; expected at least one of accounts, principals, services, githubActions, oidc, saml or statements",
                    input: trust,
                });
            }
            const forNamedPrincipalsOnly = (field: "requireMfa" | "externalId" | "mfaMaxAgeSeconds") => {
                if (trust[field] !== undefined && trust[field] !== false && !namedPrincipals) {
                    ctx.addIssue({
                        code: "custom",
                        path: [field],
                        message: `${show(trust[field])} applies only to accounts and principals, and this trust has neither; MFA and ExternalId make no sense for services or federated identities`,
                        input: trust,
                    });
                }
            };
            // Raw statements and OIDC conditions are user-written: lint them like inline policies.
            const lint = (statements: PolicyStatement[], at: (problemPath: (string | number)[]) => PropertyKey[]) => {
                for (const problem of lintPolicy({ Version: POLICY_VERSION, Statement: statements }, "trust")) {
                    ctx.addIssue({ code: "custom", message: problem.message, path: at(problem.path) as (string | number)[], input: trust });
                }
            };
            lint((trust.statements ?? []) as PolicyStatement[], ([, index, ...rest]) => ["statements", index, ...rest]);
            if (trust.oidc !== undefined) {
                const statement = { Effect: "Allow" as const, Action: "sts:AssumeRoleWithWebIdentity", Condition: trust.oidc.conditions };
                lint([statement], ([, , , ...rest]) => ["oidc", "conditions", ...rest]);
            }
            forNamedPrincipalsOnly("requireMfa");
            forNamedPrincipalsOnly("externalId");
            forNamedPrincipalsOnly("mfaMaxAgeSeconds");
            if (trust.mfaMaxAgeSeconds !== undefined && trust.requireMfa !== true && namedPrincipals) {
                ctx.addIssue({
                    code: "custom",
                    path: ["mfaMaxAgeSeconds"],
                    message: `${show(trust.mfaMaxAgeSeconds)} needs requireMfa: true as well`,
                    input: trust,
                });
            }
        });
}

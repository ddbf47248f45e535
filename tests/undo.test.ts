/**
 * The means to undo a revocation, as pure functions: the undo class from the catalog
 * (iam/capabilities.ts), the resources a grant is read to cover, failing closed, and the undo
 * analysis in hops (analysis/undo.ts) against a brute-force search.
 */
import * as assert from "assert";
import { memorySource } from "./helpers";
import { manyRoleStacks } from "./manyRoles";
import { PolicyStatement } from "../iam/policy";
import { capabilityClasses, inClass, judgedActionsOf } from "../iam/capabilities";
import { RoleFacts } from "../analysis/reachability";
import { repositoryRoles } from "../analysis/containment";
import { PermissionGrant, UndoIndex, assumeHop, changeOrPass, rights, undoEnd } from "../analysis/undo";
import { ACCOUNT, NOW } from "./guardHarness";

describe("the undo class, from the catalog", () => {
    const classes = capabilityClasses();

    it("holds every IAM and Organizations action at the access level Permissions management, and iam:DeleteRole", () => {
        assert.deepStrictEqual(
            { role: classes.role, organization: classes.organization, assume: classes.assume, passRole: classes.passRole },
            {
                role: [
                    "iam:DeleteRolePolicy",
                    "iam:PutRolePolicy",
                    "iam:DeleteRole",
                    "iam:UpdateAssumeRolePolicy",
                    "iam:AttachGroupPolicy",
                    "iam:AttachRolePolicy",
                    "iam:AttachUserPolicy",
                    "iam:CreatePolicy",
                    "iam:CreatePolicyVersion",
                    "iam:DeleteAccountPasswordPolicy",
                    "iam:DeleteGroupPolicy",
                    "iam:DeletePolicy",
                    "iam:DeletePolicyVersion",
                    "iam:DeleteRolePermissionsBoundary",
                    "iam:DeleteUserPermissionsBoundary",
                    "iam:DeleteUserPolicy",
                    "iam:DetachGroupPolicy",
                    "iam:DetachRolePolicy",
                    "iam:DetachUserPolicy",
                    "iam:PutGroupPolicy",
                    "iam:PutRolePermissionsBoundary",
                    "iam:PutUserPermissionsBoundary",
                    "iam:PutUserPolicy",
                    "iam:SetDefaultPolicyVersion",
                ],
                organization: [
                    "organizations:AcceptHandshake",
                    "organizations:AttachPolicy",
                    "organizations:CancelHandshake",
                    "organizations:CloseAccount",
                    "organizations:CreateAccount",
                    "organizations:CreateGovCloudAccount",
                    "organizations:CreateOrganization",
                    "organizations:CreateOrganizationalUnit",
                    "organizations:CreatePolicy",
                    "organizations:DeclineHandshake",
                    "organizations:DeleteOrganization",
                    "organizations:DeleteOrganizationalUnit",
                    "organizations:DeletePolicy",
                    "organizations:DeleteResourcePolicy",
                    "organizations:DeregisterDelegatedAdministrator",
                    "organizations:DetachPolicy",
                    "organizations:DisableAWSServiceAccess",
                    "organizations:DisablePolicyType",
                    "organizations:EnableAllFeatures",
                    "organizations:EnableAWSServiceAccess",
                    "organizations:EnablePolicyType",
                    "organizations:InviteAccountToOrganization",
                    "organizations:InviteOrganizationToTransferResponsibility",
                    "organizations:LeaveOrganization",
                    "organizations:MoveAccount",
                    "organizations:PutResourcePolicy",
                    "organizations:RegisterDelegatedAdministrator",
                    "organizations:RemoveAccountFromOrganization",
                    "organizations:TagResource",
                    "organizations:TerminateResponsibilityTransfer",
                    "organizations:UntagResource",
                    "organizations:UpdateOrganizationalUnit",
                    "organizations:UpdatePolicy",
                    "organizations:UpdateResponsibilityTransfer",
                ],
                assume: ["sts:AssumeRole", "sts:AssumeRoleWithSAML", "sts:AssumeRoleWithWebIdentity"],
                passRole: "iam:PassRole",
            },
        );
    });

    const cases: [string, Pick<PolicyStatement, "Action" | "NotAction">, string[]][] = [
        ["an exact action, in any case", { Action: "IAM:putrolepolicy" }, ["iam:PutRolePolicy"]],
        [
            "iam:Put*",
            { Action: "iam:Put*" },
            [
                "iam:PutGroupPolicy",
                "iam:PutRolePermissionsBoundary",
                "iam:PutRolePolicy",
                "iam:PutUserPermissionsBoundary",
                "iam:PutUserPolicy",
            ],
        ],
        [
            "iam:*Boundary",
            { Action: "iam:*Boundary" },
            [
                "iam:DeleteRolePermissionsBoundary",
                "iam:DeleteUserPermissionsBoundary",
                "iam:PutRolePermissionsBoundary",
                "iam:PutUserPermissionsBoundary",
            ],
        ],
        ["iam:Delete????", { Action: "iam:Delete????" }, ["iam:DeleteRole"]],
        [
            "organizations:*Policy",
            { Action: "organizations:*Policy" },
            [
                "organizations:AttachPolicy",
                "organizations:CreatePolicy",
                "organizations:DeletePolicy",
                "organizations:DeleteResourcePolicy",
                "organizations:DetachPolicy",
                "organizations:PutResourcePolicy",
                "organizations:UpdatePolicy",
            ],
        ],
        ["sts:AssumeRole*", { Action: "sts:AssumeRole*" }, ["sts:AssumeRole", "sts:AssumeRoleWithSAML", "sts:AssumeRoleWithWebIdentity"]],
        ["reading and listing", { Action: ["iam:Get*", "iam:List*", "organizations:Describe*", "s3:*"] }, []],
        [
            "a NotAction of every IAM action",
            { NotAction: ["iam:*", "organizations:*"] },
            ["sts:AssumeRole", "sts:AssumeRoleWithSAML", "sts:AssumeRoleWithWebIdentity"],
        ],
    ];
    for (const [name, statement, expected] of cases) {
        it(`expands ${name} against the catalog`, () => {
            assert.deepStrictEqual(judgedActionsOf(statement), expected);
        });
    }

    it("expands * and iam:* to every member of the class they cover", () => {
        assert.deepStrictEqual(
            [
                judgedActionsOf({ Action: "*" }).length,
                inClass(judgedActionsOf({ Action: "iam:*" }), classes.role).length,
                judgedActionsOf({ Action: "iam:*Policy*" }).length,
            ],
            [classes.judged.length, 24, 19],
        );
    });
});

/** A role's facts as the analyses read them, in account 111111111111 unless told. */
function facts(key: string, statements: PolicyStatement[], extra: Partial<RoleFacts> = {}): RoleFacts {
    return {
        stack: "dev",
        key,
        roleName: key,
        path: "/",
        account: ACCOUNT,
        partition: "aws",
        trust: { accounts: [ACCOUNT] },
        inlinePolicies: statements.length === 0 ? [] : [{ name: "p", document: { Version: "2012-10-17", Statement: statements } }],
        managedPolicyArns: [],
        ...extra,
    };
}

describe("resources read to fail closed", () => {
    const put = (statement: Partial<PolicyStatement>): PolicyStatement => ({ Effect: "Allow", Action: "iam:PutRolePolicy", ...statement });
    const cases: [string, PolicyStatement[], Pick<PermissionGrant, "resources" | "every">[]][] = [
        ["a plain resource", [put({ Resource: "arn:aws:iam::*:role/apps/*" })], [{ resources: ["arn:aws:iam::*:role/apps/*"] }]],
        [
            "a policy variable",
            [put({ Resource: ["arn:aws:iam::*:role/apps/*", "arn:aws:iam::*:role/${aws:username}"] })],
            [{ every: "arn:aws:iam::*:role/${aws:username} (a policy variable, taken as every resource)" }],
        ],
        [
            "a NotResource",
            [put({ NotResource: "arn:aws:iam::*:role/victim" })],
            [{ every: "everything but arn:aws:iam::*:role/victim (NotResource, taken as every resource)" }],
        ],
        [
            "a NotAction",
            [{ Effect: "Allow", NotAction: "s3:*", Resource: "arn:aws:s3:::data/*" }],
            [{ every: "arn:aws:s3:::data/* (in a NotAction statement, taken as every resource)" }],
        ],
        [
            "a condition, which never narrows",
            [put({ Resource: "*", Condition: { Bool: { "aws:MultiFactorAuthPresent": "true" } } })],
            [{ resources: ["*"] }],
        ],
        [
            "a conditional Deny, which may not apply",
            [
                put({ Resource: "*" }),
                { Effect: "Deny", Action: "iam:*", Resource: "*", Condition: { Bool: { "aws:ViaAWSService": "true" } } },
            ],
            [{ resources: ["*"] }],
        ],
        ["an unconditional Deny on everything", [put({ Resource: "*" }), { Effect: "Deny", Action: "iam:Put*", Resource: "*" }], []],
    ];
    for (const [name, statements, expected] of cases) {
        it(`reads ${name}`, () => {
            assert.deepStrictEqual(
                rights(facts("holder", statements)).role.map((g) =>
                    g.resources === undefined ? { every: g.every } : { resources: g.resources },
                ),
                expected,
            );
        });
    }

    it("takes a customer-managed policy whose document is unknown as allowing everything, everywhere", () => {
        const held = rights(facts("holder", [], { managedPolicyArns: [`arn:aws:iam::${ACCOUNT}:policy/Custom`] }));
        assert.deepStrictEqual(
            [
                held.role[0].actions.length,
                held.role[0].every,
                held.role[0].known,
                held.organization[0].actions.length,
                held.passRole.length,
                held.assumes,
            ],
            [24, "*", false, 34, 1, true],
        );
    });
});

describe("the undo analysis against a brute-force search", () => {
    it("finds exactly the roles, and the path lengths, that a search over every pair of roles finds", () => {
        const roles = repositoryRoles(memorySource(manyRoleStacks(20, 11)), NOW).roles;
        const index = new UndoIndex(roles);
        let compared = 0;
        for (const target of roles.filter((r) => r.revokedBefore !== undefined)) {
            // Backwards breadth first over every pair: the definition, without any index.
            const depth = new Map<RoleFacts, number>(roles.flatMap((r) => (undoEnd(r, target) === undefined ? [] : [[r, 0] as const])));
            for (let level = 0, frontier = [...depth.keys()]; frontier.length > 0; level++) {
                const next: RoleFacts[] = [];
                for (const to of frontier)
                    for (const from of roles)
                        if (!depth.has(from) && (changeOrPass(from, to) ?? assumeHop(from, to)) !== undefined) {
                            depth.set(from, level + 1);
                            next.push(from);
                        }
                frontier = next;
            }
            const undoers = index.undoers(target);
            assert.deepStrictEqual(
                undoers.roles.map((r) => `${r.key}:${undoers.path(r).steps.length}`),
                roles.filter((r) => depth.has(r)).map((r) => `${r.key}:${depth.get(r)}`),
                target.key,
            );
            compared += depth.size;
        }
        assert.ok(compared > 500, `${compared}`);
    });
});

/**
 * The organization's lock (`lockRevocations: true`): the service control policy that denies
 * changing a role carrying the revoked-until tag to everyone but the deploy roles, decided by an
 * IAM simulator we did not write (@cloud-copilot/iam-simulate, tests only); its validation; the
 * program that deploys it; and the guard, which keeps it while any revocation is in force.
 */
import * as assert from "assert";
import { SCP_MAX_CHARACTERS, lockPolicy, scpCharacters } from "../iam/organizationPolicy";
import { REVOKED_UNTIL_TAG } from "../iam/policy";
import { loadStack } from "../config/loader";
import { readStackConfig } from "../config/stackConfig";
import { planStack } from "../plan/run";
import { PROJECT_ROOT } from "../cli/project";
import { commandMain } from "../cli/main";
import { Capture, environment, memorySource, repository } from "./helpers";
import { describePlan } from "../revocation/planReport";
import { DEPLOY, Decision, MEMBER, underLock } from "./lockHarness";

const guard = commandMain("guard");

const NOW = new Date("2026-11-27T12:00:00Z");
const CUTOFF = "2026-11-27T10:00:00Z";

/** A call by a session of `role` in the member account on its role ci-deployer, carrying `tags`, with the lock attached at the root. */
function decide(action: string, role: string, tags: Record<string, string>, tagKeys?: string[]): Promise<Decision> {
    return underLock(action, role, "role/ci-deployer", {
        ...Object.fromEntries(Object.entries(tags).map(([key, value]) => [`aws:ResourceTag/${key}`, value])),
        ...(tagKeys === undefined ? {} : { "aws:TagKeys": tagKeys }),
    });
}

const LOCKED = { [REVOKED_UNTIL_TAG]: "2026-11-27T23:00:00Z", team: "platform" };

describe("the organization's lock (a service control policy), decided by the IAM simulator", () => {
    it("denies an administrator of the member account iam:DeleteRolePolicy on a locked role, and allows it on an untagged one and to the deploy role", async () => {
        assert.deepStrictEqual(
            {
                administratorLocked: await decide("iam:DeleteRolePolicy", "administrator", LOCKED),
                administratorUntagged: await decide("iam:DeleteRolePolicy", "administrator", { team: "platform" }),
                deployRoleLocked: await decide("iam:DeleteRolePolicy", "pulumi-deploy", LOCKED),
                // A role of the same name in another path is another principal.
                namesakeElsewhere: await decide("iam:DeleteRolePolicy", "ops/pulumi-deploy", LOCKED),
            },
            {
                administratorLocked: "ExplicitlyDenied",
                administratorUntagged: "Allowed",
                deployRoleLocked: "Allowed",
                namesakeElsewhere: "ExplicitlyDenied",
            },
        );
    });

    it("denies every action that removes or changes a revocation on a locked role, untagging and tagging it included", async () => {
        const actions = [
            "iam:DeleteRolePolicy",
            "iam:PutRolePolicy",
            "iam:DeleteRole",
            "iam:UpdateAssumeRolePolicy",
            "iam:AttachRolePolicy",
            "iam:DeleteRolePermissionsBoundary",
            "iam:DetachRolePolicy",
            "iam:PutRolePermissionsBoundary",
            "iam:TagRole",
            "iam:UntagRole",
        ];
        assert.deepStrictEqual(lockPolicy([DEPLOY]).Statement[0].Action, actions);
        const decisions = await Promise.all(actions.map((action) => decide(action, "administrator", LOCKED)));
        assert.deepStrictEqual(decisions, Array(actions.length).fill("ExplicitlyDenied"));
        // Reading a locked role stays open.
        assert.strictEqual(await decide("iam:GetRolePolicy", "administrator", LOCKED), "Allowed");
    });

    it("denies setting the tag on any role, whatever its case, so a lock is neither moved nor faked, and allows other tags", async () => {
        assert.deepStrictEqual(
            {
                fake: await decide("iam:TagRole", "administrator", {}, ["Revocable-Roles:Revoked-Until"]),
                untag: await decide("iam:UntagRole", "administrator", {}, [REVOKED_UNTIL_TAG]),
                other: await decide("iam:TagRole", "administrator", {}, ["team"]),
                deploy: await decide("iam:TagRole", "pulumi-deploy", {}, [REVOKED_UNTIL_TAG]),
            },
            { fake: "ExplicitlyDenied", untag: "ExplicitlyDenied", other: "Allowed", deploy: "Allowed" },
        );
    });

    it("fits a service control policy's 5,120 characters with 40 deploy roles, and refuses more than fit, saying what to do", () => {
        const roles = (n: number) => Array.from({ length: n }, (_, i) => `arn:aws:iam::${String(100000000000 + i)}:role/pulumi-deploy`);
        assert.deepStrictEqual(
            [scpCharacters(lockPolicy([DEPLOY])), scpCharacters(lockPolicy(roles(40))) <= SCP_MAX_CHARACTERS],
            [804, true],
        );
        assert.throws(() => lockPolicy(roles(50)), {
            message:
                "the lock with 50 deploy roles is 5410 characters, more than the 5120 a service control policy holds: give fewer deployRoleArns (one deploy role per account is enough)",
        });
    });
});

/** An organization stack file with the lock, and `more` lines in its section. */
const lockedStack = (more = `    policyBudget: 3\n    lockRevocations: true\n    deployRoleArns: ["${DEPLOY}"]\n`) =>
    `config:\n  aws:region: us-east-1\n  revocable-roles:organization:\n    targets: ["r-ab12"]\n${more}    revocations: []\n`;

describe("lockRevocations in revocable-roles:organization", () => {
    const problems = (text: string) => {
        const loaded = loadStack(memorySource({ "Pulumi.org.yaml": text }), "org");
        const read = readStackConfig(loaded.config, { stackFile: loaded.file, now: NOW });
        return read.ok ? [] : read.errors;
    };

    it("needs the deploy roles, a policy slot beside the budget's, and exact role ARNs", () => {
        assert.deepStrictEqual(
            [
                problems(lockedStack()),
                problems(lockedStack("    lockRevocations: true\n")),
                problems(lockedStack(`    deployRoleArns: ["${DEPLOY}", "arn:aws:iam::*:role/pulumi-deploy", "${DEPLOY}"]\n`)),
            ],
            [
                [],
                [
                    "Pulumi.org.yaml: revocable-roles:organization.deployRoleArns: lists no deploy role; the lock denies changing a revoked role to every principal but these, so name the role every deploy of a stack with revocable roles runs as (and the scheduled check), such as [arn:aws:iam::111111111111:role/pulumi-deploy]",
                    "Pulumi.org.yaml: revocable-roles:organization.lockRevocations: needs a service control policy of its own on every target, beside FullAWSAccess and the policyBudget's 4 revocation policies, and a target holds 5: set policyBudget to 3 or less (change it only while no organization revocation is in force)",
                ],
                [
                    'Pulumi.org.yaml: revocable-roles:organization.deployRoleArns[1]: "arn:aws:iam::*:role/pulumi-deploy" is not an IAM role ARN without wildcards, such as arn:aws:iam::111111111111:role/pulumi-deploy',
                    `Pulumi.org.yaml: revocable-roles:organization.deployRoleArns[2]: "${DEPLOY}" is listed twice (deployRoleArns[0])`,
                    "Pulumi.org.yaml: revocable-roles:organization.deployRoleArns: only applies with lockRevocations: true; remove it, or set lockRevocations: true",
                ],
            ],
        );
    });

    it("deploys the lock beside the budget's policies, attached to every target and always protected", async () => {
        const plan = await planStack(loadStack(memorySource({ "Pulumi.org.yaml": lockedStack() }), "org"), PROJECT_ROOT, NOW);
        const organization = plan.resources.filter((r) => r.type.startsWith("aws:organizations/"));
        assert.deepStrictEqual(organization.map((r) => `${r.type.split(":").pop()} ${r.name}${r.protect ? " (protected)" : ""}`).sort(), [
            "Policy organization-revocable-roles-lock (protected)",
            "Policy organization-revocable-roles-revocations-1",
            "Policy organization-revocable-roles-revocations-2",
            "Policy organization-revocable-roles-revocations-3",
            "PolicyAttachment organization-revocable-roles-lock-r-ab12 (protected)",
            "PolicyAttachment organization-revocable-roles-revocations-1-r-ab12",
            "PolicyAttachment organization-revocable-roles-revocations-2-r-ab12",
            "PolicyAttachment organization-revocable-roles-revocations-3-r-ab12",
        ]);
        const lock = organization.find((r) => r.name === "organization-revocable-roles-lock")!;
        assert.deepStrictEqual(JSON.parse(String(lock.inputs.content)), lockPolicy([DEPLOY]));
        assert.deepStrictEqual(describePlan(plan).split("\n").slice(-5), [
            "  revocable-roles-lock: attached to r-ab12 (protected)",
            `    lock: no principal but ${DEPLOY} may change a role tagged revocable-roles:revoked-until (a role whose revocation is in force)`,
            "  limits: service control policies do not apply to the management account or to service-linked roles, and deleting an Identity Center session in the console does not end the role sessions it already issued",
            "",
            "0 roles, 9 resources.",
        ]);
    });
});

describe("npm run guard: the lock while revocations are in force", () => {
    /** A project with the organization stack and a member stack whose role is revoked before `cutoff`. */
    const files = (organization: string | undefined, cutoff = CUTOFF) => ({
        ...(organization === undefined ? {} : { "Pulumi.org.yaml": organization }),
        // Its deploy role named, and exempted by the lock (DEPLOY).
        "Pulumi.prod.yaml": `config:\n  aws:allowedAccountIds: ["${MEMBER}"]\n  revocable-roles:ci:\n    previewRoleArn: arn:aws:iam::${MEMBER}:role/ci-preview\n    deployRoleArn: ${DEPLOY}\n  revocable-roles:roles:\n    ci:\n      trust:\n        services: ["codebuild.amazonaws.com"]\n      revokeBefore: "${cutoff}"\n`,
    });
    const judge = async (base: Record<string, string>, head: Record<string, string | undefined>, now = NOW) => {
        const root = repository(base, head);
        const [out, err] = [new Capture(), new Capture()];
        const code = await guard(["--base", "main"], out, err, environment({ root, now }));
        return { code, fails: out.text.split("\n").filter((line) => line.startsWith("FAIL")) };
    };
    const IN_FORCE = "while revocations are in force (prod: ci until 2026-11-27T23:00:00Z)";

    it("fails turning it off, removing its stack file, or exempting another role while a role's revocation is in force", async () => {
        const base = files(lockedStack());
        assert.deepStrictEqual(await judge(base, { "Pulumi.org.yaml": lockedStack("    policyBudget: 3\n") }), {
            code: 1,
            fails: [
                `FAIL org: organization lock: lockRevocations is turned off ${IN_FORCE}: any principal of a member account allowed to change IAM roles could then remove a revocation again; turn it off once they are safe to remove`,
            ],
        });
        assert.deepStrictEqual((await judge(base, { "Pulumi.org.yaml": undefined })).fails, [
            `FAIL org: organization lock: is removed with Pulumi.org.yaml ${IN_FORCE}: any principal of a member account allowed to change IAM roles could then remove a revocation again; turn it off once they are safe to remove`,
        ]);
        const widened = `    policyBudget: 3\n    lockRevocations: true\n    deployRoleArns: ["${DEPLOY}", "arn:aws:iam::${MEMBER}:role/admin"]\n`;
        assert.deepStrictEqual((await judge(base, { "Pulumi.org.yaml": lockedStack(widened) })).fails, [
            `FAIL org: organization lock: deployRoleArns adds arn:aws:iam::${MEMBER}:role/admin ${IN_FORCE}: the lock would let it change the revoked roles; add it once they are safe to remove`,
        ]);
    });

    it("fails, in the plans, a target the lock would no longer be attached to while a role's revocation is in force", async () => {
        const twoTargets = lockedStack().replace('targets: ["r-ab12"]', 'targets: ["r-ab12", "ou-ab12-cd34ef56"]');
        assert.deepStrictEqual(await judge(files(twoTargets), { "Pulumi.org.yaml": lockedStack() }), {
            code: 1,
            fails: [`FAIL org: organization lock: is no longer attached to target ou-ab12-cd34ef56 ${IN_FORCE}`],
        });
    });

    it("fails turning it on in the change that lowers policyBudget from 4, which would attach it before the fourth policy goes", async () => {
        const unlocked = lockedStack("    policyBudget: 4\n");
        assert.deepStrictEqual(await judge(files(unlocked), { "Pulumi.org.yaml": lockedStack() }), {
            code: 1,
            fails: [
                "FAIL org: organization target r-ab12: would hold 5 of the layer's service control policies during the deploy (the 4 it holds until the deploy ends, and 1 new one attached first), more than the 4 that policyBudget 3 and the lock take: a target holds 5 service control policies and one of them must allow actions (FullAWSAccess), so the attachment past the budget can fail, and the deploy with it; lower policyBudget in one change and turn the lock on in the next",
            ],
        });
    });

    it("fails, at any time, a stack whose deploy role the lock does not exempt: its deploys could not tag a role they revoke", async () => {
        const member = (deployRole: string) =>
            `config:\n  aws:allowedAccountIds: ["${MEMBER}"]\n  revocable-roles:ci:\n    previewRoleArn: arn:aws:iam::${MEMBER}:role/ci-preview\n    deployRoleArn: ${deployRole}\n  revocable-roles:roles:\n    app:\n      trust:\n        services: ["ec2.amazonaws.com"]\n`;
        const other = `arn:aws:iam::${MEMBER}:role/ci-deploy`;
        const base = { "Pulumi.org.yaml": lockedStack("    policyBudget: 3\n"), "Pulumi.prod.yaml": member(DEPLOY) };
        assert.deepStrictEqual(
            await judge(base, { "Pulumi.org.yaml": lockedStack(), "Pulumi.prod.yaml": member(other) }, new Date("2026-12-01T00:00:00Z")),
            {
                code: 1,
                fails: [
                    `FAIL prod: Pulumi.prod.yaml: revocable-roles:ci.deployRoleArn ${other} is not among the lock's deployRoleArns (revocable-roles:organization in Pulumi.org.yaml): the lock denies every other principal tagging a role revocable-roles:revoked-until, so no revocation of this stack could deploy; add it to deployRoleArns`,
                ],
            },
        );
        assert.deepStrictEqual(await judge(base, { "Pulumi.org.yaml": lockedStack() }, new Date("2026-12-01T00:00:00Z")), {
            code: 0,
            fails: [],
        });
    });

    it("fails, at any time with the lock on, a stack of roles that names no deploy role: the guard cannot tell that the lock exempts the one its deploys run as", async () => {
        const unnamed = `config:\n  aws:allowedAccountIds: ["${MEMBER}"]\n  revocable-roles:roles:\n    app:\n      trust:\n        services: ["ec2.amazonaws.com"]\n`;
        const base = { "Pulumi.org.yaml": lockedStack("    policyBudget: 3\n"), "Pulumi.prod.yaml": unnamed };
        assert.deepStrictEqual(await judge(base, { "Pulumi.org.yaml": lockedStack() }, new Date("2026-12-01T00:00:00Z")), {
            code: 1,
            fails: [
                `FAIL prod: Pulumi.prod.yaml: names no deploy role (revocable-roles:ci.deployRoleArn) while the organization's lock is on (revocable-roles:organization in Pulumi.org.yaml): the lock denies every principal but its deployRoleArns tagging a role revocable-roles:revoked-until, and the guard cannot tell that it exempts the role this stack deploys with, so no revocation of this stack might deploy; declare revocable-roles:ci with the deploy role, and list it in deployRoleArns`,
            ],
        });
    });

    it("passes turning it on, and turning it off once nothing is in force", async () => {
        assert.deepStrictEqual(await judge(files(lockedStack("    policyBudget: 3\n")), { "Pulumi.org.yaml": lockedStack() }), {
            code: 0,
            fails: [],
        });
        const after = new Date("2026-11-27T23:00:00Z");
        assert.deepStrictEqual(await judge(files(lockedStack()), { "Pulumi.org.yaml": lockedStack("    policyBudget: 3\n") }, after), {
            code: 0,
            fails: [],
        });
    });
});

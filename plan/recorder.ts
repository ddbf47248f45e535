/**
 * Runs a Pulumi program offline under Pulumi's mock runtime and records every resource
 * registration, exactly as the engine would receive it. Invokes are answered with obvious
 * placeholders; anything else a program asks for is an error.
 *
 * This is the one module that reaches into @pulumi/pulumi's internals (the mock monitor, the
 * settings that install it, the RPC deserializer): Pulumi's documented mocks do not expose the
 * registration requests. Those internals are checked when the module loads, and a mismatch
 * stops every command with an error naming the version this was written against.
 */
import * as v8 from "v8";
import * as vm from "vm";
import * as pulumi from "@pulumi/pulumi";
import * as mocksModule from "@pulumi/pulumi/runtime/mocks";
import * as settingsModule from "@pulumi/pulumi/runtime/settings";
import * as rpcModule from "@pulumi/pulumi/runtime/rpc";
import { AliasRecord } from "./model";
import { PLACEHOLDER_ACCOUNT, PLACEHOLDER_PARTITION } from "../iam/trust";
import { OFFLINE_INVOKES, ROLE_TYPES, backendOfType } from "../backends";
import { withoutStackTraces } from "./traces";
// getStore is internal: absent from the typings, checked below.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- an untyped internal module
const stateModule = require("@pulumi/pulumi/runtime/state") as { getStore?: () => Record<string, unknown> };

/** The @pulumi/pulumi version whose internals this recorder was written and tested against. */
export const RECORDER_WRITTEN_FOR = "3.248.0";

/** The internals the recorder uses, checked for shape at load time. */
function internals() {
    const missing: string[] = [];
    if (typeof mocksModule.MockMonitor !== "function" || typeof mocksModule.MockMonitor.prototype.registerResource !== "function") {
        missing.push("runtime/mocks MockMonitor.registerResource");
    }
    if (typeof settingsModule.setMockOptions !== "function") missing.push("runtime/settings setMockOptions");
    if (typeof rpcModule.deserializeProperties !== "function") missing.push("runtime/rpc deserializeProperties");
    if (typeof stateModule.getStore !== "function" || !("supportsAliasSpecs" in stateModule.getStore()))
        missing.push("runtime/state getStore().supportsAliasSpecs");
    if (missing.length > 0) {
        // eslint-disable-next-line @typescript-eslint/no-require-imports -- read only to name the version in the error
        const version = (require("@pulumi/pulumi/package.json") as { version: string }).version;
        throw new Error(
            `the offline recorder was written against @pulumi/pulumi ${RECORDER_WRITTEN_FOR}, and @pulumi/pulumi ${version} lacks ${missing.join(", ")}; pin @pulumi/pulumi to ${RECORDER_WRITTEN_FOR} or update plan/recorder.ts`,
        );
    }
    return {
        MockMonitor: mocksModule.MockMonitor,
        setMockOptions: settingsModule.setMockOptions,
        deserializeProperties: rpcModule.deserializeProperties,
        getStore: stateModule.getStore!,
    };
}

const { MockMonitor, setMockOptions, deserializeProperties, getStore } = internals();

/** Installs a monitor with the features `pulumi.runtime.setMocks` enables: all but output values. */
function installMonitor(monitor: InstanceType<typeof MockMonitor>, project: string, stack: string): void {
    setMockOptions(monitor, project, stack, false);
    Object.assign(getStore(), {
        supportsSecrets: true,
        supportsResourceReferences: true,
        supportsOutputValues: false,
        supportsDeletedWith: true,
        supportsReplaceWith: true,
        supportsAliasSpecs: true,
        supportsTransforms: false,
        supportsParameterization: true,
    });
}

/** The placeholder account of offline plans: no AWS call is ever made. */
export { PLACEHOLDER_ACCOUNT };
export { PLACEHOLDER_PARTITION };

/**
 * A full garbage collection, between two program runs in one process (the guard plans a base and
 * a head): a run of 10,000 roles leaves hundreds of MiB of garbage, and without a collection the
 * second run's allocations pile onto it, raising the peak and the time spent collecting.
 */
export function collectGarbage(): void {
    v8.setFlagsFromString("--expose-gc");
    (vm.runInNewContext("gc") as () => void)();
}

/** One resource registration as the engine receives it. */
export interface Registration {
    urn: string;
    type: string;
    name: string;
    parent?: string;
    inputs: Record<string, unknown>;
    /** The `deleteBeforeReplace` resource option. */
    deleteBeforeReplace: boolean;
    /** The `protect` resource option as the engine receives it (inherited from the parent when not given). */
    protect: boolean;
    /** The URNs this resource depends on. */
    dependencies: string[];
    /** Per input property, the URNs its value came from (Outputs of other resources). */
    propertyDependencies: Record<string, string[]>;
    /** The aliases the resource declares. */
    aliases: AliasRecord[];
}

/** What the provider would report back for a resource: its inputs, plus the ARN of the few types whose ARN a program uses. */
function mockState(type: string, name: string, inputs: Record<string, unknown>): Record<string, unknown> {
    const account = PLACEHOLDER_ACCOUNT;
    const backend = ROLE_TYPES.has(type) ? backendOfType(type) : undefined;
    if (backend !== undefined) {
        return { ...inputs, arn: `arn:aws:iam::${account}:role${backend.read.rolePath(inputs)}${backend.read.roleName(inputs)}` };
    }
    switch (type) {
        case "aws:iam/policy:Policy":
            return { ...inputs, arn: `arn:aws:iam::${account}:policy${inputs.path ?? "/"}${inputs.name ?? name}` };
        case "aws:iam/openIdConnectProvider:OpenIdConnectProvider":
            return { ...inputs, arn: `arn:aws:iam::${account}:oidc-provider/${String(inputs.url).replace(/^https:\/\//, "")}` };
        case "aws:s3/bucket:Bucket":
        case "aws:s3/bucketV2:BucketV2":
            return { ...inputs, arn: `arn:aws:s3:::${inputs.bucket ?? name}` };
        default:
            return inputs;
    }
}

const mocks: pulumi.runtime.Mocks = {
    newResource: ({ type, name, inputs }) => ({ id: `${name}-id`, state: mockState(type, name, inputs) }),
    call: ({ token }) => {
        const result = OFFLINE_INVOKES[token];
        if (result === undefined) {
            throw new Error(`the offline plan does not answer the invoke ${token}`);
        }
        return result;
    },
};

type Callback = (err: unknown, response: { getUrn(): string } | undefined) => void;
interface AliasSpec {
    getName(): string;
    getType(): string;
    getStack(): string;
    getProject(): string;
    getParenturn(): string;
    getNoparent(): boolean;
}
interface RegisterRequest {
    getType(): string;
    getName(): string;
    getParent(): string;
    getObject(): unknown;
    getDeletebeforereplace(): boolean;
    hasProtect(): boolean;
    getProtect(): boolean | undefined;
    getDependenciesList(): string[];
    getPropertydependenciesMap(): { forEach(fn: (value: { getUrnsList(): string[] }, key: string) => void): void };
    getAliasesList(): { hasUrn(): boolean; getUrn(): string; getSpec(): AliasSpec | undefined }[];
}

function aliasOf(alias: ReturnType<RegisterRequest["getAliasesList"]>[number]): AliasRecord {
    if (alias.hasUrn()) return { urn: alias.getUrn() };
    const spec = alias.getSpec()!;
    const record: AliasRecord = {};
    if (spec.getName() !== "") record.name = spec.getName();
    if (spec.getType() !== "") record.type = spec.getType();
    if (spec.getStack() !== "") record.stack = spec.getStack();
    if (spec.getProject() !== "") record.project = spec.getProject();
    if (spec.getParenturn() !== "") record.parentUrn = spec.getParenturn();
    if (spec.getNoparent()) record.noParent = true;
    return record;
}

class RecordingMonitor extends MockMonitor {
    constructor(readonly registrations: Registration[]) {
        super(mocks);
    }

    override async registerResource(req: RegisterRequest, callback: Callback): Promise<void> {
        const parent = req.getParent();
        const propertyDependencies: Record<string, string[]> = {};
        req.getPropertydependenciesMap().forEach((value, key) => {
            propertyDependencies[key] = value.getUrnsList();
        });
        const record: Registration = {
            urn: "",
            type: req.getType(),
            name: req.getName(),
            ...(parent ? { parent } : {}),
            inputs: deserializeProperties(req.getObject() as Parameters<typeof deserializeProperties>[0]),
            deleteBeforeReplace: req.getDeletebeforereplace(),
            protect: req.hasProtect() && req.getProtect() === true,
            dependencies: req.getDependenciesList(),
            propertyDependencies,
            aliases: req.getAliasesList().map(aliasOf),
        };
        this.registrations.push(record);
        return super.registerResource(req, (err: unknown, response: { getUrn(): string } | undefined) => {
            if (response !== undefined) record.urn = response.getUrn();
            callback(err, response);
        });
    }
}

/** The outcome of an offline run: registrations in order, and the error that stopped the program, if any. */
export interface OfflineRun {
    registrations: Registration[];
    /** The stack outputs: what the program module exports, or what its exported function returns. */
    outputs?: unknown;
    error?: Error;
}

/** What a program is called with offline: the instant it is evaluated as of (the Pulumi CLI calls it with nothing, and it reads the clock). */
export interface ProgramContext {
    now: Date;
}

/** A program to run: called with the context; registers its resources, and returns (or resolves to) the stack outputs. */
export type Program = (context: ProgramContext) => unknown;

/**
 * Runs `program` (which must register its resources when called, typically by requiring the
 * program module) with the given project, stack and config (namespaced keys, structured values
 * as JSON strings: what the Pulumi CLI hands a program), as of `now`, which it is called with.
 * Re-entrant: each run starts clean.
 */
export function runOffline(
    program: Program,
    options: { project: string; stack: string; config: Record<string, string>; now: Date },
): Promise<OfflineRun> {
    return record(() => program({ now: options.now }), options);
}

async function record(
    program: () => unknown,
    options: { project: string; stack: string; config: Record<string, string> },
): Promise<OfflineRun> {
    const registrations: Registration[] = [];
    installMonitor(new RecordingMonitor(registrations), options.project, options.stack);
    pulumi.runtime.setAllConfig(options.config, []);
    let error: Error | undefined;
    let outputs: unknown;
    // Like the Pulumi CLI, the first unhandled failure ends the run: registrations waiting on a
    // failed input would otherwise wait forever.
    let stop: (reason: unknown) => void = () => {};
    const stopped = new Promise<never>((_, reject) => (stop = reject));
    const failed = (reason: unknown) => {
        error ??= reason instanceof Error ? reason : new Error(String(reason));
        stop(reason);
    };
    process.on("unhandledRejection", failed);
    const traces = withoutStackTraces();
    try {
        await Promise.race([
            (async () => {
                outputs = await program();
                await pulumi.runtime.disconnect();
            })(),
            stopped,
        ]);
    } catch (reason) {
        failed(reason);
    } finally {
        traces.restore();
        process.off("unhandledRejection", failed);
        // An abandoned run leaves promises behind on purpose; they are not leaks of the caller's.
        if (error !== undefined) getStore().leakCandidates = new Set();
    }
    if (error !== undefined) {
        // Pulumi prefixes an error raised while serializing inputs with each property's name; report the program's own message.
        error.message = error.message.replace(/^(?:error serializing property "[^"]*": )+/, "");
    }
    return error === undefined ? { registrations, outputs } : { registrations, error };
}

/**
 * Runs a program as the Pulumi CLI does: requires its module, calls the function it exports (if
 * it exports one) and returns the stack outputs or a promise of them; where the CLI calls that
 * function with nothing, it is called with the context (the stack config program reads the instant
 * from it; any other program may ignore it). Each call is a new run: a program that exports a
 * function has it called again; one that registers its resources as its module loads is loaded afresh.
 */
export function loadProgram(modulePath: string): Program {
    return (context) => {
        const resolved = require.resolve(modulePath);
        const loaded = resolved in require.cache;
        // eslint-disable-next-line @typescript-eslint/no-require-imports -- a program runs by being required, as the Pulumi CLI runs it
        let exported: unknown = require(resolved);
        if (loaded && !(exported instanceof Function)) {
            delete require.cache[resolved];
            // eslint-disable-next-line @typescript-eslint/no-require-imports -- the same module, loaded afresh
            exported = require(resolved);
        }
        return exported instanceof Function ? (exported as Program)(context) : exported;
    };
}

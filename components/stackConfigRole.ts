/**
 * A role of the stack config program: the same component, type token and resources as a
 * `RevocableRole` of the same model, made from the model the stack config reader has validated
 * already (for every role of a stack at once, at the program's instant), so nothing is validated
 * a second time. Internal to the program: not part of the package's API.
 */
import * as pulumi from "@pulumi/pulumi";
import { RevocationInfo } from "../iam/policy";
import { RoleModel } from "../iam/role";
import { AccountContext } from "../iam/trust";
import { FORMER_REVOCABLE_ROLE_TYPE, REVOCABLE_ROLE_TYPE, RoleResource, childrenOfRole, declareRole } from "./revocableRole";

export class StackConfigRole extends pulumi.ComponentResource {
    declare public readonly arn: pulumi.Output<string>;
    declare public readonly roleName: pulumi.Output<string>;
    declare public readonly revocation?: RevocationInfo;

    /** `now` is the instant the model was validated at, which decides protection too; `account`, the deploying account when known. */
    constructor(
        name: string,
        model: RoleModel,
        options: { now: Date; account?: pulumi.Input<AccountContext> },
        opts?: pulumi.ComponentResourceOptions,
    ) {
        super(REVOCABLE_ROLE_TYPE, name, {}, { ...opts, aliases: [{ type: FORMER_REVOCABLE_ROLE_TYPE }, ...(opts?.aliases ?? [])] });
        this.registerOutputs(declareRole(this, name, model, options));
    }

    /** The IAM role resource. */
    get role(): RoleResource {
        return childrenOfRole(this).role;
    }
}

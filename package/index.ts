/**
 * The component package's entry point. Pulumi's Node.js plugin host loads this folder, finds the
 * component classes it exports and serves them to programs in every Pulumi language; the schema
 * is inferred from the class and its args interface (see ../components/args.ts).
 */
export { RevocableRole } from "../components/revocableRole";

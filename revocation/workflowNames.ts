/**
 * The names the workflows and the workflow steps share: the comments' markers, the report files
 * and artifacts, the stack tag of the commit deployed last. A module of its own, so that the
 * command table can name them in the help without loading the steps.
 */

/** The marker that lets the workflow update its own pull-request comment instead of adding one per push. */
export const COMMENT_MARKER = "<!-- revocable-roles:plan -->";

/** The marker of the trusted guard's comment. */
export const GUARD_MARKER = "<!-- revocable-roles:guard -->";

/** The file the pull-request report is written to, for the comment step. */
export const REPORT_FILE = "revocable-roles-report.md";

/** The file the trusted guard's report is written to, for its comment step. */
export const GUARD_REPORT_FILE = "revocable-roles-guard.md";

/** The whole reports, when a comment must be a summary to fit GitHub's limit, and the artifacts the workflows upload them as. */
export const REPORT_FULL_FILE = "revocable-roles-report-full.md";
export const REPORT_ARTIFACT = "revocable-roles-plan";
export const GUARD_FULL_FILE = "revocable-roles-guard-full.md";
export const GUARD_ARTIFACT = "revocable-roles-guard";

/** The stack tag that records the commit deployed last to a stack. */
export const DEPLOYED_COMMIT_TAG = "revocable-roles:deployed-commit";

/**
 * The one base of every failure whose message is written for the person running a command: a bad
 * stack file, an unknown stack or ref, a plan that cannot run, a refused command line. The
 * commands print such a message as it is, one line or a list, never with a stack trace; anything
 * else is an internal error. Kept apart so that recognising one loads nothing else.
 */
export class UserFacingError extends Error {}

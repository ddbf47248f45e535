/**
 * The README's install, as commands: the fenced blocks of README.md that `npm run test:install`
 * runs (tests/readmeInstall.ts), each marked by a comment on the line before it, so that what the
 * README tells a new user and what the test runs cannot drift apart. `tests/readmeCommands.test.ts`
 * checks the reading itself, and that the README's blocks still hold what the install test needs.
 */

/** The line before each block that `npm run test:install` runs, in README.md. */
export const INSTALL_MARKER = "<!-- npm run test:install runs this block as written -->";

/** One command of a marked block: its line in the README, and its text. */
export interface ReadmeCommand {
    line: number;
    text: string;
}

/**
 * The commands of every marked block, block by block, in order: every line of the block except
 * blank lines and comments. A marker not followed by a ```sh block, or a block never closed, is an
 * error naming the line, so that a README edit cannot silently leave the test with nothing to run.
 */
export function installBlocks(readme: string, file = "README.md"): ReadmeCommand[][] {
    const lines = readme.split("\n");
    const blocks: ReadmeCommand[][] = [];
    for (let index = 0; index < lines.length; index++) {
        if (lines[index].trim() !== INSTALL_MARKER) continue;
        const fence = index + 1;
        if (lines[fence]?.trim() !== "```sh") {
            throw new Error(`${file}:${fence + 1}: the line after "${INSTALL_MARKER}" must open a block with \`\`\`sh`);
        }
        const commands: ReadmeCommand[] = [];
        let end = fence + 1;
        for (; end < lines.length && lines[end].trim() !== "```"; end++) {
            const text = lines[end].trim();
            if (text !== "" && !text.startsWith("#")) commands.push({ line: end + 1, text });
        }
        if (end === lines.length) throw new Error(`${file}:${fence + 1}: the block is never closed with \`\`\``);
        if (commands.length === 0) throw new Error(`${file}:${fence + 1}: the block holds no command`);
        blocks.push(commands);
        index = end;
    }
    return blocks;
}

/**
 * The command with the package's tarball in place of the name `revocable-roles` where an
 * `npm install` (or `npm i`, `npm add`) installs it, and how many names it replaced: the package
 * under test instead of whatever the registry serves under that name. Only whole arguments are
 * replaced (`@pulumi/aws` and `revocable-roles@0.3.0` are other arguments); every other command is
 * returned as it is.
 */
export function withTarball(command: string, tarball: string): { text: string; replaced: number } {
    let replaced = 0;
    const text = command
        .split("&&")
        .map((part) => {
            const words = part.trim().split(/\s+/);
            if (words[0] !== "npm" || !["install", "i", "add"].includes(words[1])) return part;
            return part.replace(/(^|\s)revocable-roles(?=\s|$)/g, (_, space: string) => {
                replaced++;
                return `${space}'${tarball.replace(/'/g, "'\\''")}'`;
            });
        })
        .join("&&");
    return { text, replaced };
}

/** The kinds of command the install test checks the output of. */
export type CommandKind = "install" | "init" | "plan" | "revoke" | "revocations" | "guard" | "other";

/** What a README command does: an npm install, a command of the package (through npx or an npm script), or something else. */
export function commandKind(command: string): CommandKind {
    if (/^npm (?:install|i|add)\b/.test(command)) return "install";
    const match = /^(?:npx(?: --no-install)? revocable-roles|npm run(?: --silent)?) ([a-z]+)\b/.exec(command);
    const name = match?.[1];
    return name === "init" || name === "plan" || name === "revoke" || name === "revocations" || name === "guard" ? name : "other";
}

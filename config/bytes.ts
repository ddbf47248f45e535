/**
 * The bytes of the Pulumi files, checked before any YAML reader sees them. The Pulumi CLI reads
 * YAML with go-yaml, which refuses invalid UTF-8 and most control characters, and treats U+0085,
 * U+2028 and U+2029 as line breaks; JavaScript readers pass all of these through as ordinary
 * characters. A file holding one could mean one thing to the tools and another to the deploy (a
 * comment that ends early, a key that moves to another role), so such files are refused, with the
 * line and column of the first offending character.
 */

/** The largest stack or project file read; IAM's 5,000 roles per account fit many times over. */
export const MAX_FILE_BYTES: number = 20 * 1024 * 1024;

/** Where a character sits, 1-based, counting lines by line feeds (what an editor shows for this text). */
function position(text: string, index: number): string {
    const before = text.slice(0, index);
    const line = before.split("\n").length;
    const column = [...before.slice(before.lastIndexOf("\n") + 1)].length + 1;
    return `line ${line}, column ${column}`;
}

const hex = (code: number) => `U+${code.toString(16).toUpperCase().padStart(4, "0")}`;

/** Line breaks go-yaml honours and JavaScript's YAML reader does not. */
const LINE_BREAKS: Record<number, string> = { 0x85: "next line", 0x2028: "line separator", 0x2029: "paragraph separator" };

/**
 * The first character of `text` that go-yaml and this project's reader would treat differently,
 * or that go-yaml refuses: C0 controls but tab, line feed and carriage return; DEL and C1
 * controls; the three line breaks above; U+FFFE and U+FFFF; and a byte order mark anywhere but
 * at the start. Undefined when every character reads alike.
 */
export function characterProblem(file: string, text: string): string | undefined {
    // eslint-disable-next-line no-control-regex -- control characters are exactly what is looked for
    const bad = /[\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F\u2028\u2029\uFFFE\uFFFF]|(?<!^)\uFEFF/.exec(text);
    if (bad === null) return undefined;
    const code = bad[0].codePointAt(0)!;
    const where = `${file}: ${position(text, bad.index)}`;
    if (code in LINE_BREAKS) {
        return `${where}: ${hex(code)} (${LINE_BREAKS[code]}) is a line break to the Pulumi CLI's YAML reader and an ordinary character to this tool, so the two would read different keys; remove it`;
    }
    if (code === 0xfeff) return `${where}: a byte order mark (U+FEFF) inside the file is not supported; remove it`;
    return `${where}: control character ${hex(code)} is refused by the Pulumi CLI's YAML reader; remove it`;
}

/**
 * Decodes a Pulumi file as strict UTF-8. Throws an Error naming the file, line and column of the
 * first invalid byte, or a file above {@link MAX_FILE_BYTES}.
 */
export function decodeStrict(file: string, bytes: Uint8Array): string {
    if (bytes.length > MAX_FILE_BYTES) {
        throw new Error(
            `${file}: is ${(bytes.length / 1024 / 1024).toFixed(1)} MiB; files above ${MAX_FILE_BYTES / 1024 / 1024} MiB are refused (that is far more roles than IAM's 5,000 per account); split the stack`,
        );
    }
    try {
        return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    } catch {
        const offset = firstInvalidByte(bytes);
        const valid = new TextDecoder("utf-8").decode(bytes.subarray(0, offset));
        const where = position(valid, valid.length);
        throw new Error(
            `${file}: ${where}: byte 0x${bytes[offset].toString(16).padStart(2, "0")} is not valid UTF-8; the Pulumi CLI refuses the file: save it as UTF-8`,
        );
    }
}

/** The offset of the first byte that does not begin or continue a valid UTF-8 sequence. */
function firstInvalidByte(bytes: Uint8Array): number {
    const decoder = new TextDecoder("utf-8", { fatal: true });
    let offset = 0;
    while (offset < bytes.length) {
        const lead = bytes[offset];
        const length =
            lead < 0x80 ? 1 : lead >= 0xc2 && lead <= 0xdf ? 2 : lead >= 0xe0 && lead <= 0xef ? 3 : lead >= 0xf0 && lead <= 0xf4 ? 4 : 0;
        if (length === 0 || offset + length > bytes.length) return offset;
        try {
            decoder.decode(bytes.subarray(offset, offset + length));
        } catch {
            return offset;
        }
        offset += length;
    }
    return offset;
}

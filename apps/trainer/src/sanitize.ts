// Escape sequences first (so their parameters go with them), then any lone control character:
// OSC (ESC ] or C1 0x9d ... up to BEL, ESC \ or C1 ST), CSI (ESC [ or C1 0x9b, parameters, one final byte),
// other two-byte ESC sequences, then C0 controls, DEL and C1 controls.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const OSC = /(?:\x1b\]|\x9d)[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CSI = /(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const ESC = /\x1b[ -~]?/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\x00-\x1f\x7f-\x9f]/g;

/**
 * A checkpoint-provided string (tensor name, class name, metadata) made safe
 * to print: terminal escape sequences and control characters are removed, so
 * a file cannot move the cursor, retitle the window, hide text or ring the
 * bell; the visible text remains.
 */
export function sanitizeForTerminal(text: string): string {
  return text.replace(OSC, '').replace(CSI, '').replace(ESC, '').replace(CONTROL, '');
}

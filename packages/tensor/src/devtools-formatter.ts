/**
 * Chrome DevTools' "custom formatters": when a user enables them (DevTools
 * settings > Preferences > Console > "Enable custom formatters"), DevTools
 * asks each entry of `globalThis.devtoolsFormatters` how to show a logged
 * object. Without them Chrome shows a class instance as its constructor name
 * and first own fields (`Tensor {disposedFlag: false, ...}`) and a function
 * as its source, whatever `toString` or `Symbol.toStringTag` say, so this is
 * the only way a plain `console.log(tensor)` can show the repr there; with
 * the setting off, `print(tensor)` or `console.log(String(tensor))` does.
 * Firefox reads the same array (devtools.custom-formatters.enabled).
 */

/** JsonML, the markup DevTools renders: `[tag, attributes, ...children]`. */
export type JsonML = [string, Record<string, string>, ...(JsonML | string)[]];

/** One entry of `devtoolsFormatters`, as DevTools calls it. */
export interface DevtoolsFormatter {
  header(value: unknown): JsonML | null;
  hasBody(value: unknown): boolean;
  body(value: unknown): JsonML | null;
}

const MONO = 'font-family: monospace;';
/** Marks our entry so a second copy of the package (or a reload of this module) does not add another. */
const MARK = Symbol.for('kindling.devtoolsFormatter');

/** The formatter, given the test for objects whose `String()` is their repr. */
export function makeDevtoolsFormatter(isRepr: (value: unknown) => boolean): DevtoolsFormatter {
  return {
    header(value) {
      if (!isRepr(value)) return null;
      const text = String(value);
      const newline = text.indexOf('\n');
      // A one-line repr is the whole story; a longer one shows its first line here and the rest when expanded.
      return ['span', { style: MONO }, newline < 0 ? text : `${text.slice(0, newline)} …`];
    },
    hasBody(value) {
      return isRepr(value) && String(value).includes('\n');
    },
    body(value) {
      if (!isRepr(value)) return null;
      return ['div', { style: `${MONO} white-space: pre;` }, String(value)];
    },
  };
}

/**
 * Adds Kindling's entry to `globalThis.devtoolsFormatters` (once), beside
 * any other library's. Harmless where no DevTools reads it (Node without an
 * inspector attached, workers).
 */
export function installDevtoolsFormatter(isRepr: (value: unknown) => boolean): void {
  const g = globalThis as { devtoolsFormatters?: unknown };
  const list = Array.isArray(g.devtoolsFormatters) ? (g.devtoolsFormatters as unknown[]) : [];
  if (list.some((f) => typeof f === 'object' && f !== null && MARK in f)) return;
  list.push(Object.assign(makeDevtoolsFormatter(isRepr), { [MARK]: true }));
  try {
    g.devtoolsFormatters = list;
  } catch {
    // A frozen global (SES lockdown) keeps its own formatters; printing still works through print().
  }
}

export function percent(value: number, digits = 1): string {
  return `${(value * 100).toFixed(digits)}%`;
}

// Formatters are made once: toLocaleString builds a new one per call, which showed in profiles of a run's live numbers.
const COUNT = new Intl.NumberFormat('en-US');
const FIXED = new Map<number, Intl.NumberFormat>();

/** A number with `digits` decimals and thousands separators: 1,234.5. */
function fixed(value: number, digits: number): string {
  let format = FIXED.get(digits);
  if (!format) {
    format = new Intl.NumberFormat('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
    FIXED.set(digits, format);
  }
  return format.format(value);
}

export function bytes(value: number): string {
  if (value < 1024) return `${count(value)} B`;
  const units = ['KiB', 'MiB', 'GiB'];
  let v = value / 1024;
  let unit = 0;
  while (v >= 1024 && unit < units.length - 1) {
    v /= 1024;
    unit++;
  }
  return `${fixed(v, 1)} ${units[unit]}`;
}

export function count(value: number): string {
  return COUNT.format(value);
}

export function ms(value: number): string {
  return value < 1 ? `${fixed(value * 1000, 0)} µs` : `${fixed(value, value < 10 ? 2 : 1)} ms`;
}

/** torchvision names MNIST classes "7 - seven"; the digit alone reads better in small places. */
export function shortClassName(name: string): string {
  const m = /^(\d+) - /.exec(name);
  return m ? m[1] : name;
}

/** "MLP 784-128-64-10", "CNN conv 1→32 3×3, conv 32→64 3×3, max-pool 2×2, linear 9216-128-10" */
export function modelTitle(model: { modelKind: string; layers: string }): string {
  return `${model.modelKind} ${model.layers}`;
}

import { isFloating } from './dtype.js';
import type { Tensor } from './tensor.js';

const LINE_WIDTH = 80;
const SUMMARIZE_OVER = 1000;
const EDGE_ITEMS = 3;

/** Chooses one number format for all elements, as PyTorch's `_Formatter` does. */
function makeFormatter(values: number[], floating: boolean, isBool: boolean): (v: number) => string {
  if (isBool) return (v) => (v ? 'True' : 'False');
  if (!floating) return (v) => String(v);
  const finite = values.filter((v) => Number.isFinite(v) && v !== 0).map(Math.abs);
  const special = (v: number) => (Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf');
  if (finite.length === 0) return (v) => (Number.isFinite(v) ? `${v === 0 && Object.is(v, -0) ? '-' : ''}0.` : special(v));
  const max = Math.max(...finite);
  const min = Math.min(...finite);
  const sci = (v: number) => {
    const [mantissa, exponent] = v.toExponential(4).split('e');
    const sign = exponent.startsWith('-') ? '-' : '+';
    return `${mantissa}e${sign}${exponent.replace(/^[+-]/, '').padStart(2, '0')}`;
  };
  const allIntegral = finite.every((v) => Number.isInteger(v));
  let fmt: (v: number) => string;
  if (allIntegral) fmt = max / min > 1000 || max > 1e8 ? sci : (v) => `${v.toFixed(0)}.`;
  else if (max / min > 1000 || max > 1e8 || min < 1e-4) fmt = sci;
  else fmt = (v) => v.toFixed(4);
  return (v) => (Number.isFinite(v) ? fmt(v) : special(v));
}

function formatData(t: Tensor, data: ArrayLike<number>): string {
  const shape = t.shape;
  const summarize = t.numel() > SUMMARIZE_OVER;
  const strides: number[] = [];
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  const shown = (dim: number): number[] => {
    const n = shape[dim];
    if (!summarize || n <= 2 * EDGE_ITEMS) return Array.from({ length: n }, (_, i) => i);
    return [...Array.from({ length: EDGE_ITEMS }, (_, i) => i), -1, ...Array.from({ length: EDGE_ITEMS }, (_, i) => n - EDGE_ITEMS + i)];
  };
  const visible: number[] = [];
  const collect = (dim: number, offset: number): void => {
    if (dim === shape.length) {
      visible.push(data[offset]);
      return;
    }
    for (const i of shown(dim)) if (i >= 0) collect(dim + 1, offset + i * strides[dim]);
  };
  collect(0, 0);
  const floating = isFloating(t.dtype);
  const format = makeFormatter(visible, floating, t.dtype === 'bool');
  // Like PyTorch, float columns are as wide as the widest non-zero finite value; nan, inf and zeros do not count.
  const measured = floating ? visible.filter((v) => Number.isFinite(v) && v !== 0) : visible;
  const width = Math.max(1, ...measured.map((v) => format(v).length));
  const cell = (v: number) => format(v).padStart(width);
  const indent = 'tensor('.length;
  const render = (dim: number, offset: number, pad: number): string => {
    if (dim === shape.length) return cell(data[offset]);
    if (dim === shape.length - 1) {
      const perLine = Math.max(1, Math.floor((LINE_WIDTH - pad) / (width + 2)));
      const items = shown(dim).map((i) => (i < 0 ? ' ...' : cell(data[offset + i * strides[dim]])));
      const lines: string[] = [];
      for (let i = 0; i < items.length; i += perLine) lines.push(items.slice(i, i + perLine).join(', '));
      return `[${lines.join(`,\n${' '.repeat(pad + 1)}`)}]`;
    }
    const sep = `,${'\n'.repeat(shape.length - dim - 1)}${' '.repeat(pad + 1)}`;
    const rows = shown(dim).map((i) => (i < 0 ? '...' : render(dim + 1, offset + i * strides[dim], pad + 1)));
    return `[${rows.join(sep)}]`;
  };
  return render(0, 0, indent);
}

/** PyTorch-style text of a tensor; data that cannot be read synchronously is described instead. */
export function formatTensor(t: Tensor): string {
  if (t.isDisposed) return `tensor(<disposed>, shape=[${t.shape.join(', ')}], dtype=${t.dtype})`;
  const suffixes: string[] = [];
  if (t.device !== 'cpu') suffixes.push(`device='${t.device}'`);
  const emptyMulti = t.numel() === 0 && t.ndim !== 1;
  if (emptyMulti) suffixes.push(`size=(${t.shape.join(', ')}${t.ndim === 1 ? ',' : ''})`);
  // float32 and int32 are the defaults, so (like PyTorch's float32 and int64) they go unsaid.
  if (t.dtype !== 'float32' && t.dtype !== 'int32' && !(t.dtype === 'bool' && t.numel() > 0)) suffixes.push(`dtype=${t.dtype}`);
  if (t.gradFn) suffixes.push(`grad_fn=<${t.gradFn.name}>`);
  else if (t.requiresGrad) suffixes.push('requires_grad=True');
  const backend = t.storage.backend;
  let body: string;
  if (!backend.readSync)
    body = `<${t.shape.length ? `shape [${t.shape.join(', ')}]` : 'scalar'} on ${t.device}; await tensor.read() to read>`;
  else if (t.numel() === 0) body = '[]';
  else body = formatData(t, backend.readSync(t.view_()));
  return `tensor(${[body, ...suffixes].join(', ')})`;
}

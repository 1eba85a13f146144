import type { DType } from '@kindling/tensor';
import { coalesce, word } from '../layout.js';
import { type GpuRuntime, WORKGROUP } from '../runtime.js';
import { HELPERS, bindings, mainHeader, mi, wgslType } from './wgsl.js';

/** One operand of a map kernel: a strided window onto a buffer. */
export interface Operand {
  buffer: GPUBuffer;
  dtype: DType;
  strides: readonly number[];
  offset: number;
}

/** What a map kernel computes per element. */
export interface MapSpec {
  /** Identifies `expr` and `helpers` in the pipeline cache (e.g. `binary:add:float32`). */
  key: string;
  shape: readonly number[];
  /** The written operand; a fresh output has row-major strides and offset 0. */
  out: Operand;
  inputs: readonly Operand[];
  /** WGSL of the stored value, given the loaded inputs (in their storage types) and the index of the first extra meta word. */
  expr: (values: string[], extra: number) => string;
  /** WGSL functions `expr` calls. */
  helpers?: string;
  /** Extra u32 words appended to the parameters (scalars such as a fill value). */
  extra?: readonly number[];
}

/**
 * Elementwise kernels (unary, binary, where, cast, assign, fill) share one
 * template: one thread per element of `shape`, each operand's element found
 * from the row-major index through its own strides, so broadcasts (stride 0)
 * and arbitrary views need no copies.
 */
export function runMap(rt: GpuRuntime, spec: MapSpec): void {
  const n = spec.shape.reduce((a, b) => a * b, 1);
  if (n === 0) return;
  const operands = [spec.out, ...spec.inputs];
  const walk = coalesce(
    spec.shape,
    operands.map((o) => o.strides),
  );
  const nd = walk.shape.length;
  const outDirect = spec.out.offset === 0 && (nd === 0 || (nd === 1 && walk.strides[0][0] === 1));
  const meta: number[] = [n, ...walk.shape];
  operands.forEach((o, k) => {
    meta.push(word(o.offset), ...walk.strides[k].map(word));
  });
  const extraBase = meta.length;
  if (spec.extra) meta.push(...spec.extra);

  const key = `map|${spec.key}|nd${nd}|${outDirect ? 'direct' : 'strided'}|${operands.map((o) => o.dtype).join(',')}`;
  const pipeline = rt.pipeline(key, () => {
    const base = (k: number) => 1 + nd + k * (nd + 1);
    const names = operands.map((_, k) => (k === 0 ? 'o_out' : `o_${k - 1}`));
    const lines: string[] = [];
    names.forEach((name, k) => {
      if (k === 0 && outDirect) return;
      lines.push(`  var ${name}: i32 = ${mi(base(k))};`);
    });
    if (nd > 0) lines.push('  var rem = i;');
    for (let d = nd - 1; d >= 0; d--) {
      lines.push(`  { let s = prm[${1 + d}]; let c = i32(rem % s); rem = rem / s;`);
      names.forEach((name, k) => {
        if (k === 0 && outDirect) return;
        lines.push(`    ${name} += c * ${mi(base(k) + 1 + d)};`);
      });
      lines.push('  }');
    }
    const f16 = rt.nativeFloat16;
    // float16 computes in f32: widen what is loaded from f16 storage, narrow what is stored into it.
    const values = spec.inputs.map((o, k) => (f16 && o.dtype === 'float16' ? `f32(in_${k}[${names[k + 1]}])` : `in_${k}[${names[k + 1]}]`));
    const store = (expr: string) => (f16 && spec.out.dtype === 'float16' ? `f16(${expr})` : expr);
    const decls = [
      { name: 'out', type: wgslType(spec.out.dtype, f16), write: true },
      ...spec.inputs.map((o, k) => ({ name: `in_${k}`, type: wgslType(o.dtype, f16) })),
    ];
    const enable = decls.some((d) => d.type === 'f16') ? 'enable f16;\n' : '';
    return `${enable}${bindings(decls)}
${HELPERS}
${spec.helpers ?? ''}
${mainHeader(WORKGROUP)}
  let i = k_linear(wid, nwg, lidx, ${WORKGROUP}u);
  if (i >= prm[0]) { return; }
${lines.join('\n')}
  out[${outDirect ? 'i' : 'o_out'}] = ${store(spec.expr(values, extraBase))};
}`;
  });
  rt.dispatch(
    pipeline,
    operands.map((o) => o.buffer),
    meta,
    rt.grid(Math.ceil(n / WORKGROUP)),
  );
}

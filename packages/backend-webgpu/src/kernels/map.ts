import type { DType } from '@kindling/tensor';
import { coalesce } from '../layout.js';
import type { WebGPUBuffer } from '../gpu-types.js';
import { type GpuRuntime, WORKGROUP } from '../runtime.js';
import { decompose } from './offsets.js';
import { type Field, type WordType, i32, i32s, paramLayout, u32, u32s } from './params.js';
import { HELPERS, bindings, mainHeader, wgslType } from './wgsl.js';

/** One operand of a map kernel: a strided window onto a buffer. */
export interface Operand {
  buffer: WebGPUBuffer;
  dtype: DType;
  strides: readonly number[];
  offset: number;
}

/** A named scalar of a map kernel (a fill value, softplus's beta). */
export interface MapParam {
  type: WordType;
  value: number;
}

/** What a map kernel computes per element. */
export interface MapSpec {
  /** Identifies `expr` and `helpers` in the pipeline cache (e.g. `binary:add:float32`). */
  key: string;
  shape: readonly number[];
  /** The written operand; a fresh output has row-major strides and offset 0. */
  out: Operand;
  inputs: readonly Operand[];
  /** WGSL of the stored value, given the loaded inputs (in their storage types) and the WGSL reading each of `params`. */
  expr: (values: string[], params: Readonly<Record<string, string>>) => string;
  /** WGSL functions `expr` calls. */
  helpers?: string;
  /**
   * Scalars `expr` reads, passed as parameter words rather than written into
   * the source, so one pipeline serves every value.
   */
  params?: Readonly<Record<string, MapParam>>;
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
  const names = operands.map((_, k) => (k === 0 ? 'out' : `in_${k - 1}`));
  const params = Object.entries(spec.params ?? {});
  // Operands and parameters vary in number, so the layout is built per call (cheap: a few fields).
  const fields: Record<string, Field> = { n: u32, shape: u32s(nd) };
  const values: Record<string, number | readonly number[]> = { n, shape: walk.shape };
  operands.forEach((o, k) => {
    fields[`${names[k]}_offset`] = i32;
    fields[`${names[k]}_strides`] = i32s(nd);
    values[`${names[k]}_offset`] = o.offset;
    values[`${names[k]}_strides`] = walk.strides[k];
  });
  for (const [name, p] of params) {
    fields[`param_${name}`] = { type: p.type };
    values[`param_${name}`] = p.value;
  }
  const layout = paramLayout(fields);

  const signature = params.map(([name, p]) => `${name}:${p.type}`).join(',');
  const key = `map|${spec.key}|nd${nd}|${outDirect ? 'direct' : 'strided'}|${operands.map((o) => o.dtype).join(',')}|${signature}`;
  const pipeline = rt.pipeline(key, () => {
    const offsetVar = (k: number) => (k === 0 ? 'o_out' : `o_${k - 1}`);
    const strided = operands.map((_, k) => k).filter((k) => k > 0 || !outDirect);
    const lines = strided.map((k) => `  var ${offsetVar(k)}: i32 = ${layout.get(`${names[k]}_offset`)};`);
    lines.push(
      decompose(
        'i',
        nd,
        (d) => layout.at('shape', d),
        strided.map((k) => ({ name: offsetVar(k), stride: (d: number) => layout.at(`${names[k]}_strides`, d) })),
      ),
    );
    const f16 = rt.nativeFloat16;
    // float16 computes in f32: widen what is loaded from f16 storage, narrow what is stored into it.
    const values = spec.inputs.map((o, k) => {
      const load = `in_${k}[o_${k}]`;
      return f16 && o.dtype === 'float16' ? `f32(${load})` : load;
    });
    const store = (expr: string) => (f16 && spec.out.dtype === 'float16' ? `f16(${expr})` : expr);
    const reads = Object.fromEntries(params.map(([name]) => [name, layout.get(`param_${name}`)]));
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
  if (i >= ${layout.get('n')}) { return; }
${lines.join('\n')}
  out[${outDirect ? 'i' : 'o_out'}] = ${store(spec.expr(values, reads))};
}`;
  });
  rt.dispatch(
    pipeline,
    operands.map((o) => o.buffer),
    layout.pack(values),
    rt.grid(Math.ceil(n / WORKGROUP)),
  );
}

import { mi } from './wgsl.js';

/**
 * WGSL statements adding to `target` the strided offset of row-major index
 * `index` over a shape stored at meta word `shapeAt` (`nd` dims), with strides
 * at `stridesAt`. Several targets can share one decomposition.
 */
export function decompose(index: string, nd: number, shapeAt: number, targets: readonly { name: string; stridesAt: number }[]): string {
  if (nd === 0 || targets.length === 0) return '';
  const rem = `rem_${targets[0].name}`;
  const lines = [`  var ${rem}: u32 = ${index};`];
  for (let d = nd - 1; d >= 0; d--) {
    lines.push(`  { let s = prm[${shapeAt + d}]; let c = i32(${rem} % s); ${rem} = ${rem} / s;`);
    for (const t of targets) lines.push(`    ${t.name} += c * ${mi(t.stridesAt + d)};`);
    lines.push('  }');
  }
  return lines.join('\n');
}

/** A variable a strided walk adds to, and the WGSL of its stride along dim `d`. */
export interface WalkTarget {
  readonly name: string;
  readonly stride: (d: number) => string;
  /** A dim this target does not step along (gather's indexed dim). */
  readonly skipDim?: number;
}

/**
 * WGSL statements adding to each target the strided offset of row-major index
 * `index` over an `nd`-dim shape whose sizes `shape(d)` reads. Several targets
 * share one decomposition.
 */
export function decompose(index: string, nd: number, shape: (d: number) => string, targets: readonly WalkTarget[]): string {
  if (nd === 0 || targets.length === 0) return '';
  const rem = `rem_${targets[0].name}`;
  const lines = [`  var ${rem}: u32 = ${index};`];
  for (let d = nd - 1; d >= 0; d--) {
    lines.push(`  { let s = ${shape(d)}; let c = i32(${rem} % s); ${rem} = ${rem} / s;`);
    for (const t of targets) if (t.skipDim !== d) lines.push(`    ${t.name} += c * ${t.stride(d)};`);
    lines.push('  }');
  }
  return lines.join('\n');
}

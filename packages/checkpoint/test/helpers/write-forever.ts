/**
 * Child process of the kill test: saves ever-changing multi-megabyte
 * checkpoints to one path, atomically, until it is killed.
 *   node tools/run-ts.mjs packages/checkpoint/test/helpers/write-forever.ts <path>
 */
import { encodeSafetensors } from '../../src/index.js';
import { writeFileAtomic } from '../../src/node/index.js';

export async function main([path]: string[]): Promise<void> {
  const values = new Float32Array(2_000_000);
  process.stdout.write('ready\n');
  for (let generation = 1; ; generation++) {
    values.fill(generation);
    await writeFileAtomic(
      path,
      encodeSafetensors({ w: { dtype: 'float32', shape: [values.length], data: values } }, { generation: String(generation) }),
    );
  }
}

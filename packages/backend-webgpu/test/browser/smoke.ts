import { matmul, rand, softmax, sum, tensor, manualSeed, defaultGenerator } from '@kindling/tensor';
import { philoxFill } from '@kindling/tensor/backend';
import { initWebGPU } from '../../src/index.js';
import { createHarness } from './harness.js';

/** Kernel checks for the browser build, with values computed in JS. */
async function main() {
  const w = window as unknown as { __kindlingResult?: unknown };
  try {
    const init = await initWebGPU();
    const { describe, it, expect, run } = createHarness();
    const gpu = { device: init.device };
    describe('webgpu in the browser', () => {
      it('elementwise with broadcasting', async () => {
        expect(
          await tensor(
            [
              [1, 2],
              [3, 4],
            ],
            gpu,
          )
            .add(tensor([10, 20], gpu))
            .tolist(),
        ).toEqual([
          [11, 22],
          [13, 24],
        ]);
      });
      it('matmul', async () => {
        expect(
          await matmul(
            tensor(
              [
                [1, 2],
                [3, 4],
              ],
              gpu,
            ),
            tensor([[5], [6]], gpu),
          ).tolist(),
        ).toEqual([[17], [39]]);
      });
      it('sum and softmax', async () => {
        expect(await sum(tensor([1, 2, 3.5], gpu)).item()).toBe(6.5);
        const s = await softmax(tensor([0, 0], gpu), 0).tolist();
        expect(s).toEqual([0.5, 0.5]);
      });
      it('Philox uniforms are bit-exact', async () => {
        manualSeed(3);
        const got = Array.from(await rand([64], gpu).read());
        manualSeed(3);
        const want = new Float32Array(64);
        philoxFill('uniform', defaultGenerator.next(64), want);
        expect(got).toEqual(Array.from(want));
      });
    });
    w.__kindlingResult = await run();
  } catch (e) {
    w.__kindlingResult = { passed: 0, failed: 1, failures: [], fatal: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
  }
}
void main();

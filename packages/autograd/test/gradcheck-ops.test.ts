import '@kindling/backend-cpu';
import * as kd from '@kindling/tensor';
import { type Tensor, manualSeed } from '@kindling/tensor';
import { BINARY_OP_NAMES, type Domain, getBackend, registerBackend, UNARY_OP_NAMES, binarySpec, unarySpec } from '@kindling/tensor/backend';
import { binaryOp, reluBackward, unaryOp } from '@kindling/tensor/internal';
import { describe, expect, it } from 'vitest';
import { convCases } from './conv-cases.js';
import { poolNormCases } from './pool-norm-cases.js';
import { type GradcheckOptions, defineFunction, differentiableOps, enableGrad, grad, gradcheck, noGrad } from '../src/index.js';

// A second device backed by the CPU kernels, to differentiate through device moves.
if (!kd.hasBackend('cpu2')) registerBackend(Object.create(getBackend('cpu'), { name: { value: 'cpu2' } }));

/** A float64 leaf with values away from kinks (|x| in [0.3, 1.3]) so finite differences are smooth. */
function input(...shape: number[]): Tensor {
  return noGrad(() => {
    const u = kd.rand(shape, { dtype: 'float64' });
    const sign = kd.rand(shape, { dtype: 'float64' }).gt(0.5).cast('float64').mul(2).sub(1);
    return u.add(0.3).mul(sign);
  }).requiresGrad_();
}

function positive(...shape: number[]): Tensor {
  return noGrad(() => kd.rand(shape, { dtype: 'float64' }).add(0.5)).requiresGrad_();
}

/** A non-contiguous float64 leaf: the transpose of a fresh tensor. */
function transposed(rows: number, cols: number): Tensor {
  const base = input(cols, rows);
  return noGrad(() => base.t()).requiresGrad_();
}

interface Case {
  op: string;
  what: string;
  options?: GradcheckOptions;
  run: () => { fn: (...xs: Tensor[]) => Tensor | readonly Tensor[]; inputs: Tensor[] };
}

const idx = (values: number[]) => kd.tensor(values, { dtype: 'int32' });

const FROM_DOMAIN: Record<Domain, (...shape: number[]) => Tensor> = { real: input, positive, exponent: input };

/** Every differentiable op of the elementwise table, with its default parameters and each example set. */
const tableCases: Case[] = [
  ...UNARY_OP_NAMES.filter((op) => unarySpec(op).grad !== 'none').flatMap((op) => {
    const spec = unarySpec(op);
    return [{}, ...(spec.examples ?? [])].map((params) => ({
      op,
      what: `(op table, ${spec.domain} input${Object.keys(params).length ? `, ${JSON.stringify(params)}` : ''})`,
      run: () => ({ fn: (a: Tensor) => unaryOp(op, a, params), inputs: [FROM_DOMAIN[spec.domain](3, 4)] }),
    }));
  }),
  ...BINARY_OP_NAMES.filter((op) => binarySpec(op).grad !== 'none').map((op) => {
    const [da, db] = binarySpec(op).domain;
    return {
      op,
      what: `(op table, ${da} and ${db} operands)`,
      run: () => ({ fn: (a: Tensor, b: Tensor) => binaryOp(op, a, b), inputs: [FROM_DOMAIN[da](3, 4), FROM_DOMAIN[db](3, 4)] }),
    };
  }),
];

const cases: Case[] = [
  ...tableCases,
  { op: 'add', what: 'broadcast [3,1] + [4]', run: () => ({ fn: (a, b) => a.add(b), inputs: [input(3, 1), input(4)] }) },
  { op: 'sub', what: 'non-contiguous - scalar tensor', run: () => ({ fn: (a, b) => a.sub(b), inputs: [transposed(2, 3), input()] }) },
  { op: 'mul', what: 'broadcast [2,3,1] * [3,4]', run: () => ({ fn: (a, b) => a.mul(b), inputs: [input(2, 3, 1), input(3, 4)] }) },
  { op: 'div', what: 'broadcast', run: () => ({ fn: (a, b) => a.div(b), inputs: [input(2, 3), positive(3)] }) },
  { op: 'pow', what: 'tensor exponent', run: () => ({ fn: (a, b) => a.pow(b), inputs: [positive(2, 3), input(3)] }) },
  { op: 'pow', what: 'scalar exponent', run: () => ({ fn: (a) => a.pow(3), inputs: [input(5)] }) },
  { op: 'maximum', what: 'broadcast', run: () => ({ fn: (a, b) => a.maximum(b), inputs: [input(3, 4), input(4)] }) },
  { op: 'minimum', what: 'broadcast', run: () => ({ fn: (a, b) => a.minimum(b), inputs: [input(3, 4), input(1, 4)] }) },
  {
    op: 'remainder',
    what: 'tensor',
    run: () => ({
      fn: (a, b) => a.remainder(b),
      inputs: [positive(5).mul(3).detach().requiresGrad_(), kd.full([5], 0.7, { dtype: 'float64' }).requiresGrad_()],
    }),
  },
  {
    op: 'floorDivide',
    what: 'zero gradient',
    run: () => ({ fn: (a) => a.floorDivide(0.7), inputs: [positive(4).add(0.05).detach().requiresGrad_()] }),
  },
  { op: 'exp', what: 'non-contiguous', run: () => ({ fn: (a) => a.exp(), inputs: [transposed(3, 2)] }) },
  { op: 'affine', what: 'float64', run: () => ({ fn: (a) => kd.affine(a, -1.5, 0.25), inputs: [input(3, 3)] }) },
  {
    op: 'reluBackward',
    what: 'gradient through the relu mask (double backward)',
    run: () => ({
      fn: (g) =>
        reluBackward(
          g,
          kd.tensor(
            [
              [1, -2, 0],
              [3, -0.5, 2],
            ],
            { dtype: 'float64' },
          ),
        ),
      inputs: [input(2, 3)],
    }),
  },
  {
    op: 'where',
    what: 'broadcast',
    run: () => ({ fn: (a, b) => kd.where(kd.tensor([true, false, true]), a, b), inputs: [input(2, 3), input(1)] }),
  },
  { op: 'clamp', what: 'both bounds', run: () => ({ fn: (a) => a.clamp(-0.8, 0.8), inputs: [input(3, 4)] }) },
  { op: 'sum', what: 'all', run: () => ({ fn: (a) => a.sum(), inputs: [input(2, 3)] }) },
  { op: 'sum', what: 'dims [0,-1] keepdim', run: () => ({ fn: (a) => a.sum([0, -1], true), inputs: [input(2, 3, 4)] }) },
  { op: 'mean', what: 'dim 1 of non-contiguous', run: () => ({ fn: (a) => a.mean(1), inputs: [transposed(3, 4)] }) },
  { op: 'prod', what: 'dim 0', run: () => ({ fn: (a) => a.prod(0), inputs: [input(3, 2)] }) },
  { op: 'amax', what: 'dim 1', run: () => ({ fn: (a) => a.amax(1), inputs: [input(3, 4)] }) },
  { op: 'amin', what: 'all', run: () => ({ fn: (a) => a.amin(), inputs: [input(3, 4)] }) },
  { op: 'logsumexp', what: 'dim -1 keepdim', run: () => ({ fn: (a) => a.logsumexp(-1, true), inputs: [input(3, 5)] }) },
  { op: 'matmul', what: '2-D x 2-D', run: () => ({ fn: (a, b) => a.matmul(b), inputs: [input(3, 4), input(4, 2)] }) },
  {
    op: 'matmul',
    what: 'batched broadcast [2,3,4] x [4,5]',
    run: () => ({ fn: (a, b) => a.matmul(b), inputs: [input(2, 3, 4), input(4, 5)] }),
  },
  {
    op: 'matmul',
    what: 'vector x matrix, matrix x vector, dot',
    run: () => ({ fn: (v, m, w) => v.matmul(m).add(m.matmul(w).sum()).add(v.matmul(v)), inputs: [input(3), input(3, 3), input(3)] }),
  },
  { op: 'matmul', what: 'transposed operands', run: () => ({ fn: (a, b) => a.matmul(b), inputs: [transposed(3, 4), transposed(4, 2)] }) },
  { op: 'mm', what: '', run: () => ({ fn: (a, b) => a.mm(b), inputs: [input(2, 3), input(3, 2)] }) },
  { op: 'linear', what: 'with bias', run: () => ({ fn: (x, w, b) => kd.linear(x, w, b), inputs: [input(4, 3), input(5, 3), input(5)] }) },
  { op: 'linear', what: '3-D input, no bias', run: () => ({ fn: (x, w) => kd.linear(x, w), inputs: [input(2, 4, 3), input(5, 3)] }) },
  { op: 'softmax', what: 'dim 1', run: () => ({ fn: (a) => a.softmax(1), inputs: [input(3, 4)] }) },
  { op: 'logSoftmax', what: 'dim 0', run: () => ({ fn: (a) => a.logSoftmax(0), inputs: [input(3, 4)] }) },
  {
    op: 'view',
    what: '',
    run: () => ({ fn: (a) => a.view(3, 2).mul(kd.arange(3, { dtype: 'float64' }).view(3, 1)), inputs: [input(2, 3)] }),
  },
  {
    op: 'reshape',
    what: 'of a transpose (copies)',
    run: () => ({ fn: (a) => a.reshape(-1).mul(kd.arange(6, { dtype: 'float64' })), inputs: [transposed(2, 3)] }),
  },
  { op: 'squeeze', what: '', run: () => ({ fn: (a) => a.squeeze(1), inputs: [input(3, 1, 2)] }) },
  { op: 'unsqueeze', what: '', run: () => ({ fn: (a) => a.unsqueeze(-1), inputs: [input(3, 2)] }) },
  { op: 'permute', what: '', run: () => ({ fn: (a) => a.permute(2, 0, 1), inputs: [input(2, 3, 4)] }) },
  { op: 'transpose', what: '', run: () => ({ fn: (a) => a.transpose(0, 2), inputs: [input(2, 3, 4)] }) },
  {
    op: 'expand',
    what: '',
    run: () => ({ fn: (a) => a.expand(2, 3, 4).mul(kd.arange(24, { dtype: 'float64' }).view(2, 3, 4)), inputs: [input(3, 1)] }),
  },
  { op: 'slice', what: 'with step', run: () => ({ fn: (a) => a.slice(1, 1, null, 2), inputs: [input(3, 6)] }) },
  {
    op: 'sliceBackward',
    what: 'second order through slice',
    run: () => ({ fn: (a) => kd.slice(a, 0, 1, 3).pow(2).sum().mul(1), inputs: [input(4)] }),
  },
  { op: 'select', what: '', run: () => ({ fn: (a) => a.select(0, -1), inputs: [input(3, 2)] }) },
  {
    op: 'gather',
    what: 'dim 1',
    run: () => ({
      fn: (a) =>
        a.gather(
          1,
          kd.tensor(
            [
              [0, 2],
              [1, 1],
              [2, 0],
            ],
            { dtype: 'int32' },
          ),
        ),
      inputs: [input(3, 3)],
    }),
  },
  { op: 'indexSelect', what: 'repeated indices', run: () => ({ fn: (a) => a.indexSelect(0, idx([2, 0, 2])), inputs: [input(3, 2)] }) },
  {
    op: 'scatterAdd',
    what: '',
    run: () => ({
      fn: (a, s) =>
        a.scatterAdd(
          0,
          kd.tensor(
            [
              [0, 1],
              [0, 0],
            ],
            { dtype: 'int32' },
          ),
          s,
        ),
      inputs: [input(2, 2), input(2, 2)],
    }),
  },
  { op: 'topk', what: 'values', run: () => ({ fn: (a) => a.topk(2, 1).values, inputs: [input(3, 5)] }) },
  { op: 'cat', what: 'dim 1', run: () => ({ fn: (a, b) => kd.cat([a, b], 1), inputs: [input(2, 3), input(2, 1)] }) },
  {
    op: 'cast',
    what: 'float64 -> float32 -> float64 (float32 precision, so a coarser step)',
    options: { eps: 1e-3, atol: 1e-3 },
    run: () => ({
      fn: (a) => a.cast('float32').cast('float64').mul(1),
      inputs: [kd.tensor([0.5, 0.25], { dtype: 'float64' }).requiresGrad_()],
    }),
  },
  { op: 'clone', what: '', run: () => ({ fn: (a) => a.clone(), inputs: [input(3)] }) },
  { op: 'toDevice', what: 'cpu -> cpu2 -> cpu', run: () => ({ fn: (a) => a.to('cpu2').to('cpu').mul(2), inputs: [input(3)] }) },
  {
    op: 'nllLoss',
    what: 'mean with ignoreIndex and weight',
    run: () => {
      // As in PyTorch, the class weights are constants: nll_loss has no derivative for them.
      const weight = noGrad(() => kd.rand([3], { dtype: 'float64' }).add(0.5));
      return { fn: (a) => kd.nllLoss(a.logSoftmax(1), idx([0, 2, -100, 1]), { weight }), inputs: [input(4, 3)] };
    },
  },
  {
    op: 'nllLoss',
    what: 'sum and none',
    run: () => ({
      fn: (a) => [kd.nllLoss(a, idx([1, 0]), { reduction: 'sum' }), kd.nllLoss(a, idx([1, 0]), { reduction: 'none' })],
      inputs: [input(2, 3)],
    }),
  },
  {
    op: 'crossEntropy',
    what: 'mean with ignoreIndex and weight, non-contiguous logits',
    run: () => {
      const weight = noGrad(() => kd.rand([4], { dtype: 'float64' }).add(0.5));
      return { fn: (a) => kd.crossEntropyLoss(a, idx([0, 3, -1, 1, 3]), { weight, ignoreIndex: -1 }), inputs: [transposed(5, 4)] };
    },
  },
  {
    op: 'crossEntropy',
    what: 'sum and none with weight',
    run: () => {
      const weight = noGrad(() => kd.rand([3], { dtype: 'float64' }).add(0.5));
      const target = idx([2, -100, 0]);
      return {
        fn: (a) => [
          kd.crossEntropyLoss(a, target, { weight, reduction: 'sum' }),
          kd.crossEntropyLoss(a, target, { weight, reduction: 'none' }),
        ],
        inputs: [input(3, 3)],
      };
    },
  },
  {
    op: 'crossEntropy',
    what: '[C] input with a 0-dim target, every reduction',
    run: () => ({
      fn: (a) =>
        (['mean', 'sum', 'none'] as const).map((reduction) => kd.crossEntropyLoss(a, kd.tensor(2, { dtype: 'int32' }), { reduction })),
      inputs: [input(4)],
    }),
  },
  {
    op: 'crossEntropy',
    what: 'second order (gradient of the gradient)',
    run: () => ({
      // gradcheck evaluates fn under noGrad for its finite differences; the inner gradient needs a graph.
      fn: (a) =>
        enableGrad(() => {
          const [g] = grad(kd.crossEntropyLoss(a, idx([1, 0])), [a], { createGraph: true });
          return (g as Tensor).mul(g as Tensor).sum();
        }),
      inputs: [input(2, 3)],
    }),
  },
  {
    op: 'add_',
    what: 'in place on a non-leaf',
    run: () => ({ fn: (a, b) => a.mul(1).add_(b, { alpha: 2 }), inputs: [input(3), input(3)] }),
  },
  { op: 'sub_', what: '', run: () => ({ fn: (a, b) => a.mul(1).sub_(b), inputs: [input(3), input(3)] }) },
  { op: 'mul_', what: 'tensor and scalar', run: () => ({ fn: (a, b) => a.mul(1).mul_(b).mul_(3), inputs: [input(3), input(3)] }) },
  { op: 'div_', what: 'tensor and scalar', run: () => ({ fn: (a, b) => a.mul(1).div_(b).div_(2), inputs: [input(3), positive(3)] }) },
  { op: 'neg_', what: '', run: () => ({ fn: (a) => a.mul(1).neg_(), inputs: [input(3)] }) },
  { op: 'relu_', what: '', run: () => ({ fn: (a) => a.mul(1).relu_(), inputs: [input(4)] }) },
  { op: 'clamp_', what: '', run: () => ({ fn: (a) => a.mul(1).clamp_(-0.5, 0.5), inputs: [input(4)] }) },
  { op: 'fill_', what: '', run: () => ({ fn: (a, b) => a.mul(b).fill_(2).add(b), inputs: [input(3), input(3)] }) },
  { op: 'copy_', what: 'broadcast source', run: () => ({ fn: (a, b) => a.mul(1).copy_(b).mul(2), inputs: [input(2, 3), input(3)] }) },
  // Python indexing (more cases in index-put.test.ts): x[[0, 1], :, [2, 0]] and x[:, [1, 0]] = v.
  {
    op: 'index',
    what: 'separated tensor indices',
    run: () => ({ fn: (a) => a.at([0, 1], ':', [2, 0]), inputs: [input(2, 3, 4)] }),
  },
  {
    op: 'indexPut_',
    what: 'broadcast value',
    run: () => ({ fn: (a, b) => a.mul(1).indexPut_([':', [1, 0]], b), inputs: [input(2, 3), input(2)] }),
  },
];

describe('gradcheck of every differentiable op', () => {
  it.each(cases.map((c) => [`${c.op} ${c.what}`, c] as const))('%s', (_name, c) => {
    manualSeed(7);
    const { fn, inputs } = c.run();
    expect(gradcheck(fn, inputs, c.options)).toBe(true);
  });

  it('covers every op that has a derivative rule', () => {
    // The sliding-window ops' cases live in their own files, run by gradcheck-conv and gradcheck-pool-norm.
    const covered = new Set([...cases, ...convCases, ...poolNormCases].map((c) => c.op));
    const missing = differentiableOps().filter((op) => !op.startsWith('custom:') && !covered.has(op));
    expect(missing).toEqual([]);
  });

  it('reports a wrong derivative', () => {
    const wrongSquare = defineFunction({
      name: 'WrongSquare',
      forward: (ctx, x) => {
        ctx.saveForBackward(x);
        return x.mul(x);
      },
      backward: (ctx, g) => g.mul(ctx.savedTensors[0]), // should be 2x
    });
    const x = input(3);
    expect(gradcheck((a) => wrongSquare(a), [x], { raiseException: false })).toBe(false);
    expect(() => gradcheck((a) => wrongSquare(a), [x])).toThrow(/Jacobian mismatch for output 0 element 0 with respect to input 0/);
  });
});

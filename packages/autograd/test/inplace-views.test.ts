import { readFileSync } from 'node:fs';
import '@kindling/backend-cpu';
import { KindlingError, type Tensor, tensor, zeros } from '@kindling/tensor';
import { describe, expect, it } from 'vitest';
import { grad, noGrad } from '../src/index.js';

/** tools/fixtures/data/inplace-views.json, written by tools/fixtures/gen_inplace_views.py with PyTorch 1.13. */
interface Encoded {
  shape: number[];
  values: number[];
}
interface Case {
  name: string;
  inputs: Record<string, Encoded & { requiresGrad: boolean }>;
  nodes?: Record<string, string | null>;
  grads?: Record<string, Encoded | null>;
  retained?: Record<string, Encoded | null>;
  error?: string;
}
const fixture: { cases: Case[] } = JSON.parse(
  readFileSync(new URL('../../../tools/fixtures/data/inplace-views.json', import.meta.url), 'utf8'),
);

interface Outcome {
  loss: Tensor;
  nodes?: Record<string, Tensor>;
  retained?: Record<string, Tensor>;
}
type Program = (t: Record<string, Tensor>) => Outcome;

/** The same programs as the generator's, name for name. */
const programs: Record<string, Program> = {
  select_fill: ({ a, w }) => {
    const y = a.mul(1);
    y.at(0).fill_(0);
    return { loss: y.mul(y).mul(w).sum(), nodes: { y } };
  },
  select_mul: ({ a, w }) => {
    const y = a.mul(1);
    const v = y.select(0, 1);
    v.mul_(2);
    return { loss: y.mul(y).mul(w).sum(), nodes: { y, v } };
  },
  narrow_add_tensor: ({ a, w, z }) => {
    const y = a.mul(2);
    y.narrow(1, 1, 2).add_(z);
    return { loss: y.mul(y).mul(w).sum() };
  },
  narrow_add_broadcast: ({ a, w, z }) => {
    const y = a.mul(2);
    y.narrow(1, 1, 2).add_(z);
    return { loss: y.mul(y).mul(w).sum() };
  },
  t_relu: ({ a, w }) => {
    const y = a.mul(1);
    y.t().relu_();
    return { loss: y.mul(w).sum(), nodes: { y } };
  },
  t_select_relu: ({ a, w }) => {
    const y = a.mul(1);
    y.t().at(1).relu_();
    return { loss: y.mul(y).mul(w).sum() };
  },
  view_copy: ({ a, w, u }) => {
    const y = a.mul(1);
    y.view(-1).copy_(u);
    return { loss: y.mul(y).mul(w).sum() };
  },
  chain: ({ a, w }) => {
    const y = a.mul(1);
    y.t().narrow(0, 1, 2).select(1, 2).mul_(3);
    return { loss: y.mul(y).mul(w).sum() };
  },
  chain_use_after: ({ a, w }) => {
    const y = a.mul(1);
    const v = y.t().at(2);
    v.mul_(-2);
    return { loss: v.mul(v).sum().add(y.mul(w).sum()), nodes: { v } };
  },
  view_only_after: ({ a, wv }) => {
    const y = a.mul(1);
    const v = y.at(1);
    v.add_(5);
    return { loss: v.mul(v).mul(wv).sum() };
  },
  base_without_grad: ({ u, w }) => {
    const y = zeros(3, 4);
    const c = y.at(':', 0);
    y.at(1).copy_(u);
    return { loss: y.mul(w).sum().add(c.mul(c).sum()), nodes: { y, c } };
  },
  sibling_view_regenerated: ({ a, wr }) => {
    const y = a.mul(1);
    const r = y.at(0);
    const c = y.at(':', 0);
    c.mul_(2);
    return { loss: r.mul(r).mul(wr).sum(), nodes: { r, c } };
  },
  inplace_on_base_then_view: ({ a, w }) => {
    const y = a.mul(1);
    const v = y.at(0);
    y.mul_(2);
    return { loss: v.mul(v).sum().add(y.mul(w).sum()), nodes: { v } };
  },
  retain_view: ({ a, w, wv }) => {
    const y = a.mul(1);
    const v = y.at(1);
    v.retainGrad();
    v.mul_(2);
    return { loss: v.mul(wv).sum().add(y.mul(w).sum()), retained: { v } };
  },
  retain_view_old_node: ({ a, w }) => {
    const y = a.mul(1);
    const v = y.at(1);
    v.retainGrad();
    const s = v.add(3);
    v.mul_(2);
    return { loss: s.sum().add(y.mul(w).sum()), retained: { v } };
  },
  retain_base: ({ a, w }) => {
    const y = a.mul(1);
    y.retainGrad();
    y.at(0).mul_(2);
    return { loss: y.mul(y).mul(w).sum() };
  },
  mul_tensor: ({ a, w, z }) => {
    const y = a.mul(1);
    y.at(':', 1).mul_(z);
    return { loss: y.mul(y).mul(w).sum() };
  },
  div_tensor: ({ a, w, z }) => {
    const y = a.mul(1);
    y.narrow(0, 0, 2).div_(z.mul(z).add(1));
    return { loss: y.mul(y).mul(w).sum() };
  },
  sub_alpha: ({ a, w, z }) => {
    const y = a.mul(1);
    y.at(2).sub_(z, { alpha: 0.5 });
    return { loss: y.mul(y).mul(w).sum() };
  },
  clamp_slice: ({ a, w }) => {
    const y = a.mul(1);
    y.t().at('0:2').clamp_(-0.5, 1);
    return { loss: y.mul(y).mul(w).sum() };
  },
  neg_step_slice: ({ a, w }) => {
    const y = a.mul(1);
    y.at('::2').neg_();
    return { loss: y.mul(y).mul(w).sum() };
  },
  permute_3d: ({ a, w, z }) => {
    const y = a.mul(1);
    y.permute(2, 0, 1).at(1).add_(z);
    return { loss: y.mul(y).mul(w).sum() };
  },
  unsqueeze_select: ({ a, w }) => {
    const y = a.mul(1);
    y.unsqueeze(0).at(0, 1).mul_(4);
    return { loss: y.mul(y).mul(w).sum() };
  },
  two_inplace: ({ a, w, z }) => {
    const y = a.mul(1);
    y.at(0).mul_(2);
    y.at(':', 1).add_(1);
    y.narrow(0, 1, 2).mul_(z);
    return { loss: y.mul(y).mul(w).sum(), nodes: { y } };
  },
  copy_from_sibling: ({ a, w }) => {
    const y = a.mul(1);
    y.at(0).copy_(y.at(2));
    return { loss: y.mul(y).mul(w).sum() };
  },
  index_put_on_view: ({ a, w, z }) => {
    const y = a.mul(1);
    y.at(1).indexPut_('1:3', z);
    return { loss: y.mul(y).mul(w).sum() };
  },
  scalar_view_fill: ({ a, w }) => {
    const y = a.mul(1);
    y.at(1, 2).fill_(7);
    return { loss: y.mul(y).mul(w).sum() };
  },
  unfold_disjoint: ({ a, w }) => {
    const y = a.mul(1);
    y.unfold(1, 2, 2).mul_(3);
    return { loss: y.mul(y).mul(w).sum() };
  },
  expand_read_regenerated: ({ a, w }) => {
    const b = a.at('0:1').mul(1);
    const e = b.expand(3, 4);
    b.mul_(2);
    return { loss: e.mul(w).sum(), nodes: { e } };
  },
  no_grad_write_not_recorded: ({ a, w }) => {
    const y = a.add(0);
    noGrad(() => {
      y.at(0).mul_(2);
      a.at(1).mul_(0.5);
    });
    return { loss: y.mul(w).sum() };
  },
  double_backward: ({ a, w }) => {
    const y = a.mul(a);
    y.at(0).mul_(a.at(1));
    const [g] = grad(y.mul(y).mul(w).sum(), a, { createGraph: true });
    return { loss: (g as Tensor).mul(w).sum() };
  },
  error_view_of_leaf: ({ a }) => {
    a.at(0).mul_(2);
    return { loss: a.sum() };
  },
  error_no_grad_view: ({ a }) => {
    const y = a.mul(1);
    const v = noGrad(() => y.at(0));
    v.mul_(2);
    return { loss: y.sum() };
  },
  error_expanded_write: ({ a }) => {
    const y = a.at('0:1').mul(1);
    y.expand(3, 4).mul_(2);
    return { loss: y.sum() };
  },
  error_saved_output_modified: ({ a }) => {
    const y = a.exp();
    y.at(0).mul_(2);
    return { loss: y.sum() };
  },
  error_saved_view_modified: ({ a, w }) => {
    const y = a.mul(1);
    y.at(0).relu_();
    y.at(0).add_(1);
    return { loss: y.mul(w).sum() };
  },
};

/** Kindling's wording of the error PyTorch raised (each begins `op: ...`). */
const errors: Record<string, RegExp> = {
  error_view_of_leaf: /^mul_: a view of a leaf tensor that requires grad is being used in an in-place operation/,
  error_no_grad_view: /^mul_: a view created under noGrad is being modified in place with grad mode on/,
  error_expanded_write: /^mul_: more than one element of the written-to view refers to a single memory location/,
  error_saved_output_modified: /modified by an in-place operation.*output 0 of ExpBackward0, is at version 1; expected version 0/,
  error_saved_view_modified: /modified by an in-place operation.*\[float32 \[4\]\].*is at version 2; expected version 1/,
};

const decode = (e: Encoded): Tensor => tensor(e.values, { dtype: 'float32' }).reshape(e.shape);
const values = (t: Tensor) => Array.from(t.readSync(), Number);
const expectClose = (got: Tensor | null, want: Encoded | null, what: string) => {
  if (want === null) {
    expect(got, what).toBeNull();
    return;
  }
  expect(got, what).not.toBeNull();
  expect((got as Tensor).shape, what).toEqual(want.shape);
  values(got as Tensor).forEach((g, i) => {
    expect(Math.abs(g - want.values[i]), `${what}[${i}]: ${g} vs ${want.values[i]}`).toBeLessThan(1e-4 * (1 + Math.abs(want.values[i])));
  });
};

function inputsOf(c: Case): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const [name, e] of Object.entries(c.inputs)) out[name] = decode(e).requiresGrad_(e.requiresGrad);
  return out;
}

describe('in-place ops on views match PyTorch (gradients, node names, retained grads, errors)', () => {
  it('has a program for every fixture case', () => {
    expect(fixture.cases.map((c) => c.name).sort()).toEqual(Object.keys(programs).sort());
  });

  for (const c of fixture.cases) {
    it(c.name, () => {
      const program = programs[c.name] as Program;
      const t = inputsOf(c);
      if (c.error !== undefined) {
        let error: unknown = null;
        try {
          program(t).loss.backward();
        } catch (e) {
          error = e;
        }
        expect(error).toBeInstanceOf(KindlingError);
        expect((error as Error).message).toMatch(errors[c.name] as RegExp);
        return;
      }
      const out = program(t);
      for (const [name, node] of Object.entries(c.nodes ?? {})) expect(out.nodes?.[name]?.gradFn?.name ?? null, name).toBe(node);
      out.loss.backward();
      for (const [name, g] of Object.entries(c.grads ?? {})) expectClose((t[name] as Tensor).grad, g, `${name}.grad`);
      for (const [name, g] of Object.entries(c.retained ?? {}))
        expectClose((out.retained as Record<string, Tensor>)[name].grad, g, `${name}.grad`);
    });
  }
});

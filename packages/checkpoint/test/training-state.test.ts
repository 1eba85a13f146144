import { describe, expect, it } from 'vitest';
import '@kindling/backend-cpu';
import { type Tensor, defaultGenerator, manualSeed, rand, randn, tensor } from '@kindling/tensor';
import {
  CheckpointError,
  type OptimizerState,
  type TrainingState,
  decodeSafetensors,
  encodeSafetensors,
  loadTrainingState,
  saveTrainingState,
} from '../src/index.js';

// The optimizer and scheduler states here are written by hand in the layout PyTorch's (and
// Kindling's optimizers') stateDict() use: a checkpoint needs their shape, not the classes. That real
// optimizers resume bit for bit through these files is tested in apps/trainer/test/resume.test.ts.

function adamLikeState(): OptimizerState {
  return {
    state: {
      0: { step: 12, exp_avg: randn([8, 5]), exp_avg_sq: rand([8, 5]) },
      2: { step: 12, momentum_buffer: randn([3, 8], { dtype: 'float64' }) },
    },
    param_groups: [{ lr: 0.0025, betas: [0.9, 0.999], eps: 1e-8, weight_decay: 0, amsgrad: false, params: [0, 1, 2] }],
  };
}

function trainingState(): TrainingState {
  manualSeed(7);
  return {
    model: { '0.weight': randn([8, 5]), '0.bias': randn([8]), '3.weight': randn([3, 8]), steps: tensor([3], { dtype: 'int32' }) },
    optimizer: adamLikeState(),
    scheduler: { step_size: 1, gamma: 0.5, last_epoch: 2, base_lrs: [0.01], _last_lr: [0.0025] },
    epoch: 2,
    step: 10,
    rng: defaultGenerator.getState(),
    extra: { hidden: [8], note: 'resume test' },
  };
}

function exactly(t: Tensor): { dtype: string; shape: number[]; values: number[] } {
  return { dtype: t.dtype, shape: [...t.shape], values: Array.from(t.readSync()) };
}

describe('training checkpoints', () => {
  it('round-trips model, optimizer tensors and numbers, parameter groups, scheduler, position, RNG and extra exactly', async () => {
    const saved = trainingState();
    const loaded = loadTrainingState(await saveTrainingState(saved));
    expect(Object.keys(loaded.model)).toEqual(Object.keys(saved.model));
    for (const [key, t] of Object.entries(saved.model)) expect(exactly(loaded.model[key]), key).toEqual(exactly(t));
    const savedOpt = saved.optimizer as OptimizerState;
    const loadedOpt = loaded.optimizer as OptimizerState;
    expect(Object.keys(loadedOpt.state)).toEqual(['0', '2']);
    for (const [id, entry] of Object.entries(savedOpt.state)) {
      for (const [name, value] of Object.entries(entry)) {
        const got = loadedOpt.state[Number(id)][name];
        if (typeof value === 'number') expect(got).toBe(value);
        else expect(exactly(got as Tensor), `${id}.${name}`).toEqual(exactly(value));
      }
    }
    expect(loadedOpt.param_groups).toEqual(savedOpt.param_groups);
    expect(loaded.scheduler).toEqual(saved.scheduler);
    expect([loaded.epoch, loaded.step]).toEqual([2, 10]);
    expect(loaded.rng).toEqual(saved.rng);
    expect(loaded.extra).toEqual({ hidden: [8], note: 'resume test' });
  });

  it('stores model tensors under their own names and optimizer tensors under optimizer/<param>/<name>', async () => {
    const bytes = await saveTrainingState(trainingState(), { metadata: { input_size: '5' } });
    const { tensors, metadata } = decodeSafetensors(bytes);
    expect(Object.keys(tensors).sort()).toEqual(
      ['0.bias', '0.weight', '3.weight', 'optimizer/0/exp_avg', 'optimizer/0/exp_avg_sq', 'optimizer/2/momentum_buffer', 'steps'].sort(),
    );
    expect(metadata.input_size).toBe('5');
    const stored = JSON.parse(metadata['kindling.training']);
    expect(stored.optimizer.state['0']).toEqual({
      step: 12,
      exp_avg: { tensor: 'optimizer/0/exp_avg' },
      exp_avg_sq: { tensor: 'optimizer/0/exp_avg_sq' },
    });
    expect(loadTrainingState(bytes).metadata).toEqual({ input_size: '5' });
  });

  it('refuses a model key with the reserved optimizer/ prefix', async () => {
    await expect(saveTrainingState({ model: { 'optimizer/x': randn([2]) }, epoch: 0, step: 0 })).rejects.toThrow(
      'saveTrainingState: model key "optimizer/x" uses the reserved prefix optimizer/',
    );
  });

  it('a plain model file loads as a training state at epoch 0 without optimizer state', async () => {
    const { model } = trainingState();
    const state = loadTrainingState(await saveTrainingState({ model, epoch: 0, step: 0 }));
    expect(Object.keys(state.model)).toEqual(Object.keys(model));
    expect(state.optimizer).toBeUndefined();
    expect(state.scheduler).toBeUndefined();
  });

  it('refuses a training entry with a wrong format version, missing fields, or a missing optimizer tensor', async () => {
    const { model } = trainingState();
    const make = (json: string) =>
      saveTrainingState({ model, epoch: 0, step: 0 }).then((b) =>
        encodeSafetensors(decodeSafetensors(b).tensors, { 'kindling.training': json }),
      );
    expect(() => loadTrainingState(new Uint8Array(0))).toThrow(CheckpointError);
    await expect(make('{"format":2,"epoch":1,"step":1}').then((b) => loadTrainingState(b, { name: 'x.safetensors' }))).rejects.toThrow(
      /x\.safetensors: training checkpoint format 2/,
    );
    await expect(make('{"format":1}').then((b) => loadTrainingState(b))).rejects.toThrow(/numeric "epoch" and "step"/);
    await expect(make('nope').then((b) => loadTrainingState(b))).rejects.toThrow(/not valid JSON/);
    const dangling = JSON.stringify({
      format: 1,
      epoch: 1,
      step: 1,
      optimizer: { param_groups: [], state: { 0: { m: { tensor: 'optimizer/0/m' } } } },
    });
    await expect(make(dangling).then((b) => loadTrainingState(b, { name: 'y' }))).rejects.toThrow(
      'y: optimizer state 0.m refers to missing tensor "optimizer/0/m"',
    );
  });
});

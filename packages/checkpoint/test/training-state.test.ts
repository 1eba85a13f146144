import { describe, expect, it } from 'vitest';
import '@kindling/backend-cpu';
import { Dropout, Linear, LogSoftmax, NLLLoss, ReLU, Sequential } from '@kindling/nn';
import { Adam, StepLR } from '@kindling/optim';
import { DataLoader, TensorDataset } from '@kindling/data';
import { type Tensor, defaultGenerator, manualSeed, randint, randn } from '@kindling/tensor';
import { CheckpointError, decodeSafetensors, encodeSafetensors, loadTrainingState, saveTrainingState } from '../src/index.js';

interface Run {
  model: Sequential;
  optimizer: Adam;
  scheduler: StepLR;
  loader: DataLoader<Tensor[], Tensor[]>;
}

function setup(): Run {
  manualSeed(7);
  const x = randn([48, 5]);
  const y = randint(0, 3, [48]);
  const model = new Sequential(new Linear(5, 8), new ReLU(), new Dropout(0.3), new Linear(8, 3), new LogSoftmax(1));
  const optimizer = new Adam(model.parameters(), { lr: 0.01 });
  const scheduler = new StepLR(optimizer, 1, 0.5);
  const loader = new DataLoader(new TensorDataset(x, y), { batchSize: 10, shuffle: true });
  return { model, optimizer, scheduler, loader };
}

async function trainEpochs(run: Run, epochs: number): Promise<number> {
  const lossFn = new NLLLoss();
  let steps = 0;
  for (let e = 0; e < epochs; e++) {
    run.model.train();
    for await (const [xb, yb] of run.loader) {
      run.optimizer.zeroGrad();
      lossFn.forward(run.model.forward(xb), yb).backward();
      run.optimizer.step();
      steps++;
    }
    run.scheduler.step();
  }
  return steps;
}

async function params(model: Sequential): Promise<number[]> {
  const out: number[] = [];
  for (const p of model.parameters()) out.push(...(await p.data()));
  return out;
}

describe('training checkpoints', () => {
  it('train 2 epochs, save, resume in a fresh process state for 1 more = train 3 epochs, bit for bit', async () => {
    const straight = setup();
    await trainEpochs(straight, 3);
    const expected = await params(straight.model);

    const first = setup();
    const steps = await trainEpochs(first, 2);
    const bytes = await saveTrainingState({
      model: first.model.stateDict(),
      optimizer: first.optimizer.stateDict(),
      scheduler: first.scheduler.stateDict(),
      epoch: 2,
      step: steps,
      rng: defaultGenerator.getState(),
      extra: { hidden: [8], note: 'resume test' },
    });

    manualSeed(999); // a different process would start from another random state
    const resumed = setup();
    const state = loadTrainingState(bytes);
    resumed.model.loadStateDict(state.model);
    resumed.optimizer.loadStateDict(state.optimizer!);
    resumed.scheduler.loadStateDict(state.scheduler!);
    defaultGenerator.setState(state.rng!);
    expect(state.epoch).toBe(2);
    expect(state.step).toBe(steps);
    expect(state.extra).toEqual({ hidden: [8], note: 'resume test' });
    await trainEpochs(resumed, 1);
    expect(await params(resumed.model)).toEqual(expected);
    expect(resumed.optimizer.lrs).toEqual(straight.optimizer.lrs);
  });

  it('a plain model file loads as a training state at epoch 0 without optimizer state', async () => {
    const run = setup();
    const bytes = await saveTrainingState({ model: run.model.stateDict(), epoch: 0, step: 0 });
    const state = loadTrainingState(bytes);
    expect(Object.keys(state.model)).toEqual(Object.keys(run.model.stateDict()));
    expect(state.optimizer).toBeUndefined();
  });

  it('refuses a training entry with a wrong format version or missing fields', async () => {
    const run = setup();
    const make = (json: string) =>
      saveTrainingState({ model: run.model.stateDict(), epoch: 0, step: 0 }).then((b) =>
        encodeSafetensors(decodeSafetensors(b).tensors, { 'kindling.training': json }),
      );
    expect(() => loadTrainingState(new Uint8Array(0))).toThrow(CheckpointError);
    await expect(make('{"format":2,"epoch":1,"step":1}').then((b) => loadTrainingState(b, { name: 'x.safetensors' }))).rejects.toThrow(
      /x\.safetensors: training checkpoint format 2/,
    );
    await expect(make('{"format":1}').then((b) => loadTrainingState(b))).rejects.toThrow(/numeric "epoch" and "step"/);
    await expect(make('nope').then((b) => loadTrainingState(b))).rejects.toThrow(/not valid JSON/);
  });
});

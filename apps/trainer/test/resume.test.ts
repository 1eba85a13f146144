import { describe, expect, it } from 'vitest';
import '@kindling/backend-cpu';
import { type OptimizerState, type SchedulerState, loadTrainingState, saveTrainingState } from '@kindling/checkpoint';
import { DataLoader, TensorDataset } from '@kindling/data';
import { Dropout, Linear, LogSoftmax, NLLLoss, ReLU, Sequential } from '@kindling/nn';
import { Adam, type OptimizerStateDict, type SchedulerStateDict, StepLR } from '@kindling/optim';
import { type Tensor, defaultGenerator, manualSeed, randint, randn } from '@kindling/tensor';

// @kindling/checkpoint describes optimizer and scheduler states by their shape and imports no
// optim; these assignments make the compiler (tsc -p apps/trainer) hold the two to the same shape
// in both directions: stateDict() goes into a checkpoint, what comes out goes into loadStateDict().
const intoCheckpoint = (s: OptimizerStateDict): OptimizerState => s;
const outOfCheckpoint = (s: OptimizerState): OptimizerStateDict => s;
const schedulerIn = (s: SchedulerStateDict): SchedulerState => s;
const schedulerOut = (s: SchedulerState): SchedulerStateDict => s;

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
  for (const p of model.parameters()) out.push(...(await p.read()));
  return out;
}

describe('training checkpoints with real optimizers (nn + optim + data + checkpoint)', () => {
  it('train 2 epochs, save, resume in a fresh process state for 1 more = train 3 epochs, bit for bit', async () => {
    const straight = setup();
    await trainEpochs(straight, 3);
    const expected = await params(straight.model);

    const first = setup();
    const steps = await trainEpochs(first, 2);
    const bytes = await saveTrainingState({
      model: first.model.stateDict(),
      optimizer: intoCheckpoint(first.optimizer.stateDict()),
      scheduler: schedulerIn(first.scheduler.stateDict()),
      epoch: 2,
      step: steps,
      rng: defaultGenerator.getState(),
    });

    manualSeed(999); // a different process would start from another random state
    const resumed = setup();
    const state = loadTrainingState(bytes);
    resumed.model.loadStateDict(state.model);
    resumed.optimizer.loadStateDict(outOfCheckpoint(state.optimizer as OptimizerState));
    resumed.scheduler.loadStateDict(schedulerOut(state.scheduler as SchedulerState));
    defaultGenerator.setState(state.rng as NonNullable<typeof state.rng>);
    expect([state.epoch, state.step]).toEqual([2, steps]);
    await trainEpochs(resumed, 1);
    expect(await params(resumed.model)).toEqual(expected);
    expect(resumed.optimizer.lrs).toEqual(straight.optimizer.lrs);
  });
});

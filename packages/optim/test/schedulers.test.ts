import { readFileSync } from 'node:fs';
import '@kindling/backend-cpu';
import { zeros } from '@kindling/tensor';
import { describe, expect, it } from 'vitest';
import {
  CosineAnnealingLR,
  ExponentialLR,
  LinearLR,
  MultiStepLR,
  OneCycleLR,
  ReduceLROnPlateau,
  SGD,
  StepLR,
  type LRScheduler,
} from '../src/index.js';

const fixture = JSON.parse(readFileSync(new URL('../../../tools/fixtures/data/nn-optim.json', import.meta.url), 'utf8'));

const optimizer = () => new SGD([zeros(1).requiresGrad_()], { lr: 0.1, momentum: 0.9 });

const cases: Record<string, (o: SGD) => LRScheduler> = {
  step: (o) => new StepLR(o, 3, 0.5),
  multistep: (o) => new MultiStepLR(o, [2, 5, 11], 0.3),
  exponential: (o) => new ExponentialLR(o, 0.9),
  cosine: (o) => new CosineAnnealingLR(o, 8, 0.01),
  linear: (o) => new LinearLR(o, 0.25, 1, 6),
  onecycle: (o) => new OneCycleLR(o, { maxLr: 1, totalSteps: 20 }),
};

function close(a: number[], b: number[]): void {
  expect(a.length).toBe(b.length);
  a.forEach((v, i) => {
    expect(Math.abs(v - b[i]), `step ${i}: ${v} vs ${b[i]}`).toBeLessThan(1e-12 + 1e-9 * Math.abs(b[i]));
  });
}

describe('learning-rate schedules match PyTorch', () => {
  for (const [name, make] of Object.entries(cases)) {
    it(name, () => {
      const opt = optimizer();
      const sched = make(opt);
      const lrs = [opt.lrs[0]];
      for (let i = 0; i < 19; i++) {
        sched.step();
        lrs.push(opt.lrs[0]);
      }
      close(lrs, fixture.schedulers[name]);
    });
  }

  it('ReduceLROnPlateau', () => {
    const opt = optimizer();
    const sched = new ReduceLROnPlateau(opt, { patience: 2, factor: 0.5, cooldown: 1 });
    const lrs = [opt.lrs[0]];
    for (const m of fixture.plateauMetrics as number[]) {
      sched.step(m);
      lrs.push(opt.lrs[0]);
    }
    close(lrs, fixture.schedulers.plateau);
  });

  it('stateDict resumes the schedule', () => {
    const a = optimizer();
    const sa = new StepLR(a, 3, 0.5);
    for (let i = 0; i < 4; i++) sa.step();
    const b = optimizer();
    const sb = new StepLR(b, 3, 0.5);
    sb.loadStateDict(sa.stateDict());
    b.paramGroups[0].options.lr = sb.getLastLr()[0];
    sa.step();
    sb.step();
    expect(b.lrs).toEqual(a.lrs);
  });
});

import { CrossEntropyLoss, type Loss, NLLLoss, type Sequential } from '@kindling/nn';
import { Adadelta, Adam, AdamW, CosineAnnealingLR, ExponentialLR, type LRScheduler, type Optimizer, SGD, StepLR } from '@kindling/optim';
import type { TrainConfig } from './config.js';

/** NLLLoss for models ending in LogSoftmax, CrossEntropyLoss for models emitting logits. */
export function buildLoss(kind: TrainConfig['loss']): Loss {
  return kind === 'nll' ? new NLLLoss() : new CrossEntropyLoss();
}

export function buildOptimizer(config: TrainConfig, model: Sequential): Optimizer<object> {
  const decay = config.weightDecay === undefined ? {} : { weightDecay: config.weightDecay };
  switch (config.optimizer) {
    case 'sgd':
      return new SGD(model.parameters(), { lr: config.lr, momentum: config.momentum, ...decay });
    case 'adam':
      return new Adam(model.parameters(), { lr: config.lr, ...decay });
    case 'adamw':
      return new AdamW(model.parameters(), { lr: config.lr, ...decay });
    case 'adadelta':
      return new Adadelta(model.parameters(), { lr: config.lr, ...decay });
  }
}

/** Epoch-stepped learning-rate schedule, or null for a constant rate. */
export function buildScheduler(config: TrainConfig, optimizer: Optimizer<object>): LRScheduler | null {
  switch (config.scheduler) {
    case 'none':
      return null;
    case 'step':
      return new StepLR(optimizer, config.stepSize, config.gamma);
    case 'exponential':
      return new ExponentialLR(optimizer, config.gamma);
    case 'cosine':
      return new CosineAnnealingLR(optimizer, config.epochs);
  }
}

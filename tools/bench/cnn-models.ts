/**
 * The two CNNs the convolution benchmarks time, written as a user writes them
 * with `@kindling/nn`, layer for layer the PyTorch nets of `torch_train_cnn.py`:
 * examples/mnist's Net (`mnist-cnn`) and the 60-minute blitz's CIFAR-10 Net.
 */
import { type Tensor, randint, randn, tidy } from '@kindling/tensor';
import * as nn from '@kindling/nn';
import * as optim from '@kindling/optim';

export type CnnName = 'mnist-cnn' | 'blitz';

/** examples/mnist's Net as a Sequential (dropout and flatten where its forward has them). */
export function mnistCnn(): nn.Sequential {
  return new nn.Sequential(
    new nn.Conv2d(1, 32, 3),
    new nn.ReLU(),
    new nn.Conv2d(32, 64, 3),
    new nn.ReLU(),
    new nn.MaxPool2d(2),
    new nn.Dropout(0.25),
    new nn.Flatten(),
    new nn.Linear(9216, 128),
    new nn.ReLU(),
    new nn.Dropout(0.5),
    new nn.Linear(128, 10),
    new nn.LogSoftmax(1),
  );
}

/** The blitz's CIFAR-10 Net as a Sequential. */
export function blitzNet(): nn.Sequential {
  return new nn.Sequential(
    new nn.Conv2d(3, 6, 5),
    new nn.ReLU(),
    new nn.MaxPool2d(2, { stride: 2 }),
    new nn.Conv2d(6, 16, 5),
    new nn.ReLU(),
    new nn.MaxPool2d(2, { stride: 2 }),
    new nn.Flatten(),
    new nn.Linear(400, 120),
    new nn.ReLU(),
    new nn.Linear(120, 84),
    new nn.ReLU(),
    new nn.Linear(84, 10),
  );
}

/** Batch size and input shape of each net's training step. */
export const CNN_INPUT: Record<CnnName, { batch: number; shape: readonly [number, number, number] }> = {
  'mnist-cnn': { batch: 64, shape: [1, 28, 28] },
  blitz: { batch: 4, shape: [3, 32, 32] },
};

/**
 * A training step of `name` with the tutorial's optimiser and loss (mnist-cnn:
 * Adadelta lr 1.0, NLLLoss on the log-softmax, dropout on; blitz: SGD lr 0.001
 * momentum 0.9, CrossEntropyLoss): `zeroGrad / forward / loss / backward /
 * step` in `tidy`, reading the loss back as the tutorials' loops do. With
 * `freshBatch` each step draws a new random batch (inside the step's `tidy`),
 * else all steps use one fixed batch, as `torch_cnn.py` does.
 */
export function cnnStep(name: CnnName, freshBatch = false): () => number {
  const model = name === 'mnist-cnn' ? mnistCnn() : blitzNet();
  model.train();
  const criterion = name === 'mnist-cnn' ? new nn.NLLLoss() : new nn.CrossEntropyLoss();
  const optimizer =
    name === 'mnist-cnn'
      ? new optim.Adadelta(model.parameters(), { lr: 1.0 })
      : new optim.SGD(model.parameters(), { lr: 0.001, momentum: 0.9 });
  const { batch, shape } = CNN_INPUT[name];
  const fixedX = freshBatch ? null : randn([batch, ...shape]);
  const fixedY = freshBatch ? null : randint(0, 10, [batch]);
  return () => {
    optimizer.zeroGrad();
    return tidy(() => {
      const x = fixedX ?? randn([batch, ...shape]);
      const y = fixedY ?? randint(0, 10, [batch]);
      const loss = criterion.forward(model.forward(x), y) as Tensor;
      loss.backward();
      optimizer.step();
      return loss.itemSync();
    });
  };
}

/**
 * PyTorch's `examples/mnist/main.py` ported line by line: two 3×3 convolutions, max-pooling,
 * dropout and two linear layers, trained with Adadelta (lr 1.0) and StepLR (gamma 0.7), batch 64,
 * test batch 1000, 14 epochs (about 99% test accuracy). The same flags as `main.py`:
 *
 *   node tools/run-ts.mjs examples/mnist-cnn.ts --epochs 1 --save-model
 *
 * Differences from Python: examples/README.md.
 */
import { parseArgs } from 'node:util';
import * as torch from 'kindling';
import { data, len, nn, optim, print } from 'kindling';
import { limit } from './limit.js';
const F = nn.functional;

class Net extends nn.Module {
  conv1 = new nn.Conv2d(1, 32, 3, { stride: 1 });
  conv2 = new nn.Conv2d(32, 64, 3, { stride: 1 });
  dropout1 = new nn.Dropout(0.25);
  dropout2 = new nn.Dropout(0.5);
  fc1 = new nn.Linear(9216, 128);
  fc2 = new nn.Linear(128, 10);

  forward(x: torch.Tensor): torch.Tensor {
    x = this.conv1(x);
    x = F.relu(x);
    x = this.conv2(x);
    x = F.relu(x);
    x = F.maxPool2d(x, 2);
    x = this.dropout1(x);
    x = torch.flatten(x, 1);
    x = this.fc1(x);
    x = F.relu(x);
    x = this.dropout2(x);
    x = this.fc2(x);
    const output = F.logSoftmax(x, 1);
    return output;
  }
}

interface Args {
  batch_size: number;
  test_batch_size: number;
  epochs: number;
  lr: number;
  gamma: number;
  dry_run: boolean;
  seed: number;
  log_interval: number;
  save_model: boolean;
}

type Loader = data.DataLoader<[torch.Tensor, torch.Tensor]>;

async function train(args: Args, model: Net, device: string, train_loader: Loader, optimizer: optim.Optimizer<object>, epoch: number) {
  model.train();
  let batch_idx = 0;
  for await (let [data, target] of train_loader) {
    [data, target] = [data.to(device), target.to(device)];
    optimizer.zeroGrad();
    const output = model(data);
    const loss = F.nllLoss(output, target);
    loss.backward();
    optimizer.step();
    if (batch_idx % args.log_interval === 0) {
      print(
        `Train Epoch: ${epoch} [${batch_idx * len(data)}/${len(train_loader.dataset)} ` +
          `(${((100 * batch_idx) / len(train_loader)).toFixed(0)}%)]\tLoss: ${(await loss.item()).toFixed(6)}`,
      );
      if (args.dry_run) break;
    }
    batch_idx++;
  }
}

async function test(model: Net, device: string, test_loader: Loader) {
  model.eval();
  let test_loss = 0;
  let correct = 0;
  await torch.noGrad(async () => {
    for await (let [data, target] of test_loader) {
      [data, target] = [data.to(device), target.to(device)];
      const output = model(data);
      test_loss += await F.nllLoss(output, target, { reduction: 'sum' }).item(); // sum up batch loss
      const pred = output.argmax(1, true); // get the index of the max log-probability
      correct += await pred.eq(target.viewAs(pred)).sum().item();
    }
  });

  test_loss /= len(test_loader.dataset);

  print(
    `\nTest set: Average loss: ${test_loss.toFixed(4)}, Accuracy: ${correct}/${len(test_loader.dataset)} ` +
      `(${((100 * correct) / len(test_loader.dataset)).toFixed(0)}%)\n`,
  );
}

async function main() {
  // Training settings
  const { values } = parseArgs({
    options: {
      'batch-size': { type: 'string', default: '64' }, // input batch size for training (default: 64)
      'test-batch-size': { type: 'string', default: '1000' }, // input batch size for testing (default: 1000)
      epochs: { type: 'string', default: '14' }, // number of epochs to train (default: 14)
      lr: { type: 'string', default: '1.0' }, // learning rate (default: 1.0)
      gamma: { type: 'string', default: '0.7' }, // Learning rate step gamma (default: 0.7)
      'dry-run': { type: 'boolean', default: false }, // quickly check a single pass
      seed: { type: 'string', default: '1' }, // random seed (default: 1)
      'log-interval': { type: 'string', default: '10' }, // how many batches to wait before logging training status
      'save-model': { type: 'boolean', default: false }, // For Saving the current Model
    },
    allowPositionals: true, // the script's own path, when run through tools/run-ts.mjs
  });
  const args: Args = {
    batch_size: Number(values['batch-size']),
    test_batch_size: Number(values['test-batch-size']),
    epochs: Number(values.epochs),
    lr: Number(values.lr),
    gamma: Number(values.gamma),
    dry_run: values['dry-run'],
    seed: Number(values.seed),
    log_interval: Number(values['log-interval']),
    save_model: values['save-model'],
  };

  torch.manualSeed(args.seed);

  const device = 'cpu';

  const train_kwargs = { batchSize: args.batch_size };
  const test_kwargs = { batchSize: args.test_batch_size };

  const transform = new data.Compose([new data.ToTensor(), new data.Normalize([0.1307], [0.3081])]);
  const dataset1 = limit(await data.MNIST.create({ train: true, download: true, transform })); // limit(): CI's KINDLING_EXAMPLE_LIMIT, see limit.ts
  const dataset2 = limit(await data.MNIST.create({ train: false, download: true, transform }));
  const train_loader = new data.DataLoader(dataset1, train_kwargs);
  const test_loader = new data.DataLoader(dataset2, test_kwargs);

  const model = new Net().to(device);
  const optimizer = new optim.Adadelta(model.parameters(), { lr: args.lr });

  const scheduler = new optim.StepLR(optimizer, 1, args.gamma);
  for (let epoch = 1; epoch < args.epochs + 1; epoch++) {
    await train(args, model, device, train_loader, optimizer, epoch);
    await test(model, device, test_loader);
    scheduler.step();
  }

  if (args.save_model) {
    await torch.save(model.stateDict(), 'mnist_cnn.pt');
  }
}

await main();

/**
 * Tutorial 002, "Lesson 4 - Introduction to PyTorch" (notes), ported part by part: an `nn.Module`
 * subclass, the Fashion-MNIST classifier, inference with `topk`, dropout with validation under
 * `eval()`/`noGrad`, and saving and loading a checkpoint dict with `fc_model.Network`.
 *
 *   node tools/run-ts.mjs examples/002-fashion-mnist.ts
 *
 * The notes' snippets run in order; each part is a `{ ... }` block because each builds its own
 * `model`. Differences from Python: examples/README.md.
 */
import * as helper from '@kindling/vis';
import * as torch from 'kindling';
import { data, iter, len, next, nn, optim, print } from 'kindling';
import * as fc_model from './fc_model.js';
import { limit } from './limit.js';
const F = nn.functional;

// Set a random seed:
function reseed(): void {
  torch.manualSeed(1);
}
reseed();

// Setup `DataLoader`s (Part 6 of the notes; Parts 2 to 5 use the same loaders):

// Define a transform to normalize the data
const transform = new data.Compose([new data.ToTensor(), new data.Normalize([0.5], [0.5])]);
// Download and load the training data
const trainset = limit(await data.FashionMNIST.create({ download: true, train: true, transform })); // limit(): CI's KINDLING_EXAMPLE_LIMIT, see limit.ts
const trainloader = new data.DataLoader(trainset, { batchSize: 64, shuffle: true });

// Download and load the test data
const testset = limit(await data.FashionMNIST.create({ download: true, train: false, transform }));
const testloader = new data.DataLoader(testset, { batchSize: 64, shuffle: true });

// ### Part 2 - Neural Networks in Pytorch

// Display an image:
{
  const [images] = await next(iter(trainloader));
  helper.imshow(images.at(1).squeeze(), { cmap: 'Greys_r' });
}

// ### Part 3 - Autograd
{
  const x = torch.zeros(1, { requiresGrad: true });
  let y = torch.noGrad(() => x.mul(2));
  print(y.requiresGrad);

  y = x.pow(2);
  print(y.gradFn);
}

// ## Part 4 - Fashion-MNIST

// The network can be defined as a subclass of `nn.Module`:
class Classifier extends nn.Module {
  fc1 = new nn.Linear(784, 256);
  fc2 = new nn.Linear(256, 128);
  fc3 = new nn.Linear(128, 64);
  fc4 = new nn.Linear(64, 10);

  forward(x: torch.Tensor): torch.Tensor {
    // make sure input tensor is flattened
    x = x.view(x.shape[0], -1);

    x = F.relu(this.fc1(x));
    x = F.relu(this.fc2(x));
    x = F.relu(this.fc3(x));
    x = F.logSoftmax(this.fc4(x), 1);

    return x;
  }
}

{
  // Alternatively, simple models can be defined via `Sequential`:
  const model = new nn.Sequential(
    new nn.Linear(784, 384),
    new nn.ReLU(),
    new nn.Linear(384, 128),
    new nn.ReLU(),
    new nn.Linear(128, 10),
    new nn.LogSoftmax(1),
  );
  print(model);
}

{
  // ### Create the network, define the criterion and optimizer
  const model = new Classifier();
  const criterion = new nn.NLLLoss();
  const optimizer = new optim.Adam(model.parameters());

  // Part 2's weights and bias: `model.fc1.weight`, `print(model.fc1.bias)`
  print(model.fc1.bias);

  // Set biases to all zeros
  model.fc1.bias?.data.fill_(0);

  // Sample from random normal with standard dev = 0.01
  model.fc1.weight.data.normal_({ std: 0.01 });

  // ### Train a network
  const epochs = 5;

  for (let e = 0; e < epochs; e++) {
    let running_loss = 0;
    for await (const [images, labels] of trainloader) {
      const log_ps = model(images);
      const loss = criterion(log_ps, labels);

      optimizer.zeroGrad();
      loss.backward();
      optimizer.step();

      running_loss += await loss.item();
    }
    print(`Training loss: ${running_loss / len(trainloader)}`);
  }

  // ## Part 5 - Inference and Validation

  // To get a single minibatch from a `DataLoader`:
  const [images, labels] = await next(iter(testloader));

  // ### Get predictions
  const ps = torch.exp(model(images));
  const [top_p, top_class] = ps.topk(1, 1);
  // Look at the most likely classes for the first 10 examples, and how likely the model finds them
  print(top_class.at(':10', ':'));
  print(top_p.at(':10', ':'));

  // Check if the predictions match the labels:
  const equals = top_class.eq(labels.view(...top_class.shape));
  // equals is a byte tensor of 0 or 1
  const accuracy = torch.mean(equals.type('torch.FloatTensor'));
  print(`Accuracy: ${(await accuracy.item()) * 100}%`);
}

// ### Dropout
class ClassifierDropout extends nn.Module {
  fc1 = new nn.Linear(784, 256);
  fc2 = new nn.Linear(256, 128);
  fc3 = new nn.Linear(128, 64);
  fc4 = new nn.Linear(64, 10);

  dropout = new nn.Dropout(0.2);

  forward(x: torch.Tensor): torch.Tensor {
    x = x.view(-1, this.fc1.inFeatures);

    x = this.dropout(F.relu(this.fc1(x)));
    x = this.dropout(F.relu(this.fc2(x)));
    x = this.dropout(F.relu(this.fc3(x)));
    x = F.logSoftmax(this.fc4(x), 1);

    return x;
  }
}

{
  // ## TODO: Train your model with dropout, and monitor the training progress with the validation loss and accuracy
  reseed();
  const model = new ClassifierDropout();
  const criterion = new nn.NLLLoss({ reduction: 'sum' });
  const optimizer = new optim.Adam(model.parameters());

  const epochs = 5;
  const train_losses: number[] = [];
  const test_losses: number[] = [];

  for (let e = 0; e < epochs; e++) {
    let train_tot_loss = 0;
    model.train(); // Return to training mode
    for await (const [images, labels] of trainloader) {
      optimizer.zeroGrad();

      const log_ps = model(images);
      const loss = criterion(log_ps, labels);
      train_tot_loss += await loss.item();
      loss.backward();

      optimizer.step();
    }

    // Evaluate on test set, don't do dropout
    model.eval();

    let tot_correct = 0;
    let test_tot_loss = 0;
    await torch.noGrad(async () => {
      for await (const [images, labels] of testloader) {
        const log_ps = model(images); // We don't need to torch.exp to get the largest
        test_tot_loss += await criterion(log_ps, labels).item();

        const [, top_index] = log_ps.topk(1, 1); // Python: top_value, top_index = ...
        const equals = labels.eq(top_index.view(...labels.shape));
        tot_correct += await equals.sum().item();
      }
    });

    const train_loss = train_tot_loss / len(trainloader.dataset);
    const test_loss = test_tot_loss / len(testloader.dataset);

    train_losses.push(train_loss);
    test_losses.push(test_loss);

    print(
      `Epoch ${e + 1}/${epochs}, `,
      `Train loss: ${train_loss.toFixed(3)}, `,
      `Validation loss: ${test_loss.toFixed(3)}, `,
      `Validation accuracy: ${(tot_correct / len(testloader.dataset)).toFixed(3)}`,
    );
  }
}

// ## Part 6 - Saving and Loading Models
{
  // Shortcut for defining and training a network given `fc_model.py`:
  let model = new fc_model.Network(784, 10, [512, 256, 128]);
  const criterion = new nn.NLLLoss();
  const optimizer = new optim.Adam(model.parameters(), { lr: 0.001 });

  // Train a network:
  await fc_model.train(model, trainloader, testloader, criterion, optimizer, 2);

  print(model);

  print(Object.keys(model.stateDict()));

  // ### Saving
  const checkpoint = {
    input_size: 784,
    output_size: 10,
    hidden_layers: Array.from(model.hidden_layers, (each) => each.outFeatures),
    state_dict: model.stateDict(),
  };

  await torch.save(checkpoint, 'checkpoint.pth');

  // ### Loading

  /** What the file holds: `torch.load` cannot know, so the type says it (and `load<Checkpoint>` trusts it). */
  interface Checkpoint {
    input_size: number;
    output_size: number;
    hidden_layers: [number, ...number[]];
    state_dict: Record<string, torch.Tensor>;
  }

  async function load_checkpoint(filepath: string): Promise<fc_model.Network> {
    const checkpoint = await torch.load<Checkpoint>(filepath);
    const model = new fc_model.Network(checkpoint['input_size'], checkpoint['output_size'], checkpoint['hidden_layers']);
    model.loadStateDict(checkpoint['state_dict']);

    return model;
  }

  model = await load_checkpoint('checkpoint.pth');
  print(model);
}

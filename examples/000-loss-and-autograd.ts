/**
 * Tutorial 000, "Deep Learning w PyTorch III (training neural networks)", ported cell by cell:
 * CrossEntropyLoss against LogSoftmax + NLLLoss, autograd, and one SGD step on MNIST.
 *
 *   node tools/run-ts.mjs examples/000-loss-and-autograd.ts
 *
 * Each notebook section is a `{ ... }` block because it redefines `model` with other layers.
 * What differs from the notebook's Python, and why: examples/README.md.
 */
// standard imports
// Torch imports
import * as torch from 'kindling';
import { data, iter, next, nn, optim, print } from 'kindling';
import { limit } from './limit.js';

// #### Network in PyTorch and Forward Pass

// Define a transform to normalize the data
const transform = new data.Compose([new data.ToTensor(), new data.Normalize([0.5], [0.5])]);

// Download and load the training data
const trainset = limit(await data.MNIST.create({ download: true, train: true, transform })); // limit(): CI's KINDLING_EXAMPLE_LIMIT, see limit.ts
const trainloader = new data.DataLoader(trainset, { batchSize: 64, shuffle: true });

{
  // The network, no output activation function
  const model = new nn.Sequential(new nn.Linear(784, 128), new nn.ReLU(), new nn.Linear(128, 64), new nn.ReLU(), new nn.Linear(64, 10));

  // Define Loss
  const criterion = new nn.CrossEntropyLoss();

  // #### Load one Batch of images

  // One batch of 64 images
  let [images, labels] = await next(iter(trainloader));
  print('Shape of images:\n', images.shape, '\nShape of labels:\n', labels.shape);

  // Flattening the images
  images = images.reshape(images.shape[0], -1);
  print('Reshaped images:\n', images.shape);

  // Forward Pass: Images are passed through untrained network
  const scores = model(images);
  print('Shape of scores:\n', scores.shape);

  // Calculate the loss
  const loss = criterion(scores, labels);
  print('Average loss:\n', loss);
}

{
  // same network with output activation
  const model = new nn.Sequential(
    new nn.Linear(784, 128),
    new nn.ReLU(),
    new nn.Linear(128, 64),
    new nn.ReLU(),
    new nn.Linear(64, 10),
    new nn.LogSoftmax(1),
  );

  // Loss function
  const criterion = new nn.NLLLoss();

  // Data
  let [images, labels] = await next(iter(trainloader));
  images = images.reshape(images.shape[0], -1);

  // Forward Pass
  const output_scores = model(images);

  // Calculate los
  const loss = criterion(output_scores, labels);
  print('NLLLoss of the log-softmax output:\n', loss);

  // Convert output scores to p
  const probs = await torch.exp(output_scores.at(0)).detach().read();
  print('Probabilities for each number.:\n');
  for (const [i, p] of probs.entries()) {
    print(`${i}: ${Math.round(p * 100 * 1e4) / 1e4}%`);
  }
}

// ## 3. Gradients in PyTorch: Autograd
{
  // Create tensor with autograd
  const x = torch.randn(2, 2, { requiresGrad: true });
  const y = x.pow(2);
  const z = y.mean();

  // print
  print('x:\n', x);
  print('\ny:\n', y);
  print('\ngrad object of y:\n', y.gradFn);
  print('\nz:\n', z);
  print('\ngrad of x:\n', x);

  // backward()...
  z.backward();
  print('\ngrad of x after z.backward():\n', x.grad);
}

// #### Back to the example: Loss and Autograd together
{
  // Same model
  const model = new nn.Sequential(
    new nn.Linear(784, 128),
    new nn.ReLU(),
    new nn.Linear(128, 64),
    new nn.ReLU(),
    new nn.Linear(64, 10),
    new nn.LogSoftmax(1),
  );

  // criterion
  const criterion = new nn.NLLLoss();
  let [images, labels] = await next(iter(trainloader));
  images = images.reshape(images.shape[0], -1);

  const output_scores = model(images); // Logits
  let loss = criterion(output_scores, labels);

  // Gradients of weight matrix of first layer
  print('Before backward:\n', model[0].weight.grad);
  loss.backward();
  print('After backward():\n', model[0].weight.grad);

  // #### Optimizer

  // Specify optimizer
  let optimizer = new optim.SGD(model.parameters(), { lr: 0.01 });

  optimizer = new optim.SGD(model.parameters(), { lr: 0.1 });

  // initial weights
  print('Initial weights parameters:\n', model[0].weight.at(0, ':5'));

  // data
  [images, labels] = await next(iter(trainloader));
  images = images.reshape(images.shape[0], -1);

  // clear gradients
  optimizer.zeroGrad();

  // forward pass
  const output = model(images);

  // loss
  loss = criterion(output, labels);

  // backward pass
  loss.backward();

  // gradients
  print('\ngradients:\n', model[0].weight.grad?.at(0, ':5'));
  print('\ngradients*learnrate:\n', model[0].weight.grad?.at(0, ':5').mul(0.1));

  // take a step towards negative gradient
  optimizer.step();

  // new weights: w =
  print('\nNew weights parameters:\n', model[0].weight.at(0, ':5'));
}

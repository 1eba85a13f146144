/**
 * Tutorial 003, "Huấn luyện mạng Neural Networks" (the MNIST lesson with Vietnamese notes), ported
 * cell by cell: CrossEntropyLoss and LogSoftmax + NLLLoss, `noGrad`, autograd, one optimizer step,
 * the training loop, and `helper.view_classify` of one digit.
 *
 *   node tools/run-ts.mjs examples/003-no-grad-and-view-classify.ts
 *
 * Each part is a `{ ... }` block because it redefines `model`. Differences from Python:
 * examples/README.md.
 */
import * as helper from '@kindling/vis';
import * as torch from 'kindling';
import { data, iter, len, next, nn, optim, print } from 'kindling';
import { limit } from './limit.js';

// Define a transform to normalize the data
const transform = new data.Compose([new data.ToTensor(), new data.Normalize([0.5], [0.5])]);
// Download and load the training data
const trainset = limit(await data.MNIST.create({ download: true, train: true, transform })); // limit(): CI's KINDLING_EXAMPLE_LIMIT, see limit.ts
const trainloader = new data.DataLoader(trainset, { batchSize: 64, shuffle: true });

{
  const model = new nn.Sequential(new nn.Linear(784, 128), new nn.ReLU(), new nn.Linear(128, 64), new nn.ReLU(), new nn.Linear(64, 10));

  // Define the loss
  const criterion = new nn.CrossEntropyLoss();

  // Get our data
  let [images, labels] = await next(iter(trainloader));
  // Flatten images
  images = images.view(images.shape[0], -1);

  // Forward pass, get our logits
  const logits = model(images);
  // Calculate the loss with the logits and the labels
  const loss = criterion(logits, labels);

  print(loss);
}

{
  // TODO: Build a feed-forward network
  const model = new nn.Sequential(
    new nn.Linear(784, 128),
    new nn.ReLU(),
    new nn.Linear(128, 64),
    new nn.ReLU(),
    new nn.Linear(64, 10),
    new nn.LogSoftmax(1),
  );

  // TODO: Define the loss
  const criterion = new nn.NLLLoss();

  // ### Run this to check your work
  // Get our data
  let [images, labels] = await next(iter(trainloader));
  // Flatten images
  images = images.view(images.shape[0], -1);

  // Forward pass, get our logits
  const logits = model(images);
  // Calculate the loss with the logits and the labels
  const loss = criterion(logits, labels);

  print(loss);
}

// ### Autograd
{
  const x = torch.zeros(1, { requiresGrad: true });
  const y = torch.noGrad(() => x.mul(2));
  print(y.requiresGrad);
}

{
  const x = torch.randn(2, 2, { requiresGrad: true });
  const y = x.pow(2);
  print(x, '\n', y);

  const z = y.mean();
  print(z);

  print(x.grad);
  print(y.grad);

  z.backward();
  print(x.grad);
  print(x.div(2));
}

// ### Loss and Autograd together
{
  // Build a feed-forward network
  const model = new nn.Sequential(
    new nn.Linear(784, 128),
    new nn.ReLU(),
    new nn.Linear(128, 64),
    new nn.ReLU(),
    new nn.Linear(64, 10),
    new nn.LogSoftmax(1),
  );

  const criterion = new nn.NLLLoss();
  let [images, labels] = await next(iter(trainloader));
  images = images.view(images.shape[0], -1);

  const logits = model(images);
  let loss = criterion(logits, labels);

  print('Before backward pass: \n', model[0].weight.grad);

  loss.backward();

  print('After backward pass: \n', model[0].weight.grad);

  // ### Training the network!

  // Optimizers require the parameters to optimize and a learning rate
  const optimizer = new optim.SGD(model.parameters(), { lr: 0.01 });

  print('Initial weights - ', model[0].weight);

  [images, labels] = await next(iter(trainloader));
  images.resize_(64, 784);

  // Clear the gradients, do this because gradients are accumulated
  optimizer.zeroGrad();

  // Forward pass, then backward pass, then update weights
  const output = model(images);
  loss = criterion(output, labels);
  loss.backward();
  print('Gradient -\n', model[0].weight.grad);

  // Take an update step and few the new weights
  optimizer.step();
  print('Updated weights - ', model[0].weight);
}

// ### Training for real
const model = new nn.Sequential(
  new nn.Linear(784, 128),
  new nn.ReLU(),
  new nn.Linear(128, 64),
  new nn.ReLU(),
  new nn.Linear(64, 10),
  new nn.LogSoftmax(1),
);

const criterion = new nn.NLLLoss();
const optimizer = new optim.SGD(model.parameters(), { lr: 0.003 });

const epochs = 5;
for (let e = 0; e < epochs; e++) {
  let running_loss = 0;
  for await (let [images, labels] of trainloader) {
    // Flatten MNIST images into a 784 long vector
    images = images.view(images.shape[0], -1);
    // TODO: Training pass
    const output = model(images);
    optimizer.zeroGrad();
    const loss = criterion(output, labels);
    loss.backward();
    optimizer.step();

    running_loss += await loss.item();
  }
  print(`Training loss: ${running_loss / len(trainloader)}`);
}

// %matplotlib inline  (pictures go to the terminal and to a PNG file instead)
const [images] = await next(iter(trainloader));

const img = images.at(0).view(1, 784);
// Turn off gradients to speed up this part
const logps = torch.noGrad(() => model(img));

// Output of the network are log-probabilities, need to take exponential for probabilities
const ps = torch.exp(logps);
helper.viewClassify(img.view(1, 28, 28), ps);

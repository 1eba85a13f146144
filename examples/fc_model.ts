/**
 * Udacity's `fc_model.py` (deep-learning-v2-pytorch, "Saving and Loading Models"), written out in
 * Kindling line by line: `Network(input_size, output_size, hidden_layers, drop_p=0.5)` and the
 * `validation` / `train` functions tutorial 002 calls as `fc_model.train(...)`.
 *
 *   import * as fc_model from './fc_model.js';
 *   const model = new fc_model.Network(784, 10, [512, 256, 128]);
 */
import * as torch from 'kindling';
import { type data, len, nn, type optim, print } from 'kindling';
const F = nn.functional;

/** What tutorial 002's loaders yield: `[images, labels]` batches. */
type Loader = data.DataLoader<[torch.Tensor, torch.Tensor]>;

/** Python's `zip(a, b)`: pairs up to the shorter input. */
function* zip<A, B>(a: Iterable<A>, b: Iterable<B>): Generator<[A, B]> {
  const bs = b[Symbol.iterator]();
  for (const x of a) {
    const y = bs.next();
    if (y.done) return;
    yield [x, y.value];
  }
}

export class Network extends nn.Module {
  hidden_layers: nn.ModuleList<nn.Linear>;
  output: nn.Linear;
  dropout: nn.Dropout;

  /**
   * Builds a feedforward network with arbitrary hidden layers.
   *
   * @param input_size - size of the input layer
   * @param output_size - size of the output layer
   * @param hidden_layers - the sizes of the hidden layers (at least one)
   * @param drop_p - dropout probability
   */
  constructor(input_size: number, output_size: number, hidden_layers: readonly [number, ...number[]], drop_p = 0.5) {
    super();
    // Input to a hidden layer
    this.hidden_layers = new nn.ModuleList([new nn.Linear(input_size, hidden_layers[0])]);

    // Add a variable number of more hidden layers
    const layer_sizes = zip(hidden_layers.slice(0, -1), hidden_layers.slice(1));
    this.hidden_layers.extend(Array.from(layer_sizes, ([h1, h2]) => new nn.Linear(h1, h2)));

    this.output = new nn.Linear(this.hidden_layers.at(-1).outFeatures, output_size);

    this.dropout = new nn.Dropout(drop_p);
  }

  /** Forward pass through the network, returns the output logits. */
  forward(x: torch.Tensor): torch.Tensor {
    for (const each of this.hidden_layers) {
      x = F.relu(each(x));
      x = this.dropout(x);
    }
    x = this.output(x);

    return F.logSoftmax(x, 1);
  }
}

/** The summed loss and summed per-batch accuracy of `model` over `testloader`. */
export async function validation(model: Network, testloader: Loader, criterion: nn.NLLLoss): Promise<[number, number]> {
  let accuracy = 0;
  let test_loss = 0;
  for await (let [images, labels] of testloader) {
    images = images.resize_(images.size()[0], 784);

    const output = model(images);
    test_loss += await criterion(output, labels).item();

    // Calculating the accuracy
    // Model's output is log-softmax, take exponential to get the probabilities
    const ps = torch.exp(output);
    // Class with highest probability is our predicted class, compare with true label
    const equality = labels.data.eq(ps.max(1)[1]);
    // Accuracy is number of correct predictions divided by all predictions, just take the mean
    accuracy += await equality.type('torch.FloatTensor').mean().item();
  }

  return [test_loss, accuracy];
}

/** Trains `model` for `epochs`, printing the training loss and a validation every `print_every` steps. */
export async function train(
  model: Network,
  trainloader: Loader,
  testloader: Loader,
  criterion: nn.NLLLoss,
  optimizer: optim.Optimizer<object>,
  epochs = 5,
  print_every = 40,
): Promise<void> {
  let steps = 0;
  let running_loss = 0;
  for (let e = 0; e < epochs; e++) {
    // Model in training mode, dropout is on
    model.train();
    for await (const [images, labels] of trainloader) {
      steps += 1;

      // Flatten images into a 784 long vector
      images.resize_(images.size()[0], 784);

      optimizer.zeroGrad();

      const output = model(images);
      const loss = criterion(output, labels);
      loss.backward();
      optimizer.step();

      running_loss += await loss.item();

      if (steps % print_every === 0) {
        // Model in inference mode, dropout is off
        model.eval();

        // Turn off gradients for validation, will speed up inference
        const [test_loss, accuracy] = await torch.noGrad(() => validation(model, testloader, criterion));

        print(
          `Epoch: ${e + 1}/${epochs}.. `,
          `Training Loss: ${(running_loss / print_every).toFixed(3)}.. `,
          `Test Loss: ${(test_loss / len(testloader)).toFixed(3)}.. `,
          `Test Accuracy: ${(accuracy / len(testloader)).toFixed(3)}`,
        );

        running_loss = 0;

        // Make sure dropout and grads are on for training
        model.train();
      }
    }
  }
}

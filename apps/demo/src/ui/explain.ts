import { SGD_MOMENTUM } from '../train-defaults.js';

/**
 * One short sentence for each control and chart of the Train page, for a
 * visitor who has not trained a network before. Kept together so the words
 * stay consistent with each other (an "epoch" means the same thing in the
 * form and under the charts).
 */
export const EXPLAIN = {
  dataset: 'MNIST is 70,000 handwritten digits; Fashion-MNIST is 70,000 pictures of clothes, same size, harder.',
  model:
    'An MLP sees the image as 784 numbers; a CNN slides small filters over it, which suits images better but costs about 100 times the compute. The large MLP and the CNN use dropout.',
  optimizer: `How the weights move after each batch: Adam and Adadelta adapt the step per weight, SGD steps along the gradient, with momentum (${SGD_MOMENTUM}) smoothing the steps.`,
  lr: 'How big each step is. Too big and the loss jumps around or grows; too small and it barely moves.',
  epochs: 'One epoch is one pass over all the training images.',
  batchSize: 'Images per step: the gradient is averaged over a batch, then the weights change once.',
  trainSubset: 'The first N images of the training split; fewer train faster but learn less.',
  backend: 'Where the arithmetic runs: WebGPU on the graphics card, CPU on the processor; the same training, at different speeds.',
  testSubset: 'Images the model never trains on, used to measure it four times per epoch.',
  loss: 'How wrong the model is on average, lower is better; test loss rising while train loss falls means it is memorising.',
  accuracy: 'The share of images classified correctly, on the same batches and test images as the loss.',
  dropout:
    'Train accuracy can sit below test accuracy: it averages the last few batches, and dropout (large MLP, CNN) switches off random units in training only.',
  samples: 'A few test images with the model’s probability for each class; ✗ marks a wrong prediction.',
  confusion:
    'Each row is the true class and each column the class the model predicted, so the diagonal counts correct answers and every other cell a kind of mistake (a 4 read as a 9, say).',
} as const;

import '@kindling/autograd';
import '@kindling/backend-cpu';
import { print, tensor } from '@kindling/tensor';
import { Linear, ReLU, Sequential } from '../../src/index.js';

/** Logs what a user would: a tensor, a module, a grad node, and the same through print(); the test reads the console. */
const w = window as unknown as { __logged?: boolean | string };
try {
  const x = tensor([[0.5, -1]], { requiresGrad: true });
  const y = x.pow(2);
  const model = new Sequential(new Linear(2, 1), new ReLU());
  console.log(y);
  console.log(model);
  console.log(y.gradFn);
  print('y:\n', y);
  w.__logged = true;
} catch (e) {
  w.__logged = String(e);
}

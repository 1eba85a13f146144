import type { Tensor } from '@kindling/tensor';
import { Dropout, Linear, Module, functional as F } from '../src/index.js';

/** The tutorials' Fashion-MNIST classifier (fc1..fc4 and dropout), written as they write it. */
export class Classifier extends Module {
  fc1 = new Linear(784, 256);
  fc2 = new Linear(256, 128);
  fc3 = new Linear(128, 64);
  fc4 = new Linear(64, 10);
  dropout = new Dropout(0.2);

  forward(x: Tensor): Tensor {
    x = x.view(x.shape[0], -1);
    x = this.dropout(F.relu(this.fc1(x)));
    x = this.dropout(F.relu(this.fc2(x)));
    x = this.dropout(F.relu(this.fc3(x)));
    return F.logSoftmax(this.fc4(x), 1);
  }
}

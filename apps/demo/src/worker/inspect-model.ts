import { noGrad } from '@kindling/autograd';
import type { Module } from '@kindling/nn';
import { type Tensor, tensor, tidy } from '@kindling/tensor';
import { IMAGE_SIZE, imageInputShape, layerName } from '../model/model-spec.js';
import type { FirstLayerWeights, LayerView } from './inspection-types.js';
import type { LoadedModel } from './loaded-model.js';

/** Activations that follow a layer: its view is taken after them, since that is what the next layer gets. */
const ACTIVATIONS = new Set(['ReLU', 'LeakyReLU', 'ELU', 'SiLU', 'GELU', 'Sigmoid', 'Tanh', 'Hardtanh', 'Softplus']);
/** Layers whose output is worth a view: the weighted ones and pooling (which changes what the next layer sees). */
const VIEWED = new Set(['Linear', 'Conv2d', 'MaxPool2d', 'AvgPool2d']);

function children(m: LoadedModel): Module[] {
  const modules = [...m.model.children()];
  if (modules.length !== m.spec.layers.length) {
    throw new Error(`inspect: the model has ${modules.length} layers but its description lists ${m.spec.layers.length}`);
  }
  return modules;
}

async function readFloats(t: Tensor): Promise<Float32Array> {
  const values = await t.read();
  t.dispose();
  return values instanceof Float32Array ? values : Float32Array.from(values as ArrayLike<number>);
}

/**
 * The first weighted layer's weights as tiles: for a linear layer on the
 * 784 pixels, each output unit's weights as a 28×28 image (what pattern of
 * ink makes the unit fire); for a convolution, each filter's weights on the
 * first input channel. Null when the model starts with neither.
 */
export async function firstLayerWeights(m: LoadedModel): Promise<FirstLayerWeights | null> {
  const modules = children(m);
  const index = m.spec.layers.findIndex((l) => l.type === 'Linear' || l.type === 'Conv2d');
  if (index < 0) return null;
  const spec = m.spec.layers[index];
  const weight = (modules[index] as Module & { weight?: Tensor }).weight;
  if (!weight) return null;
  if (spec.type === 'Linear') {
    const [units, inputs] = weight.shape;
    if (inputs !== IMAGE_SIZE * IMAGE_SIZE) return null;
    const values = await readFloats(noGrad(() => weight.detach().contiguous()));
    return { layer: layerName(spec), kind: 'linear', tiles: units, tileWidth: IMAGE_SIZE, tileHeight: IMAGE_SIZE, values };
  }
  const [filters, , height, width] = weight.shape;
  const values = await readFloats(noGrad(() => tidy(() => weight.detach().narrow(1, 0, 1).contiguous())));
  return { layer: layerName(spec), kind: 'conv', tiles: filters, tileWidth: width, tileHeight: height, values };
}

/**
 * What each layer hands on for one 28×28 image (intensities in [0, 1],
 * normalised as the model was trained): the output of every linear,
 * convolution and pooling layer, after the activation that follows it, except
 * the last linear layer (its output is the class scores the page shows as
 * probabilities). Runs in eval mode, restored synchronously, like `predict`.
 */
export async function layerViews(m: LoadedModel, pixels: Float32Array): Promise<LayerView[]> {
  const modules = children(m);
  const layers = m.spec.layers;
  const shape = imageInputShape(m.spec, m.source);
  const size = shape.reduce((a, b) => a * b, 1);
  if (pixels.length !== size) throw new Error(`layerViews: pixels: expected ${size} values (28×28), got ${pixels.length}`);
  const device = m.model.parameters().next().value?.device ?? 'cpu';
  const lastLinear = layers.map((l) => l.type).lastIndexOf('Linear');
  // Where each view is taken, and its name: after the activation that follows the layer, if one does.
  const viewAfter = new Map<number, string>();
  layers.forEach((layer, i) => {
    if (!VIEWED.has(layer.type) || i === lastLinear) return;
    const next = layers[i + 1];
    if (next && ACTIVATIONS.has(next.type)) viewAfter.set(i + 1, `${layerName(layer)}, ${next.type}`);
    else viewAfter.set(i, layerName(layer));
  });
  const names = [...viewAfter.entries()].sort(([a], [b]) => a - b).map(([, name]) => name);
  const outputs = noGrad(() =>
    tidy(() => {
      const wasTraining = m.model.training;
      m.model.eval();
      try {
        const { mean, std } = m.spec.normalize ?? { mean: [0.5], std: [0.5] };
        let x = tensor(pixels, { shape: [1, ...shape], device })
          .sub(mean[0])
          .div(std[0]);
        const kept: Tensor[] = [];
        for (let i = 0; i < modules.length; i++) {
          x = modules[i].forward(x);
          if (viewAfter.has(i)) kept.push(x);
        }
        return kept;
      } finally {
        m.model.train(wasTraining);
      }
    }),
  );
  const views: LayerView[] = [];
  for (let i = 0; i < outputs.length; i++) {
    const out = outputs[i];
    views.push({ layer: names[i], shape: out.shape.slice(1), values: await readFloats(out) });
  }
  return views;
}

/** The uint8 pixels of the images at `indices` of a `[N, 28, 28]` image tensor, one after another. */
export async function imagePixels(images: Tensor, indices: readonly number[]): Promise<Uint8Array> {
  const n = images.shape[0];
  for (const i of indices) {
    if (!Number.isInteger(i) || i < 0 || i >= n) throw new Error(`imagePixels: index ${i} is outside the ${n} images`);
  }
  if (indices.length === 0) return new Uint8Array(0);
  const picked = tidy(() => images.indexSelect(0, tensor(Int32Array.from(indices), { device: images.device })));
  const values = await picked.read();
  picked.dispose();
  return values instanceof Uint8Array ? values : Uint8Array.from(values as ArrayLike<number>);
}

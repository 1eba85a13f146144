import type { JsonValue, LayerSpec, ModelSpec } from '@kindling/nn';

// The description and its metadata format are shared with kindling-train through @kindling/nn,
// so checkpoints move freely between the CLI and the demo (old MLP checkpoints included).
export {
  type ModelSpec,
  type LayerSpec,
  MODEL_SPEC_METADATA_KEY,
  buildModel,
  mlpToModelSpec,
  modelSpecMetadata,
  modelSpecFromMetadata,
} from '@kindling/nn';

/** What the demo calls a network: `MLP` (linear layers only), `CNN` (has convolutions), or any other `Sequential`. */
export type ModelKind = 'MLP' | 'CNN' | 'Network';

/** The demo's images: one 28×28 grayscale picture. */
export const IMAGE_SIZE = 28;

/** Layers that change no shape and hold no weights, left out of descriptions. */
const QUIET = new Set(['ReLU', 'SiLU', 'Sigmoid', 'LogSigmoid', 'Tanh', 'Identity', 'LeakyReLU', 'ELU', 'Hardtanh', 'Softplus', 'GELU']);
const TAIL = new Set(['Dropout', 'Dropout2d', 'Flatten', 'Softmax', 'LogSoftmax']);

const CONVOLUTIONS = new Set(['Conv1d', 'Conv2d', 'ConvTranspose2d']);

export function modelKind(spec: ModelSpec): ModelKind {
  if (spec.layers.some((l) => CONVOLUTIONS.has(l.type))) return 'CNN';
  const mlp = spec.layers.every((l) => l.type === 'Linear' || QUIET.has(l.type) || TAIL.has(l.type));
  return mlp && spec.layers.some((l) => l.type === 'Linear') ? 'MLP' : 'Network';
}

/** `3` → `3×3`, `[3, 5]` → `3×5`. */
function windowText(value: JsonValue | undefined): string {
  if (Array.isArray(value)) return value.join('×');
  return `${value}×${value}`;
}

function layerToken(layer: LayerSpec): string | null {
  const a = layer.args ?? [];
  switch (layer.type) {
    case 'Conv1d':
      return `conv1d ${a[0]}→${a[1]} ${a[2]}`;
    case 'Conv2d':
      return `conv ${a[0]}→${a[1]} ${windowText(a[2])}`;
    case 'ConvTranspose2d':
      return `transposed conv ${a[0]}→${a[1]} ${windowText(a[2])}`;
    case 'MaxPool2d':
      return `max-pool ${windowText(a[0])}`;
    case 'AvgPool2d':
      return `avg-pool ${windowText(a[0])}`;
    case 'AdaptiveAvgPool2d':
      return `adaptive avg-pool ${windowText(a[0])}`;
    case 'BatchNorm1d':
    case 'BatchNorm2d':
      return 'batch-norm';
    case 'Unflatten':
      return 'unflatten';
    default:
      return QUIET.has(layer.type) || TAIL.has(layer.type) ? null : layer.type;
  }
}

/** `linear 784→128`, `conv 1→32 3×3`, `max-pool 2×2`: one layer in a few words (others by their type), as the Train page names them. */
export function layerName(layer: LayerSpec): string {
  const a = layer.args ?? [];
  if (layer.type === 'Linear') return `linear ${a[0]}→${a[1]}`;
  return layerToken(layer) ?? layer.type;
}

/**
 * The layers in a few words: `784-128-64-10` for an MLP (its widths, as the
 * seeds write them), `conv 1→32 3×3, conv 32→64 3×3, max-pool 2×2,
 * linear 9216-128-10` for the MNIST CNN. Activations, dropout and flatten
 * are left out.
 */
export function describeLayers(spec: ModelSpec): string {
  const tokens: string[] = [];
  let widths: number[] = [];
  const endLinear = () => {
    if (widths.length) tokens.push(`linear ${widths.join('-')}`);
    widths = [];
  };
  for (const layer of spec.layers) {
    if (layer.type === 'Linear') {
      const [inFeatures, outFeatures] = (layer.args ?? []) as number[];
      if (widths.length === 0 || widths[widths.length - 1] !== inFeatures) {
        endLinear();
        widths.push(inFeatures);
      }
      widths.push(outFeatures);
      continue;
    }
    const token = layerToken(layer);
    if (token === null) continue;
    endLinear();
    tokens.push(token);
  }
  endLinear();
  if (modelKind(spec) === 'MLP' && tokens.length === 1) return tokens[0].slice('linear '.length);
  return tokens.join(', ');
}

/**
 * The shape one drawn or MNIST image is given to the model in: `[784]` for
 * a network starting with a linear layer, `[1, 28, 28]` for one starting with
 * a convolution. Throws a one-line error naming `source` for a model that
 * takes something else (a CIFAR-10 net, say), so such a checkpoint is
 * refused when it is loaded rather than on the first prediction.
 */
export function imageInputShape(spec: ModelSpec, source = 'model'): number[] {
  const pixels = IMAGE_SIZE * IMAGE_SIZE;
  const first = spec.layers[0];
  const shape =
    spec.inputShape ??
    (first?.type === 'Linear' ? [(first.args ?? [])[0] as number] : first?.type === 'Conv1d' ? null : [1, IMAGE_SIZE, IMAGE_SIZE]);
  const fits =
    shape !== null &&
    ((shape.length === 1 && shape[0] === pixels) ||
      (shape.length === 3 && shape[0] === 1 && shape[1] === IMAGE_SIZE && shape[2] === IMAGE_SIZE));
  if (!fits) {
    const got = shape === null ? 'a sequence' : `[${shape.join(', ')}]`;
    throw new Error(`${source}: the model takes inputs of shape ${got}; the demo has 28×28 grayscale images ([784] or [1, 28, 28])`);
  }
  return shape;
}

/** Whether the network ends in LogSoftmax (so `exp` of its output is the class probabilities) rather than emitting logits. */
export function outputsLogProbabilities(spec: ModelSpec): boolean {
  return spec.layers.at(-1)?.type === 'LogSoftmax';
}

import type { JsonValue, LayerSpec } from '@kindling/nn';
import { datasetEntry } from '../data-catalog.js';
import { SGD_MOMENTUM } from '../train-defaults.js';
import {
  type CodeLine,
  type CodeSettings,
  datasetLabel,
  evalBatchSize,
  intLiteral,
  modelLabel,
  modelLayers,
  subsetSize,
  takesFlatImages,
} from './generated-code.js';

/** Python's spelling of a number: `1.0` for a float setting such as the learning rate, `10_000` for big integers. */
export function pythonNumber(n: number, float: boolean): string {
  if (Number.isInteger(n)) return float ? `${n}.0` : intLiteral(n);
  return String(n);
}

function pyValue(value: JsonValue): string {
  if (typeof value === 'number') return pythonNumber(value, false);
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (value === null) return 'None';
  if (Array.isArray(value)) return `(${value.map(pyValue).join(', ')}${value.length === 1 ? ',' : ''})`;
  return JSON.stringify(value);
}

/** `camelCase` option names as PyTorch's `snake_case` keywords. */
function snake(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** `nn.Conv2d(1, 32, 3)`: the PyTorch layer a Kindling layer description mirrors. */
export function pytorchLayer(layer: LayerSpec): string {
  const args = (layer.args ?? []).map(pyValue);
  for (const [key, value] of Object.entries(layer.options ?? {})) args.push(`${snake(key)}=${pyValue(value)}`);
  return `nn.${layer.type}(${args.join(', ')})`;
}

const OPTIMIZERS: Record<CodeSettings['optimizer'], (lr: string) => string> = {
  adam: (lr) => `optim.Adam(model.parameters(), lr=${lr})`,
  sgd: (lr) => `optim.SGD(model.parameters(), lr=${lr}, momentum=${SGD_MOMENTUM})`,
  adadelta: (lr) => `optim.Adadelta(model.parameters(), lr=${lr})`,
};

/**
 * The PyTorch script the Kindling code of `kindlingCode` mirrors, line for
 * line (torchvision's datasets and transforms, `torch.utils.data`), so the
 * two can be read side by side.
 */
export function pytorchCode(settings: CodeSettings): CodeLine[] {
  const flat = takesFlatImages(settings);
  const trainN = subsetSize(settings.trainSubset, 'train');
  const testN = subsetSize(settings.testSubset, 'test');
  const Dataset = datasetEntry(settings.dataset).className;
  const lines: CodeLine[] = [];
  const add = (text: string, phase?: CodeLine['phase']) => lines.push(phase ? { text, phase } : { text });
  const loader = (set: string, n: number | null) => (n === null ? set : `Subset(${set}, range(${intLiteral(n)}))`);

  add(`# ${modelLabel(settings)}, on ${datasetLabel(settings)}.`);
  add('# The same loop in PyTorch: python train.py');
  add('import torch');
  add('from torch import nn, optim');
  add(`from torch.utils.data import DataLoader${trainN !== null || testN !== null ? ', Subset' : ''}`);
  add('from torchvision import datasets, transforms');
  add('');
  add(`torch.manual_seed(${settings.seed})`);
  add('');
  add('# Pixels from [0, 255] to [0, 1], then to [-1, 1]');
  add('transform = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.5,), (0.5,))])');
  add(`trainset = datasets.${Dataset}('data', train=True, download=True, transform=transform)`);
  add(`testset = datasets.${Dataset}('data', train=False, download=True, transform=transform)`);
  add(`trainloader = DataLoader(${loader('trainset', trainN)}, batch_size=${settings.batchSize}, shuffle=True)`);
  add(`testloader = DataLoader(${loader('testset', testN)}, batch_size=${intLiteral(evalBatchSize(settings))})`);
  add('');
  add('model = nn.Sequential(');
  for (const layer of modelLayers(settings)) add(`    ${pytorchLayer(layer)},`);
  add(')');
  add('criterion = nn.NLLLoss()');
  add(`optimizer = ${OPTIMIZERS[settings.optimizer](pythonNumber(settings.lr, true))}`);
  add('');
  add(`for epoch in range(1, ${settings.epochs + 1}):`);
  add('    model.train()');
  add('    for images, labels in trainloader:');
  if (flat) add('        images = images.view(images.shape[0], -1)  # 784 numbers per image');
  add('        optimizer.zero_grad()');
  add('        output = model(images)', 'forward');
  add('        loss = criterion(output, labels)', 'loss');
  add('        loss.backward()', 'backward');
  add('        optimizer.step()', 'step');
  add('    model.eval()', 'evaluate');
  add('    test_loss = 0', 'evaluate');
  add('    correct = 0', 'evaluate');
  add('    with torch.no_grad():', 'evaluate');
  add('        for images, labels in testloader:', 'evaluate');
  if (flat) add('            images = images.view(images.shape[0], -1)', 'evaluate');
  add('            output = model(images)', 'evaluate');
  add('            test_loss += criterion(output, labels).item() * len(labels)', 'evaluate');
  add('            correct += output.argmax(1).eq(labels).sum().item()', 'evaluate');
  add('    n = len(testloader.dataset)', 'evaluate');
  add("    print(f'Epoch {epoch}: test loss {test_loss / n:.3f}, test accuracy {100 * correct / n:.1f}%')", 'evaluate');
  return lines;
}

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

const OPTIMIZERS: Record<CodeSettings['optimizer'], (lr: string) => string> = {
  adam: (lr) => `new optim.Adam(model.parameters(), { lr: ${lr} })`,
  sgd: (lr) => `new optim.SGD(model.parameters(), { lr: ${lr}, momentum: ${SGD_MOMENTUM} })`,
  adadelta: (lr) => `new optim.Adadelta(model.parameters(), { lr: ${lr} })`,
};

/** `${expr}` inside a generated template literal. */
const js = (expr: string) => `$\{${expr}}`;

function tsValue(value: JsonValue): string {
  return typeof value === 'number' && Number.isInteger(value) ? intLiteral(value) : JSON.stringify(value);
}

/** `new nn.Conv2d(1, 32, 3)`: the layer as the worker's `buildModel` constructs it. */
export function kindlingLayer(layer: LayerSpec): string {
  const args = (layer.args ?? []).map(tsValue);
  if (layer.options && Object.keys(layer.options).length > 0) args.push(JSON.stringify(layer.options).replace(/"(\w+)":/g, '$1: '));
  return `new nn.${layer.type}(${args.join(', ')})`;
}

/**
 * The Train page's run as a Kindling script that runs in Node from a clone of
 * the repository (`node tools/run-ts.mjs train.ts`): the same network,
 * preprocessing, optimizer, batches and subsets, written like the examples/
 * scripts so it reads line for line against the PyTorch of `pytorchCode`.
 * The demo additionally evaluates a few times per epoch and reports running
 * numbers; the loop itself is this one.
 */
export function kindlingCode(settings: CodeSettings): CodeLine[] {
  const flat = takesFlatImages(settings);
  const trainN = subsetSize(settings.trainSubset, 'train');
  const testN = subsetSize(settings.testSubset, 'test');
  const Dataset = datasetEntry(settings.dataset).className;
  const lines: CodeLine[] = [];
  const add = (text: string, phase?: CodeLine['phase']) => lines.push(phase ? { text, phase } : { text });
  const loader = (set: string, n: number | null) => (n === null ? set : `new data.Subset(${set}, first(${intLiteral(n)}))`);

  add(`// ${modelLabel(settings)}, on ${datasetLabel(settings)}.`);
  add('// In a clone of the Kindling repository (after pnpm install), save as examples/train.ts and run:');
  add('//   node tools/run-ts.mjs examples/train.ts');
  add("import * as torch from 'kindling';");
  add("import { data, len, nn, optim, print } from 'kindling';");
  add('');
  add(`torch.manualSeed(${settings.seed});`);
  add('');
  add('// Pixels from [0, 255] to [0, 1], then to [-1, 1]');
  add('const transform = new data.Compose([new data.ToTensor(), new data.Normalize([0.5], [0.5])]);');
  add(`const trainset = await data.${Dataset}.create({ train: true, download: true, transform });`);
  add(`const testset = await data.${Dataset}.create({ train: false, download: true, transform });`);
  if (trainN !== null || testN !== null) {
    add('// The first n images of a split');
    add('const first = (n: number) => Array.from({ length: n }, (_, i) => i);');
  }
  add(`const trainLoader = new data.DataLoader(${loader('trainset', trainN)}, { batchSize: ${settings.batchSize}, shuffle: true });`);
  add(`const testLoader = new data.DataLoader(${loader('testset', testN)}, { batchSize: ${intLiteral(evalBatchSize(settings))} });`);
  add('');
  add('const model = new nn.Sequential(');
  for (const layer of modelLayers(settings)) add(`  ${kindlingLayer(layer)},`);
  add(');');
  add('const criterion = new nn.NLLLoss();');
  add(`const optimizer = ${OPTIMIZERS[settings.optimizer](String(settings.lr))};`);
  add('');
  add(`for (let epoch = 1; epoch <= ${settings.epochs}; epoch++) {`);
  add('  model.train();');
  add(`  for await (${flat ? 'let' : 'const'} [images, labels] of trainLoader) {`);
  if (flat) add('    images = images.view(images.shape[0], -1); // 784 numbers per image');
  add('    optimizer.zeroGrad();');
  add('    const output = model(images);', 'forward');
  add('    const loss = criterion(output, labels);', 'loss');
  add('    loss.backward();', 'backward');
  add('    optimizer.step();', 'step');
  add('  }');
  add('  model.eval();', 'evaluate');
  add('  let testLoss = 0;', 'evaluate');
  add('  let correct = 0;', 'evaluate');
  add('  await torch.noGrad(async () => {', 'evaluate');
  add(`    for await (${flat ? 'let' : 'const'} [images, labels] of testLoader) {`, 'evaluate');
  if (flat) add('      images = images.view(images.shape[0], -1);', 'evaluate');
  add('      const output = model(images);', 'evaluate');
  add('      testLoss += (await criterion(output, labels).item()) * len(labels);', 'evaluate');
  add('      correct += await output.argmax(1).eq(labels).sum().item();', 'evaluate');
  add('    }', 'evaluate');
  add('  });', 'evaluate');
  add('  const n = len(testLoader.dataset);', 'evaluate');
  add(
    `  print(\`Epoch ${js('epoch')}: test loss ${js('(testLoss / n).toFixed(3)')}, test accuracy ${js('((100 * correct) / n).toFixed(1)')}%\`);`,
    'evaluate',
  );
  add('}');
  return lines;
}

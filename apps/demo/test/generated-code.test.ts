import type { LayerSpec } from '@kindling/nn';
import { describe, expect, test } from 'vitest';
import { mergeConfig, presetConfig } from '../../trainer/src/config.js';
import { modelSpecFor } from '../../trainer/src/models.js';
import { type CodeSettings, codeText, modelLayers } from '../src/code/generated-code.js';
import { kindlingCode, kindlingLayer } from '../src/code/kindling-code.js';
import type { LoopPhase } from '../src/code/loop-phase.js';
import { pytorchCode, pytorchLayer } from '../src/code/pytorch-code.js';
import { trainerCommand } from '../src/code/trainer-command.js';
import { CASES, MEDIUM } from './generated-code-cases.js';

// What the generated code says; generated-code-runs.test.ts typechecks and runs it.
const DIGITS = Array.from({ length: 10 }, (_, i) => String(i));

function phaseLines(lines: ReturnType<typeof kindlingCode>, phase: LoopPhase): string[] {
  return lines.filter((l) => l.phase === phase).map((l) => l.text.trim());
}

describe('the code panel’s generated code', () => {
  test('the Kindling code says the form’s settings: data, subsets, layers, optimizer, epochs, batch size', () => {
    const settings: CodeSettings = MEDIUM;
    const text = codeText(kindlingCode(settings));
    expect(text).toContain('torch.manualSeed(0);');
    expect(text).toContain('await data.MNIST.create({ train: true, download: true, transform })');
    expect(text).toContain('new data.DataLoader(new data.Subset(trainset, first(10_000)), { batchSize: 64, shuffle: true })');
    // All 10,000 test images: no subset.
    expect(text).toContain('new data.DataLoader(testset, { batchSize: 1000 })');
    expect(text).toContain('new optim.Adam(model.parameters(), { lr: 0.001 })');
    expect(text).toContain('for (let epoch = 1; epoch <= 3; epoch++)');
    for (const layer of modelLayers(settings)) expect(text).toContain(`  ${kindlingLayer(layer)},\n`);
    expect(text).toContain('new nn.Linear(784, 128),\n  new nn.ReLU(),\n  new nn.Linear(128, 64),');

    const cnn = codeText(
      kindlingCode({
        ...settings,
        dataset: 'fashion-mnist',
        model: 'cnn',
        optimizer: 'sgd',
        lr: 0.05,
        trainSubset: 60_000,
        testSubset: 1000,
      }),
    );
    expect(cnn).toContain('await data.FashionMNIST.create(');
    expect(cnn).toContain('new data.DataLoader(trainset, { batchSize: 64, shuffle: true })');
    expect(cnn).toContain('new data.Subset(testset, first(1000)), { batchSize: 100 }');
    expect(cnn).toContain('new nn.Conv2d(1, 32, 3),');
    expect(cnn).toContain('new nn.Linear(9216, 128),');
    expect(cnn).toContain('new optim.SGD(model.parameters(), { lr: 0.05, momentum: 0.9 })');
    // The CNN takes [N, 1, 28, 28]: no flattening.
    expect(cnn).not.toContain('.view(');
  });

  test('the PyTorch code mirrors it', () => {
    const settings: CodeSettings = { ...MEDIUM, model: 'cnn', optimizer: 'adadelta', lr: 1, epochs: 2, batchSize: 128, seed: 0 };
    const text = codeText(pytorchCode(settings));
    expect(text).toContain("datasets.MNIST('data', train=True, download=True, transform=transform)");
    expect(text).toContain('DataLoader(Subset(trainset, range(10_000)), batch_size=128, shuffle=True)');
    expect(text).toContain('optim.Adadelta(model.parameters(), lr=1.0)');
    expect(text).toContain('for epoch in range(1, 3):');
    for (const layer of modelLayers(settings)) expect(text).toContain(`    ${pytorchLayer(layer)},\n`);
    expect(text).toContain('nn.Dropout(0.25),\n    nn.Flatten(1, -1),\n    nn.Linear(9216, 128),');
  });

  test('each part of the loop is one line in each language, in the order forward, loss, backward, step', () => {
    for (const settings of CASES) {
      for (const lines of [kindlingCode(settings), pytorchCode(settings)]) {
        const tagged = lines.filter((l) => l.phase && l.phase !== 'evaluate').map((l) => l.phase);
        expect(tagged).toEqual(['forward', 'loss', 'backward', 'step']);
        expect(phaseLines(lines, 'evaluate').length).toBeGreaterThan(5);
      }
      expect(phaseLines(kindlingCode(settings), 'backward')).toEqual(['loss.backward();']);
      expect(phaseLines(pytorchCode(settings), 'step')).toEqual(['optimizer.step()']);
    }
  });

  test('the kindling-train command has the same network and training flags', () => {
    const medium = trainerCommand(MEDIUM);
    expect(medium.command).toBe(
      'kindling-train train --dataset mnist --model mlp --hidden 128,64 --optimizer adam --lr 0.001 --epochs 3 --batch-size 64 --seed 0',
    );
    expect(medium.difference).toMatch(/whole dataset \(60,000 training and 10,000 test images\)/);
    const cnn = trainerCommand({
      ...MEDIUM,
      model: 'cnn',
      optimizer: 'sgd',
      lr: 0.02,
      trainSubset: 60_000,
      testSubset: 10_000,
      seed: 3,
    });
    expect(cnn.command).toBe(
      'kindling-train train --dataset mnist --model cnn --hidden 128 --dropout 0.5 --optimizer sgd --lr 0.02 --momentum 0.9 --epochs 3 --batch-size 64 --seed 3',
    );
    expect(cnn.difference).toBeNull();
    expect(trainerCommand({ ...MEDIUM, dataset: 'fashion-mnist', model: 'large', seed: 0 }).command).toContain(
      '--dataset fashion-mnist --model mlp --hidden 256,128,64 --dropout 0.2 ',
    );
  });

  test('kindling-train, given the command’s flags, builds the page’s network and training settings', () => {
    const camel = (k: string) => k.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
    // Flatten() and Flatten(1, -1) are the same layer.
    const layers = (list: LayerSpec[]) => list.map((l) => (l.type === 'Flatten' ? { type: 'Flatten' } : l));
    for (const settings of CASES) {
      const { command } = trainerCommand(settings);
      const flags = Object.fromEntries(
        command
          .split(' --')
          .slice(1)
          .map((f) => f.split(' '))
          .map(([k, v]) => [camel(k ?? ''), v]),
      );
      const config = mergeConfig(presetConfig('mnist'), flags);
      expect(config).toMatchObject({
        dataset: settings.dataset,
        optimizer: settings.optimizer,
        lr: settings.lr,
        momentum: settings.optimizer === 'sgd' ? 0.9 : 0,
        epochs: settings.epochs,
        batchSize: settings.batchSize,
        seed: settings.seed,
        normalize: 'half',
        loss: 'nll',
        scheduler: 'none',
      });
      const spec = modelSpecFor(config, { image: [1, 28, 28], classes: DIGITS, dataset: settings.dataset });
      expect(layers(spec.layers), command).toEqual(layers(modelLayers(settings)));
    }
  });
});

import { SGD_MOMENTUM } from '../train-defaults.js';
import { type CodeSettings, SPLIT_SIZES, modelLayers, subsetSize, takesFlatImages } from './generated-code.js';

export interface TrainerCommand {
  /** One shell line: `kindling-train train --dataset mnist --model mlp ...`. */
  command: string;
  /** Where the CLI's run differs from the page's, in a sentence, or null. */
  difference: string | null;
}

/**
 * The `kindling-train` command that trains the same network with the same
 * optimizer, learning rate, epochs, batch size and seed. Flags are relative
 * to the CLI's default preset (`mnist`: SGD without momentum, NLLLoss,
 * inputs normalised by 0.5, no scheduler), so only what differs is written
 * beside the settings from the form. The CLI has no subset option: it always
 * trains on the whole split.
 */
export function trainerCommand(settings: CodeSettings): TrainerCommand {
  const layers = modelLayers(settings);
  const widths = layers.filter((l) => l.type === 'Linear').map((l) => (l.args ?? [])[1] as number);
  const dropout = Math.max(0, ...layers.filter((l) => l.type === 'Dropout').map((l) => (l.args ?? [])[0] as number));
  const flags: [string, string][] = [
    ['dataset', settings.dataset],
    ['model', takesFlatImages(settings) ? 'mlp' : 'cnn'],
    ['hidden', widths.slice(0, -1).join(',')],
  ];
  if (dropout > 0) flags.push(['dropout', String(dropout)]);
  flags.push(['optimizer', settings.optimizer], ['lr', String(settings.lr)]);
  if (settings.optimizer === 'sgd') flags.push(['momentum', String(SGD_MOMENTUM)]);
  flags.push(['epochs', String(settings.epochs)], ['batch-size', String(settings.batchSize)], ['seed', String(settings.seed)]);
  const command = `kindling-train train ${flags.map(([name, value]) => `--${name} ${value}`).join(' ')}`;
  const subset = subsetSize(settings.trainSubset, 'train') !== null || subsetSize(settings.testSubset, 'test') !== null;
  const difference = subset
    ? `kindling-train always uses the whole dataset (${SPLIT_SIZES.train.toLocaleString('en-US')} training and ${SPLIT_SIZES.test.toLocaleString('en-US')} test images), so its run takes longer than this one.`
    : null;
  return { command, difference };
}

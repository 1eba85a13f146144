import type { LayerSpec } from '@kindling/nn';
import { datasetEntry } from '../data-catalog.js';
import { modelChoice } from '../model/model-choices.js';
import type { TrainSettings } from '../worker/protocol.js';
import type { LoopPhase } from './loop-phase.js';

/** What the generated code depends on: the run's settings, without the worker-only data URL. */
export type CodeSettings = Pick<
  TrainSettings,
  'dataset' | 'model' | 'optimizer' | 'lr' | 'epochs' | 'batchSize' | 'trainSubset' | 'testSubset' | 'seed'
>;

/** One line of generated code; `phase` marks the lines highlighted while the loop is in that phase. */
export interface CodeLine {
  text: string;
  phase?: LoopPhase;
}

/** Images in each split of MNIST and Fashion-MNIST: a subset this big or bigger is the whole split. */
export const SPLIT_SIZES = { train: 60_000, test: 10_000 } as const;

/** The subset size to write in the code, or null when the run uses the whole split (as the worker's `firstSamples` does). */
export function subsetSize(count: number, split: keyof typeof SPLIT_SIZES): number | null {
  return count <= 0 || count >= SPLIT_SIZES[split] ? null : count;
}

/** `10000` → `10_000` (from 10,000 up): a numeric literal both TypeScript and Python read, with its thousands visible. */
export function intLiteral(n: number): string {
  const digits = Math.trunc(n).toString();
  return Math.abs(n) < 10_000 ? digits : digits.replace(/\B(?=(\d{3})+(?!\d))/g, '_');
}

/** The layers of the network the run builds, from the same description the worker builds it from. */
export function modelLayers(settings: CodeSettings): LayerSpec[] {
  const classes = Array.from({ length: 10 }, (_, i) => String(i));
  return modelChoice(settings.model).spec({ dataset: settings.dataset, classes }).layers;
}

/** Whether the network takes flat 784-number images (an MLP) rather than `[1, 28, 28]` (the CNN). */
export function takesFlatImages(settings: CodeSettings): boolean {
  return modelLayers(settings)[0]?.type === 'Linear';
}

export function evalBatchSize(settings: CodeSettings): number {
  return modelChoice(settings.model).evalBatchSize;
}

export function datasetLabel(settings: CodeSettings): string {
  return datasetEntry(settings.dataset).label;
}

export function modelLabel(settings: CodeSettings): string {
  return modelChoice(settings.model).label;
}

export function codeText(lines: readonly CodeLine[]): string {
  return `${lines.map((l) => l.text).join('\n')}\n`;
}

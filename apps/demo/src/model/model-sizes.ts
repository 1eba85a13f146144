/** The model sizes offered on the Train page: the seeds' networks and a smaller one for quick runs. */
export type ModelSize = 'small' | 'medium' | 'large';

export interface ModelSizeEntry {
  id: ModelSize;
  label: string;
  hidden: number[];
  dropout: number;
}

export const MODEL_SIZES: readonly ModelSizeEntry[] = [
  { id: 'small', label: 'Small: 784-64-10', hidden: [64], dropout: 0 },
  { id: 'medium', label: 'Medium: 784-128-64-10 (the seeds’ MNIST net)', hidden: [128, 64], dropout: 0 },
  { id: 'large', label: 'Large: 784-256-128-64-10, dropout 0.2 (the seeds’ Fashion net)', hidden: [256, 128, 64], dropout: 0.2 },
];

export function modelSize(id: ModelSize): ModelSizeEntry {
  return MODEL_SIZES.find((m) => m.id === id) ?? MODEL_SIZES[1];
}

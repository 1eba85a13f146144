/**
 * What the worker reports about a model's insides, for "What the network
 * learned" on the Train page and the layer views on the Draw page. Plain
 * objects and typed arrays only: they cross the worker boundary.
 */

/**
 * The first weighted layer's weights, one tile per output unit or filter:
 * 28×28 tiles for a linear layer on the flat image (each hidden unit's weight
 * for each pixel), 3×3 tiles for a convolution's filters (first input channel).
 */
export interface FirstLayerWeights {
  /** `linear 784→64`, `conv 1→32 3×3` */
  layer: string;
  kind: 'linear' | 'conv';
  tiles: number;
  tileWidth: number;
  tileHeight: number;
  /** `tiles × tileHeight × tileWidth` values, tile after tile, row by row. */
  values: Float32Array;
}

/** One layer's output for one image (after its activation when one follows). */
export interface LayerView {
  /** `linear 784→128, ReLU`, `conv 1→32 3×3, ReLU`, `max-pool 2×2` */
  layer: string;
  /** Feature maps (`[channels, height, width]`) or a vector of units (`[units]`). */
  shape: number[];
  /** The output, flat, row-major. */
  values: Float32Array;
}

/**
 * The test images an evaluation got wrong, in test-set order: parallel
 * arrays of the image's index in the test split, its true class, the
 * predicted class, and the probability the model gave that prediction.
 */
export interface Mistakes {
  indices: number[];
  labels: number[];
  predicted: number[];
  confidence: number[];
}

/**
 * Messages between the page and the training worker. Requests carry an id and
 * get exactly one response; events flow from the worker whenever something
 * happens (training progress, model changes). Only structured-cloneable data
 * crosses the boundary: plain objects, numbers, typed arrays.
 */
import type { LoopPhase } from '../code/loop-phase.js';
import type { DatasetId } from '../data-catalog.js';
import type { ModelChoice, OptimizerChoice } from '../model/model-choices.js';
import type { ModelKind } from '../model/model-spec.js';
import type { FirstLayerWeights, LayerView, Mistakes } from './inspection-types.js';

export type { OptimizerChoice } from '../model/model-choices.js';
export type BackendChoice = 'webgpu' | 'cpu';
/** `auto`: WebGPU unless it is missing or slower than the CPU backend (a software adapter), the default when nobody chose. */
export type BackendRequest = BackendChoice | 'auto';

/** Which backend the worker computes on, and why, for the UI and the About page. */
export interface BackendInfo {
  /** What the user asked for (`auto` when nobody chose). */
  requested: BackendRequest;
  /** What is in use (`cpu` after a fallback). */
  device: BackendChoice;
  /** Why WebGPU is not in use although it was requested. */
  fallbackReason?: string;
  /** Why the WebGPU adapter is slower than the CPU backend (a software adapter, or measured so), when it is. */
  slowAdapter?: string;
  /** The CPU backend's threads (set once its kernels have loaded). */
  cpu?: CpuInfo;
  /** Whether this worker's `navigator.gpu` exists at all. */
  webgpuSupported: boolean;
  adapter?: AdapterInfo;
}

/** The CPU backend's kernels and threads in the worker. */
export interface CpuInfo {
  /** Threads large products are split across: 1 unless the page is cross-origin isolated. */
  threads: number;
  /** Logical processors the browser reports. */
  cores: number;
  /** `relaxed-simd` or `simd` (WebAssembly kernels), `scalar` (the TypeScript kernels). */
  isa: string;
  status: string;
  /** Whether the worker is cross-origin isolated, which shared WebAssembly memory (and so threads) needs. */
  crossOriginIsolated: boolean;
  /** Why the threads did not start, when they failed. */
  threadError?: string;
}

export interface AdapterInfo {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  isFallbackAdapter: boolean;
  /** A few limits that matter for training. */
  limits: Record<string, number>;
}

export interface TrainSettings {
  dataset: DatasetId;
  model: ModelChoice;
  optimizer: OptimizerChoice;
  lr: number;
  epochs: number;
  batchSize: number;
  /** Training images used (the first N of a fixed shuffle); 0 or more than the split means all. */
  trainSubset: number;
  /** Test images evaluated; 0 or more than the split means all. */
  testSubset: number;
  seed: number;
  /** Absolute URL of the folder holding the dataset's four `.gz` files. */
  dataUrl: string;
}

/** The checkpoints shipped with the site (the CNN is the Draw page's default), the model of the Train page, and an uploaded one. */
export type ModelSlot = 'pretrained-cnn' | 'pretrained-mlp' | 'trained' | 'uploaded';

export interface ModelInfo {
  slot: ModelSlot;
  modelKind: ModelKind;
  /** "784-128-64-10", "conv 1→32 3×3, conv 32→64 3×3, max-pool 2×2, linear 9216-128-10" */
  layers: string;
  dataset: string;
  classes: string[];
  parameters: number;
  /** Test accuracy recorded in the checkpoint, when there is one. */
  accuracy?: number;
  source: string;
}

export interface OpTiming {
  op: string;
  shape: string;
  device: string;
  /** Median milliseconds per call. */
  ms: number;
}

export interface MemoryReport {
  /** `memory()` of @kindling/tensor: live tensors, storages and bytes per device. */
  tensors: Record<string, { tensors: number; storages: number; bytes: number }>;
  /** `webgpuMemory()` pool statistics (zeros before WebGPU is set up). */
  gpu: { allocatedBytes: number; inUseBytes: number; pooledBytes: number; buffers: number; pipelines: number; submissions: number };
  /** The worker's JS heap, where the browser reports it (Chromium). */
  jsHeapBytes?: number;
}

export interface Prediction {
  classes: string[];
  probabilities: number[];
}

/** Request name → parameters and result. */
export interface Requests {
  setBackend: { params: { backend: BackendRequest }; result: BackendInfo };
  backendInfo: { params: Record<string, never>; result: BackendInfo };
  train: { params: { settings: TrainSettings }; result: { stopped: boolean } };
  pause: { params: Record<string, never>; result: null };
  resume: { params: Record<string, never>; result: null };
  stop: { params: Record<string, never>; result: null };
  loadCheckpoint: { params: { slot: ModelSlot; bytes: Uint8Array; source: string }; result: ModelInfo };
  exportCheckpoint: { params: { slot: ModelSlot }; result: Uint8Array };
  predict: { params: { slot: ModelSlot; pixels: Float32Array }; result: Prediction };
  benchmark: { params: Record<string, never>; result: OpTiming[] };
  memory: { params: Record<string, never>; result: MemoryReport };
  /** The first layer's weights as tiles; null for a model that starts otherwise. */
  firstLayerWeights: { params: { slot: ModelSlot }; result: FirstLayerWeights | null };
  /** What each hidden layer outputs for one 28×28 image (intensities in [0, 1]). */
  layerViews: { params: { slot: ModelSlot; pixels: Float32Array }; result: LayerView[] };
  /** uint8 28×28 pixels of the last run's test images at these indices, one after another. */
  testImages: { params: { indices: number[] }; result: Uint8Array };
}

export type RequestType = keyof Requests;

export type RequestMessage = {
  [K in RequestType]: { id: number; type: K; params: Requests[K]['params'] };
}[RequestType];

export type ResponseMessage =
  | { kind: 'response'; id: number; ok: true; value: unknown }
  | { kind: 'response'; id: number; ok: false; error: string };

export type TrainingPhase = 'loading-data' | 'training' | 'paused' | 'evaluating' | 'finished' | 'stopped' | 'failed';

/** A few fixed test images the Train page shows with their predictions. */
export interface SampleImages {
  /** uint8 pixels, `count` images of 28×28. */
  pixels: Uint8Array;
  labels: number[];
}

export type WorkerEvent =
  | { kind: 'phase'; phase: TrainingPhase; message: string }
  /** `total` is null when the server does not say (compressed transfer). */
  | { kind: 'dataProgress'; loaded: number; total: number | null }
  | {
      kind: 'runStart';
      trainSize: number;
      testSize: number;
      batchesPerEpoch: number;
      epochs: number;
      device: string;
      parameters: number;
      modelKind: ModelKind;
      layers: string;
      classes: string[];
      samples: SampleImages;
    }
  | {
      kind: 'trainPoint';
      /** Epochs done, fractional (1.5 = halfway through the second epoch). */
      epoch: number;
      loss: number;
      accuracy: number;
      samplesPerSecond: number;
      msPerBatch: number;
    }
  | {
      kind: 'evaluation';
      epoch: number;
      loss: number;
      accuracy: number;
      /** Rows: true class, columns: predicted class. */
      confusion: number[][];
      /** Class probabilities of each sample image. */
      sampleProbabilities: number[][];
      /** Every evaluated test image the model got wrong. */
      mistakes: Mistakes;
    }
  | { kind: 'models'; models: ModelInfo[] }
  | { kind: 'backend'; info: BackendInfo }
  /** The part of the training loop running now (at most every ~100 ms, for the code panel); `batch` counts from 1. */
  | { kind: 'loopPhase'; phase: LoopPhase; epoch: number; batch: number; batches: number }
  /** The loop waits, paused, after batch `batch` (from 1) of `epoch` (from 1). */
  | { kind: 'loopPaused'; epoch: number; batch: number; batches: number };

export type WorkerMessage = ResponseMessage | { kind: 'event'; event: WorkerEvent };

import type { DataManifest } from '../data-catalog.js';
import type { BackendInfo, ModelInfo, ModelSlot, TrainingPhase } from '../worker/protocol.js';
import { Store } from './store.js';

/** The slots of the checkpoints shipped with the site. */
export type PretrainedSlot = Extract<ModelSlot, `pretrained-${string}`>;

export interface PretrainedStatus {
  status: 'loading' | 'ready' | 'missing' | 'failed';
  message?: string;
}

/** What more than one page needs to know. */
export interface AppState {
  backend: BackendInfo | null;
  /** A backend switch is under way. */
  backendSwitching: boolean;
  models: ModelInfo[];
  phase: TrainingPhase | 'idle';
  /** Which datasets the site carries; null while the manifest loads. */
  manifest: DataManifest | null;
  /** Latest training speed, for the About page. */
  lastTrainingSpeed: { msPerBatch: number; samplesPerSecond: number; device: string } | null;
  /** The checkpoints shipped with the site, loaded at start-up for the Draw page. */
  pretrained: Record<PretrainedSlot, PretrainedStatus>;
  /** Set when the worker died; every page shows it. */
  workerError: string | null;
}

export function createAppState(): Store<AppState> {
  return new Store<AppState>({
    backend: null,
    backendSwitching: false,
    models: [],
    phase: 'idle',
    manifest: null,
    lastTrainingSpeed: null,
    pretrained: { 'pretrained-cnn': { status: 'loading' }, 'pretrained-mlp': { status: 'loading' } },
    workerError: null,
  });
}

export function isTrainingActive(phase: AppState['phase']): boolean {
  return phase === 'loading-data' || phase === 'training' || phase === 'paused' || phase === 'evaluating';
}

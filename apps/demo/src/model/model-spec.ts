import type { MlpSpec } from '@kindling/nn';

// The spec and its metadata format are shared with kindling-train through @kindling/nn,
// so checkpoints move freely between the CLI and the demo.
export {
  type MlpSpec as ModelSpec,
  MLP_SPEC_METADATA_KEY as MODEL_METADATA_KEY,
  buildMlp as buildModel,
  mlpSpecMetadata as specMetadata,
  mlpSpecFromMetadata as specFromMetadata,
} from '@kindling/nn';

/** "784-128-64-10" */
export function describeLayers(spec: MlpSpec): string {
  return [spec.inputSize, ...spec.hidden, spec.outputSize].join('-');
}

import { KindlingError } from '@kindling/tensor';

/**
 * A checkpoint file is malformed, hostile, or does not fit what it is loaded
 * into. The message names the file (when known) and what was wrong.
 */
export class CheckpointError extends KindlingError {}

import { KindlingError } from '@kindling/tensor';

/**
 * A dataset file could not be found, fetched, verified or parsed. The message
 * names the file (and the mirror, when one was involved) and says what was
 * expected and what was found.
 */
export class DatasetError extends KindlingError {}

import '@kindling/backend-cpu';
import { runConformanceSuite } from '@kindling/tensor/testing';
import { describe, expect, it } from 'vitest';

// Every op against PyTorch fixtures, the Backend contract, errors, memory and random streams.
runConformanceSuite({ device: 'cpu', describe, it, expect });

import '@kindling/backend-template';
// Autograd installs the gradient hooks the suite's gradient checks need.
import '@kindling/autograd';
import { runConformanceSuite } from '@kindling/conformance';
import { describe, expect, it } from 'vitest';

// The whole suite, nothing excluded: the template is the proof that the primitives alone
// (no fused kernels) reproduce PyTorch on every op, layout and dtype.
runConformanceSuite({ device: 'template', describe, it, expect });

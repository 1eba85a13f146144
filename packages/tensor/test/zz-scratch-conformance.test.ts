import { describe, expect, it } from 'vitest';
import './zz-scratch-ref-backend.js';
import { runConformanceSuite } from '../src/testing/index.js';
runConformanceSuite({ device: 'ref', describe, it, expect });

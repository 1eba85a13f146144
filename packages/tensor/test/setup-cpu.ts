// TEMP validation: the scratch reference backend under the name cpu.
import { registerBackend } from '../src/index.js';
import { aliasBackend } from '../src/testing/index.js';
import { refBackend } from './zz-scratch-ref-backend.js';
registerBackend(aliasBackend(refBackend, 'cpu'));

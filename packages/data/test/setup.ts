import '@kindling/backend-cpu';
// DEV-ONLY fallback until backend-cpu registers 'cpu' (removed before handing in).
import { hasBackend, registerBackend } from '@kindling/tensor';
import { aliasBackend } from '../../tensor/src/testing/index.js';
import { refBackend } from '../../tensor/test/zz-scratch-ref-backend.js';
if (!hasBackend('cpu')) registerBackend(aliasBackend(refBackend, 'cpu'));

import type { Backend } from './backend.js';
import { DeviceError } from './errors.js';

const backends = new Map<string, Backend>();
let defaultDeviceName = 'cpu';

/**
 * Makes `backend` available as device `backend.name`. Backend packages call
 * this when imported (or from their async init for devices like WebGPU).
 */
export function registerBackend(backend: Backend): void {
  backends.set(backend.name, backend);
}

/** Whether a backend is registered under `name`. */
export function hasBackend(name: string): boolean {
  return backends.has(name);
}

/** Names of the registered backends. */
export function listBackends(): string[] {
  return [...backends.keys()];
}

/** The backend registered as `device`, or a clear error naming what is available. */
export function getBackend(device: string, op = 'device'): Backend {
  const b = backends.get(device);
  if (!b) {
    const known = listBackends();
    throw new DeviceError(
      `${op}: no backend is registered for device '${device}' (registered: ${known.length ? known.join(', ') : 'none'}; ` +
        `import '@kindling/backend-cpu' or call the device package's init function first)`,
    );
  }
  return b;
}

/** The device new tensors go to when none is given. */
export function getDefaultDevice(): string {
  return defaultDeviceName;
}

/** Sets the device new tensors go to when none is given. */
export function setDefaultDevice(device: string): void {
  getBackend(device, 'setDefaultDevice');
  defaultDeviceName = device;
}

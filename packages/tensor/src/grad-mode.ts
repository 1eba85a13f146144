let enabled = true;

/** Whether ops are being recorded for backward (PyTorch's `torch.is_grad_enabled`). */
export function isGradEnabled(): boolean {
  return enabled;
}

/** Turns recording on or off globally (`torch.set_grad_enabled`). */
export function setGradEnabled(value: boolean): void {
  enabled = value;
}

function withMode<T>(value: boolean, fn: () => T): T {
  const saved = enabled;
  enabled = value;
  let result: T;
  try {
    result = fn();
  } catch (e) {
    enabled = saved;
    throw e;
  }
  if (result instanceof Promise) {
    // Restore the mode when an async fn settles; code awaiting elsewhere meanwhile sees the changed mode, as in PyTorch.
    return result.finally(() => {
      enabled = saved;
    }) as T;
  }
  enabled = saved;
  return result;
}

/** Runs `fn` without recording the graph (`with torch.no_grad():`). */
export function noGrad<T>(fn: () => T): T {
  return withMode(false, fn);
}

/** Runs `fn` with recording on, even inside `noGrad` (`with torch.enable_grad():`). */
export function enableGrad<T>(fn: () => T): T {
  return withMode(true, fn);
}

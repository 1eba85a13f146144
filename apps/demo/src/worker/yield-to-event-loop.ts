/**
 * Lets the worker handle queued messages (pause, stop, predict) between
 * training batches. On the CPU backend every await in the loop resolves as a
 * microtask, so without a real task boundary the worker would never look at
 * its inbox until the run ends. A MessageChannel round trip is such a boundary
 * and, unlike `setTimeout(0)`, is not clamped to 4 ms when nested.
 */
const channel = new MessageChannel();
const waiting: (() => void)[] = [];
channel.port1.onmessage = () => waiting.shift()?.();

export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => {
    waiting.push(resolve);
    channel.port2.postMessage(null);
  });
}

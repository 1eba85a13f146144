/** A value that tells its subscribers when it changes: the little state the pages share. */
export class Store<T extends object> {
  private value: T;
  private readonly listeners = new Set<(value: T) => void>();

  constructor(initial: T) {
    this.value = initial;
  }

  get(): T {
    return this.value;
  }

  /**
   * Merges `patch` and tells the subscribers, unless every value in it is
   * the one already there: the worker repeats its phase on every evaluation,
   * and each fan-out re-renders every page.
   */
  update(patch: Partial<T>): void {
    const keys = Object.keys(patch) as (keyof T)[];
    if (keys.every((key) => Object.is(patch[key], this.value[key]))) return;
    this.value = { ...this.value, ...patch };
    for (const l of this.listeners) l(this.value);
  }

  /** Calls `listener` now and on every change; returns the unsubscribe function. */
  subscribe(listener: (value: T) => void): () => void {
    this.listeners.add(listener);
    listener(this.value);
    return () => this.listeners.delete(listener);
  }
}

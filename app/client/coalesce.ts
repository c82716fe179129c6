/**
 * Progress coalescing: jobs report up to ~10 times a second each, and every store update re-renders and re-lays
 * out part of the page. Updates keyed by job are held and applied together at most once per `intervalMs`, the
 * latest per key winning; `drop(key)` forgets a key's pending update (its job finished or was cancelled), `clear()` all of them.
 */
export interface Coalescer<K, V> {
  push(key: K, value: V): void;
  drop(key: K): void;
  /** Forgets every pending update (a new sweep starts, or the sweep was cancelled). */
  clear(): void;
}

export function coalesce<K, V>(apply: (batch: ReadonlyMap<K, V>) => void, intervalMs: number,
  timer: { set(f: () => void, ms: number): unknown } = { set: (f, ms) => setTimeout(f, ms) }): Coalescer<K, V> {
  let pending = new Map<K, V>();
  let scheduled = false;
  const flush = (): void => {
    scheduled = false;
    if (pending.size === 0) return;
    const batch = pending;
    pending = new Map();
    apply(batch);
  };
  return {
    push(key, value) {
      pending.set(key, value);
      if (!scheduled) { scheduled = true; timer.set(flush, intervalMs); }
    },
    drop(key) {
      pending.delete(key);
    },
    clear() {
      pending.clear();
    },
  };
}

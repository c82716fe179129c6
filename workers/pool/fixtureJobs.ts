/** Jobs that exercise the pool in tests: results, progress, long runs, failures and crashes. */
import type { Progress } from '../core/plan/types.ts';
import type { JobRegistry } from './jobRunner.ts';

const spin = (ms: number): void => {
  const end = Date.now() + ms;
  while (Date.now() < end) { /* busy: a blocked thread, like a running WASM solve */ }
};

export const jobRegistry: JobRegistry = {
  echo: async () => (input: unknown) => input,
  /** Sums 1..n in `steps` steps, reporting each step (the runner throttles what crosses). */
  sumWithProgress: async () => (input: { n: number; steps: number; stepMs: number }, onProgress?: (p: Progress) => void) => {
    let sum = 0;
    for (let s = 0; s < input.steps; s++) {
      for (let k = Math.floor((s * input.n) / input.steps) + 1; k <= Math.floor(((s + 1) * input.n) / input.steps); k++) sum += k;
      spin(input.stepMs);
      onProgress?.({ phase: 'summing', done: s + 1, total: input.steps });
    }
    return sum;
  },
  /** Blocks the worker thread for input.ms (cannot be interrupted except by terminating the thread). */
  block: async () => (input: { ms: number }) => {
    spin(input.ms);
    return 'done';
  },
  /** Blocks for input.ms and returns when it ran, as [start, end] epoch milliseconds. */
  timed: async () => (input: { ms: number }) => {
    const start = Date.now();
    spin(input.ms);
    return [start, Date.now()];
  },
  /** Never finishes (a job the test ends by cancelling or crashing its worker). */
  hang: async () => () => new Promise(() => undefined),
  fail: async () => (input: { message: string }) => {
    throw new RangeError(input.message);
  },
  /** An error thrown outside the job's promise: uncaught in the worker, which dies. */
  crash: async () => () =>
    new Promise(() => {
      setTimeout(() => {
        throw new Error('boom outside the job');
      }, 1);
    }),
  exit: async () => () => {
    process.exit(7);
  },
  /** Allocates until the worker's heap limit is hit. */
  exhaustMemory: async () => () => {
    const hold: number[][] = [];
    for (;;) hold.push(new Array<number>(1 << 20).fill(1.5));
  },
};

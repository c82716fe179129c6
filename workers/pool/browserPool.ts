/**
 * Browser worker pool (module Web Workers driven by comlink), for the page and for the planner worker, which fans
 * stage-cost jobs out from inside its own worker. A running WASM solve blocks its worker, so cancel terminates
 * the worker and starts a fresh one (which also returns the never-shrinking wasm heap, tooling.md §1).
 */
import { wrap } from 'comlink';
import type { JobRunnerApi } from './jobRunner.ts';
import type { JobPool, PoolOptions } from './types.ts';
import { createWorkerPool, failureLatch, type SpawnedWorker } from './workerPool.ts';

/** At most this many workers by default: each holds its own HiGHS heap. */
export const MAX_DEFAULT_BROWSER_WORKERS = 8;

function spawnBrowserWorker(index: number): SpawnedWorker {
  // Written as `new Worker(new URL(..., import.meta.url))` so Vite bundles the worker entry.
  const worker = new Worker(new URL('./job.worker.ts', import.meta.url), { type: 'module', name: `meshplan-job-${index}` });
  // Unlike a Node worker, a Web Worker survives an uncaught error, but the job it ran may never settle: treat it as
  // dead, stop it and let the pool start a fresh one.
  const latch = failureLatch(() => worker.terminate());
  const fail = latch.fail;
  worker.addEventListener('error', (e: ErrorEvent) => {
    e.preventDefault();
    fail(e.message ? `${e.message}${e.filename ? ` (${e.filename}:${e.lineno})` : ''}` : 'the worker failed (it could not load, or ran out of memory)');
  });
  worker.addEventListener('messageerror', () => fail('a message from the worker could not be read'));
  return {
    api: wrap<JobRunnerApi>(worker),
    terminate: latch.terminate,
    onFailure: latch.onFailure,
  };
}

export function createBrowserPool(options: PoolOptions = {}): JobPool {
  const cores = typeof navigator !== 'undefined' && navigator.hardwareConcurrency ? navigator.hardwareConcurrency : 4;
  const size = options.size ?? Math.max(1, Math.min(cores, MAX_DEFAULT_BROWSER_WORKERS));
  return createWorkerPool(spawnBrowserWorker, size, options);
}

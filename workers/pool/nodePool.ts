/**
 * Node worker pool (worker_threads), for the CLI, benchmarks and tests. Workers run TypeScript through tsx (see
 * nodeBootstrap.mjs). Idle workers are unref'd so that a finished CLI exits without terminating the pool; call
 * terminate() to free them at once.
 */
import { wrap } from 'comlink';
import { nodeEndpoint } from './nodeEndpoint.ts';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { JobRunnerApi } from './jobRunner.ts';
import type { NodeWorkerData } from './node.worker.ts';
import type { StartedNodeWorker } from './startBundleWorker.mjs';
import type { JobPool, PoolOptions } from './types.ts';
import { createWorkerPool, failureLatch, type SpawnedWorker } from './workerPool.ts';

export interface NodePoolOptions extends PoolOptions {
  /** URL of the registry module the workers load (default: ./registry.ts, the planner's jobs). */
  readonly registryUrl?: string | URL;
  /** V8 heap limit of each worker; exceeding it crashes (and replaces) that worker only. */
  readonly maxHeapBytes?: number;
  /** A bundle (bin/bundle.mjs) exporting servePoolWorker(): workers load it instead of the sources via tsx. */
  readonly bundleUrl?: string;
  /** A worker already started (startBundleWorker.mjs; bin/meshplan.mjs' ILP thread): the pool's first, unless it has
   * failed meanwhile. The pool starts any other, and any replacement, on `bundleUrl`. */
  readonly started?: StartedNodeWorker;
}

const BOOTSTRAP_URL = new URL('./nodeBootstrap.mjs', import.meta.url);
const BUNDLE_BOOTSTRAP_URL = new URL('./bundleBootstrap.mjs', import.meta.url);
const ENTRY_URL = new URL('./node.worker.ts', import.meta.url);
const DEFAULT_REGISTRY_URL = new URL('./registry.ts', import.meta.url);

function spawnNodeWorker(data: NodeWorkerData | { bundleUrl: string }, maxHeapBytes: number | undefined): SpawnedWorker {
  return poolWorker(new Worker('bundleUrl' in data ? BUNDLE_BOOTSTRAP_URL : BOOTSTRAP_URL, {
    workerData: data,
    resourceLimits: maxHeapBytes ? { maxOldGenerationSizeMb: Math.ceil(maxHeapBytes / 2 ** 20) } : undefined,
  }));
}

/** The pool's handle on a thread. */
function poolWorker(worker: Worker): SpawnedWorker {
  // A Node worker that fails has already stopped; terminate() on it is harmless.
  const latch = failureLatch(() => void worker.terminate());
  const fail = latch.fail;
  worker.on('error', (err: Error) => fail(`${err.name}: ${err.message}`));
  worker.on('exit', (code) => fail(`exited with code ${code}`));
  return {
    api: wrap<JobRunnerApi>(nodeEndpoint(worker)),
    terminate: latch.terminate,
    onFailure: latch.onFailure,
    setBusy: (busy) => (busy ? worker.ref() : worker.unref()),
  };
}

export function createNodePool(options: NodePoolOptions = {}): JobPool {
  const data = options.bundleUrl ? { bundleUrl: options.bundleUrl } : {
    entryUrl: ENTRY_URL.href,
    registryUrl: String(options.registryUrl ?? DEFAULT_REGISTRY_URL),
  } satisfies NodeWorkerData;
  const size = options.size ?? availableParallelism();
  let started = options.started;
  const takeStarted = (): StartedNodeWorker | undefined => {
    const early = started;
    started = undefined;
    return early;
  };
  const pool = createWorkerPool(() => {
    const early = takeStarted();
    if (early && early.failure() === undefined) return poolWorker(early.worker);
    void early?.worker.terminate();
    return spawnNodeWorker(data, options.maxHeapBytes);
  }, size, options);
  // A started worker the pool never ran a job on is the pool's to end too.
  return { ...pool, terminate: () => { void takeStarted()?.worker.terminate(); return pool.terminate(); } };
}

/**
 * A pool of workers that run named jobs on plain-data input: Node worker_threads (nodePool.ts) and browser Web
 * Workers (browserPool.ts) behind one interface. Jobs are looked up by name in a registry inside the worker
 * (registry.ts), so nothing but plain data crosses the thread boundary.
 */
import type { Progress } from '../core/plan/types.ts';

/** One job: the registry name of a function and its (structured-clonable) input. */
export interface JobRequest {
  readonly name: string;
  readonly input: unknown;
}

export type JobProgressCallback = (p: Progress) => void;

export interface JobPool {
  /** Runs `job` on the next free worker. Rejects with JobCancelledError when `signal` aborts (the worker running it
   * is terminated and replaced), WorkerCrashedError when the worker dies, or the job's own error. */
  run<T>(job: JobRequest, onProgress?: JobProgressCallback, signal?: AbortSignal): Promise<T>;
  /** Number of workers (jobs that run at once). */
  readonly size: number;
  /** Terminates every worker; queued and running jobs reject with PoolTerminatedError. */
  terminate(): Promise<void>;
}

/** Why a worker was replaced: told to the page so it can say so. */
export interface WorkerReplacedEvent {
  readonly workerIndex: number;
  readonly reason: 'cancelled' | 'crashed';
  readonly job?: string;
  readonly message: string;
}

export interface PoolOptions {
  /** Workers in the pool (default: the machine's parallelism). */
  readonly size?: number;
  /**
   * Jobs posted to one worker at once (default 1). More keep a worker busy while the thread that posts them is busy
   * itself (a posted job starts when the worker is free, not when the poster next looks at its messages); the worker
   * runs them one at a time in the order posted, and cancelling any of them ends the worker (the others are run again).
   */
  readonly jobsPerWorker?: number;
  readonly onWorkerReplaced?: (event: WorkerReplacedEvent) => void;
}

/** The job was cancelled through its AbortSignal. `name` is 'AbortError' like fetch's. */
export class JobCancelledError extends Error {
  constructor(readonly job: string) {
    super(`job '${job}' was cancelled`);
    this.name = 'AbortError';
  }
}

/** The worker running the job died (uncaught error, exit, out of memory); it has been replaced. */
export class WorkerCrashedError extends Error {
  constructor(readonly job: string, readonly workerIndex: number, readonly detail: string) {
    super(`worker ${workerIndex} crashed while running '${job}': ${detail}`);
    this.name = 'WorkerCrashedError';
  }
}

export class PoolTerminatedError extends Error {
  constructor(readonly job: string) {
    super(`job '${job}' did not finish: the worker pool was terminated`);
    this.name = 'PoolTerminatedError';
  }
}

/**
 * The object each pool worker exposes through comlink: it resolves a job name in a registry and runs it.
 * Progress is throttled here, inside the worker, so at most ~10 messages a second cross the thread boundary
 * (phase changes and the last step of a phase always pass).
 */
import { releaseProxy } from 'comlink';
import type { Progress } from '../core/plan/types.ts';
import type { JobProgressCallback } from './types.ts';

/** A job: plain-data input (and progress) in, plain-data result out. */
export type JobFunction = (input: any, onProgress?: JobProgressCallback) => unknown;

/** Job name -> loader; loaders import lazily so a worker pays only for the modules its jobs need. */
export type JobRegistry = Readonly<Record<string, () => Promise<JobFunction>>>;

export interface JobRunnerApi {
  run(name: string, input: unknown, onProgress?: JobProgressCallback): Promise<unknown>;
  names(): string[];
}

export const PROGRESS_INTERVAL_SECONDS = 0.1;

export function throttleProgress(onProgress: JobProgressCallback, now: () => number = () => performance.now()): JobProgressCallback {
  let lastMs = Number.NEGATIVE_INFINITY;
  let lastPhase: string | undefined;
  return (p: Progress) => {
    const t = now();
    if (p.phase !== lastPhase || p.done >= p.total || t - lastMs >= PROGRESS_INTERVAL_SECONDS * 1000) {
      lastMs = t;
      lastPhase = p.phase;
      // Through comlink the callback returns a promise; a progress message that cannot be delivered must not
      // become an unhandled rejection (which would kill a Node worker).
      const sent = onProgress(p) as unknown;
      if (sent instanceof Promise) sent.catch(() => undefined);
    }
  };
}

/** Frees the comlink port behind a proxied callback once the job is over (a no-op for plain functions). */
function release(callback: JobProgressCallback | undefined): void {
  const free = (callback as unknown as Record<symbol, unknown> | undefined)?.[releaseProxy];
  if (typeof free === 'function') free.call(callback);
}

/**
 * Runs the registry's jobs one at a time, in the order they arrive: a pool may post several to one worker
 * (PoolOptions.jobsPerWorker), and each starts when the one before it has settled, as if posted then.
 */
export function createJobRunner(registry: JobRegistry): JobRunnerApi {
  let previous: Promise<unknown> = Promise.resolve();
  const runOne = async (name: string, input: unknown, onProgress?: JobProgressCallback): Promise<unknown> => {
    const load = Object.prototype.hasOwnProperty.call(registry, name) ? registry[name] : undefined;
    if (!load) {
      release(onProgress);
      throw new Error(`unknown job '${name}' (known: ${Object.keys(registry).join(', ')})`);
    }
    try {
      const fn = await load();
      return await fn(input, onProgress ? throttleProgress(onProgress) : undefined);
    } finally {
      release(onProgress);
    }
  };
  return {
    run(name, input, onProgress) {
      const result = previous.then(() => runOne(name, input, onProgress));
      previous = result.catch(() => undefined);
      return result;
    },
    names: () => Object.keys(registry),
  };
}

/** A pool worker's side: exposes a job runner over the thread's parent port (node.worker.ts, bundleBootstrap.mjs). */
import { expose } from 'comlink';
import { parentPort } from 'node:worker_threads';
import { createJobRunner, type JobRegistry } from './jobRunner.ts';
import { nodeEndpoint } from './nodeEndpoint.ts';
import { createJobRegistry } from './registry.ts';

export function serveRegistry(registry: JobRegistry): void {
  if (!parentPort) throw new Error('a pool worker must run in a worker thread');
  expose(createJobRunner(registry), nodeEndpoint(parentPort));
}

/** The planner's jobs (registry.ts) in this worker thread. */
export function servePoolWorker(): void {
  serveRegistry(createJobRegistry());
}

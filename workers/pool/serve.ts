/** A Node pool worker's side: exposes a job runner over the thread's parent port (node.worker.ts, ilpThread.ts). */
import { expose } from 'comlink';
import { parentPort } from 'node:worker_threads';
import { createJobRunner, type JobRegistry } from './jobRunner.ts';
import { nodeEndpoint } from './nodeEndpoint.ts';

export function serveRegistry(registry: JobRegistry): void {
  if (!parentPort) throw new Error('a pool worker must run in a worker thread');
  expose(createJobRunner(registry), nodeEndpoint(parentPort));
}

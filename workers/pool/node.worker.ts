/**
 * Node pool worker: loads the job registry module named in workerData (the default registry, or a test one) and
 * exposes a job runner over the parent port with comlink.
 */
import { expose } from 'comlink';
import { nodeEndpoint } from './nodeEndpoint.ts';
import { parentPort, workerData } from 'node:worker_threads';
import { createJobRunner, type JobRegistry } from './jobRunner.ts';

export interface NodeWorkerData {
  readonly entryUrl: string;
  /** Module exporting `jobRegistry` (a JobRegistry) or a function `createJobRegistry()` returning one. */
  readonly registryUrl: string;
}

const data = workerData as NodeWorkerData;
const mod = (await import(data.registryUrl)) as { jobRegistry?: JobRegistry; createJobRegistry?: () => JobRegistry };
const registry = mod.jobRegistry ?? mod.createJobRegistry?.();
if (!registry) throw new Error(`${data.registryUrl} exports neither jobRegistry nor createJobRegistry()`);
if (!parentPort) throw new Error('node.worker.ts must run in a worker thread');
expose(createJobRunner(registry), nodeEndpoint(parentPort));

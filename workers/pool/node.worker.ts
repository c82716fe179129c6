/**
 * Node pool worker: loads the job registry module named in workerData (the default registry, or a test one) and
 * exposes a job runner over the parent port with comlink.
 */
import { workerData } from 'node:worker_threads';
import type { JobRegistry } from './jobRunner.ts';
import { serveRegistry } from './serve.ts';

export interface NodeWorkerData {
  readonly entryUrl: string;
  /** Module exporting a function `createJobRegistry()` returning a JobRegistry, or a `jobRegistry` constant. */
  readonly registryUrl: string;
}

const data = workerData as NodeWorkerData;
const mod = (await import(data.registryUrl)) as { jobRegistry?: JobRegistry; createJobRegistry?: () => JobRegistry };
// A factory is called once per worker: the registry's caches (its HiGHS solver) live as long as this thread.
const registry = mod.createJobRegistry?.() ?? mod.jobRegistry;
if (!registry) throw new Error(`${data.registryUrl} exports neither jobRegistry nor createJobRegistry()`);
serveRegistry(registry);

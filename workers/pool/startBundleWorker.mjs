// Starts a Node pool worker on a bundle ahead of its pool (bin/meshplan.mjs: the CLI's ILP thread, before the CLI is
// loaded), plain JavaScript so that bin/ runs it without a TypeScript loader. createNodePool({ started }) takes it.
import { Worker } from 'node:worker_threads';

const BOOTSTRAP_URL = new URL('./bundleBootstrap.mjs', import.meta.url);

/** A worker on `bundleUrl` (a module exporting servePoolWorker()), unref'd until a pool runs a job on it. */
export function startBundleWorker(bundleUrl) {
  const worker = new Worker(BOOTSTRAP_URL, { workerData: { bundleUrl } });
  // A command that never takes it exits without waiting for it.
  worker.unref();
  let failure;
  worker.on('error', (err) => { failure ??= `${err.name}: ${err.message}`; });
  worker.on('exit', (code) => { failure ??= `exited with code ${code}`; });
  return { worker, bundleUrl, failure: () => failure };
}

import type { Worker } from 'node:worker_threads';

/** A pool worker started before its pool (bundleBootstrap.mjs on `bundleUrl`), unref'd, with what ended it so far. */
export interface StartedNodeWorker {
  readonly worker: Worker;
  readonly bundleUrl: string;
  /** Why the thread failed or exited before a pool took it, if it did. */
  failure(): string | undefined;
}

export function startBundleWorker(bundleUrl: string): StartedNodeWorker;

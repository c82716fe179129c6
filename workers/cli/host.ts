/**
 * What the CLI knows of how it was started: the URL of the bundle it runs from (bin/meshplan.mjs sets it; absent when
 * the sources run through tsx), so that a worker thread can load the same bundle instead of the sources; and the ILP
 * thread bin/meshplan.mjs started before it loaded the CLI (pool/ilpThread.ts), for the first pool that solves ILPs.
 */
import type { StartedNodeWorker } from '../pool/startBundleWorker.mjs';

let bundle: string | undefined;
let ilpThread: StartedNodeWorker | undefined;

export function setBundleUrl(url: string | undefined): void {
  bundle = url;
}

export function bundleUrl(): string | undefined {
  return bundle;
}

export function setIlpThread(thread: StartedNodeWorker | undefined): void {
  ilpThread = thread;
}

/** The started ILP thread, once: its taker owns it (its pool terminates it). */
export function takeIlpThread(): StartedNodeWorker | undefined {
  const t = ilpThread;
  ilpThread = undefined;
  return t;
}

/** Ends a started ILP thread no command took (a baseline, a refused option, a failed model): the command is over. */
export function discardIlpThread(): void {
  void takeIlpThread()?.worker.terminate();
}

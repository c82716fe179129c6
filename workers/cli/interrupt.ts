/**
 * Ctrl-C during a search: the first SIGINT cancels it through the planner's cancel signal (core/progress.ts; the
 * search yields to the event loop at its cancellation points so the handler runs mid-search), the command ends with
 * Interrupted and `main` prints one line and exits 130; a second SIGINT exits at once.
 */
import type { CancelSignal } from '../core/progress.ts';

export class Interrupted extends Error {
  constructor() {
    super('interrupted (Ctrl-C); search cancelled');
  }
}

export const INTERRUPTED_EXIT = 130;

export interface SearchInterrupt {
  /** Pass to plan() / planPoint() / runLearn(). */
  readonly signal: CancelSignal;
  /** Resolves never; rejects with Interrupted on Ctrl-C (race work that does not take the signal against it). */
  readonly interrupted: Promise<never>;
  /** Removes the handler (Ctrl-C then ends the process as it does by default). */
  dispose(): void;
}

/** Most time between two turns of the event loop the search gives the handler, milliseconds. */
const YIELD_EVERY_MS = 20;

export function interruptOnSigint(): SearchInterrupt {
  const controller = new AbortController();
  let fail: (err: Interrupted) => void = () => {};
  const interrupted = new Promise<never>((_, reject) => { fail = reject; });
  interrupted.catch(() => undefined);
  const onSigint = (): void => {
    if (controller.signal.aborted) process.exit(INTERRUPTED_EXIT);
    const err = new Interrupted();
    controller.abort(err);
    fail(err);
  };
  process.on('SIGINT', onSigint);
  let last = Date.now();
  const signal: CancelSignal = {
    get aborted() { return controller.signal.aborted; },
    get reason() { return controller.signal.reason; },
    yieldToHost: () => {
      if (Date.now() - last < YIELD_EVERY_MS) return Promise.resolve();
      return new Promise((resolve) => setImmediate(() => { last = Date.now(); resolve(); }));
    },
  };
  return { signal, interrupted, dispose: () => { process.off('SIGINT', onSigint); } };
}

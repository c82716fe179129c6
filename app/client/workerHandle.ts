/**
 * One planner Web Worker behind comlink, replaceable: cancel terminates it (a running WASM solve cannot be
 * interrupted otherwise) and a crash replaces it. Every call in flight then settles at once with a typed error, so
 * the page never waits on a dead worker.
 */
import { wrap, type Remote } from 'comlink';

export class CancelledError extends Error {
  override name = 'CancelledError';
}

export class WorkerCrashError extends Error {
  override name = 'WorkerCrashError';
}

export interface WorkerHandle<Api> {
  /** Runs `call` on the worker; rejects with CancelledError / WorkerCrashError when the worker goes away first. */
  run<R extends Promise<unknown>>(call: (api: Remote<Api>) => R): Promise<Awaited<R>>;
  /** Terminates the worker (ending what it runs) and starts a fresh one for the next call. */
  cancel(): void;
  dispose(): void;
}

interface Live<Api> {
  readonly worker: Worker;
  readonly api: Remote<Api>;
}

export function createWorkerHandle<Api>(spawn: () => Worker, onCrash: (message: string) => void): WorkerHandle<Api> {
  let live: Live<Api> | undefined;
  const pending = new Set<(err: Error) => void>();

  const failAll = (err: Error): void => {
    for (const reject of [...pending]) reject(err);
    pending.clear();
  };

  const stop = (): void => {
    live?.worker.terminate();
    live = undefined;
  };

  const start = (): Live<Api> => {
    const worker = spawn();
    const me: Live<Api> = { worker, api: wrap<Api>(worker) };
    worker.addEventListener('error', (e: ErrorEvent) => {
      e.preventDefault();
      if (live !== me) return;
      const message = e.message || 'the worker stopped (it could not load or ran out of memory)';
      stop();
      failAll(new WorkerCrashError(message));
      onCrash(message);
    });
    worker.addEventListener('messageerror', () => {
      if (live !== me) return;
      stop();
      failAll(new WorkerCrashError('a message from the worker could not be read'));
      onCrash('a message from the worker could not be read');
    });
    return me;
  };

  return {
    run<R extends Promise<unknown>>(call: (api: Remote<Api>) => R): Promise<Awaited<R>> {
      live ??= start();
      const { api } = live;
      return new Promise<Awaited<R>>((resolve, reject) => {
        const settle = (err: Error): void => reject(err);
        pending.add(settle);
        call(api).then(
          (v) => { if (pending.delete(settle)) resolve(v as Awaited<R>); },
          (e: unknown) => { if (pending.delete(settle)) reject(e instanceof Error ? e : new Error(String(e))); },
        );
      });
    },
    cancel() {
      stop();
      failAll(new CancelledError('cancelled'));
      // Warm a fresh worker now so the next request does not pay its start-up.
      live = start();
    },
    dispose() {
      stop();
      failAll(new CancelledError('disposed'));
    },
  };
}

/**
 * The pool's scheduling, shared by the Node and browser pools: a FIFO queue, one job per worker at a time (or up to
 * `jobsPerWorker` posted ahead, which the worker runs in order: jobRunner.ts), cancellation by terminating the
 * worker, and replacement of workers that die. The platform part is `spawn`.
 */
import { proxy, type Remote } from 'comlink';
import type { JobRunnerApi } from './jobRunner.ts';
import {
  JobCancelledError, PoolTerminatedError, WorkerCrashedError,
  type JobPool, type JobProgressCallback, type JobRequest, type PoolOptions,
} from './types.ts';

/** A started worker as the pool sees it. */
export interface SpawnedWorker {
  readonly api: Remote<JobRunnerApi>;
  /** Stops the thread; no failure is reported for it afterwards. */
  terminate(): void;
  /** Called at most once, when the worker dies on its own (uncaught error, exit, out of memory). */
  onFailure(listener: (detail: string) => void): void;
  /** Busy workers keep a Node process alive, idle ones do not (a no-op in browsers). */
  setBusy?(busy: boolean): void;
}

/**
 * Failure reporting of one worker: `fail` tells the listeners once, unless the pool stopped the worker itself
 * (then the exit that follows is not a failure).
 */
export function failureLatch(terminateThread: () => void): {
  fail(detail: string): void;
  terminate(): void;
  onFailure(listener: (detail: string) => void): void;
} {
  let done = false;
  const listeners: ((detail: string) => void)[] = [];
  return {
    fail(detail) {
      if (done) return;
      done = true;
      terminateThread();
      for (const l of listeners) l(detail);
    },
    terminate() {
      done = true;
      terminateThread();
    },
    onFailure: (listener) => void listeners.push(listener),
  };
}

interface PendingJob {
  readonly job: JobRequest;
  readonly onProgress?: JobProgressCallback;
  readonly signal?: AbortSignal;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
  detachAbort?: () => void;
}

interface Slot {
  readonly index: number;
  /** null between a cancel or crash and the start of its replacement. */
  worker: SpawnedWorker | null;
  /** Jobs posted to the worker, in the order it runs them: the first is running, the rest wait there. */
  posted: PendingJob[];
}

export function createWorkerPool(spawn: (index: number) => SpawnedWorker, size: number, options: PoolOptions = {}): JobPool {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`worker pool size must be a positive integer, got ${size}`);
  const perWorker = options.jobsPerWorker ?? 1;
  if (!(perWorker >= 1)) throw new RangeError(`jobs per worker must be at least 1, got ${perWorker}`);
  const queue: PendingJob[] = [];
  const slots: Slot[] = [];
  let terminated = false;

  const settle = (pending: PendingJob): void => {
    pending.detachAbort?.();
  };

  function startWorker(slot: Slot): SpawnedWorker {
    const worker = spawn(slot.index);
    worker.setBusy?.(false);
    worker.onFailure((detail) => {
      if (terminated || slot.worker !== worker) return;
      // The worker runs its posted jobs in order: the first was running; the others go back to the queue's front.
      const [job, ...waiting] = slot.posted;
      slot.posted = [];
      slot.worker = null;
      queue.unshift(...waiting);
      options.onWorkerReplaced?.({ workerIndex: slot.index, reason: 'crashed', job: job?.job.name, message: detail });
      if (job) {
        settle(job);
        job.reject(new WorkerCrashedError(job.job.name, slot.index, detail));
      }
      replaceSoon(slot);
    });
    return worker;
  }

  /**
   * Starts the replacement of a cancelled or crashed worker after the current task, so that the rejection reaches
   * the caller first (starting a worker takes tens of milliseconds), and keeps it warm for the next job.
   */
  function replaceSoon(slot: Slot): void {
    setTimeout(() => {
      if (terminated) return;
      slot.worker ??= startWorker(slot);
      dispatch();
    }, 0);
  }

  function cancel(pending: PendingJob): void {
    const queued = queue.indexOf(pending);
    if (queued >= 0) {
      queue.splice(queued, 1);
    } else {
      const slot = slots.find((s) => s.posted.includes(pending));
      if (!slot) return; // already settled
      // A running job (a WASM solve in particular) cannot be interrupted from outside, nor a posted one taken back:
      // end the thread; the other jobs posted to it go back to the queue's front, in their order.
      queue.unshift(...slot.posted.filter((p) => p !== pending));
      slot.posted = [];
      slot.worker?.terminate();
      slot.worker = null;
      options.onWorkerReplaced?.({ workerIndex: slot.index, reason: 'cancelled', job: pending.job.name, message: 'job cancelled' });
      replaceSoon(slot);
    }
    settle(pending);
    pending.reject(new JobCancelledError(pending.job.name));
  }

  function runOn(slot: Slot, pending: PendingJob): void {
    slot.posted.push(pending);
    const worker = (slot.worker ??= startWorker(slot));
    worker.setBusy?.(true);
    // Progress comes through its own MessagePort, not ordered with the result's: a job's last report can arrive after
    // the job settled (or was cancelled). Callers are told nothing about a job once it is over.
    const onProgress = pending.onProgress;
    const progress = onProgress ? proxy((p: Parameters<JobProgressCallback>[0]) => { if (slot.posted[0] === pending) onProgress(p); }) : undefined;
    worker.api.run(pending.job.name, pending.job.input, progress).then(
      (value) => finish(slot, worker, pending, () => pending.resolve(value)),
      (error: unknown) => finish(slot, worker, pending, () => pending.reject(error)),
    );
  }

  function finish(slot: Slot, worker: SpawnedWorker, pending: PendingJob, complete: () => void): void {
    const at = slot.posted.indexOf(pending);
    if (at < 0 || slot.worker !== worker) return; // cancelled or crashed meanwhile
    slot.posted.splice(at, 1);
    if (slot.posted.length === 0) worker.setBusy?.(false);
    settle(pending);
    complete();
    dispatch();
  }

  function dispatch(): void {
    if (terminated) return;
    while (queue.length > 0) {
      // An idle worker first, then a new one, then the one with the fewest jobs posted (below jobsPerWorker).
      let slot = slots.find((s) => s.posted.length === 0);
      if (!slot && slots.length < size) {
        slot = { index: slots.length, worker: null, posted: [] };
        slots.push(slot);
      }
      slot ??= slots.reduce((a, b) => (b.posted.length < a.posted.length ? b : a));
      if (slot.posted.length >= perWorker) return;
      runOn(slot, queue.shift()!);
    }
  }

  return {
    size,
    run<T>(job: JobRequest, onProgress?: JobProgressCallback, signal?: AbortSignal): Promise<T> {
      if (terminated) return Promise.reject(new PoolTerminatedError(job.name));
      if (signal?.aborted) return Promise.reject(new JobCancelledError(job.name));
      return new Promise<T>((resolve, reject) => {
        const pending: PendingJob = { job, onProgress, signal, resolve: resolve as (v: unknown) => void, reject };
        if (signal) {
          const onAbort = (): void => cancel(pending);
          signal.addEventListener('abort', onAbort, { once: true });
          pending.detachAbort = () => signal.removeEventListener('abort', onAbort);
        }
        queue.push(pending);
        dispatch();
      });
    },
    async terminate(): Promise<void> {
      if (terminated) return;
      terminated = true;
      const dropped = [...queue.splice(0), ...slots.flatMap((s) => s.posted)];
      for (const s of slots) {
        s.posted = [];
        s.worker?.terminate();
      }
      for (const p of dropped) {
        settle(p);
        p.reject(new PoolTerminatedError(p.job.name));
      }
    },
  };
}

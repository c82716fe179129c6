/**
 * The browser pool against a stand-in for `Worker` (Node has none): each fake runs the fixture registry in this
 * thread behind a MessageChannel, as comlink sees a real worker, and can fire the 'error' event a real one fires.
 */
import { expose } from 'comlink';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createBrowserPool } from './browserPool.ts';
import { jobRegistry } from './fixtureJobs.ts';
import { createJobRunner } from './jobRunner.ts';
import { JobCancelledError, WorkerCrashedError, type WorkerReplacedEvent } from './types.ts';

class FakeWorker extends EventTarget {
  static started: FakeWorker[] = [];
  readonly port: MessagePort;
  terminated = false;
  constructor(readonly url: URL, readonly options: WorkerOptions) {
    super();
    const channel = new MessageChannel();
    expose(createJobRunner(jobRegistry), channel.port2);
    channel.port1.start();
    this.port = channel.port1;
    FakeWorker.started.push(this);
  }
  postMessage(message: unknown, transfer: Transferable[] = []): void {
    this.port.postMessage(message, transfer);
  }
  override addEventListener(type: string, listener: EventListenerOrEventListenerObject | null): void {
    if (type === 'message') this.port.addEventListener('message', listener as EventListener);
    else super.addEventListener(type, listener);
  }
  override removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null): void {
    if (type === 'message') this.port.removeEventListener('message', listener as EventListener);
    else super.removeEventListener(type, listener);
  }
  terminate(): void {
    this.terminated = true;
    this.port.close();
  }
  /** What the browser does on an uncaught error in the worker (or when it cannot load it). */
  fireError(message: string): void {
    this.dispatchEvent(Object.assign(new Event('error', { cancelable: true }), { message, filename: 'job.worker.js', lineno: 7 }));
  }
}

afterEach(() => {
  vi.unstubAllGlobals();
  FakeWorker.started = [];
});

describe('browser worker pool', () => {
  it('starts module workers on job.worker.ts and runs jobs with progress', async () => {
    vi.stubGlobal('Worker', FakeWorker);
    const pool = createBrowserPool({ size: 2 });
    const seen: number[] = [];
    const sum = await pool.run<number>({ name: 'sumWithProgress', input: { n: 10, steps: 2, stepMs: 0 } }, (p) => seen.push(p.done));
    expect(sum).toBe(55);
    expect(FakeWorker.started).toHaveLength(1);
    expect(FakeWorker.started[0].url.pathname).toMatch(/workers\/pool\/job\.worker\.ts$/);
    expect(FakeWorker.started[0].options).toEqual({ type: 'module', name: 'meshplan-job-0' });
    await new Promise((r) => setTimeout(r, 10));
    expect(seen).toEqual([1, 2]);
    await pool.terminate();
    expect(FakeWorker.started[0].terminated).toBe(true);
  });

  it('cancels by terminating the worker and replaces it', async () => {
    vi.stubGlobal('Worker', FakeWorker);
    const replaced: WorkerReplacedEvent[] = [];
    const pool = createBrowserPool({ size: 1, onWorkerReplaced: (e) => replaced.push(e) });
    const ac = new AbortController();
    const hanging = pool.run({ name: 'hang', input: null }, undefined, ac.signal);
    await new Promise((r) => setTimeout(r, 10));
    ac.abort();
    await expect(hanging).rejects.toBeInstanceOf(JobCancelledError);
    expect(FakeWorker.started[0].terminated).toBe(true);
    expect(replaced).toEqual([{ workerIndex: 0, reason: 'cancelled', job: 'hang', message: 'job cancelled' }]);
    await expect(pool.run({ name: 'echo', input: 'next' })).resolves.toBe('next');
    expect(FakeWorker.started).toHaveLength(2);
    await pool.terminate();
  });

  it('treats an error event as a crash: stops the worker, rejects its job with the message, starts another', async () => {
    vi.stubGlobal('Worker', FakeWorker);
    const replaced: WorkerReplacedEvent[] = [];
    const pool = createBrowserPool({ size: 1, onWorkerReplaced: (e) => replaced.push(e) });
    const hanging = pool.run({ name: 'hang', input: null });
    await new Promise((r) => setTimeout(r, 10));
    FakeWorker.started[0].fireError('RangeError: Array buffer allocation failed');
    await expect(hanging).rejects.toBeInstanceOf(WorkerCrashedError);
    await expect(hanging).rejects.toThrow("worker 0 crashed while running 'hang': RangeError: Array buffer allocation failed (job.worker.js:7)");
    expect(FakeWorker.started[0].terminated).toBe(true);
    expect(replaced.map((e) => e.reason)).toEqual(['crashed']);
    await expect(pool.run({ name: 'echo', input: 3 })).resolves.toBe(3);
    await pool.terminate();
  });
});

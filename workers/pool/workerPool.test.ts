/**
 * The shared scheduling against a hand-driven worker: what it tells the caller when a job's progress arrives after
 * the job's result (a real worker's progress comes through its own MessagePort, not ordered with the result's).
 */
import { describe, expect, it } from 'vitest';
import type { Progress } from '../core/plan/types.ts';
import type { JobRunnerApi } from './jobRunner.ts';
import { JobCancelledError, type JobProgressCallback } from './types.ts';
import { createWorkerPool, type SpawnedWorker } from './workerPool.ts';

interface Running {
  readonly report: JobProgressCallback;
  readonly finish: (value: unknown) => void;
}

function handDriven(): { spawn: () => SpawnedWorker; running: Running[] } {
  const running: Running[] = [];
  const spawn = (): SpawnedWorker => ({
    api: {
      run: (_name: string, _input: unknown, onProgress?: JobProgressCallback) =>
        new Promise((resolve) => running.push({ report: (p) => onProgress!(p), finish: resolve })),
    } as unknown as SpawnedWorker['api'] & JobRunnerApi,
    terminate: () => undefined,
    onFailure: () => undefined,
  });
  return { spawn, running };
}

const step = (done: number): Progress => ({ phase: 'baseline seeds', done, total: 2 });

describe('worker pool progress', () => {
  it('passes progress while the job runs and drops what arrives after its result', async () => {
    const { spawn, running } = handDriven();
    const pool = createWorkerPool(spawn, 1);
    const seen: number[] = [];
    const result = pool.run<string>({ name: 'job', input: null }, (p) => seen.push(p.done));
    running[0].report(step(1));
    running[0].finish('plan');
    expect(await result).toBe('plan');
    running[0].report(step(2)); // the late message
    expect(seen).toEqual([1]);
  });

  it('drops progress of a cancelled job', async () => {
    const { spawn, running } = handDriven();
    const pool = createWorkerPool(spawn, 1);
    const seen: number[] = [];
    const ctl = new AbortController();
    const result = pool.run({ name: 'job', input: null }, (p) => seen.push(p.done), ctl.signal);
    running[0].report(step(1));
    ctl.abort();
    await expect(result).rejects.toBeInstanceOf(JobCancelledError);
    running[0].report(step(2));
    expect(seen).toEqual([1]);
  });
});

/** A hand-driven worker per spawn, each recording the jobs posted to it (by input) and whether it was terminated. */
function postedTo(): { spawn: () => SpawnedWorker; workers: { posted: unknown[]; finish: ((v: unknown) => void)[]; ended: boolean; crash?: (d: string) => void }[] } {
  const workers: { posted: unknown[]; finish: ((v: unknown) => void)[]; ended: boolean; crash?: (d: string) => void }[] = [];
  const spawn = (): SpawnedWorker => {
    const w: (typeof workers)[number] = { posted: [], finish: [], ended: false };
    workers.push(w);
    return {
      api: {
        run: (_name: string, input: unknown) => new Promise((resolve) => { w.posted.push(input); w.finish.push(resolve); }),
      } as unknown as SpawnedWorker['api'] & JobRunnerApi,
      terminate: () => { w.ended = true; },
      onFailure: (listener) => { w.crash = listener; },
    };
  };
  return { spawn, workers };
}

const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

describe('worker pool: several jobs posted to one worker (jobsPerWorker)', () => {
  it('posts up to jobsPerWorker jobs at once, in order, and the next as each settles', async () => {
    const { spawn, workers } = postedTo();
    const pool = createWorkerPool(spawn, 1, { jobsPerWorker: 3 });
    const results = [1, 2, 3, 4, 5].map((k) => pool.run<string>({ name: 'job', input: k }));
    expect(workers).toHaveLength(1);
    expect(workers[0].posted).toEqual([1, 2, 3]);
    workers[0].finish[0]('one');
    expect(await results[0]).toBe('one');
    expect(workers[0].posted).toEqual([1, 2, 3, 4]);
    const plain = postedTo();
    const single = createWorkerPool(plain.spawn, 1);
    void single.run({ name: 'job', input: 1 });
    void single.run({ name: 'job', input: 2 });
    expect(plain.workers[0].posted).toEqual([1]); // the default: one job at a time
  });

  it('cancelling a posted job ends its worker and posts the others again to the replacement, in order', async () => {
    const { spawn, workers } = postedTo();
    const pool = createWorkerPool(spawn, 1, { jobsPerWorker: 4 });
    const ctl = new AbortController();
    const results = [1, 2, 3].map((k) => pool.run<string>({ name: 'job', input: k }, undefined, k === 2 ? ctl.signal : undefined));
    ctl.abort();
    await expect(results[1]).rejects.toBeInstanceOf(JobCancelledError);
    expect(workers[0].ended).toBe(true);
    await tick();
    expect(workers[1].posted).toEqual([1, 3]);
    workers[1].finish[0]('a');
    workers[1].finish[1]('c');
    expect(await Promise.all([results[0], results[2]])).toEqual(['a', 'c']);
  });

  it('a crash fails the job the worker was running (the first posted) and runs the rest on the replacement', async () => {
    const { spawn, workers } = postedTo();
    const pool = createWorkerPool(spawn, 1, { jobsPerWorker: 4 });
    const results = [1, 2, 3].map((k) => pool.run<string>({ name: 'job', input: k }));
    workers[0].crash!('boom');
    await expect(results[0]).rejects.toThrow(/crashed while running 'job': boom/);
    await tick();
    expect(workers[1].posted).toEqual([2, 3]);
    workers[1].finish[0]('b');
    expect(await results[1]).toBe('b');
  });

  it('refuses fewer than one job per worker', () => {
    expect(() => createWorkerPool(postedTo().spawn, 1, { jobsPerWorker: 0 })).toThrow('jobs per worker must be at least 1, got 0');
  });
});

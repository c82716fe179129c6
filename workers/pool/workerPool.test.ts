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

import { afterAll, describe, expect, it } from 'vitest';
import type { Progress } from '../core/plan/types.ts';
import { parseClusterSpec } from '../core/cluster/spec.ts';
import { zooModel } from '../core/zoo/index.ts';
import { poolIntraFn } from './intraJob.ts';
import { createNodePool } from './nodePool.ts';
import { startBundleWorker } from './startBundleWorker.mjs';
import { JobCancelledError, PoolTerminatedError, WorkerCrashedError, type WorkerReplacedEvent } from './types.ts';

const FIXTURES = new URL('./fixtureJobs.ts', import.meta.url);

describe('Node worker pool', () => {
  const replaced: WorkerReplacedEvent[] = [];
  const pool = createNodePool({ size: 2, registryUrl: FIXTURES, maxHeapBytes: 64 * 2 ** 20, onWorkerReplaced: (e) => replaced.push(e) });
  afterAll(() => pool.terminate());

  it('runs jobs by name on plain data', async () => {
    expect(pool.size).toBe(2);
    await expect(pool.run({ name: 'echo', input: { shape: [2, 3], name: 'x' } })).resolves.toEqual({ shape: [2, 3], name: 'x' });
  });

  it('runs size jobs at once', async () => {
    await Promise.all([0, 1].map((k) => pool.run({ name: 'echo', input: k }))); // both workers started
    const [a, b] = await Promise.all([0, 1].map(() => pool.run<[number, number]>({ name: 'timed', input: { ms: 300 } })));
    expect(Math.max(a[0], b[0])).toBeLessThan(Math.min(a[1], b[1])); // the two runs overlap in time
  });

  it('forwards progress, throttled to about 10 a second, always with the last step', async () => {
    const seen: Progress[] = [];
    const sum = await pool.run<number>({ name: 'sumWithProgress', input: { n: 1000, steps: 20, stepMs: 20 } }, (p) => seen.push(p));
    expect(sum).toBe(500500);
    await new Promise((r) => setTimeout(r, 20)); // the last progress message may trail the result
    expect(seen[0]).toEqual({ phase: 'summing', done: 1, total: 20 });
    expect(seen[seen.length - 1]).toEqual({ phase: 'summing', done: 20, total: 20 });
    expect(seen.length).toBeGreaterThanOrEqual(3);
    expect(seen.length).toBeLessThanOrEqual(8); // 20 steps over ~400 ms
  });

  it('passes a job\'s own error through and keeps the worker', async () => {
    const before = replaced.length;
    await expect(pool.run({ name: 'fail', input: { message: 'stage 3 has no layers' } })).rejects.toThrow('stage 3 has no layers');
    await expect(pool.run({ name: 'echo', input: { f: () => 1 } })).rejects.toThrow(/could not be cloned/);
    await expect(pool.run({ name: 'nope', input: null })).rejects.toThrow(/unknown job 'nope' \(known: echo, sumWithProgress/);
    expect(replaced.length).toBe(before);
  });

  it('cancels a blocked job by terminating its worker, within a fraction of a second, and keeps working', async () => {
    const ac = new AbortController();
    const t0 = performance.now();
    const running = pool.run({ name: 'block', input: { ms: 10_000 } }, undefined, ac.signal);
    setTimeout(() => ac.abort(), 200);
    await expect(running).rejects.toBeInstanceOf(JobCancelledError);
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(replaced.at(-1)).toMatchObject({ reason: 'cancelled', job: 'block' });
    await expect(pool.run({ name: 'echo', input: 'next' })).resolves.toBe('next');
  });

  it('cancels a queued job without touching the workers', async () => {
    const ac = new AbortController();
    const before = replaced.length;
    const busy = [pool.run({ name: 'block', input: { ms: 300 } }), pool.run({ name: 'block', input: { ms: 300 } })];
    const queued = pool.run({ name: 'echo', input: 1 }, undefined, ac.signal);
    ac.abort();
    await expect(queued).rejects.toThrow("job 'echo' was cancelled");
    await Promise.all(busy);
    expect(replaced.length).toBe(before);
    const aborted = new AbortController();
    aborted.abort();
    await expect(pool.run({ name: 'echo', input: 1 }, undefined, aborted.signal)).rejects.toBeInstanceOf(JobCancelledError);
  });

  it('replaces a worker that crashes and surfaces the error', async () => {
    const crash = pool.run({ name: 'crash', input: null });
    await expect(crash).rejects.toBeInstanceOf(WorkerCrashedError);
    await expect(crash).rejects.toThrow(/crashed while running 'crash': Error: boom outside the job/);
    await expect(pool.run({ name: 'exit', input: null })).rejects.toThrow(/exited with code 7/);
    expect(replaced.slice(-2).map((e) => [e.reason, e.job])).toEqual([['crashed', 'crash'], ['crashed', 'exit']]);
    await expect(pool.run({ name: 'echo', input: 'still here' })).resolves.toBe('still here');
  });

  it('replaces a worker that runs out of memory', async () => {
    await expect(pool.run({ name: 'exhaustMemory', input: null })).rejects.toThrow(/crashed while running 'exhaustMemory'.*(memory|heap)/i);
    await expect(pool.run({ name: 'echo', input: 2 })).resolves.toBe(2);
  });

  it('runs the planner registry by default (schedule simulation in a worker)', async () => {
    const planner = createNodePool({ size: 1 });
    try {
      const r = await planner.run<{ stepSeconds: number; peakInFlight: number[] }>({
        name: 'simulateSchedule',
        input: { schedule: '1f1b', microbatches: 8, stages: [0, 1, 2, 3].map(() => ({ forwardSeconds: 1, backwardSeconds: 2, sendSeconds: 0, gradientSyncSeconds: 0 })) },
      });
      expect(r.stepSeconds).toBe(33);
      expect(r.peakInFlight).toEqual([4, 3, 2, 1]);
    } finally {
      await planner.terminate();
    }
  });

  it('rejects queued and running jobs when terminated', async () => {
    const own = createNodePool({ size: 1, registryUrl: FIXTURES });
    const running = own.run({ name: 'block', input: { ms: 5000 } });
    const queued = own.run({ name: 'echo', input: 1 });
    await new Promise((r) => setTimeout(r, 50));
    await own.terminate();
    await expect(running).rejects.toBeInstanceOf(PoolTerminatedError);
    await expect(queued).rejects.toThrow("job 'echo' did not finish: the worker pool was terminated");
    await expect(own.run({ name: 'echo', input: 1 })).rejects.toBeInstanceOf(PoolTerminatedError);
  });
});

describe('Node worker pool: several jobs posted to one worker', () => {
  it('runs the posted jobs in order while the posting thread is busy', async () => {
    const pool = createNodePool({ size: 1, registryUrl: FIXTURES, jobsPerWorker: 3 });
    try {
      await pool.run({ name: 'echo', input: 0 }); // started
      const jobs = [0, 1, 2].map(() => pool.run<[number, number]>({ name: 'timed', input: { ms: 100 } }));
      const end = Date.now() + 1000;
      while (Date.now() < end) { /* this thread busy: it reads no message from the worker meanwhile */ }
      const ran = await Promise.all(jobs);
      for (let k = 1; k < 3; k++) expect(ran[k][0]).toBeGreaterThanOrEqual(ran[k - 1][1]); // one at a time, in order
      expect(ran[2][1]).toBeLessThanOrEqual(end); // all three ran during the busy second
    } finally {
      await pool.terminate();
    }
  });
});

/** The CLI's ILP thread's bundle (pool/ilpThread.ts), as bin/meshplan.mjs builds it. */
async function ilpBundle(): Promise<string> {
  const bundle = '../../bin/bundle.mjs';
  const { bundledModule } = (await import(bundle)) as { bundledModule: (entry: URL) => Promise<string | undefined> };
  const url = await bundledModule(new URL('./ilpThread.ts', import.meta.url));
  if (!url) throw new Error('the ILP thread bundle could not be built');
  return url;
}

describe('a pool worker started before its pool (the CLI\'s ILP thread)', () => {
  const graph = zooModel('gpt-tiny');
  const input = {
    graph, opIds: graph.ops.filter((o) => o.path.includes('h.0')).map((o) => o.id), cluster: parseClusterSpec('p3.16xlarge:1x2'),
    submesh: { nodeStart: 0, nodes: 1, gpuStart: 0, gpusPerNode: 2 }, meshShape: [1, 2] as [number, number],
    mode: 'train' as const, precision: 'fp16-mixed' as const, timeLimitSeconds: 10,
  };
  const exit = (w: { worker: import('node:worker_threads').Worker }): Promise<number> => new Promise((r) => w.worker.once('exit', r));

  it('is the pool\'s first worker: it solves the intra-op jobs and ends with the pool', async () => {
    const url = await ilpBundle();
    const started = startBundleWorker(url);
    let messages = 0;
    started.worker.on('message', () => messages++);
    const exited = exit(started);
    const pool = createNodePool({ size: 1, bundleUrl: url, started, jobsPerWorker: 4 });
    const plans = await Promise.all([[1, 2], [2, 1]].map((m) => poolIntraFn(pool)({ ...input, meshShape: m as [number, number] })));
    expect(plans.map((p) => [p.status, p.meshShape])).toEqual([['optimal', [1, 2]], ['optimal', [2, 1]]]);
    expect(messages).toBeGreaterThanOrEqual(2); // the answers came from the started thread
    await pool.terminate();
    expect(await exited).toBe(1); // terminated
  });

  it('is replaced by a fresh worker when it failed before the pool took it', async () => {
    const url = await ilpBundle();
    const broken = startBundleWorker('file:///nonexistent/meshplan-bundle.mjs');
    await exit(broken);
    expect(broken.failure()).toMatch(/Cannot find module|ERR_MODULE_NOT_FOUND|exited/);
    const pool = createNodePool({ size: 1, bundleUrl: url, started: broken });
    try {
      expect((await poolIntraFn(pool)(input)).status).toBe('optimal');
    } finally {
      await pool.terminate();
    }
  });

  it('ends with a pool that never ran a job', async () => {
    const url = await ilpBundle();
    const started = startBundleWorker(url);
    const exited = exit(started);
    await createNodePool({ size: 1, bundleUrl: url, started }).terminate();
    const later = new Promise((r) => setTimeout(() => r('still running'), 5000));
    expect(await Promise.race([exited.then(() => 'exited'), later])).toBe('exited');
  });
});

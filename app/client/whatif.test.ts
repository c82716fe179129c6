import { describe, expect, it } from 'vitest';
import { JobCancelledError, type JobPool, type JobProgressCallback, type JobRequest } from '../../workers/pool/types.ts';
import { addNode } from '../cluster/edit.ts';
import { defaultScenario } from '../persist.ts';
import { createAppStore } from '../store/store.ts';
import { createWhatIfActions } from './whatif.ts';
import type { ModelGraph } from '../../workers/core/ir/types.ts';
import type { GraphSummary } from '../../workers/core/ir/inspect.ts';
import type { PointJobInput } from '../../workers/pool/whatifJobs.ts';
import type { ModelSource } from '../scenario.ts';

interface Pending { job: JobRequest; progress?: JobProgressCallback; signal?: AbortSignal; resolve(v: unknown): void }

/** A pool whose jobs settle when the test says; abort rejects at once, as the real pool does. */
function fakePool() {
  const pending: Pending[] = [];
  const pool: JobPool = {
    size: 2,
    run<T>(job: JobRequest, progress?: JobProgressCallback, signal?: AbortSignal): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        const p: Pending = { job, progress, signal, resolve: resolve as (v: unknown) => void };
        pending.push(p);
        signal?.addEventListener('abort', () => reject(new JobCancelledError(job.name)), { once: true });
      });
    },
    terminate: async () => undefined,
  };
  return { pool, pending };
}

const tick = () => new Promise((r) => setTimeout(r, 0));
const summary = (step: number) => ({ stepSeconds: { value: step, unit: 's', formula: 'sum', terms: [] } });

describe('what-if actions', () => {
  it('plan each column as a pool job with its own progress; a cancelled column ignores its late answer', async () => {
    const store = createAppStore(defaultScenario(), 'light');
    const { pool, pending } = fakePool();
    const w = createWhatIfActions(store, pool, { plan: async () => undefined, loadSource: async () => false });
    w.addScenario();
    w.addScenario();
    const [a, b] = store.getState().columns.map((c) => c.id);
    expect(pending.map((p) => p.job.name)).toEqual(['compareColumn', 'compareColumn']);
    expect((pending[0].job.input as { model: unknown }).model).toEqual({ kind: 'zoo', name: 'gpt-2.6B' });
    pending[0].progress!({ phase: 'stage costs', done: 2, total: 9 });
    pending[0].progress!({ phase: 'stage costs', done: 3, total: 9 });
    // Progress is coalesced: the latest arrives within one interval (250 ms).
    await new Promise((r) => setTimeout(r, 300));
    expect(store.getState().columnRuns[a]).toMatchObject({ kind: 'running', phase: 'stage costs', done: 3, total: 9 });
    w.cancelColumn(b);
    expect(pending[1].signal!.aborted).toBe(true);
    pending[1].resolve({ ok: true, plan: { model: 'gpt-2.6B' }, alternatives: [], summary: summary(2) });
    pending[0].resolve({ ok: true, plan: { model: 'gpt-2.6B' }, alternatives: [], summary: summary(1) });
    await tick();
    expect(store.getState().columnRuns[a]).toMatchObject({ kind: 'done', result: { summary: summary(1) } });
    expect(store.getState().columnRuns[b]?.kind).toBe('cancelled');
  });

  it('diff a column against the first: inputs at once, the rest in the pool once both plans are in', async () => {
    const store = createAppStore(defaultScenario(), 'light');
    const { pool, pending } = fakePool();
    const w = createWhatIfActions(store, pool, { plan: async () => undefined, loadSource: async () => false });
    w.addScenario();
    w.addScenario();
    const [a, b] = store.getState().columns.map((c) => c.id);
    store.getState().editColumn(b, (c) => ({ ...c, scenario: { ...c.scenario, cluster: addNode(c.scenario.cluster) } }));
    w.planColumn(b);
    expect(store.getState().columnDiffs[b].inputs).toEqual([{ field: 'nodes', base: '1', other: '2' }]);
    const plan = { model: 'gpt-2.6B', stages: [] };
    pending[0].resolve({ ok: true, plan, alternatives: [], summary: summary(1) });
    pending[2].resolve({ ok: true, plan, alternatives: [], summary: summary(1) });
    await tick();
    const diff = pending.find((p) => p.job.name === 'diffScenarios');
    expect(diff?.job.input).toMatchObject({ base: { input: { model: 'gpt-2.6B' } }, other: { input: { cluster: { name: 'p3.16xlarge:2x8' } } } });
    expect(store.getState().columnRuns[a]?.kind).toBe('done');
  });

  it('name a bad sweep value in Errors and plan nothing; a good sweep runs a job per point, and cancel aborts them all', async () => {
    const store = createAppStore(defaultScenario(), 'light');
    const { pool, pending } = fakePool();
    const w = createWhatIfActions(store, pool, { plan: async () => undefined, loadSource: async () => false });
    store.getState().setSweepSetup({ variable: 'nodes', valuesText: '1,0,4' });
    w.runSweep();
    expect(store.getState().errors.map((e) => e.message)).toEqual(['nodes=0: a cluster needs at least 1 node']);
    expect(pending).toHaveLength(0);
    store.getState().setSweepSetup({ valuesText: '1,2,4' });
    w.runSweep();
    expect(pending.map((p) => (p.job.input as { value: number }).value)).toEqual([1, 2, 4]);
    pending[0].resolve({ ok: true, value: 1, point: { cluster: 'c', gpus: 8, series: [] } });
    await tick();
    expect(store.getState().sweep?.points.map((p) => p.kind)).toEqual(['done', 'queued', 'queued']);
    w.cancelSweep();
    expect(pending.slice(1).every((p) => p.signal!.aborted)).toBe(true);
    await tick();
    expect(store.getState().sweep?.state).toBe('cancelled');
    expect(store.getState().sweep?.points.map((p) => p.kind)).toEqual(['done', 'queued', 'queued']);
  });

  it('post a loaded graph to every point as the same JSON bytes, encoded once for the model', async () => {
    const store = createAppStore(defaultScenario(), 'light');
    const graph = { name: 'my-net', ops: [{ id: 'a' }], seq: 128 } as unknown as ModelGraph;
    store.getState().setModel({ kind: 'file', name: 'my-net.onnx' }, graph, {} as GraphSummary, []);
    const { pool, pending } = fakePool();
    const w = createWhatIfActions(store, pool, { plan: async () => undefined, loadSource: async () => false });
    store.getState().setSweepSetup({ variable: 'nodes', valuesText: '1,2' });
    w.runSweep();
    const posted = pending.map((p) => (p.job.input as PointJobInput).model);
    expect(posted).toHaveLength(2);
    expect(posted[0]).toBe(posted[1]);
    if (posted[0].kind !== 'json') throw new Error(`posted a ${posted[0].kind} model`);
    expect(JSON.parse(new TextDecoder().decode(posted[0].bytes))).toEqual(graph);
  });

  it('open a point of a sequence-length sweep: the Model panel loads the zoo model at that seq, then the point\'s plan (from its bytes) shows', async () => {
    const store = createAppStore(defaultScenario(), 'light');
    store.getState().setModel({ kind: 'zoo', name: 'gpt-2.6B' }, { name: 'gpt-2.6B', seq: 1024 } as unknown as ModelGraph, {} as GraphSummary, []);
    const loaded: ModelSource[] = [];
    const loadSource = async (source: ModelSource) => {
      loaded.push(source);
      store.getState().setModel(source, { name: 'gpt-2.6B', seq: source.kind === 'zoo' ? source.seq : undefined } as unknown as ModelGraph, {} as GraphSummary, []);
      return true;
    };
    const { pool, pending } = fakePool();
    const w = createWhatIfActions(store, pool, { plan: async () => undefined, loadSource });
    store.getState().setSweepSetup({ variable: 'seq', valuesText: '512,2048' });
    w.runSweep();
    const { cluster, options } = store.getState();
    const plan = { model: 'gpt-2.6B', stepSeconds: 3.5, stages: [], timeline: [] };
    pending[1].resolve({ ok: true, value: 2048, point: { cluster: cluster.name, gpus: 8, series: [] }, planJson: new TextEncoder().encode(JSON.stringify(plan)),
      scenario: { cluster, options: { ...options, seq: 2048 } } });
    await tick();
    await w.openSweepPoint(1, 'searched');
    expect(loaded).toEqual([{ kind: 'zoo', name: 'gpt-2.6B', seq: 2048 }]);
    expect(store.getState().graph?.seq).toBe(2048);
    expect(store.getState().options.seq).toBe(2048);
    expect(store.getState().plan).toMatchObject({ model: 'gpt-2.6B', stepSeconds: 3.5 });
    expect(store.getState().view).toBe('plan');
  });
});

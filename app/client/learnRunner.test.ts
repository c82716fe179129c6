import { describe, expect, it } from 'vitest';
import type { Remote } from 'comlink';
import type { PlannerApi } from '../../workers/planner-api.ts';
import type { LearnResult } from '../../workers/core/whatif/learn.ts';
import { zooModel } from '../../workers/core/zoo/index.ts';
import { inspectGraph } from '../../workers/core/ir/inspect.ts';
import { setInterBandwidth } from '../cluster/edit.ts';
import { defaultScenario } from '../persist.ts';
import { createAppStore } from '../store/store.ts';
import { createLearnRunner } from './learnRunner.ts';
import { CancelledError, type WorkerHandle } from './workerHandle.ts';

/** A stand-in worker: each learn() call waits until the test settles it; cancel rejects what is in flight. */
function fakeHandle() {
  const calls: { gbit: number; settle: (r: LearnResult) => void }[] = [];
  let pending: ((e: Error) => void)[] = [];
  let cancels = 0;
  const api = {
    learn: (_g: unknown, cluster: { interNode: { bandwidthBytesPerSecond: number } }) => new Promise((resolve) => {
      calls.push({ gbit: (cluster.interNode.bandwidthBytesPerSecond * 8) / 1e9, settle: (result) => resolve({ ok: true, result }) });
    }),
    learnCrossover: async () => ({ best: [], changes: [] }),
  } as unknown as Remote<PlannerApi>;
  const handle: WorkerHandle<PlannerApi> = {
    run: (call) => new Promise((resolve, reject) => {
      pending.push(reject);
      (call(api) as Promise<unknown>).then((v) => resolve(v as never));
    }),
    cancel: () => { cancels++; for (const r of pending) r(new CancelledError('cancelled')); pending = []; },
    dispose: () => undefined,
  };
  return { handle, calls, cancels: () => cancels };
}

const result = (sentence: string): LearnResult => ({ rows: [], winner: null, ties: [], reasons: [], sentence });
const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

function setup() {
  const store = createAppStore(defaultScenario(), 'light');
  const g = zooModel('gpt-tiny');
  store.getState().setModel({ kind: 'zoo', name: 'gpt-tiny' }, g, inspectGraph(g), []);
  const learn = fakeHandle();
  const probe = fakeHandle();
  const runner = createLearnRunner(store, { learn: learn.handle, probe: probe.handle }, 20);
  const gbit = (v: number) => store.getState().editCluster((c) => setInterBandwidth(c, (v * 1e9) / 8));
  return { store, learn, runner, gbit };
}

describe('Learn runner', () => {
  it('plans once a knob rests (debounced), cancels the run a newer scenario replaces, and drops its late answer', async () => {
    const { store, learn, runner, gbit } = setup();
    const stop = runner.watch();
    expect(learn.calls.map((c) => c.gbit)).toEqual([21.25]);
    // A drag: three values within the debounce -> one run, for the last.
    gbit(25); gbit(50); gbit(100);
    await tick(60);
    expect(learn.calls.map((c) => c.gbit)).toEqual([21.25, 100]);
    expect(learn.cancels()).toBe(1);
    learn.calls[0].settle(result('old'));
    learn.calls[1].settle(result('at 100'));
    await tick(0);
    expect(store.getState().learnRun).toMatchObject({ kind: 'done', result: { sentence: 'at 100' } });
    expect(store.getState().learnShown?.result.sentence).toBe('at 100');
    stop();
  });

  it('shows a scenario planned before at once, from its cache', async () => {
    const { store, learn, runner, gbit } = setup();
    const stop = runner.watch();
    learn.calls[0].settle(result('at 21.25'));
    await tick(0);
    gbit(400);
    await tick(60);
    learn.calls[1].settle(result('at 400'));
    await tick(0);
    gbit(21.25);
    await tick(60);
    expect(learn.calls).toHaveLength(2);
    expect(store.getState().learnShown?.result.sentence).toBe('at 21.25');
    stop();
  });
});

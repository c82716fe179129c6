/**
 * Learn's planning, off the main thread: while the Learn region is on screen, every change of the scenario (a knob
 * moving, a panel edit, a new model) re-plans the three strategies in a worker, debounced, cancelling the run it
 * replaces (terminating its worker). Then the crossover knob's probe values are planned in a second worker, one
 * after another, and the core's crossover helper (in the worker too) says where the best strategy changes.
 * Results are cached by scenario, so a knob moved onto a value already planned shows at once.
 */
import { proxy } from 'comlink';
import type { PlannerApi } from '../../workers/planner-api.ts';
import type { LearnKind, LearnResult } from '../../workers/core/whatif/learn.ts';
import type { Progress } from '../../workers/core/plan/types.ts';
import { encodeScenario, type Scenario } from '../scenario.ts';
import type { LearnCrossover, LearnRun, ProbePoint } from '../store/learnSlice.ts';
import { scenarioOf, type AppState } from '../store/slices.ts';
import type { AppStore } from '../store/store.ts';
import { KNOB_SPECS, keyWithoutKnob, withKnob } from '../views/learn/knobs.ts';
import { coalesce } from './coalesce.ts';
import { graphEncoder } from './graphBytes.ts';
import { CancelledError, WorkerCrashError, type WorkerHandle } from './workerHandle.ts';

export interface LearnRunner {
  /** Follows the scenario until the returned function is called (Learn leaves the screen); cancels what runs then. */
  watch(): () => void;
}

export interface LearnHandles {
  readonly learn: WorkerHandle<PlannerApi>;
  readonly probe: WorkerHandle<PlannerApi>;
}

/** Progress reaches the store at most this often. */
const PROGRESS_INTERVAL_MS = 250;

/** Most scenarios whose results are kept (each holds three plans). */
const CACHE_SIZE = 16;

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));
const gone = (e: unknown): boolean => e instanceof CancelledError || e instanceof WorkerCrashError;

function stepsOf(r: LearnResult): Partial<Record<LearnKind, number>> {
  const steps: Partial<Record<LearnKind, number>> = {};
  for (const row of r.rows) if (row.ok && row.feasible) steps[row.kind] = row.stepSeconds.value;
  return steps;
}

export function createLearnRunner(store: AppStore, handles: LearnHandles, debounceMs = 250): LearnRunner {
  const cache = new Map<string, LearnResult>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let learnRequest = 0;
  let learnBusy = false;
  let probeRequest = 0;
  let probeBusy = false;

  // Progress reaches the store at most 4 times a second (each update re-renders and repaints the progress line; on
  // a loaded machine every main-thread task is a chance to be descheduled mid-frame). A late one never overwrites
  // the run's outcome.
  const progress = coalesce<string, LearnRun>((batch) => {
    const s = store.getState();
    for (const [key, run] of batch) if (s.learnKey === key && s.learnRun?.kind === 'running') s.setLearnRun(key, run);
  }, PROGRESS_INTERVAL_MS);

  const remember = (key: string, r: LearnResult): void => {
    cache.delete(key);
    cache.set(key, r);
    if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  };

  /** The scenario's model is loaded and current (a model still loading would plan the old graph). */
  const ready = (s: AppState): boolean => s.graph !== undefined && s.jobs.model === undefined;

  // The graph as JSON bytes, encoded once per model (graphBytes.ts).
  const encode = graphEncoder();

  async function plan(handle: WorkerHandle<PlannerApi>, s: AppState, scenario: Scenario, onProgress?: (p: Progress) => void): Promise<LearnResult | string> {
    const graph = encode(s.graph!);
    const r = await handle.run((api) => api.learn(graph, scenario.cluster, scenario.options, onProgress && proxy(onProgress), { lean: true }));
    return r.ok ? r.result : r.reason;
  }

  async function runLearn(s: AppState, key: string): Promise<void> {
    const hit = cache.get(key);
    if (hit) { s.setLearnRun(key, { kind: 'done', result: hit }); return; }
    if (learnBusy) handles.learn.cancel();
    const request = ++learnRequest;
    learnBusy = true;
    s.setLearnRun(key, { kind: 'running', phase: 'starting', done: 0, total: 1 });
    try {
      const r = await plan(handles.learn, s, scenarioOf(s), (p) => {
        if (request === learnRequest) progress.push(key, { kind: 'running', phase: p.phase, done: p.done, total: p.total });
      });
      progress.drop(key);
      if (request !== learnRequest) return;
      if (typeof r === 'string') { store.getState().setLearnRun(key, { kind: 'failed', reason: r }); return; }
      remember(key, r);
      store.getState().setLearnRun(key, { kind: 'done', result: r });
    } catch (e) {
      if (request === learnRequest) store.getState().setLearnRun(key, { kind: 'failed', reason: gone(e) ? `the Learn worker stopped (${message(e)})` : message(e) });
    } finally {
      if (request === learnRequest) learnBusy = false;
    }
  }

  async function runProbes(s: AppState): Promise<void> {
    const knob = s.crossKnob;
    const scenario = scenarioOf(s);
    const key = keyWithoutKnob(knob, scenario, encodeScenario);
    if (s.crossover?.key === key) return;
    if (probeBusy) handles.probe.cancel();
    const request = ++probeRequest;
    probeBusy = true;
    const values = KNOB_SPECS[knob].probes;
    let c: LearnCrossover = { knob, key, values, points: [] };
    store.getState().setCrossover(c);
    try {
      const points: ProbePoint[] = [];
      for (const value of values) {
        const at = withKnob(knob, scenario, value);
        let r: LearnResult | string | undefined = at.ok ? cache.get(encodeScenario(at.value)) : at.reason;
        if (!r && at.ok) {
          const atKey = encodeScenario(at.value);
          r = await plan(handles.probe, s, at.value);
          if (request !== probeRequest) return;
          if (typeof r !== 'string') remember(atKey, r);
        }
        points.push(typeof r === 'string' ? { value, reason: r } : { value, steps: stepsOf(r!) });
        c = { ...c, points: [...points] };
        store.getState().setCrossover(c);
      }
      const x = await handles.probe.run((api) => api.learnCrossover(points.map((p) => ({ value: p.value, steps: p.steps ?? {} }))));
      if (request === probeRequest) store.getState().setCrossover({ ...c, best: x.best, changes: x.changes });
    } catch (e) {
      if (request === probeRequest && !gone(e)) store.getState().setCrossover({ ...c, points: c.points, changes: [] });
    } finally {
      if (request === probeRequest) probeBusy = false;
    }
  }

  function run(): void {
    const s = store.getState();
    if (!ready(s)) return;
    const key = encodeScenario(scenarioOf(s));
    const main = s.learnKey === key && s.learnRun && s.learnRun.kind !== 'failed' ? Promise.resolve() : runLearn(s, key);
    // Probes after the scenario's own run: on a machine of few cores they would slow the answer the user waits for.
    void main.then(() => runProbes(store.getState()));
  }

  const schedule = (): void => {
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(() => { timer = undefined; run(); }, debounceMs);
  };

  return {
    watch() {
      run();
      const stop = store.subscribe((s, prev) => {
        if (s.graph !== prev.graph || s.jobs.model !== prev.jobs.model || s.cluster !== prev.cluster || s.options !== prev.options || s.crossKnob !== prev.crossKnob) schedule();
      });
      return () => {
        stop();
        if (timer !== undefined) clearTimeout(timer);
        if (learnBusy) { learnRequest++; learnBusy = false; handles.learn.cancel(); store.getState().setLearnRun(undefined, undefined); }
        if (probeBusy) { probeRequest++; probeBusy = false; handles.probe.cancel(); store.getState().setCrossover(undefined); }
      };
    },
  };
}

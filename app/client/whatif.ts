/**
 * Compare and Sweep's async actions over the worker pool: each Compare column and each sweep point is one pool
 * job, cancelled by aborting its signal (the pool terminates the worker running it). Parsing and checking a sweep's
 * values, and naming where its structure changes, are the core's (workers/core/whatif) pure functions.
 */
import { JobCancelledError, type JobPool } from '../../workers/pool/types.ts';
import { pointPlan, WHATIF_JOBS, type ColumnJobInput, type ColumnResult, type JobModel, type PointJobInput, type PointJobOutput, type ScenarioDiff } from '../../workers/pool/whatifJobs.ts';
import type { ModelGraph } from '../../workers/core/ir/types.ts';
import type { ModelRef } from '../../workers/planner-api.ts';
import type { SeriesKind } from '../../workers/core/whatif/point.ts';
import { structureChanges } from '../../workers/core/whatif/point.ts';
import { checkSweep, parseSweep } from '../../workers/core/whatif/sweep.ts';
import { diffInputs } from '../../workers/core/whatif/diff.ts';
import type { BaselineKind, Plan } from '../../workers/core/plan/types.ts';
import { unpackTimeline } from '../../workers/core/schedule/packedTimeline.ts';
import { encodeScenario, sourceLabel, type ModelSource } from '../scenario.ts';
import type { ColumnId, ColumnRun, CompareColumn } from '../store/compareSlice.ts';
import { scenarioOf } from '../store/slices.ts';
import type { AppStore } from '../store/store.ts';
import type { PointProgress } from '../store/sweepSlice.ts';
import type { Actions } from './actions.ts';
import { coalesce } from './coalesce.ts';
import { graphEncoder } from './graphBytes.ts';

export interface WhatIfActions {
  /** Plans a column (cancelling its previous run). */
  planColumn(id: ColumnId): void;
  cancelColumn(id: ColumnId): void;
  /** Copies the current scenario into a new column and plans it. */
  addScenario(): void;
  removeColumn(id: ColumnId): void;
  runSweep(): void;
  cancelSweep(): void;
  /** Opens a sweep point's plan (the searched one, or the series' baseline re-planned) in the plan views. */
  openSweepPoint(index: number, series: SeriesKind): Promise<void>;
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));
const same = (a: ModelSource, b: ModelSource): boolean => JSON.stringify(a) === JSON.stringify(b);

/** What a job plans for a model source: zoo models are built in the worker; the loaded model travels as its graph
 * (posted as JSON bytes: jobModel). */
export function modelRefOf(source: ModelSource, loaded: { readonly source: ModelSource; readonly graph?: ModelGraph }): ModelRef | string {
  if (source.kind === 'zoo' && !source.dims) return { kind: 'zoo', name: source.name, ...(source.seq !== undefined ? { seq: source.seq } : {}) };
  if (loaded.graph && same(source, loaded.source)) return { kind: 'graph', graph: loaded.graph };
  return `${sourceLabel(source)} is not the loaded model: open it in the Model panel to plan it here`;
}

/**
 * What a column's plan depends on: its scenario and price, and for a model that is not from the zoo, which graph is
 * loaded (a restored column of an opened file plans once the file's graph is back).
 */
export function columnKey(c: CompareColumn, loaded: { readonly source: ModelSource; readonly graph?: ModelGraph }): string {
  const m = c.scenario.model;
  const graph = m.kind === 'zoo' && !m.dims ? '' : `|${loaded.graph && same(m, loaded.source) ? loaded.graph.name : 'not loaded'}`;
  return `${encodeScenario(c.scenario)}|${c.pricePerGpuHour ?? ''}${graph}`;
}

/** Progress reaches the store at most this often (each update re-renders and re-lays out the progress bars). */
const PROGRESS_INTERVAL_MS = 250;

export function createWhatIfActions(store: AppStore, pool: JobPool, actions: Pick<Actions, 'plan' | 'loadSource'>): WhatIfActions {
  // A loaded graph goes to the jobs as JSON bytes encoded once per model, not as an object cloned per post.
  const encode = graphEncoder();
  const jobModel = (ref: ModelRef): JobModel => (ref.kind === 'graph' ? encode(ref.graph) : ref);
  const pointProgress = coalesce<number, PointProgress>((batch) => store.getState().setPointsProgress(batch), PROGRESS_INTERVAL_MS);
  const columnJobs = new Map<ColumnId, AbortController>();
  const columnProgress = coalesce<ColumnId, Extract<ColumnRun, { kind: 'running' }>>((batch) => {
    for (const [id, run] of batch) if (store.getState().columnRuns[id]?.kind === 'running') store.getState().setColumnRun(id, run);
  }, PROGRESS_INTERVAL_MS);
  const diffJobs = new Map<ColumnId, AbortController>();
  let sweepJob: AbortController | undefined;

  /** Inputs differ at once (the core's diffInputs, cheap); boundaries, sharding and terms once both plans are in
   * (a pool job: a plan's per-operator sharding can be thousands of entries). */
  const refreshDiffs = (): void => {
    const s = store.getState();
    const [base, ...others] = s.columns;
    if (!base) return;
    const baseRun = s.columnRuns[base.id];
    const input = (col: CompareColumn, model: string) => ({
      model, cluster: col.scenario.cluster, options: col.scenario.options, ...(col.pricePerGpuHour !== undefined ? { pricePerGpuHour: col.pricePerGpuHour } : {}),
    });
    for (const c of others) {
      diffJobs.get(c.id)?.abort();
      diffJobs.delete(c.id);
      const run = s.columnRuns[c.id];
      if (baseRun?.kind !== 'done' || run?.kind !== 'done') {
        s.setColumnDiff(c.id, { inputs: diffInputs(input(base, sourceLabel(base.scenario.model)), input(c, sourceLabel(c.scenario.model))) });
        continue;
      }
      const ctl = new AbortController();
      diffJobs.set(c.id, ctl);
      const side = (col: CompareColumn, plan: Plan) => ({ input: input(col, plan.model), plan });
      pool.run<ScenarioDiff>({ name: WHATIF_JOBS.diff, input: { base: side(base, baseRun.result.plan), other: side(c, run.result.plan) } }, undefined, ctl.signal)
        .then((d) => { if (diffJobs.get(c.id) === ctl) { diffJobs.delete(c.id); store.getState().setColumnDiff(c.id, d); } })
        .catch(() => undefined); // cancelled: a newer diff replaces it, or the column went away
    }
  };

  function planColumn(id: ColumnId): void {
    const s = store.getState();
    const col = s.columns.find((c) => c.id === id);
    if (!col) return;
    columnJobs.get(id)?.abort();
    const ctl = new AbortController();
    columnJobs.set(id, ctl);
    const key = columnKey(col, s);
    const current = () => columnJobs.get(id) === ctl;
    const ref = modelRefOf(col.scenario.model, s);
    if (typeof ref === 'string') { columnJobs.delete(id); s.setColumnRun(id, { kind: 'failed', key, reason: ref }); refreshDiffs(); return; }
    s.setColumnRun(id, { kind: 'running', key, phase: 'starting', done: 0, total: 1 });
    refreshDiffs();
    const input: ColumnJobInput = { model: jobModel(ref), cluster: col.scenario.cluster, options: col.scenario.options, ...(col.pricePerGpuHour !== undefined ? { pricePerGpuHour: col.pricePerGpuHour } : {}) };
    pool.run<ColumnResult>({ name: WHATIF_JOBS.column, input }, (p) => {
      if (current()) columnProgress.push(id, { kind: 'running', key, phase: p.phase, done: p.done, total: p.total });
    }, ctl.signal).then((r) => {
      if (!current()) return;
      columnJobs.delete(id);
      columnProgress.drop(id);
      store.getState().setColumnRun(id, r.ok
        ? { kind: 'done', key, result: { plan: r.plan, summary: r.summary, ...(r.packedTimeline ? { timeline: r.packedTimeline } : {}) } }
        : { kind: 'failed', key, reason: r.reason });
      refreshDiffs();
    }, (e: unknown) => {
      if (!current()) return;
      columnJobs.delete(id);
      columnProgress.drop(id);
      store.getState().setColumnRun(id, e instanceof JobCancelledError ? { kind: 'cancelled', key } : { kind: 'failed', key, reason: message(e) });
      refreshDiffs();
    });
  }

  function cancelColumn(id: ColumnId): void {
    const ctl = columnJobs.get(id);
    columnJobs.delete(id);
    columnProgress.drop(id);
    ctl?.abort();
    const col = store.getState().columns.find((c) => c.id === id);
    if (col) store.getState().setColumnRun(id, { kind: 'cancelled', key: columnKey(col, store.getState()) });
  }

  function addScenario(): void {
    const s = store.getState();
    const id = s.addColumn(scenarioOf(s), s.columns[s.columns.length - 1]?.pricePerGpuHour);
    if (id) planColumn(id);
  }

  function removeColumn(id: ColumnId): void {
    columnJobs.get(id)?.abort();
    columnJobs.delete(id);
    store.getState().removeColumn(id);
    refreshDiffs();
  }

  function runSweep(): void {
    const s = store.getState();
    const { variable, valuesText } = s.sweepSetup;
    const fail = (reason: string) => s.pushError({ what: 'Sweep not run', message: reason });
    const parsed = parseSweep(`${variable}=${valuesText}`);
    if (!parsed.ok) { fail(parsed.reason); return; }
    const model = s.source;
    const ref = variable === 'seq' && model.kind === 'zoo' && !model.dims ? { kind: 'zoo' as const, name: model.name } : modelRefOf(model, s);
    if (typeof ref === 'string') { fail(ref); return; }
    const checked = checkSweep({ model: ref, cluster: s.cluster, options: s.options }, parsed.value);
    if (!checked.ok) { fail(checked.reason); return; }
    sweepJob?.abort();
    pointProgress.clear();
    const ctl = new AbortController();
    sweepJob = ctl;
    const values = parsed.value.values;
    const posted = jobModel(ref);
    s.setSweep({ variable, values, model: s.graph?.name ?? sourceLabel(model), cluster: s.cluster.name, points: values.map(() => ({ kind: 'queued' })), changes: [], state: 'running' });
    const outputs: (PointJobOutput | undefined)[] = values.map(() => undefined);
    let settled = 0;
    values.forEach((value, index) => {
      const input: PointJobInput = { model: posted, cluster: s.cluster, options: s.options, variable, value };
      pool.run<PointJobOutput>({ name: WHATIF_JOBS.point, input }, (p) => {
        if (sweepJob === ctl) pointProgress.push(index, { phase: p.phase, done: p.done, total: p.total });
      }, ctl.signal).then((output) => {
        if (sweepJob !== ctl) return;
        pointProgress.drop(index);
        outputs[index] = output;
        const st = store.getState();
        st.setSweepPoint(index, { kind: 'done', output });
        st.setSweepChanges(structureChanges(values.map((v, i) => {
          const o = outputs[i];
          return { value: v, ...(o?.ok ? { searched: o.point.series.find((x) => x.kind === 'searched') } : {}) };
        })));
      }, (e: unknown) => {
        if (sweepJob !== ctl) return;
        pointProgress.drop(index);
        const output: PointJobOutput = { ok: false, value, reason: message(e) };
        outputs[index] = output;
        store.getState().setSweepPoint(index, { kind: 'done', output });
      }).finally(() => {
        if (sweepJob !== ctl || ++settled < values.length) return;
        sweepJob = undefined;
        store.getState().setSweepState('done');
      });
    });
  }

  function cancelSweep(): void {
    const ctl = sweepJob;
    sweepJob = undefined;
    pointProgress.clear();
    ctl?.abort();
    store.getState().setSweepState('cancelled');
  }

  async function openSweepPoint(index: number, series: SeriesKind): Promise<void> {
    const s = store.getState();
    const sweep = s.sweep;
    const point = sweep?.points[index];
    if (point?.kind !== 'done' || !point.output.ok || !point.output.scenario) return;
    const { cluster, options } = point.output.scenario;
    const { baseline: _b, ...searchedOptions } = options;
    // A point of a sequence-length sweep is another build of the zoo model: the Model panel loads it (its seq moves),
    // then the point's options and plan follow.
    if (sweep?.variable === 'seq' && s.source.kind === 'zoo' && options.seq !== undefined && s.graph?.seq !== options.seq) {
      const { dims: _d, seq: _s, ...zoo } = s.source;
      if (!await actions.loadSource({ ...zoo, seq: options.seq })) return;
    }
    const now = store.getState();
    now.editCluster(() => cluster);
    const plan = series === 'searched' ? pointPlan(point.output) : undefined;
    if (plan) {
      now.setOptions(searchedOptions);
      const timeline = point.output.packedTimeline ? unpackTimeline(point.output.packedTimeline) : plan.timeline;
      const after = store.getState();
      after.setPlan({ ...plan, timeline }, { cluster, scenarioKey: encodeScenario(scenarioOf(after)) });
      after.setView('plan');
      return;
    }
    now.setOptions(series === 'searched' ? searchedOptions : { ...options, baseline: series as BaselineKind });
    store.getState().setView('plan');
    void actions.plan();
  }

  return { planColumn, cancelColumn, addScenario, removeColumn, runSweep, cancelSweep, openSweepPoint };
}

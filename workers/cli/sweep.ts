/**
 * `meshplan sweep --model M --cluster C --vary <variable>=<v1>,<v2>,... [--series chart|all|KIND,...] [plan options]
 * [--workers N] --json`: every point's searched plan and baselines (step, throughput, structure; an infeasible plan
 * listed with its reason), and `changes`: the points where the searched plan's structure changes, and how. Every
 * value is checked before any is planned (core/whatif/sweep.ts); a bad one exits 2 naming it. `--workers N` plans
 * N points at once, each on a worker_thread running the page's sweep-point job (workers/pool/whatifJobs.ts: the
 * same core).
 */
import type { Cluster } from '../core/cluster/types.ts';
import type { PlanDeps } from '../core/plan.ts';
import type { PlanOptions } from '../core/plan/types.ts';
import { ALL_SERIES, buildModel, CHART_SERIES, planPoint, structureChanges, type PointResult, type SeriesKind } from '../core/whatif/point.ts';
import { checkSweep, parseSweep, SWEEP_VARIABLE_LABELS, type SweepSpec, type SweepValue } from '../core/whatif/sweep.ts';
import type { WhatIfModel } from '../core/whatif/types.ts';
import { createNodePool } from '../pool/nodePool.ts';
import { WHATIF_JOBS, type PointJobInput, type PointJobOutput } from '../pool/whatifJobs.ts';
import { CliError, parseArgs, positiveInt, required, type ParsedArgs } from './args.ts';
import { loadPlanArgs, PLAN_KEYS } from './plan.ts';
import { whatifDeps } from './whatifDeps.ts';
import { interruptOnSigint } from './interrupt.ts';
import { partProgress, terminalProgress } from './progress.ts';
import type { CancelSignal, ProgressCallback } from '../core/progress.ts';

function seriesArg(args: ParsedArgs): readonly SeriesKind[] {
  const raw = args.values.series;
  if (raw === undefined || raw === 'chart') return CHART_SERIES;
  if (raw === 'all') return ALL_SERIES;
  const kinds = raw.split(',').map((k) => k.trim());
  const bad = kinds.find((k) => !(ALL_SERIES as readonly string[]).includes(k));
  if (bad !== undefined) throw new CliError(`--series: unknown series '${bad}' (chart, all, or a list of ${ALL_SERIES.join(', ')})`);
  return kinds as SeriesKind[];
}

export interface SweepOutputPoint extends Omit<PointResult, 'plan'> {
  readonly value: SweepValue;
  /** Whether the searched plan exists and fits; else `reason` says why not. */
  readonly feasible: boolean;
  readonly reason?: string;
}

interface Scenario { readonly model: WhatIfModel; readonly cluster: Cluster; readonly options: PlanOptions }
type PointPlanner = (value: SweepValue, at: Scenario, progress?: ProgressCallback) => Promise<Omit<PointResult, 'plan'>>;

/** In this process, one point after another, solves shared (whatifDeps); Ctrl-C cancels through `signal`. */
function inProcess(deps: PlanDeps, series: readonly SeriesKind[], signal: CancelSignal): PointPlanner {
  const shared = whatifDeps(deps);
  return async (_value, at, progress) => {
    const { plan: _plan, ...point } = await planPoint(buildModel(at.model), at.cluster, at.options, shared, { series, signal, ...(progress ? { progress } : {}) });
    return point;
  };
}

/** On worker_threads, one point per job (each worker keeps its own solver and solve cache). */
function onPool(workers: number, base: Scenario, spec: SweepSpec, series: readonly SeriesKind[]): { planner: PointPlanner; close: () => Promise<void> } {
  const pool = createNodePool({ size: workers });
  const planner: PointPlanner = async (value) => {
    const input: PointJobInput = { model: base.model, cluster: base.cluster, options: base.options, variable: spec.variable, value, series };
    const r = await pool.run<PointJobOutput>({ name: WHATIF_JOBS.point, input });
    if (!r.ok) throw new CliError(r.reason);
    const { plan: _plan, ...point } = r.point;
    return point;
  };
  return { planner, close: () => pool.terminate() };
}

export async function run(argv: string[]): Promise<number> {
  const args = parseArgs(argv, [...PLAN_KEYS.filter((k) => k !== 'baseline' && k !== 'trace' && k !== 'dp' && k !== 'tp' && k !== 'pp'), 'vary', 'series'], ['json']);
  const parsed = parseSweep(required(args, 'vary'));
  if (!parsed.ok) throw new CliError(parsed.reason);
  const spec: SweepSpec = parsed.value;
  const series = seriesArg(args);
  // --workers fans the points out here, not the ILP solves inside a point (loadPlanArgs' use of it).
  const workers = positiveInt(args, 'workers') ?? 1;
  const { workers: _w, ...values } = args.values;
  const { model, cluster, options, deps, dispose } = await loadPlanArgs({ ...args, values });
  const modelArg = args.values.model!;
  // Sequence length rebuilds the zoo model; other variables plan the loaded graph.
  const ref: WhatIfModel = spec.variable === 'seq' && modelArg.startsWith('zoo:')
    ? { kind: 'zoo', name: modelArg.slice(4), batch: model.batch }
    : { kind: 'graph', graph: model };
  const base: Scenario = { model: ref, cluster, options };
  const checked = checkSweep(base, spec);
  if (!checked.ok) throw new CliError(checked.reason);
  const progress = terminalProgress();
  const stop = interruptOnSigint();
  const fanned = workers > 1 ? onPool(workers, base, spec, series) : undefined;
  const planAt = fanned?.planner ?? inProcess(deps, series, stop.signal);
  let results: Omit<PointResult, 'plan'>[] = [];
  const n = checked.value.length;
  try {
    // Points on the pool cannot see the signal: Ctrl-C stops waiting for them and terminates the workers.
    if (fanned) {
      let done = 0;
      progress.onProgress?.({ phase: 'points', done, total: n });
      const all = Promise.all(checked.value.map(async (at, i) => {
        const point = await planAt(spec.values[i], at);
        progress.onProgress?.({ phase: 'points', done: ++done, total: n });
        return point;
      }));
      results = await Promise.race([all, stop.interrupted]);
    }
    else {
      for (const [i, at] of checked.value.entries()) {
        results.push(await planAt(spec.values[i], at, partProgress(progress.onProgress, `${spec.variable}=${spec.values[i]} (${i + 1}/${n})`)));
      }
    }
  } finally {
    progress.done();
    stop.dispose();
    dispose();
    await fanned?.close();
  }
  const points: SweepOutputPoint[] = results.map((point, i) => {
    const s = point.series.find((x) => x.kind === 'searched');
    const reason = !s ? undefined : !s.ok ? s.reason : !s.feasible ? s.infeasibleReason : undefined;
    return { value: spec.values[i], ...point, feasible: !!s && s.ok && s.feasible, ...(reason ? { reason } : {}) };
  });
  // Changes of the searched plan; of the first series asked for when the search is not among them.
  const changesOf: SeriesKind = series.includes('searched') ? 'searched' : series[0];
  const changes = structureChanges(points.map((p) => ({ value: p.value, searched: p.series.find((x) => x.kind === changesOf) })));
  const out = { model: model.name, cluster: cluster.name, variable: spec.variable, label: SWEEP_VARIABLE_LABELS[spec.variable], values: spec.values, series, points, changesOf, changes };
  if (args.flags.has('json')) {
    process.stdout.write(JSON.stringify(out) + '\n');
    return 0;
  }
  const lines = points.map((p) => `${spec.variable}=${String(p.value).padEnd(8)} ` + p.series.map((s) =>
    `${s.kind}: ${s.ok ? `${s.stepSeconds.toFixed(3)} s${s.feasible ? '' : ' (does not fit)'}${s.kind === 'searched' ? ` [${s.structure.stages} stages, B=${s.structure.microbatches}]` : ''}` : 'n/a'}`).join('  '));
  process.stdout.write(lines.join('\n') + '\n' + (changes.length ? changes.map((c) => `change at ${spec.variable}=${c.value} (from ${c.previousValue}): ${c.text}`).join('\n') : 'no structure change') + '\n');
  return 0;
}

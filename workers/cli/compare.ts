/**
 * `meshplan compare --model M --cluster C1 [--cluster C2 ...] [plan options] [--price P] --json`: per cluster our
 * searched plan next to every baseline (a baseline that cannot run is listed with its reason) and the figures a
 * Compare column shows (core/whatif/summary.ts); with more than one cluster, what differs from the first
 * (core/whatif/diff.ts). With one cluster the object is as before: { model, cluster, globalBatch, best, plans }.
 */
import type { Cluster } from '../core/cluster/types.ts';
import type { ModelGraph } from '../core/ir/types.ts';
import { BASELINE_KINDS } from '../core/baselines/index.ts';
import { plan, type PlanDeps } from '../core/plan.ts';
import type { Plan, PlanOptions } from '../core/plan/types.ts';
import { diffScenarios } from '../core/whatif/diff.ts';
import { summarizePlan } from '../core/whatif/summary.ts';
import type { PlanSummary } from '../core/whatif/types.ts';
import { LIMITS } from '../core/boundary/limits.ts';
import { CliError, numberArg, parseArgs, type ParsedArgs } from './args.ts';
import { loadClusterArg } from './cluster.ts';
import { loadPlanArgs, PLAN_KEYS } from './plan.ts';
import { whatifDeps } from './whatifDeps.ts';
import { interruptOnSigint } from './interrupt.ts';
import { partProgress, terminalProgress } from './progress.ts';
import type { CancelSignal, ProgressCallback } from '../core/progress.ts';

export interface CompareRow {
  readonly kind: string;
  readonly label: string;
  readonly ok: boolean;
  readonly reason?: string;
  readonly feasible?: boolean;
  readonly stepSeconds?: number;
  readonly tflopsPerGpu?: number;
  readonly modelTflopsPerGpu?: number;
  readonly samplesPerSecond?: number;
  readonly microbatches?: number;
  readonly stages?: number;
  readonly summary?: string;
  readonly searchSeconds?: number;
}

export function compareRow(p: Plan): CompareRow {
  return {
    kind: p.kind, label: p.label, ok: true, feasible: p.feasible, stepSeconds: p.stepSeconds, tflopsPerGpu: p.tflopsPerGpu,
    modelTflopsPerGpu: p.modelTflopsPerGpu, samplesPerSecond: p.samplesPerSecond, microbatches: p.microbatches,
    stages: p.stages.length, summary: p.explanation.summary, searchSeconds: p.searchSeconds,
  };
}

export interface ClusterComparison {
  readonly cluster: string;
  readonly best: string | null;
  readonly plans: readonly CompareRow[];
  /** The searched plan's Compare figures (absent when it has no plan). */
  readonly figures?: PlanSummary;
  readonly plan?: Plan;
}

/** Our plan and every baseline on one cluster. */
export async function compareOn(model: ModelGraph, cluster: Cluster, options: PlanOptions, deps: PlanDeps, price?: number,
  progress?: ProgressCallback, signal?: CancelSignal): Promise<ClusterComparison> {
  const rows: CompareRow[] = [];
  const ours = await plan(model, cluster, options, partProgress(progress, 'Meshplan'), signal, deps);
  rows.push(ours.ok ? compareRow(ours.plan) : { kind: 'searched', label: 'Meshplan', ok: false, reason: ours.reason });
  for (const kind of BASELINE_KINDS) {
    const r = await plan(model, cluster, { ...options, baseline: kind }, partProgress(progress, kind), signal, deps);
    rows.push(r.ok ? compareRow(r.plan) : { kind, label: kind, ok: false, reason: r.reason });
  }
  const feasible = rows.filter((r) => r.ok && r.feasible);
  const best = feasible.reduce<CompareRow | undefined>((a, r) => (!a || r.stepSeconds! < a.stepSeconds! ? r : a), undefined);
  return {
    cluster: cluster.name, best: best?.label ?? null, plans: rows,
    ...(ours.ok ? { figures: summarizePlan(ours.plan, { seq: options.seq ?? model.seq }, price), plan: ours.plan } : {}),
  };
}

function priceArg(args: ParsedArgs): number | undefined {
  return numberArg(args, 'price', LIMITS.pricePerGpuHour);
}

function text(c: ClusterComparison): string {
  return c.plans.map((r) => `${r.label.padEnd(44)} ${r.ok ? `${r.stepSeconds!.toFixed(3)} s  ${r.tflopsPerGpu!.toFixed(1)} TFLOP/s/GPU${r.feasible ? '' : '  (does not fit)'}` : `n/a: ${r.reason}`}`).join('\n');
}

export async function run(argv: string[]): Promise<number> {
  const args = parseArgs(argv, [...PLAN_KEYS.filter((k) => k !== 'baseline' && k !== 'trace'), 'price'], ['json']);
  const { model, options, deps: base, dispose } = await loadPlanArgs(args);
  const price = priceArg(args);
  const deps = whatifDeps(base);
  // Every --cluster in the order given (loadPlanArgs checked the last one).
  const clusters = await Promise.all((args.lists.cluster ?? []).map(loadClusterArg));
  const results: ClusterComparison[] = [];
  const progress = terminalProgress();
  const stop = interruptOnSigint();
  try {
    for (const [i, c] of clusters.entries()) {
      const part = clusters.length > 1 ? `${c.name} (${i + 1}/${clusters.length})` : c.name;
      results.push(await compareOn(model, c, options, deps, price, partProgress(progress.onProgress, part), stop.signal));
    }
  } finally {
    progress.done();
    stop.dispose();
    dispose();
  }
  const json = args.flags.has('json');
  if (results.length === 1) {
    const [r] = results;
    const out = { model: model.name, cluster: r.cluster, globalBatch: options.globalBatch, best: r.best, plans: r.plans, ...(r.figures ? { figures: r.figures } : {}) };
    process.stdout.write(json ? JSON.stringify(out) + '\n' : text(r) + '\n');
    return 0;
  }
  const input = (c: Cluster) => ({ model: model.name, cluster: c, options, ...(price !== undefined ? { pricePerGpuHour: price } : {}) });
  const first = results[0];
  const differences = results.slice(1).map((r, i) => ({
    cluster: r.cluster, against: first.cluster,
    ...diffScenarios({ input: input(clusters[0]), ...(first.plan ? { plan: first.plan } : {}) }, { input: input(clusters[i + 1]), ...(r.plan ? { plan: r.plan } : {}) }),
  }));
  const scenarios = results.map(({ plan: _p, ...r }) => r);
  if (json) process.stdout.write(JSON.stringify({ model: model.name, globalBatch: options.globalBatch, scenarios, differences }) + '\n');
  else {
    process.stdout.write(results.map((r) => `${r.cluster}\n${text(r)}`).join('\n\n') + '\n\n' + differences.map((d) =>
      `${d.cluster} vs ${d.against}: ${d.inputs.map((x) => `${x.field} ${x.base} -> ${x.other}`).join(', ') || 'same inputs'}` +
      (d.boundaries ? `; stages ${d.boundaries.stageCount.base} -> ${d.boundaries.stageCount.other}` : '') +
      (d.shardingChanged ? `; ${d.shardingChanged.count} of ${d.shardingChanged.compared} ops resharded` +
        (d.shardingChanged.meshOnly ? ` (${d.shardingChanged.meshOnly} more split the same way on a mesh of another shape)` : '') : '') +
      (d.grew?.length ? `; grew: ${d.grew.map((t) => t.term).join(', ')}` : '')).join('\n') + '\n');
  }
  return 0;
}

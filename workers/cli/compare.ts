/**
 * `meshplan compare --model M --cluster C [plan options] --json`: our searched plan next to every baseline, as one
 * JSON object (a baseline that cannot run on this cluster is listed with its reason).
 */
import { BASELINE_KINDS } from '../core/baselines/index.ts';
import { plan } from '../core/plan.ts';
import type { Plan } from '../core/plan/types.ts';
import { parseArgs } from './args.ts';
import { loadPlanArgs, PLAN_KEYS } from './plan.ts';

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

export async function run(argv: string[]): Promise<number> {
  const args = parseArgs(argv, PLAN_KEYS.filter((k) => k !== 'baseline' && k !== 'trace'), ['json']);
  const { model, cluster, options, deps } = await loadPlanArgs(args);
  const rows: CompareRow[] = [];
  const ours = await plan(model, cluster, options, undefined, undefined, deps);
  rows.push(ours.ok ? compareRow(ours.plan) : { kind: 'searched', label: 'Meshplan', ok: false, reason: ours.reason });
  for (const kind of BASELINE_KINDS) {
    const r = await plan(model, cluster, { ...options, baseline: kind }, undefined, undefined, deps);
    rows.push(r.ok ? compareRow(r.plan) : { kind, label: kind, ok: false, reason: r.reason });
  }
  const feasible = rows.filter((r) => r.ok && r.feasible);
  const best = feasible.reduce<CompareRow | undefined>((a, r) => (!a || r.stepSeconds! < a.stepSeconds! ? r : a), undefined);
  const out = { model: model.name, cluster: cluster.name, globalBatch: options.globalBatch, best: best?.label ?? null, plans: rows };
  process.stdout.write(args.flags.has('json') ? JSON.stringify(out) + '\n'
    : rows.map((r) => `${r.label.padEnd(44)} ${r.ok ? `${r.stepSeconds!.toFixed(3)} s  ${r.tflopsPerGpu!.toFixed(1)} TFLOP/s/GPU${r.feasible ? '' : '  (does not fit)'}` : `n/a: ${r.reason}`}`).join('\n') + '\n');
  return 0;
}

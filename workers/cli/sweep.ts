/**
 * `meshplan sweep --model M --cluster C --vary <variable>=<v1>,<v2>,... [--series chart|all|KIND,...] [plan options]
 * --json`: every point's searched plan and baselines (step, throughput, structure; an infeasible plan listed with
 * its reason), and `changes`: the points where the searched plan's structure changes, and how. Every value is
 * checked before any is planned (core/whatif/sweep.ts); a bad one exits 2 naming it.
 */
import type { WhatIfModel } from '../core/whatif/types.ts';
import { ALL_SERIES, buildModel, CHART_SERIES, planPoint, structureChanges, type PointResult, type SeriesKind } from '../core/whatif/point.ts';
import { checkSweep, parseSweep, SWEEP_VARIABLE_LABELS, type SweepSpec } from '../core/whatif/sweep.ts';
import { CliError, parseArgs, required, type ParsedArgs } from './args.ts';
import { loadPlanArgs, PLAN_KEYS } from './plan.ts';
import { whatifDeps } from './whatifDeps.ts';

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
  readonly value: number | string;
  /** Whether the searched plan exists and fits; else `reason` says why not. */
  readonly feasible: boolean;
  readonly reason?: string;
}

export async function run(argv: string[]): Promise<number> {
  const args = parseArgs(argv, [...PLAN_KEYS.filter((k) => k !== 'baseline' && k !== 'trace' && k !== 'dp' && k !== 'tp' && k !== 'pp'), 'vary', 'series'], ['json']);
  const parsed = parseSweep(required(args, 'vary'));
  if (!parsed.ok) throw new CliError(parsed.reason);
  const spec: SweepSpec = parsed.value;
  const series = seriesArg(args);
  const { model, cluster, options, deps } = await loadPlanArgs(args);
  const spec0 = args.values.model!;
  // Sequence length rebuilds the zoo model; other variables plan the loaded graph.
  const ref: WhatIfModel = spec.variable === 'seq' && spec0.startsWith('zoo:')
    ? { kind: 'zoo', name: spec0.slice(4), batch: model.batch }
    : { kind: 'graph', graph: model };
  const checked = checkSweep({ model: ref, cluster, options }, spec);
  if (!checked.ok) throw new CliError(checked.reason);
  const shared = whatifDeps(deps);
  const points: SweepOutputPoint[] = [];
  for (const [i, at] of checked.value.entries()) {
    const { plan: _plan, ...point } = await planPoint(buildModel(at.model), at.cluster, at.options, shared, { series });
    const s = point.series.find((x) => x.kind === 'searched');
    const reason = !s ? undefined : !s.ok ? s.reason : !s.feasible ? s.infeasibleReason : undefined;
    points.push({ value: spec.values[i], ...point, feasible: !!s && s.ok && s.feasible, ...(reason ? { reason } : {}) });
  }
  const changes = structureChanges(points.map((p) => ({ value: p.value, searched: p.series.find((x) => x.kind === 'searched') })));
  const out = { model: model.name, cluster: cluster.name, variable: spec.variable, label: SWEEP_VARIABLE_LABELS[spec.variable], values: spec.values, series, points, changes };
  if (args.flags.has('json')) {
    process.stdout.write(JSON.stringify(out) + '\n');
    return 0;
  }
  const lines = points.map((p) => `${spec.variable}=${String(p.value).padEnd(8)} ` + p.series.map((s) =>
    `${s.kind}: ${s.ok ? `${s.stepSeconds.toFixed(3)} s${s.feasible ? '' : ' (does not fit)'}${s.kind === 'searched' ? ` [${s.structure.stages} stages, B=${s.structure.microbatches}]` : ''}` : 'n/a'}`).join('  '));
  process.stdout.write(lines.join('\n') + '\n' + (changes.length ? changes.map((c) => `change at ${spec.variable}=${c.value} (from ${c.previousValue}): ${c.text}`).join('\n') : 'no structure change') + '\n');
  return 0;
}

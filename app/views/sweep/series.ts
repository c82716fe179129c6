/**
 * A sweep's points as the chart's series and as CSV rows (pure). Every number is one the core returned; this only
 * picks the metric and names infeasible points with their reason.
 */
import { CHART_SERIES, seriesLabel, type SeriesKind, type SeriesResult } from '../../../workers/core/whatif/point.ts';
import type { SweepMetric, SweepRun } from '../../store/sweepSlice.ts';
import type { ChartCell, ChartSeries } from './layout.ts';

/** The series result of one point, or why there is none (undefined while not planned). */
export function seriesAt(run: SweepRun, index: number, kind: SeriesKind): SeriesResult | { readonly ok: false; readonly reason: string } | undefined {
  const p = run.points[index];
  if (p?.kind !== 'done') return undefined;
  if (!p.output.ok) return { ok: false, reason: p.output.reason };
  return p.output.point.series.find((s) => s.kind === kind);
}

export function metricOf(r: Extract<SeriesResult, { ok: true }>, metric: SweepMetric): number {
  return metric === 'step' ? r.stepSeconds : r.samplesPerSecondPerGpu;
}

export function chartSeries(run: SweepRun, metric: SweepMetric): ChartSeries[] {
  return CHART_SERIES.map((kind) => ({
    kind,
    label: seriesLabel(kind),
    cells: run.values.map((_, i): ChartCell => {
      const r = seriesAt(run, i, kind);
      if (!r) return undefined;
      if (!r.ok) return { kind: 'infeasible', reason: r.reason };
      if (!r.feasible) return { kind: 'infeasible', reason: r.infeasibleReason ?? 'does not fit' };
      return { kind: 'value', y: metricOf(r, metric) };
    }),
  }));
}

const CSV_COLUMNS = ['variable', 'value', 'series', 'feasible', 'step_seconds', 'samples_per_second', 'samples_per_second_per_gpu',
  'tokens_per_second', 'tflops_per_gpu', 'model_tflops_per_gpu', 'gpus', 'stages', 'meshes', 'microbatches', 'remat_stages', 'reason'] as const;

const cell = (v: unknown): string => {
  const s = v === undefined ? '' : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** One row per point and series (full precision, SI units, as the CLI's JSON); unplanned points are left out. */
export function sweepCsv(run: SweepRun): string {
  const rows: string[] = [CSV_COLUMNS.join(',')];
  run.values.forEach((value, i) => {
    for (const kind of CHART_SERIES) {
      const r = seriesAt(run, i, kind);
      if (!r) continue;
      const base = [run.variable, value, kind];
      if (!r.ok) { rows.push([...base, 'false', '', '', '', '', '', '', '', '', '', '', '', r.reason].map(cell).join(',')); continue; }
      const st = r.structure;
      rows.push([...base, r.feasible, r.stepSeconds, r.samplesPerSecond, r.samplesPerSecondPerGpu, r.tokensPerSecond, r.tflopsPerGpu,
        r.modelTflopsPerGpu, r.gpus, st.stages, st.meshes.join(' '), st.microbatches, st.remat.filter(Boolean).length, r.infeasibleReason].map(cell).join(','));
    }
  });
  return `${rows.join('\n')}\n`;
}

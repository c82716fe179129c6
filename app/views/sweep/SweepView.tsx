/** The Sweep region: one variable over a list of values, every point planned in the worker pool, drawn as a chart. */
import { useMemo, useState } from 'react';
import { useWhatIf } from '../../client/context.ts';
import { Region } from '../../components/Region.tsx';
import { formatQuantity, sig3 } from '../../format.ts';
import { useApp } from '../../store/store.ts';
import { CHART_SERIES, seriesLabel, type SeriesKind } from '../../../workers/core/whatif/point.ts';
import { SWEEP_VARIABLE_LABELS } from '../../../workers/core/whatif/sweep.ts';
import type { ChartMark } from './layout.ts';
import { PointDetails } from './PointDetails.tsx';
import { chartSeries } from './series.ts';
import { Marker, SERIES_STYLE, SweepChart } from './SweepChart.tsx';
import { SweepForm } from './SweepForm.tsx';

function Legend() {
  return (
    <ul aria-label="Series" className="flex flex-wrap gap-3 text-xs">
      {CHART_SERIES.map((k) => (
        <li key={k} className="flex items-center gap-1">
          <svg width={26} height={12} aria-hidden="true">
            <line x1={0} x2={26} y1={6} y2={6} stroke={SERIES_STYLE[k].color} strokeWidth={2} strokeDasharray={SERIES_STYLE[k].dash} />
            <Marker shape={SERIES_STYLE[k].shape} x={13} y={6} r={3.5} color={SERIES_STYLE[k].color} />
          </svg>
          {seriesLabel(k)}
        </li>
      ))}
      <li className="text-slate-500 dark:text-slate-400">× infeasible (hover for why) · dashed violet line: the plan's structure changes</li>
    </ul>
  );
}

export function SweepView() {
  const sweep = useApp((s) => s.sweep);
  const metric = useApp((s) => s.sweepSetup.metric);
  const whatif = useWhatIf();
  const [hovered, setHovered] = useState<{ series: string; index: number }>();
  const series = useMemo(() => (sweep ? chartSeries(sweep, metric) : []), [sweep, metric]);
  const describe = (m: ChartMark): string => {
    const s = series.find((x) => x.kind === m.series);
    const c = s?.cells[m.index];
    const at = `${sweep?.variable}=${sweep?.values[m.index]}`;
    if (c?.kind === 'infeasible') return `${s?.label} at ${at}: infeasible, ${c.reason}`;
    const v = c?.kind === 'value' ? (metric === 'step' ? formatQuantity(c.y, 's') : `${sig3(c.y)} samples/s per GPU`) : '';
    return `${s?.label} at ${at}: ${v}`;
  };
  return (
    <Region name="Sweep">
      <div className="space-y-3">
        <SweepForm />
        {!sweep && <p className="text-sm text-slate-500 dark:text-slate-400">Pick a variable and its values, then Run sweep: each value is planned by Meshplan and by three baselines on the scenario of the left panels.</p>}
        {sweep && (
          <>
            <p className="text-sm">
              <span className="font-medium">{sweep.model}</span> on {sweep.cluster}, varying {SWEEP_VARIABLE_LABELS[sweep.variable]}
              {sweep.state === 'cancelled' && <span role="status" className="ml-2 text-amber-700 dark:text-amber-300">Sweep cancelled: the points planned so far are kept.</span>}
            </p>
            <Legend />
            <SweepChart values={sweep.values} series={series} changes={sweep.changes} metric={metric} variableLabel={SWEEP_VARIABLE_LABELS[sweep.variable]}
              hovered={hovered} onHover={setHovered} onOpen={(s, i) => void whatif.openSweepPoint(i, s as SeriesKind)} describe={describe} />
            <div className="min-h-16 rounded border border-slate-200 p-2 dark:border-slate-700" aria-live="polite">
              {hovered ? <PointDetails run={sweep} series={hovered.series as SeriesKind} index={hovered.index} />
                : <p className="text-xs text-slate-500 dark:text-slate-400">Hover or focus a point to see its plan's structure and the cost terms of its step time.</p>}
            </div>
            {sweep.changes.length > 0 && (
              <ul aria-label="Structure changes" className="space-y-0.5 text-xs">
                {sweep.changes.map((c) => <li key={c.index}><span className="font-semibold text-violet-700 dark:text-violet-300">at {sweep.variable}={String(c.value)}</span> (from {String(c.previousValue)}): {c.text}</li>)}
              </ul>
            )}
          </>
        )}
      </div>
    </Region>
  );
}

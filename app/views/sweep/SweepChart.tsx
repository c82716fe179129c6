/** The sweep chart: d3 computes the geometry (layout.ts, in useMemo), React draws the SVG. */
import { useMemo } from 'react';
import { formatQuantity, sig3 } from '../../format.ts';
import type { SweepMetric } from '../../store/sweepSlice.ts';
import { layoutSweepChart, type ChartMark, type ChartSeries } from './layout.ts';

export const SERIES_STYLE: Readonly<Record<string, { color: string; dash?: string; shape: 'circle' | 'square' | 'triangle' | 'diamond' }>> = {
  searched: { color: '#4f46e5', shape: 'circle' },
  megatron: { color: '#d97706', dash: '6 3', shape: 'square' },
  'intra-only': { color: '#0d9488', dash: '2 3', shape: 'triangle' },
  'inter-only': { color: '#e11d48', dash: '8 3 2 3', shape: 'diamond' },
};

/** How a structure change is named at its line (the core's aspect names, in the page's words). */
const ASPECT_LABELS: Readonly<Record<string, string>> = { microbatches: 'micro-batches', feasibility: 'fits / does not fit' };

const WIDTH = 880;
const HEIGHT = 340;

export function Marker({ shape, x, y, r = 4.5, color }: { shape: string; x: number; y: number; r?: number; color: string }) {
  switch (shape) {
    case 'square': return <rect x={x - r} y={y - r} width={2 * r} height={2 * r} fill={color} />;
    case 'triangle': return <path d={`M${x},${y - r * 1.2}L${x + r * 1.1},${y + r * 0.8}L${x - r * 1.1},${y + r * 0.8}Z`} fill={color} />;
    case 'diamond': return <path d={`M${x},${y - r * 1.3}L${x + r},${y}L${x},${y + r * 1.3}L${x - r},${y}Z`} fill={color} />;
    default: return <circle cx={x} cy={y} r={r} fill={color} />;
  }
}

const yText = (v: number, metric: SweepMetric) => (metric === 'step' ? formatQuantity(v, 's') : sig3(v));

export function SweepChart({ values, series, changes, metric, variableLabel, hovered, onHover, onOpen, describe }: {
  values: readonly (number | string)[];
  series: readonly ChartSeries[];
  changes: readonly { readonly index: number; readonly text: string; readonly aspects: readonly string[] }[];
  metric: SweepMetric;
  variableLabel: string;
  hovered?: { series: string; index: number };
  onHover(h: { series: string; index: number } | undefined): void;
  onOpen(series: string, index: number): void;
  /** The accessible name of a mark (series, value, number or reason). */
  describe(m: ChartMark): string;
}) {
  const l = useMemo(() => layoutSweepChart({ values, series, changes, width: WIDTH, height: HEIGHT }), [values, series, changes]);
  const aspectsAt = new Map(changes.map((c) => [c.index, c.aspects.map((a) => ASPECT_LABELS[a] ?? a).join(', ')]));
  return (
    <svg data-figure viewBox={`0 0 ${WIDTH} ${HEIGHT}`} className="h-auto w-full text-slate-700 dark:text-slate-200" role="group" aria-label="Sweep chart"
      fontFamily="system-ui, sans-serif" fontSize={11}>
      <rect x={l.plot.left} y={l.plot.top} width={l.plot.right - l.plot.left} height={l.plot.bottom - l.plot.top} fill="none" stroke="currentColor" strokeOpacity={0.25} />
      {l.yTicks.map((t) => (
        <g key={`y${t.value}`}>
          <line x1={l.plot.left} x2={l.plot.right} y1={t.y} y2={t.y} stroke="currentColor" strokeOpacity={0.1} />
          <text x={l.plot.left - 6} y={t.y} dy="0.32em" textAnchor="end" fill="currentColor">{yText(t.value, metric)}</text>
        </g>
      ))}
      {l.xTicks.map((t) => (
        <text key={`x${t.value}`} x={t.x} y={l.plot.bottom + 16} textAnchor="middle" fill="currentColor">{String(t.value)}</text>
      ))}
      <text x={(l.plot.left + l.plot.right) / 2} y={HEIGHT - 4} textAnchor="middle" fill="currentColor">{variableLabel}{l.xLog ? ' (log)' : ''}</text>
      <text transform={`translate(12 ${(l.plot.top + l.plot.bottom) / 2}) rotate(-90)`} textAnchor="middle" fill="currentColor">
        {metric === 'step' ? 'step time' : 'samples/s per GPU'}{l.yLog ? ' (log)' : ''}
      </text>
      {l.marks.some((m) => m.infeasible) && <text x={l.plot.left - 6} y={l.infeasibleY} dy="0.32em" textAnchor="end" fill="currentColor" fillOpacity={0.7}>infeasible</text>}
      {l.changes.map((c, i) => {
        // Labels right of their line, or left of it in the right half; alternate rows so neighbours do not collide.
        const right = c.x > (l.plot.left + l.plot.right) / 2;
        return (
          <g key={`c${c.index}`} data-testid="structure-change">
            <line x1={c.x} x2={c.x} y1={l.plot.top} y2={l.plot.bottom} stroke="#a855f7" strokeDasharray="3 3" />
            <text x={right ? c.x - 4 : c.x + 4} y={l.plot.top + 12 + (i % 2) * 13} textAnchor={right ? 'end' : 'start'} fill="#a855f7">{aspectsAt.get(c.index)}</text>
            <title>{c.text}</title>
          </g>
        );
      })}
      {l.lines.map((line) => {
        const st = SERIES_STYLE[line.series];
        return <path key={line.series} d={line.d} fill="none" stroke={st.color} strokeWidth={2} strokeDasharray={st.dash} />;
      })}
      {/* Meshplan's marks last, so they sit on top where series meet. */}
      {[...l.lines].reverse().flatMap((line) => l.marks.filter((m) => m.series === line.series)).map((m) => {
        const st = SERIES_STYLE[m.series];
        const on = hovered?.series === m.series && hovered.index === m.index;
        return (
          <g key={`${m.series}-${m.index}`} data-testid={`mark-${m.series}`} data-infeasible={m.infeasible ? 'true' : undefined}
            role="button" tabIndex={0} aria-label={describe(m)} className="cursor-pointer outline-none"
            onMouseEnter={() => onHover({ series: m.series, index: m.index })} onMouseLeave={() => onHover(undefined)}
            onFocus={() => onHover({ series: m.series, index: m.index })} onBlur={() => onHover(undefined)}
            onClick={() => onOpen(m.series, m.index)} onKeyDown={(e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); onOpen(m.series, m.index); } }}>
            {m.infeasible
              ? <text x={m.x} y={m.y} dy="0.35em" textAnchor="middle" fill={st.color} fontSize={14} fontWeight={700}>×</text>
              : <Marker shape={st.shape} x={m.x} y={m.y} color={st.color} r={on ? 6.5 : 4.5} />}
            {on && <circle cx={m.x} cy={m.y} r={9} fill="none" stroke="currentColor" strokeWidth={1.5} />}
          </g>
        );
      })}
    </svg>
  );
}

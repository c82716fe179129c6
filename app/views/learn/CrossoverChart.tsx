/**
 * Where the best strategy crosses over along the knob moved last: step time (log scale) of the three strategies at
 * the knob's probe values, a gap where one has no plan that fits, and each change of the fastest named between the
 * two values it falls between. d3 computes the scales and paths; React draws.
 */
import { line, scaleLog, scalePoint } from 'd3';
import { useMemo } from 'react';
import type { LearnKind } from '../../../workers/core/whatif/learn.ts';
import { formatSeconds } from '../../format.ts';
import type { LearnCrossover } from '../../store/learnSlice.ts';
import { COLUMN_ORDER, KIND_COLORS, KIND_LABELS } from './figures.ts';
import { formatKnob, KNOB_SPECS } from './knobs.ts';

const W = 560, H = 190, M = { left: 56, right: 12, top: 10, bottom: 30 };

export function CrossoverChart({ crossover, current }: { crossover: LearnCrossover; current: number }) {
  const spec = KNOB_SPECS[crossover.knob];
  const geo = useMemo(() => {
    const x = scalePoint<number>().domain([...crossover.values]).range([M.left, W - M.right]).padding(0.3);
    const steps = crossover.points.flatMap((p) => Object.values(p.steps ?? {}).filter((v): v is number => v !== undefined && v > 0));
    const lo = steps.length ? Math.min(...steps) : 1;
    const hi = steps.length ? Math.max(...steps) : 10;
    const y = scaleLog().domain([lo / 1.3, hi * 1.3]).range([H - M.bottom, M.top]);
    const paths = COLUMN_ORDER.map((kind) => {
      const pts = crossover.points.map((p) => ({ v: p.value, s: p.steps?.[kind] }));
      const d = line<{ v: number; s?: number }>().defined((p) => p.s !== undefined).x((p) => x(p.v)!).y((p) => y(p.s!))(pts) ?? '';
      return { kind, d, pts: pts.filter((p) => p.s !== undefined) as { v: number; s: number }[] };
    });
    // Log ticks: the powers of ten in range, or (a narrow range) three of d3's, never a crowd of labels.
    const decades = y.ticks().filter((t) => Math.abs(Math.log10(t) - Math.round(Math.log10(t))) < 1e-9);
    const leading = (t: number) => Math.round(t / 10 ** Math.floor(Math.log10(t) + 1e-9));
    const ticks = decades.length >= 2 ? decades : y.ticks().filter((t) => [1, 2, 5].includes(leading(t)));
    return { x, y, paths, ticks };
  }, [crossover]);
  const { x, y } = geo;
  const mid = (a: number, b: number) => ((x(a) ?? 0) + (x(b) ?? 0)) / 2;
  const changes = crossover.changes ?? [];
  const done = crossover.points.length === crossover.values.length;
  return (
    <figure className="space-y-1">
      <figcaption className="text-xs text-slate-600 dark:text-slate-300">
        Step time against {spec.label}{spec.unit ? ` (${spec.unit})` : ''}, each value planned in a worker
        {done ? '' : ` (${crossover.points.length}/${crossover.values.length} planned…)`}:
        {' '}{COLUMN_ORDER.map((k) => <span key={k} className="ml-2 inline-flex items-center gap-1"><span className="inline-block h-0.5 w-3" style={{ background: KIND_COLORS[k] }} />{KIND_LABELS[k]}</span>)}
      </figcaption>
      <svg data-figure role="img" aria-label={`Step time of the three strategies against ${spec.label}`} viewBox={`0 0 ${W} ${H}`} className="w-full max-w-2xl text-slate-700 dark:text-slate-200">
        {geo.ticks.map((t) => (
          <g key={t}>
            <line x1={M.left} x2={W - M.right} y1={y(t)} y2={y(t)} stroke="currentColor" strokeOpacity={0.12} />
            <text x={M.left - 4} y={y(t) + 3} fontSize={10} textAnchor="end" fill="currentColor">{formatSeconds(t)}</text>
          </g>
        ))}
        {crossover.values.map((v) => (
          <text key={v} x={x(v)} y={H - M.bottom + 14} fontSize={10} textAnchor="middle" fill="currentColor" fontWeight={v === current ? 700 : 400}>{formatKnob(crossover.knob, v)}</text>
        ))}
        {crossover.values.includes(current) && <line x1={x(current)} x2={x(current)} y1={M.top} y2={H - M.bottom} stroke="currentColor" strokeOpacity={0.35} strokeDasharray="2 2" />}
        {changes.map((c) => {
          const cx = mid(Number(c.previousValue), Number(c.value));
          return (
            <g key={c.index}>
              <line x1={cx} x2={cx} y1={M.top} y2={H - M.bottom} stroke="#dc2626" strokeDasharray="4 3" />
              <text x={cx + 3} y={M.top + 10} fontSize={10} fill="#dc2626">{`${KIND_LABELS[c.from as LearnKind]} → ${KIND_LABELS[c.to as LearnKind]}`}</text>
            </g>
          );
        })}
        {geo.paths.map((p) => (
          <g key={p.kind}>
            <path d={p.d} fill="none" stroke={KIND_COLORS[p.kind]} strokeWidth={2} />
            {p.pts.map((q) => <circle key={q.v} cx={x(q.v)} cy={y(q.s)} r={3} fill={KIND_COLORS[p.kind]}><title>{`${KIND_LABELS[p.kind]} at ${formatKnob(crossover.knob, q.v)}: ${formatSeconds(q.s)}`}</title></circle>)}
          </g>
        ))}
        <text x={W - M.right} y={H - 2} fontSize={10} textAnchor="end" fill="currentColor">{spec.label}{spec.unit ? ` (${spec.unit})` : ''}</text>
      </svg>
      {done && (
        <p className="text-xs" data-testid="learn-crossover-text">
          {changes.length === 0
            ? `Across these values the fastest stays ${crossover.best?.[0] ? KIND_LABELS[crossover.best[0]] : 'the same'}.`
            : changes.map((c) => `Between ${formatKnob(crossover.knob, Number(c.previousValue))} and ${formatKnob(crossover.knob, Number(c.value))}${spec.unit ? ` ${spec.unit}` : ''} the fastest changes from ${KIND_LABELS[c.from as LearnKind]} to ${KIND_LABELS[c.to as LearnKind]}.`).join(' ')}
        </p>
      )}
    </figure>
  );
}

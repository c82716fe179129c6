/**
 * The paper's argument as a picture: for each strategy, the seconds of communication per step that cross nodes
 * (slow links) next to those that stay inside a node (NVLink), on one scale (each bar names its values on hover).
 */
import { scaleLinear } from 'd3';
import { useMemo } from 'react';
import type { LearnResult } from '../../../workers/core/whatif/learn.ts';
import { formatBytes, formatSeconds } from '../../format.ts';
import { COLUMN_ORDER, KIND_LABELS, rowOf, type OkRow } from './figures.ts';

export const CROSS_COLOR = '#e15759';
export const INSIDE_COLOR = '#4e79a7';
// No value labels: the table above shows each number with its terms; the bars show their proportions.
const W = 620, LABEL_W = 150, ROW_H = 30, VALUE_W = 20;

export function CommBars({ result }: { result: LearnResult }) {
  const rows = COLUMN_ORDER.map((k) => rowOf(result, k)).filter((r): r is OkRow => r !== undefined && r.ok);
  const x = useMemo(() => {
    const max = Math.max(1e-9, ...rows.map((r) => r.traffic.crossNode.seconds + r.traffic.inNode.seconds));
    return scaleLinear().domain([0, max]).range([0, W - LABEL_W - VALUE_W]);
  }, [rows]);
  return (
    <figure className="space-y-1">
      <figcaption className="flex flex-wrap gap-3 text-xs text-slate-600 dark:text-slate-300">
        <span>communication per step:</span>
        <span className="flex items-center gap-1"><span className="inline-block h-2.5 w-2.5 rounded-sm" style={{ background: CROSS_COLOR }} />across nodes (inter-node links)</span>
        <span className="flex items-center gap-1"><span className="inline-block h-2.5 w-2.5 rounded-sm" style={{ background: INSIDE_COLOR }} />inside nodes (NVLink)</span>
      </figcaption>
      <svg data-figure role="img" aria-label="Communication seconds per step across and inside nodes, by strategy" viewBox={`0 0 ${W} ${rows.length * ROW_H}`} className="w-full max-w-3xl text-slate-700 dark:text-slate-200">
        {rows.map((r, i) => {
          const cross = x(r.traffic.crossNode.seconds);
          const inside = x(r.traffic.inNode.seconds);
          return (
            <g key={r.kind} transform={`translate(0, ${i * ROW_H})`}>
              <text x={0} y={ROW_H / 2 + 4} fontSize={12} fill="currentColor">{KIND_LABELS[r.kind]}</text>
              <rect x={LABEL_W} y={6} width={cross} height={ROW_H - 12} fill={CROSS_COLOR}>
                <title>{`across nodes: ${formatSeconds(r.traffic.crossNode.seconds)}, ${formatBytes(r.traffic.crossNode.bytes)}`}</title>
              </rect>
              <rect x={LABEL_W + cross} y={6} width={inside} height={ROW_H - 12} fill={INSIDE_COLOR}>
                <title>{`inside nodes: ${formatSeconds(r.traffic.inNode.seconds)}, ${formatBytes(r.traffic.inNode.bytes)}`}</title>
              </rect>
            </g>
          );
        })}
      </svg>
    </figure>
  );
}

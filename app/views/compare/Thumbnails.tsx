/** A column's small pictures: the stage strip (layers per stage) and the timeline, both in the stage colours. */
import { useMemo } from 'react';
import type { PackedTimeline } from '../../../workers/core/schedule/packedTimeline.ts';
import type { StageSummary } from '../../../workers/core/whatif/types.ts';
import { stageColor, stageColorDark } from '../colors.ts';
import { stripLayout, timelineThumb } from './layout.ts';

const WIDTH = 240;

export function StageStripThumb({ stages, moved }: { stages: readonly StageSummary[]; moved?: ReadonlySet<number> }) {
  const boxes = useMemo(() => stripLayout(stages, WIDTH), [stages]);
  const label = `Stage strip: ${stages.map((s) => `stage ${s.index} layers ${s.layers[0]}-${s.layers[1] - 1}`).join(', ')}`;
  return (
    <svg role="img" aria-label={label} viewBox={`0 0 ${WIDTH} 16`} className="h-4 w-full" preserveAspectRatio="none">
      {boxes.map((b) => (
        <rect key={b.stage} x={b.x} y={2} width={b.width} height={12} fill={stageColor(b.stage)}
          stroke={moved?.has(b.layers[0]) ? '#f59e0b' : 'none'} strokeWidth={2}>
          <title>{`stage ${b.stage}: layers ${b.layers[0]}-${b.layers[1] - 1}`}</title>
        </rect>
      ))}
    </svg>
  );
}

export function TimelineThumb({ timeline, stageCount }: { timeline?: PackedTimeline; stageCount: number }) {
  const runs = useMemo(() => (timeline ? timelineThumb(timeline, stageCount, WIDTH) : []), [timeline, stageCount]);
  const row = Math.max(3, Math.min(10, Math.floor(48 / Math.max(1, stageCount))));
  const height = row * stageCount;
  if (!timeline) return null;
  return (
    <svg role="img" aria-label={`Timeline of one step over ${stageCount} stage rows`} viewBox={`0 0 ${WIDTH} ${height}`}
      className="w-full bg-slate-100 dark:bg-slate-800" style={{ height }} preserveAspectRatio="none">
      {runs.map((r, i) => (
        <rect key={i} x={r.x0} y={r.stage * row + 0.5} width={r.x1 - r.x0} height={row - 1}
          fill={r.kind === 'forward' ? stageColor(r.stage) : r.kind === 'backward' ? stageColorDark(r.stage) : '#9ca3af'} />
      ))}
    </svg>
  );
}

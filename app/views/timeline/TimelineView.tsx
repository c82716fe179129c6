/**
 * "Timeline": the pipeline schedule on a canvas (GPT-39B's plan has tens of thousands of bars), one row per stage,
 * zoom and pan with d3-zoom (which writes its transform into state), hover details and the bubble fraction.
 */
import { select, zoom as d3zoom, zoomIdentity, type D3ZoomEvent, type ZoomBehavior } from 'd3';
import { useEffect, useMemo, useRef, useState } from 'react';
import type { Plan, TimelineEvent } from '../../../workers/core/plan/types.ts';
import { buttonClass } from '../../components/Region.tsx';
import { formatPercent, formatSeconds } from '../../format.ts';
import { useApp } from '../../store/store.ts';
import { EVENT_COLORS, stageColor, stageColorDark } from '../colors.ts';
import { WEIGHT_GRADIENT_ALPHA, chunkAlpha, drawTimeline } from './draw.ts';
import { AXIS_HEIGHT_PX, LABEL_WIDTH_PX, ROW_HEIGHT_PX, bubbleFraction, eventAt, eventTally, scheduleName, timelineRows, xToTime, type Zoom } from './layout.ts';

function describe(e: TimelineEvent): string {
  const what = e.kind === 'send' ? `send to stage ${e.toStage}` : e.weightGradient ? 'backward, weight gradient (W)' : e.kind;
  const chunk = e.chunk !== undefined ? ` · chunk ${e.chunk}` : '';
  const mb = e.microbatch >= 0 ? ` · micro-batch ${e.microbatch}` : '';
  return `stage ${e.stage}${chunk} · ${what}${mb} · ${formatSeconds(e.startSeconds)} → ${formatSeconds(e.endSeconds)} (${formatSeconds(e.endSeconds - e.startSeconds)})`;
}

function Legend({ chunks, weightGradients }: { chunks: number; weightGradients: boolean }) {
  const item = (style: React.CSSProperties, label: string) => <span className="flex items-center gap-1"><span className="inline-block h-2.5 w-2.5 rounded-sm" style={style} />{label}</span>;
  const hatch = 'repeating-linear-gradient(135deg, transparent 0 3px, rgba(255,255,255,0.6) 3px 4px)';
  return (
    <div className="flex flex-wrap gap-3 text-xs">
      {item({ background: stageColor(0) }, 'forward')}{item({ background: stageColorDark(0) }, 'backward')}
      {weightGradients && item({ backgroundColor: stageColorDark(0), backgroundImage: hatch, opacity: WEIGHT_GRADIENT_ALPHA }, 'weight gradient (W)')}
      {chunks > 1 && (
        <span className="flex items-center gap-1">{[...Array(chunks).keys()].map((c) => <span key={c} className="inline-block h-2.5 w-1.5" style={{ background: stageColor(0), opacity: chunkAlpha(c, chunks) }} />)}chunks 0 → {chunks - 1}</span>
      )}
      {item({ background: EVENT_COLORS.send }, 'send')}{item({ background: EVENT_COLORS['gradient-sync'] }, 'gradient sync')}{item({ background: EVENT_COLORS.update }, 'update')}
    </div>
  );
}

export function TimelineView({ plan }: { plan: Plan }) {
  const rows = useMemo(() => timelineRows(plan), [plan]);
  const tally = useMemo(() => eventTally(plan.timeline), [plan]);
  const wrap = useRef<HTMLDivElement>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const [width, setWidth] = useState(900);
  const [zoom, setZoom] = useState<Zoom>({ k: 1, x: 0 });
  const [hover, setHover] = useState<TimelineEvent>();
  const behaviourRef = useRef<ZoomBehavior<HTMLCanvasElement, unknown>>(null);
  const selected = useApp((s) => s.selectedStage);
  const selectStage = useApp((s) => s.selectStage);
  // The labels and axis take the theme's text colour (read from the canvas' style when painting).
  const theme = useApp((s) => s.theme);
  const height = rows.byStage.length * ROW_HEIGHT_PX + AXIS_HEIGHT_PX;
  const plotW = width - LABEL_WIDTH_PX - 8;

  useEffect(() => {
    const el = wrap.current;
    if (!el) return;
    const ro = new ResizeObserver(([entry]) => setWidth(Math.max(320, Math.floor(entry.contentRect.width))));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  useEffect(() => {
    const el = canvas.current;
    if (!el) return;
    const behaviour = d3zoom<HTMLCanvasElement, unknown>().scaleExtent([1, 20000])
      .translateExtent([[LABEL_WIDTH_PX, 0], [width, height]]).extent([[LABEL_WIDTH_PX, 0], [width, height]])
      .on('zoom', (e: D3ZoomEvent<HTMLCanvasElement, unknown>) => setZoom({ k: e.transform.k, x: e.transform.x - LABEL_WIDTH_PX * (1 - e.transform.k) }));
    behaviourRef.current = behaviour;
    const sel = select(el).call(behaviour).call(behaviour.transform, zoomIdentity);
    return () => { sel.on('.zoom', null); };
  }, [width, height, plan]);

  const drawnRows = useRef<typeof rows>(null);
  useEffect(() => {
    const paint = (): void => {
      const el = canvas.current;
      const ctx = el?.getContext('2d');
      if (!el || !ctx) return;
      const dpr = window.devicePixelRatio || 1;
      el.width = Math.floor(width * dpr);
      el.height = Math.floor(height * dpr);
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      const drawn = drawTimeline(ctx, rows, width, zoom, getComputedStyle(el).color, hover, selected);
      // What was drawn, for tests and tools that read the page (a canvas has no DOM of its bars).
      el.dataset.drawn = JSON.stringify(drawn);
    };
    // Zoom, hover and selection repaint at once; a new plan's timeline is drawn in a task of its own, after the
    // commit that mounted the plan's views (its getComputedStyle forced that whole commit's style recalculation).
    if (drawnRows.current === rows) { paint(); return; }
    drawnRows.current = rows;
    const timer = setTimeout(paint, 0);
    return () => clearTimeout(timer);
  }, [rows, width, height, zoom, hover, selected, theme]);

  const onMove = (e: React.MouseEvent<HTMLCanvasElement>) => {
    const box = e.currentTarget.getBoundingClientRect();
    const px = e.clientX - box.left, py = e.clientY - box.top;
    const row = rows.byStage[Math.floor(py / ROW_HEIGHT_PX)];
    setHover(row && px > LABEL_WIDTH_PX ? eventAt(row, xToTime(px, rows.stepSeconds, plotW, zoom)) : undefined);
  };

  return (
    <div className="space-y-2">
      <div className="flex flex-wrap items-center gap-4 text-sm">
        <span>step <span data-testid="step-time" className="tabular font-semibold">{formatSeconds(plan.stepSeconds)}</span></span>
        <span>bubble <span className="tabular font-semibold">{formatPercent(bubbleFraction(plan))}</span></span>
        <span data-testid="timeline-schedule">{scheduleName(plan)}</span>
        <span className="text-xs text-slate-500"><span data-testid="event-tally">{plan.timeline.length} events: {tally.forward} forward, {tally.backward} backward{tally.weightGradient ? `, ${tally.weightGradient} weight-gradient (W)` : ''}, {tally.send} sends</span> · scroll to zoom, drag to pan</span>
        <button type="button" className={buttonClass} onClick={() => { if (canvas.current && behaviourRef.current) select(canvas.current).call(behaviourRef.current.transform, zoomIdentity); }}>Reset zoom</button>
        <Legend chunks={rows.chunks} weightGradients={tally.weightGradient > 0} />
      </div>
      <div ref={wrap} className="relative w-full">
        <canvas ref={canvas} data-figure role="img" aria-label={`Pipeline timeline: ${plan.stages.length} stages, ${plan.microbatches} micro-batches, step ${formatSeconds(plan.stepSeconds)}`}
          style={{ width, height }} className="cursor-grab text-slate-700 dark:text-slate-200" onMouseMove={onMove} onMouseLeave={() => setHover(undefined)}
          onClick={(e) => { const s = Math.floor((e.clientY - e.currentTarget.getBoundingClientRect().top) / ROW_HEIGHT_PX); if (s < rows.byStage.length) selectStage(s); }} />
        <p className="h-5 truncate text-xs text-slate-600 dark:text-slate-300" aria-live="polite">{hover ? describe(hover) : '\u00a0'}</p>
      </div>
    </div>
  );
}

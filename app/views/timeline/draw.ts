/** Draws the timeline on a canvas: one pass per colour, skipping bars outside the view; sub-pixel bars are kept 1 px. */
import type { TimelineEvent } from '../../../workers/core/plan/types.ts';
import { formatSeconds } from '../../format.ts';
import { EVENT_COLORS, stageColor, stageColorDark } from '../colors.ts';
import { AXIS_HEIGHT_PX, LABEL_WIDTH_PX, ROW_HEIGHT_PX, ticks, timeToX, xToTime, type Rows, type Zoom } from './layout.ts';

/**
 * Zero-bubble weight-gradient passes (W), deferred into what would be bubble: the stage's backward colour, hatched
 * (the pattern is drawn over the bar), so they read as part of the backward yet apart from its input-gradient half.
 */
export const WEIGHT_GRADIENT_ALPHA = 0.55;

/** Later interleaved chunks are drawn lighter: chunk c of v at this opacity (1 for the first chunk). */
export function chunkAlpha(chunk: number | undefined, chunks: number): number {
  return chunk === undefined || chunks <= 1 ? 1 : 1 - (0.55 * chunk) / (chunks - 1);
}

function colorOf(e: TimelineEvent): string {
  if (e.kind === 'forward') return stageColor(e.stage);
  if (e.kind === 'backward') return stageColorDark(e.stage);
  return EVENT_COLORS[e.kind];
}

/** What one draw put on the canvas: bars by what they are, and the distinct interleaved chunks among them. */
export interface DrawnBars {
  readonly forward: number;
  /** Whole backwards, or the input-gradient halves of a zero-bubble schedule. */
  readonly backward: number;
  /** Zero-bubble weight-gradient passes (W). */
  readonly weightGradient: number;
  readonly send: number;
  readonly gradientSync: number;
  readonly update: number;
  /** Chunk numbers seen on compute bars (interleaved and V schedules); empty when none is chunked. */
  readonly chunks: readonly number[];
}

/** The bar kind one event is counted under. */
function barOf(e: TimelineEvent): Exclude<keyof DrawnBars, 'chunks'> {
  if (e.weightGradient) return 'weightGradient';
  return e.kind === 'gradient-sync' ? 'gradientSync' : e.kind;
}

/** Diagonal strokes over the W bars (every 6 px), clipped to each bar. */
function hatchBars(ctx: CanvasRenderingContext2D, events: readonly TimelineEvent[], x: (t: number) => number): void {
  ctx.save();
  ctx.globalAlpha = 0.5;
  ctx.strokeStyle = '#ffffff';
  ctx.lineWidth = 1;
  ctx.beginPath();
  for (const e of events) {
    const x0 = x(e.startSeconds), x1 = Math.max(x0 + 1, x(e.endSeconds));
    if (x1 - x0 < 4) continue;
    const top = e.stage * ROW_HEIGHT_PX + 3, h = ROW_HEIGHT_PX - 11;
    for (let sx = x0 - h; sx < x1; sx += 6) {
      const a = Math.max(sx, x0), b = Math.min(sx + h, x1);
      if (b <= a) continue;
      ctx.moveTo(a, top + h - (a - sx));
      ctx.lineTo(b, top + h - (b - sx));
    }
  }
  ctx.stroke();
  ctx.restore();
}

/** Draws the rows and returns what it drew (bars outside the zoomed view are skipped and not counted). */
export function drawTimeline(ctx: CanvasRenderingContext2D, rows: Rows, widthPx: number, zoom: Zoom, textColor: string, highlight?: TimelineEvent, selectedStage?: number): DrawnBars {
  const plotW = widthPx - LABEL_WIDTH_PX - 8;
  const heightPx = rows.byStage.length * ROW_HEIGHT_PX + AXIS_HEIGHT_PX;
  ctx.clearRect(0, 0, widthPx, heightPx);
  if (selectedStage !== undefined && rows.byStage.length > 1) {
    // The selected stage's row is banded, as the other views mark it.
    ctx.fillStyle = stageColor(selectedStage);
    ctx.globalAlpha = 0.12;
    ctx.fillRect(0, selectedStage * ROW_HEIGHT_PX, widthPx, ROW_HEIGHT_PX);
    ctx.globalAlpha = 1;
  }
  ctx.font = '11px system-ui, sans-serif';
  ctx.textBaseline = 'middle';
  ctx.save();
  ctx.beginPath();
  ctx.rect(LABEL_WIDTH_PX, 0, plotW + 8, heightPx);
  ctx.clip();
  const x = (t: number) => timeToX(t, rows.stepSeconds, plotW, zoom);
  const buckets = new Map<string, TimelineEvent[]>();
  rows.byStage.forEach((row) => {
    for (const e of row) {
      const x0 = x(e.startSeconds), x1 = x(e.endSeconds);
      if (x1 < LABEL_WIDTH_PX || x0 > widthPx) continue;
      const c = `${colorOf(e)}|${e.weightGradient ? WEIGHT_GRADIENT_ALPHA : chunkAlpha(e.chunk, rows.chunks)}|${e.weightGradient ? 'w' : ''}`;
      let b = buckets.get(c);
      if (!b) buckets.set(c, (b = []));
      b.push(e);
    }
  });
  const drawn = { forward: 0, backward: 0, weightGradient: 0, send: 0, gradientSync: 0, update: 0 };
  const chunks = new Set<number>();
  for (const [key, events] of buckets) {
    const [color, alpha, hatch] = key.split('|');
    ctx.fillStyle = color;
    ctx.globalAlpha = Number(alpha);
    for (const e of events) {
      drawn[barOf(e)]++;
      if (e.chunk !== undefined) chunks.add(e.chunk);
      const x0 = x(e.startSeconds), w = Math.max(1, x(e.endSeconds) - x0);
      const top = e.stage * ROW_HEIGHT_PX;
      // Sends sit in a thin band under the sender's row; compute and gradient sync fill the row.
      if (e.kind === 'send') ctx.fillRect(x0, top + ROW_HEIGHT_PX - 7, w, 4);
      else ctx.fillRect(x0, top + 3, w, ROW_HEIGHT_PX - 11);
    }
    if (hatch) hatchBars(ctx, events, x);
  }
  ctx.globalAlpha = 1;
  if (highlight) {
    ctx.strokeStyle = textColor;
    ctx.lineWidth = 1.5;
    const x0 = x(highlight.startSeconds);
    ctx.strokeRect(x0, highlight.stage * ROW_HEIGHT_PX + 2, Math.max(2, x(highlight.endSeconds) - x0), ROW_HEIGHT_PX - 8);
  }
  ctx.restore();
  ctx.fillStyle = textColor;
  rows.byStage.forEach((_, s) => {
    ctx.fillStyle = stageColor(s);
    ctx.fillRect(4, s * ROW_HEIGHT_PX + 8, 8, 8);
    ctx.fillStyle = textColor;
    ctx.fillText(`stage ${s}`, 16, s * ROW_HEIGHT_PX + 12);
  });
  const axisY = rows.byStage.length * ROW_HEIGHT_PX;
  const t0 = Math.max(0, xToTime(LABEL_WIDTH_PX, rows.stepSeconds, plotW, zoom));
  const t1 = Math.min(rows.stepSeconds, xToTime(LABEL_WIDTH_PX + plotW, rows.stepSeconds, plotW, zoom));
  ctx.globalAlpha = 0.6;
  for (const t of ticks(t0, t1, Math.max(2, Math.floor(plotW / 110)))) {
    const tx = x(t);
    ctx.fillRect(tx, axisY, 1, 4);
    ctx.fillText(formatSeconds(t), tx + 3, axisY + 10);
  }
  ctx.globalAlpha = 1;
  return { ...drawn, chunks: [...chunks].sort((a, b) => a - b) };
}

/**
 * Geometry of the Timeline view (pure, unit-tested): one row per stage, time on x scaled by a zoom transform
 * (k, x); events bucketed per row and sorted by start so hit tests are binary searches.
 */
import type { Plan, TimelineEvent } from '../../../workers/core/plan/types.ts';

export const ROW_HEIGHT_PX = 26;
export const LABEL_WIDTH_PX = 64;
export const AXIS_HEIGHT_PX = 20;

export interface Zoom {
  /** Scale factor (1 = whole step fits). */
  readonly k: number;
  /** Pan offset, pixels. */
  readonly x: number;
}

export interface Rows {
  readonly stepSeconds: number;
  /** Chunks per device (interleaved and V schedules: the highest chunk number + 1); 1 when none is chunked. */
  readonly chunks: number;
  /** Events of each stage, sorted by start. */
  readonly byStage: readonly (readonly TimelineEvent[])[];
}

export function timelineRows(plan: Plan): Rows {
  const byStage: TimelineEvent[][] = plan.stages.map(() => []);
  let end = plan.stepSeconds;
  let chunks = 1;
  for (const e of plan.timeline) {
    byStage[e.stage]?.push(e);
    if (e.endSeconds > end) end = e.endSeconds;
    if (e.chunk !== undefined && e.chunk >= chunks) chunks = e.chunk + 1;
  }
  for (const row of byStage) row.sort((a, b) => a.startSeconds - b.startSeconds);
  return { stepSeconds: end, chunks, byStage };
}

/** Pixel x of a time, for a plot `plotWidthPx` wide (after the row labels). */
export function timeToX(seconds: number, stepSeconds: number, plotWidthPx: number, zoom: Zoom): number {
  return LABEL_WIDTH_PX + zoom.x + (seconds / stepSeconds) * plotWidthPx * zoom.k;
}

export function xToTime(xPx: number, stepSeconds: number, plotWidthPx: number, zoom: Zoom): number {
  return ((xPx - LABEL_WIDTH_PX - zoom.x) / (plotWidthPx * zoom.k)) * stepSeconds;
}

/** The event of a row under time t (the last one starting at or before t that has not ended), if any. */
export function eventAt(row: readonly TimelineEvent[], t: number): TimelineEvent | undefined {
  let lo = 0, hi = row.length - 1, found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (row[mid].startSeconds <= t) { found = mid; lo = mid + 1; } else hi = mid - 1;
  }
  for (let i = found; i >= 0 && i > found - 8; i--) if (row[i].endSeconds >= t) return row[i];
  return undefined;
}

const SCHEDULE_NAMES: Readonly<Record<string, string>> = {
  '1f1b': '1F1B', 'eager-1f1b': 'eager 1F1B', gpipe: 'GPipe', interleaved: 'interleaved 1F1B', 'zb-h1': 'zero-bubble ZB-H1',
  'zb-v': 'zero-bubble ZB-V, 2 chunks per device in a V', inference: 'inference (forward only)',
};

/** The plan's schedule as the Timeline names it: "interleaved 1F1B, 4 chunks per device", "zero-bubble ZB-H1". */
export function scheduleName(plan: Pick<Plan, 'schedule' | 'virtualStages'>): string {
  const name = SCHEDULE_NAMES[plan.schedule] ?? plan.schedule;
  return plan.virtualStages !== undefined && plan.virtualStages > 1 ? `${name}, ${plan.virtualStages} chunks per device` : name;
}

export interface EventTally {
  readonly forward: number;
  /** Whole backwards, or the input-gradient halves where the weight gradient runs apart. */
  readonly backward: number;
  /** Weight-gradient passes (W) of a zero-bubble schedule. */
  readonly weightGradient: number;
  readonly send: number;
}

/** Compute and send events of a timeline by kind (the Timeline's header line). */
export function eventTally(events: readonly TimelineEvent[]): EventTally {
  let forward = 0, backward = 0, weightGradient = 0, send = 0;
  for (const e of events) {
    if (e.weightGradient) weightGradient++;
    else if (e.kind === 'forward') forward++;
    else if (e.kind === 'backward') backward++;
    else if (e.kind === 'send') send++;
  }
  return { forward, backward, weightGradient, send };
}

/** Idle share of the step: the plan's bubble seconds over its step time. */
export function bubbleFraction(plan: Plan): number {
  return plan.stepSeconds > 0 ? plan.breakdown.bubbleSeconds / plan.stepSeconds : 0;
}

/** Axis ticks: about `count` round times across the visible range. */
export function ticks(t0: number, t1: number, count: number): number[] {
  const span = Math.max(1e-12, t1 - t0);
  const raw = span / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let t = Math.ceil(t0 / step) * step; t <= t1 + 1e-12; t += step) out.push(Number(t.toPrecision(12)));
  return out;
}

import { describe, expect, it } from 'vitest';
import { simulateSchedule } from '../../../workers/core/schedule/pipelineSchedule.ts';
import type { ScheduleKind } from '../../../workers/core/schedule/types.ts';
import { FIXTURE_PLAN } from '../fixturePlan.ts';
import { stageColor, stageColorDark } from '../colors.ts';
import { WEIGHT_GRADIENT_ALPHA, chunkAlpha, drawTimeline } from './draw.ts';
import { ROW_HEIGHT_PX, timelineRows } from './layout.ts';

interface Rect { readonly fill: string; readonly alpha: number; readonly x: number; readonly y: number; readonly w: number; readonly h: number }

/** A 2D context that records the rectangles filled and counts hatch strokes (the Timeline draws bars with fillRect). */
function recorder(): { ctx: CanvasRenderingContext2D; rects: Rect[]; strokes: { n: number } } {
  const rects: Rect[] = [];
  const strokes = { n: 0 };
  const noop = () => {};
  const ctx = {
    fillStyle: '', globalAlpha: 1, strokeStyle: '', lineWidth: 1, font: '', textBaseline: '',
    fillRect(x: number, y: number, w: number, h: number) { rects.push({ fill: String(this.fillStyle), alpha: this.globalAlpha, x, y, w, h }); },
    lineTo() { strokes.n++; },
    clearRect: noop, save: noop, restore: noop, beginPath: noop, rect: noop, clip: noop, fillText: noop, strokeRect: noop, moveTo: noop, stroke: noop,
  };
  return { ctx: ctx as unknown as CanvasRenderingContext2D, rects, strokes };
}

/** Draws a simulated 4-stage, 8-micro-batch schedule with F = B = W (stage backward twice its forward). */
function draw(schedule: ScheduleKind) {
  const S = 4;
  const sim = simulateSchedule({ schedule, microbatches: 8, stages: Array.from({ length: S }, () => ({ forwardSeconds: 1, backwardSeconds: 2, sendSeconds: 0, gradientSyncSeconds: 0 })) });
  const plan = { ...FIXTURE_PLAN, schedule, stepSeconds: sim.stepSeconds, timeline: sim.events, stages: Array.from({ length: S }, (_, i) => ({ ...FIXTURE_PLAN.stages[0], index: i })) };
  const { ctx, rects, strokes } = recorder();
  const drawn = drawTimeline(ctx, timelineRows(plan), 1000, { k: 1, x: 0 }, '#000');
  // Compute bars fill a row from 3 px under its top.
  const row = (i: number) => rects.filter((r) => r.h === ROW_HEIGHT_PX - 11 && r.y === i * ROW_HEIGHT_PX + 3);
  const count = (i: number, fill: string, alpha: number) => row(i).filter((r) => r.fill === fill && Math.abs(r.alpha - alpha) < 1e-12).length;
  return { drawn, count, strokes: strokes.n, S };
}

describe('the Timeline draws the zero-bubble schedules', () => {
  it('ZB-H1: every stage row gets its forwards, input-gradient B bars and hatched, fainter weight-gradient W bars', () => {
    const { drawn, count, strokes, S } = draw('zb-h1');
    expect([drawn.forward, drawn.backward, drawn.weightGradient, drawn.chunks.length]).toEqual([32, 32, 32, 0]);
    for (let i = 0; i < S; i++) {
      expect(count(i, stageColor(i), 1)).toBe(8);
      expect(count(i, stageColorDark(i), 1)).toBe(8);
      expect(count(i, stageColorDark(i), WEIGHT_GRADIENT_ALPHA)).toBe(8);
    }
    expect(strokes).toBeGreaterThan(32);
  });

  it('ZB-V: both chunks of every device, F, B and W; the second chunk (the way back up the V) lighter', () => {
    const { drawn, count, S } = draw('zb-v');
    expect([drawn.forward, drawn.backward, drawn.weightGradient]).toEqual([64, 64, 64]);
    expect(drawn.chunks).toEqual([0, 1]);
    const second = chunkAlpha(1, 2);
    expect(second).toBeLessThan(1);
    for (let i = 0; i < S; i++) {
      expect([count(i, stageColor(i), 1), count(i, stageColor(i), second)]).toEqual([8, 8]);
      expect([count(i, stageColorDark(i), 1), count(i, stageColorDark(i), second)]).toEqual([8, 8]);
      expect(count(i, stageColorDark(i), WEIGHT_GRADIENT_ALPHA)).toBe(16);
    }
  });
});

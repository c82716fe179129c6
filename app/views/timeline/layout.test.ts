import { describe, expect, it } from 'vitest';
import { FIXTURE_PLAN } from '../fixturePlan.ts';
import { chunkAlpha } from './draw.ts';
import { LABEL_WIDTH_PX, bubbleFraction, eventAt, eventTally, scheduleName, ticks, timeToX, timelineRows, xToTime } from './layout.ts';

describe('timeline layout', () => {
  const rows = timelineRows(FIXTURE_PLAN);
  it('puts events on their stage rows, sorted', () => {
    expect(rows.byStage.map((r) => r.length)).toEqual([4, 2]);
    expect(rows.byStage[0].map((e) => e.kind)).toEqual(['forward', 'send', 'backward', 'gradient-sync']);
    expect(rows.stepSeconds).toBe(1);
  });
  it('maps time to pixels under zoom and back', () => {
    expect(timeToX(0.5, 1, 1000, { k: 1, x: 0 })).toBe(LABEL_WIDTH_PX + 500);
    expect(timeToX(0.5, 1, 1000, { k: 4, x: -1000 })).toBe(LABEL_WIDTH_PX + 1000);
    expect(xToTime(LABEL_WIDTH_PX + 1000, 1, 1000, { k: 4, x: -1000 })).toBeCloseTo(0.5);
  });
  it('finds the event under the pointer and none in a gap', () => {
    expect(eventAt(rows.byStage[1], 0.3)?.kind).toBe('backward');
    expect(eventAt(rows.byStage[0], 0.8)).toBeUndefined();
    expect(eventAt(rows.byStage[0], 0.97)?.kind).toBe('gradient-sync');
  });
  it('reports the bubble fraction and round ticks', () => {
    expect(bubbleFraction(FIXTURE_PLAN)).toBeCloseTo(0.2);
    expect(ticks(0, 1, 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
  });
  it('names the schedule with its chunks per device', () => {
    expect(scheduleName({ schedule: 'interleaved', virtualStages: 4 })).toBe('interleaved 1F1B, 4 chunks per device');
    expect(scheduleName({ schedule: 'zb-h1' })).toBe('zero-bubble ZB-H1');
    expect(scheduleName({ schedule: 'zb-v' })).toBe('zero-bubble ZB-V, 2 chunks per device in a V');
    expect(scheduleName({ schedule: '1f1b', virtualStages: 1 })).toBe('1F1B');
  });
  it('tallies compute and send events, a weight-gradient half apart from the backwards', () => {
    expect(eventTally(FIXTURE_PLAN.timeline)).toEqual({ forward: 2, backward: 2, weightGradient: 0, send: 1 });
    const zb = [
      { stage: 0, microbatch: 0, kind: 'backward' as const, startSeconds: 0, endSeconds: 1 },
      { stage: 0, microbatch: 0, kind: 'backward' as const, weightGradient: true, startSeconds: 1, endSeconds: 2 },
      { stage: 0, microbatch: -1, kind: 'update' as const, startSeconds: 2, endSeconds: 3 },
    ];
    expect(eventTally(zb)).toEqual({ forward: 0, backward: 1, weightGradient: 1, send: 0 });
  });
  it('counts chunks per device from the events, and draws later chunks lighter', () => {
    expect(rows.chunks).toBe(1);
    // Forwards at indices 0 and 2 of the fixture, given chunks 0 and 2: three chunks per device.
    const chunked = { ...FIXTURE_PLAN, timeline: FIXTURE_PLAN.timeline.map((e, i) => (e.kind === 'forward' ? { ...e, chunk: i } : e)) };
    expect(timelineRows(chunked).chunks).toBe(3);
    const alphas = [0, 1, 2, 3].map((c) => chunkAlpha(c, 4));
    [1, 0.8167, 0.6333, 0.45].forEach((a, i) => expect(alphas[i]).toBeCloseTo(a, 4));
    expect(chunkAlpha(undefined, 4)).toBe(1);
  });
});

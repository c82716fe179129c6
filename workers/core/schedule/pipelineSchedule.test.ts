import { describe, expect, it } from 'vitest';
import type { ScheduleKind, TimelineEvent } from './types.ts';
import { packTimeline, timelineBuffers, unpackTimeline } from './packedTimeline.ts';
import { simulateSchedule, stageOrder, type ScheduleStageInput } from './pipelineSchedule.ts';

const stagesOf = (fb: readonly (readonly [number, number])[], sendSeconds = 0, gradientSyncSeconds = 0): ScheduleStageInput[] =>
  fb.map(([forwardSeconds, backwardSeconds]) => ({ forwardSeconds, backwardSeconds, sendSeconds, gradientSyncSeconds }));

/** Alpa's Eq. 2: Σt + (B-1)·max t with t = forward + backward of a stage. */
const closedForm = (fb: readonly (readonly [number, number])[], B: number): number => {
  const t = fb.map(([f, b]) => f + b);
  return t.reduce((s, x) => s + x, 0) + (B - 1) * Math.max(...t);
};

const UNIFORM: [number, number][] = [[1, 2], [1, 2], [1, 2], [1, 2]];
/** Non-uniform, backward = 2x forward on every stage, so the forward and backward bottleneck is one stage. */
const PROPORTIONAL: [number, number][] = [[1, 2], [2, 4], [0.5, 1], [1.5, 3]];

function decode(order: Int32Array): string {
  return Array.from(order, (c) => (c >= 0 ? `F${c}` : `B${-c - 1}`)).join(' ');
}

function checkNoOverlapPerStage(events: readonly TimelineEvent[], S: number): void {
  for (let i = 0; i < S; i++) {
    const compute = events
      .filter((e) => e.stage === i && (e.kind === 'forward' || e.kind === 'backward'))
      .sort((a, b) => a.startSeconds - b.startSeconds);
    for (let k = 1; k < compute.length; k++) expect(compute[k].startSeconds).toBeGreaterThanOrEqual(compute[k - 1].endSeconds - 1e-12);
  }
}

describe('stage orders', () => {
  it('1F1B (PipeDream-Flush) warms up with S-i-1 forwards', () => {
    expect(decode(stageOrder('1f1b', 0, 4, 6))).toBe('F0 F1 F2 F3 B0 F4 B1 F5 B2 B3 B4 B5');
    expect(decode(stageOrder('1f1b', 3, 4, 6))).toBe('F0 B0 F1 B1 F2 B2 F3 B3 F4 B4 F5 B5');
    expect(decode(stageOrder('1f1b', 0, 4, 2))).toBe('F0 F1 B0 B1');
  });
  it('eager 1F1B runs min(B, 2(S-i)-1) forwards before its first backward (Alpa\'s overlap-friendly table)', () => {
    // Alpa's docstring for 3 stages: stage 0 F0..F4 B0 F5 B1, stage 1 F0 F1 F2 B0 F3 B1, stage 2 F0 B0 F1 B1.
    expect(decode(stageOrder('eager-1f1b', 0, 3, 6))).toBe('F0 F1 F2 F3 F4 B0 F5 B1 B2 B3 B4 B5');
    expect(decode(stageOrder('eager-1f1b', 1, 3, 6))).toBe('F0 F1 F2 B0 F3 B1 F4 B2 F5 B3 B4 B5');
    expect(decode(stageOrder('eager-1f1b', 2, 3, 3))).toBe('F0 B0 F1 B1 F2 B2');
    expect(decode(stageOrder('eager-1f1b', 0, 4, 4))).toBe('F0 F1 F2 F3 B0 B1 B2 B3');
  });
  it('GPipe runs all forwards then all backwards; inference only forwards', () => {
    expect(decode(stageOrder('gpipe', 1, 3, 3))).toBe('F0 F1 F2 B0 B1 B2');
    expect(decode(stageOrder('inference', 1, 3, 3))).toBe('F0 F1 F2');
  });
});

describe('simulateSchedule against the closed form Σt + (B-1)·max t (zero sends)', () => {
  for (const schedule of ['gpipe', '1f1b'] as const) {
    for (const B of [1, 2, 4, 8, 33]) {
      it(`${schedule}, uniform stages, B=${B}`, () => {
        const r = simulateSchedule({ schedule, microbatches: B, stages: stagesOf(UNIFORM) });
        expect(r.stepSeconds).toBeCloseTo(closedForm(UNIFORM, B), 9);
        expect(r.stepSeconds).toBeCloseTo((4 + B - 1) * 3, 9);
      });
    }
  }
  for (const B of [1, 2, 3, 8, 32]) {
    it(`gpipe, non-uniform stages, B=${B}`, () => {
      const r = simulateSchedule({ schedule: 'gpipe', microbatches: B, stages: stagesOf(PROPORTIONAL) });
      expect(r.stepSeconds).toBeCloseTo(closedForm(PROPORTIONAL, B), 9); // 15 + 6(B-1)
    });
  }
  it('1F1B on non-uniform stages hides the stages after the bottleneck: below Eq. 2, above the lower bound', () => {
    // Bottleneck stage 1 (t=6): it must run 8·6 s of work after stage 0's F0 (1 s) and before stage 0's last B (2 s).
    const r = simulateSchedule({ schedule: '1f1b', microbatches: 8, stages: stagesOf(PROPORTIONAL) });
    expect(r.stepSeconds).toBeCloseTo(53, 9);
    expect(closedForm(PROPORTIONAL, 8)).toBe(57);
    expect(r.stepSeconds).toBeGreaterThanOrEqual(1 + 8 * 6 + 2);
  });
  it('GPipe with forward and backward bottlenecks on different stages exceeds Eq. 2', () => {
    const fb: [number, number][] = [[1, 3], [2, 1], [0.5, 2], [1.5, 1]];
    const r = simulateSchedule({ schedule: 'gpipe', microbatches: 8, stages: stagesOf(fb) });
    // forward phase Σf + 7·max f = 5 + 14 = 19, backward phase then Σb + 7·max b = 7 + 21 = 28.
    expect(r.stepSeconds).toBeCloseTo(47, 9);
  });
});

describe('simulateSchedule', () => {
  it('1F1B keeps min(S-i, B) micro-batches in flight; GPipe keeps B', () => {
    expect(simulateSchedule({ schedule: '1f1b', microbatches: 8, stages: stagesOf(UNIFORM) }).peakInFlight).toEqual([4, 3, 2, 1]);
    expect(simulateSchedule({ schedule: '1f1b', microbatches: 2, stages: stagesOf(UNIFORM) }).peakInFlight).toEqual([2, 2, 2, 1]);
    expect(simulateSchedule({ schedule: 'gpipe', microbatches: 8, stages: stagesOf(UNIFORM) }).peakInFlight).toEqual([8, 8, 8, 8]);
  });

  it('eager 1F1B holds 2(S-i)-1 in flight and, on uniform stages, takes as long as 1F1B', () => {
    const r = simulateSchedule({ schedule: 'eager-1f1b', microbatches: 8, stages: stagesOf(UNIFORM) });
    expect(r.peakInFlight).toEqual([7, 5, 3, 1]);
    expect(r.stepSeconds).toBeCloseTo(33, 9);
    checkNoOverlapPerStage(r.events, 4);
  });

  it('eager 1F1B hides transfers that stall 1F1B (Alpa: "more communication-computation-overlap-friendly")', () => {
    const step = (schedule: ScheduleKind) => simulateSchedule({ schedule, microbatches: 8, stages: stagesOf(UNIFORM, 0.5) }).stepSeconds;
    expect(step('eager-1f1b')).toBeCloseTo(36, 9); // 33 + 3 transfers down and 3 back at 0.5 s: only the pipeline fill and drain wait
    expect(step('1f1b')).toBeCloseTo(41, 9);
    expect(step('gpipe')).toBeCloseTo(36, 9);
  });

  it('inference runs forwards only: Σf + (B-1)·max f, one micro-batch in flight', () => {
    const r = simulateSchedule({ schedule: 'inference', microbatches: 5, stages: stagesOf(PROPORTIONAL, 0, 7) });
    expect(r.stepSeconds).toBeCloseTo(5 + 4 * 2, 9);
    expect(r.events.every((e) => e.kind === 'forward')).toBe(true);
    expect(r.events).toHaveLength(20);
    expect(r.peakInFlight).toEqual([1, 1, 1, 1]);
  });

  it('one micro-batch: the sum of all forwards, backwards and both-way sends', () => {
    const r = simulateSchedule({ schedule: '1f1b', microbatches: 1, stages: stagesOf(PROPORTIONAL, 0.25) });
    expect(r.stepSeconds).toBeCloseTo(15 + 2 * 3 * 0.25, 9);
    expect(r.events.filter((e) => e.kind === 'send')).toHaveLength(6);
    // bubble: each stage idles for everything the others do.
    expect(r.stageIdleSeconds).toEqual([16.5 - 3, 16.5 - 6, 16.5 - 1.5, 16.5 - 4.5].map((x) => expect.closeTo(x, 9)));
  });

  it('one stage: B·(f+b) + gradient sync, no sends, no bubble', () => {
    const r = simulateSchedule({ schedule: '1f1b', microbatches: 4, stages: stagesOf([[1, 2]], 5, 0.5) });
    expect(r.stepSeconds).toBeCloseTo(12.5, 9);
    expect(r.events.filter((e) => e.kind === 'send')).toHaveLength(0);
    expect(r.bubbleSeconds).toBeCloseTo(0, 9);
    expect(r.peakInFlight).toEqual([1]);
  });

  it('sends delay the dependent stage and appear as events from sender to receiver', () => {
    const r = simulateSchedule({ schedule: 'gpipe', microbatches: 1, stages: stagesOf([[1, 2], [1, 2]], 0.5) });
    const sends = r.events.filter((e) => e.kind === 'send');
    expect(sends).toEqual([
      { stage: 0, toStage: 1, microbatch: 0, kind: 'send', startSeconds: 1, endSeconds: 1.5 },
      { stage: 1, toStage: 0, microbatch: 0, kind: 'send', startSeconds: 4.5, endSeconds: 5 },
    ]);
    const f1 = r.events.find((e) => e.stage === 1 && e.kind === 'forward');
    expect(f1?.startSeconds).toBe(1.5);
    expect(r.stepSeconds).toBe(7);
  });

  it('a link slower than compute becomes the bottleneck (one transfer at a time per direction)', () => {
    // 2 stages, f=b=1, send=3: the down link carries B transfers back to back.
    const r = simulateSchedule({ schedule: 'gpipe', microbatches: 4, stages: stagesOf([[1, 1], [1, 1]], 3) });
    const downSends = r.events.filter((e) => e.kind === 'send' && e.toStage === 1);
    expect(downSends.map((e) => e.startSeconds)).toEqual([1, 4, 7, 10]);
  });

  it('gradient sync runs after each stage\'s last backward and can end the step', () => {
    const r = simulateSchedule({ schedule: '1f1b', microbatches: 4, stages: stagesOf(UNIFORM, 0, 10) });
    const syncs = r.events.filter((e) => e.kind === 'gradient-sync');
    expect(syncs).toHaveLength(4);
    expect(syncs.every((e) => e.microbatch === -1)).toBe(true);
    const stage0 = syncs.find((e) => e.stage === 0);
    expect(stage0?.startSeconds).toBeCloseTo(21, 9);
    expect(r.stepSeconds).toBeCloseTo(31, 9);
  });

  it('bubble on uniform 1F1B is (S-1)/(S+B-1) of the step', () => {
    const r = simulateSchedule({ schedule: '1f1b', microbatches: 8, stages: stagesOf(UNIFORM) });
    expect(r.bubbleSeconds).toBeCloseTo(3 * 3, 9);
    expect(r.bubbleFraction).toBeCloseTo(3 / 11, 9);
  });

  it('every stage computes one op at a time and backwards follow their forwards', () => {
    for (const schedule of ['gpipe', '1f1b', 'eager-1f1b'] as ScheduleKind[]) {
      const r = simulateSchedule({ schedule, microbatches: 6, stages: stagesOf(PROPORTIONAL, 0.3, 1) });
      checkNoOverlapPerStage(r.events, 4);
      for (const e of r.events.filter((x) => x.kind === 'backward')) {
        const f = r.events.find((x) => x.kind === 'forward' && x.stage === e.stage && x.microbatch === e.microbatch);
        expect(f!.endSeconds).toBeLessThanOrEqual(e.startSeconds);
      }
    }
  });

  it('rejects bad input with a message naming the field', () => {
    expect(() => simulateSchedule({ schedule: '1f1b', microbatches: 0, stages: stagesOf(UNIFORM) })).toThrow(/microbatches/);
    expect(() => simulateSchedule({ schedule: '1f1b', microbatches: 2, stages: stagesOf([[1, Number.NaN]]) })).toThrow(/stage 0 backwardSeconds/);
    expect(() => simulateSchedule({ schedule: '1f1b', microbatches: 2, stages: [] })).toThrow(/no stages/);
  });

  it('simulates 16 stages x 1024 micro-batches (GPT-39B-like): every event (its speed: bench/schedule/run.ts)', () => {
    const stages = Array.from({ length: 16 }, (_, i) => ({
      forwardSeconds: 0.01 + 0.0005 * (i % 3), backwardSeconds: 0.02, sendSeconds: 0.001, gradientSyncSeconds: 0.05,
    }));
    const events = simulateSchedule({ schedule: '1f1b', microbatches: 1024, stages }).events;
    expect(events.length).toBe(16 * 2048 + 2 * 15 * 1024 + 16);
    expect(events.filter((e) => e.kind === 'gradient-sync')).toHaveLength(16);
  });
});

describe('packed timeline', () => {
  it('round-trips events exactly, sends keeping their receiver', () => {
    const r = simulateSchedule({ schedule: '1f1b', microbatches: 3, stages: stagesOf(PROPORTIONAL, 0.25, 1) });
    const packed = packTimeline(r.events);
    expect(packed.length).toBe(r.events.length);
    expect(unpackTimeline(packed)).toEqual(r.events);
    expect(timelineBuffers(packed)).toHaveLength(8);
    const send = r.events.findIndex((e) => e.kind === 'send');
    expect(packed.kind[send]).toBe(2);
    expect(packed.toStage[send]).toBe(r.events[send].toStage);
  });

  it("keeps interleaved chunks and ZB-H1's weight-gradient halves; reads timelines packed without them", () => {
    for (const schedule of ['interleaved', 'zb-h1'] as const) {
      const r = simulateSchedule({ schedule, microbatches: 4, stages: stagesOf(UNIFORM), virtualStages: 2 });
      expect(unpackTimeline(packTimeline(r.events))).toEqual(r.events);
    }
    const il = packTimeline(simulateSchedule({ schedule: 'interleaved', microbatches: 4, stages: stagesOf(UNIFORM), virtualStages: 2 }).events);
    expect(new Set(il.chunk)).toEqual(new Set([0, 1]));
    const { chunk: _c, weightGradient: _w, ...old } = il;
    expect(unpackTimeline(old).every((e) => e.chunk === undefined && !e.weightGradient)).toBe(true);
  });
});

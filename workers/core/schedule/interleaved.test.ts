import { describe, expect, it } from 'vitest';
import { interleavedOp, interleavedOrder } from './interleaved.ts';
import { simulateSchedule, type ScheduleStageInput } from './pipelineSchedule.ts';

const uniform = (S: number, f = 1, b = 2, send = 0): ScheduleStageInput[] =>
  Array.from({ length: S }, () => ({ forwardSeconds: f, backwardSeconds: b, sendSeconds: send, gradientSyncSeconds: 0 }));

describe('interleaved 1F1B (Megatron virtual pipeline)', () => {
  it("orders each device's chunks as Megatron does: micro-batches in groups of S, chunks ascending forward, descending backward", () => {
    // S = 2 devices, v = 2 chunks, B = 4: forwards k = 0..7 go m0c0 m1c0 m0c1 m1c1 m2c0 m3c0 m2c1 m3c1.
    const f = Array.from({ length: 8 }, (_, k) => interleavedOp(k, 2, 2, false)).map((o) => `m${o.microbatch}c${o.chunk}`);
    expect(f.join(' ')).toBe('m0c0 m1c0 m0c1 m1c1 m2c0 m3c0 m2c1 m3c1');
    const b = Array.from({ length: 4 }, (_, k) => interleavedOp(k, 2, 2, true)).map((o) => `m${o.microbatch}c${o.chunk}`);
    expect(b.join(' ')).toBe('m0c1 m1c1 m0c0 m1c0');
    // Device 0 warms up with 2(S-1) + (v-1)S = 4 forwards, the last device with (v-1)S = 2.
    const enc = (o: [number, number][]) => o.map(([bw, k]) => `${bw ? 'B' : 'F'}${k}`).join(' ');
    expect(enc(interleavedOrder(0, 2, 2, 4))).toBe('F0 F1 F2 F3 F4 B0 F5 B1 F6 B2 F7 B3 B4 B5 B6 B7');
    expect(enc(interleavedOrder(1, 2, 2, 4))).toBe('F0 F1 F2 B0 F3 B1 F4 B2 F5 B3 F6 B4 F7 B5 B6 B7');
  });

  for (const [S, v, B] of [[4, 2, 8], [4, 4, 8], [2, 2, 6], [8, 2, 16], [4, 2, 12]] as const) {
    it(`S=${S}, v=${v}, B=${B} uniform stages: step B(f+b) + (S-1)(f+b)/v, device i holds (2(S-i-1) + (v-1)S + 1)/v micro-batches`, () => {
      const r = simulateSchedule({ schedule: 'interleaved', microbatches: B, stages: uniform(S), virtualStages: v });
      expect(r.stepSeconds).toBeCloseTo(B * 3 + ((S - 1) * 3) / v, 9);
      expect(r.peakInFlight).toEqual(Array.from({ length: S }, (_, i) => (2 * (S - i - 1) + (v - 1) * S + 1) / v));
      // Against 1F1B's B(f+b) + (S-1)(f+b): the bubble shrinks v-fold.
      const one = simulateSchedule({ schedule: '1f1b', microbatches: B, stages: uniform(S) });
      expect(one.stepSeconds - B * 3).toBeCloseTo(v * (r.stepSeconds - B * 3), 9);
      // Each device: B·v forwards and backwards of 1/v of its stage, never two at once.
      for (let i = 0; i < S; i++) {
        const mine = r.events.filter((e) => e.stage === i && (e.kind === 'forward' || e.kind === 'backward')).sort((a, b) => a.startSeconds - b.startSeconds);
        expect(mine).toHaveLength(2 * B * v);
        for (let k = 1; k < mine.length; k++) expect(mine[k].startSeconds).toBeGreaterThanOrEqual(mine[k - 1].endSeconds - 1e-12);
        expect(new Set(mine.map((e) => e.chunk))).toEqual(new Set(Array.from({ length: v }, (_, c) => c)));
      }
    });
  }

  it('one chunk per device is 1F1B; sends cross every device boundary v times', () => {
    const one = simulateSchedule({ schedule: '1f1b', microbatches: 8, stages: uniform(4, 1, 2, 0.25) });
    const v1 = simulateSchedule({ schedule: 'interleaved', microbatches: 8, stages: uniform(4, 1, 2, 0.25), virtualStages: 1 });
    expect(v1.stepSeconds).toBe(one.stepSeconds);
    const v2 = simulateSchedule({ schedule: 'interleaved', microbatches: 8, stages: uniform(4, 1, 2, 0.25), virtualStages: 2 });
    // Forward sends: 8 micro-batches over 2·4 - 1 virtual boundaries; backward the same.
    expect(v2.events.filter((e) => e.kind === 'send')).toHaveLength(2 * 8 * 7);
  });

  it('rejects micro-batches that are not a multiple of the stages', () => {
    expect(() => simulateSchedule({ schedule: 'interleaved', microbatches: 6, stages: uniform(4), virtualStages: 2 })).toThrow(/micro-batches \(6\) must be a multiple of the 4 stages/);
  });
});

import { describe, expect, it } from 'vitest';
import { simulateSchedule, type ScheduleStageInput } from './pipelineSchedule.ts';

const stagesOf = (fb: readonly (readonly [number, number])[], send = 0): ScheduleStageInput[] =>
  fb.map(([forwardSeconds, backwardSeconds]) => ({ forwardSeconds, backwardSeconds, sendSeconds: send, gradientSyncSeconds: 0 }));

describe('zero-bubble ZB-H1', () => {
  for (const [S, M] of [[4, 8], [4, 4], [8, 16], [2, 6], [3, 9], [4, 12]] as const) {
    it(`S=${S}, M=${M} uniform stages (F=1, B=W=1): step M(F+B+W) + (S-1)(F+B-W) against 1F1B's M(F+B+W) + (S-1)(F+B+W)`, () => {
      const stages = stagesOf(Array.from({ length: S }, () => [1, 2] as const));
      const zb = simulateSchedule({ schedule: 'zb-h1', microbatches: M, stages });
      const one = simulateSchedule({ schedule: '1f1b', microbatches: M, stages });
      expect(zb.stepSeconds).toBeCloseTo(3 * M + (S - 1) * 1, 9);
      expect(one.stepSeconds).toBeCloseTo(3 * M + (S - 1) * 3, 9);
      for (let i = 0; i < S; i++) {
        const mine = zb.events.filter((e) => e.stage === i && e.kind !== 'send').sort((a, b) => a.startSeconds - b.startSeconds);
        expect(mine).toHaveLength(3 * M);
        for (let k = 1; k < mine.length; k++) expect(mine[k].startSeconds).toBeGreaterThanOrEqual(mine[k - 1].endSeconds - 1e-12);
        // W(m) after B(m), each a half backward.
        for (let m = 0; m < M; m++) {
          const b = mine.find((e) => e.kind === 'backward' && !e.weightGradient && e.microbatch === m)!;
          const w = mine.find((e) => e.weightGradient && e.microbatch === m)!;
          expect(w.startSeconds).toBeGreaterThanOrEqual(b.endSeconds - 1e-12);
          expect(w.endSeconds - w.startSeconds).toBeCloseTo(1, 12);
        }
      }
      // Deferred W passes hold activations: never fewer in flight than 1F1B.
      zb.peakInFlight.forEach((p, i) => expect(p).toBeGreaterThanOrEqual(one.peakInFlight[i]));
    });
  }

  it('never slower than 1F1B on uneven stages with sends', () => {
    const stages = stagesOf([[1, 2], [2, 4], [0.5, 1], [1.5, 3]], 0.1);
    for (const M of [4, 8, 13]) {
      const zb = simulateSchedule({ schedule: 'zb-h1', microbatches: M, stages });
      const one = simulateSchedule({ schedule: '1f1b', microbatches: M, stages });
      expect(zb.stepSeconds).toBeLessThanOrEqual(one.stepSeconds + 1e-9);
    }
  });
});

/**
 * Zero-bubble ZB-H1 (Qi et al., ICLR'24, arXiv 2401.10241, §2.1 "memory efficient schedule"), simulated event by
 * event on the split-backward engine (splitBackward.ts). Each stage runs a fixed order, 1F1B's with the backward
 * split into B (input gradient) and W (weight gradient):
 * - warm-up: min(S - i, M) forwards, as 1F1B;
 * - steady: B(j), then W(j - i) once j >= i, then the next forward: stage i holds its W passes back by i
 *   micro-batches, so every stage keeps min(S, M) micro-batches between F and W (the paper: all stages hold the
 *   same number in flight, the first stage exactly 1F1B's);
 * - drain: the remaining B passes, each followed by its W as above, then the i W passes held back.
 * The B chain from the last stage to the first no longer waits for W passes, so the first stage's fill bubble is
 * (S - 1) B instead of 1F1B's (S - 1)(B + W), and the held-back W passes fill the drain. On uniform stages without
 * sends the step is M (F + B + W) + (S - 1) max(F, B) (tested): with F = B = W the paper's
 * M(F+B+W) + (S-1)(F+B-W), a third of 1F1B's bubble (S - 1)(F + B + W).
 * Memory (the paper's Table 1: a W still needs its layer inputs): a micro-batch counts from its F to its W, so
 * stage i holds min(S, M), more than 1F1B's min(S - i, M) on later stages but never more than 1F1B's first stage.
 */
import { B, F, W, simulateSplit, type EngineState, type Operation, type Pass } from './splitBackward.ts';
import type { ScheduleResult, ScheduleStageInput } from './types.ts';

/** Stage i's passes in order, as [pass, micro-batch] (module comment). */
export function zbH1Order(i: number, S: number, M: number): [Pass, number][] {
  const out: [Pass, number][] = [];
  let f = 0;
  for (; f < Math.min(S - i, M); f++) out.push([F, f]);
  for (let j = 0; j < M; j++) {
    out.push([B, j]);
    if (j >= i) out.push([W, j - i]);
    if (f < M) out.push([F, f++]);
  }
  for (let w = Math.max(0, M - i); w < M; w++) out.push([W, w]);
  return out;
}

export function simulateZeroBubble(stages: readonly ScheduleStageInput[], M: number): ScheduleResult {
  const S = stages.length;
  const orders = stages.map((_, i) => zbH1Order(i, S, M));
  const next = new Int32Array(S);
  return simulateSplit(stages, M, {
    name: 'ZB-H1',
    chunks: S,
    deviceOf: (c) => c,
    next: (d: number, free: number, s: EngineState) => {
      if (next[d] >= orders[d].length) return null;
      const [pass, m] = orders[d][next[d]];
      const op: Operation = { pass, chunk: d, microbatch: m };
      const ready = pass === F ? s.forwardReady[d * M + m] : pass === B ? s.backwardReady[d * M + m] : free;
      return { op, ready };
    },
    ran: (d) => { next[d]++; },
  });
}

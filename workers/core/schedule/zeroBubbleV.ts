/**
 * ZB-V (Qi et al., "Zero Bubble Pipeline Parallelism", arXiv 2401.10241 v2, §6 "memory efficient zero bubble
 * schedule"), simulated event by event on the split-backward engine (splitBackward.ts). The model is cut into 2S
 * chunks; device i holds chunk i and chunk 2S-1-i, so a micro-batch goes down the devices and back up (a V): the
 * last device runs two consecutive chunks with no send between them, and the first device holds both the first
 * chunk and the loss. Each chunk costs half its device's stage.
 *
 * What we implement is a greedy list schedule in the spirit of the paper's heuristic (§3.1: as many F as memory
 * allows in the warm-up, B as soon as it is ready, W passes where the device would otherwise idle or when memory is
 * full): a free device runs, in this order,
 * 1. a ready B, the later chunk of the V first (the loss side; it unblocks the rest of the backward);
 * 2. a ready F, the second chunk first, if the device holds fewer than 2S chunks between F and W (S micro-batches
 *    of whole-stage activations: 1F1B's first stage) and, for the first chunk, if fewer than 2(S-i)-1 micro-batches
 *    have passed its first chunk but not its second (the warm-up that fills the time until micro-batch 0 comes
 *    back up the V to device i);
 * 3. its oldest pending W;
 * 4. else it waits for the next input.
 * On uniform stages without sends (chunk passes f, b, w of half the stage's F, B, W) with f = b = w and M >= S, the
 * step is M (F + B + W) + (S - 1) f: device S-1 cannot start before its (S - 1) f, every other idle time is
 * filled (tested). That is the paper's near-zero bubble: 1F1B's is (S - 1)(F + B + W) = 6 (S - 1) f.
 * Memory: a chunk's activations count from its F to its W, half a micro-batch each: every device peaks at
 * min(S, M) micro-batches (tested), 1F1B's first stage, as the paper states.
 */
import { B, F, W, simulateSplit, type EngineState, type Operation } from './splitBackward.ts';
import type { ScheduleResult, ScheduleStageInput } from './types.ts';

/** Chunk-activations a device may hold between F and W: S + 1 micro-batches of whole-stage activations. */
export const zbvHeldChunks = (S: number): number => 2 * S + 2;

/** Device of chunk c of 2S in the V placement. */
export const vDevice = (c: number, S: number): number => (c < S ? c : 2 * S - 1 - c);

export function simulateZeroBubbleV(stages: readonly ScheduleStageInput[], M: number): ScheduleResult {
  const S = stages.length;
  const V = 2 * S;
  // Per device: next forward and next backward micro-batch of its first (0) and second (1) chunk.
  const nextF = [new Int32Array(S), new Int32Array(S)];
  const nextB = [new Int32Array(S), new Int32Array(S)];
  // Pending W passes per device, in the order their B ran: chunk * M + micro-batch.
  const pending: number[][] = stages.map(() => []);
  const head = new Int32Array(S);
  const chunkOf = (d: number, k: number): number => (k === 0 ? d : V - 1 - d);
  return simulateSplit(stages, M, {
    name: 'ZB-V',
    chunks: V,
    deviceOf: (c) => vDevice(c, S),
    next: (d: number, free: number, s: EngineState) => {
      let wait: { op: Operation; ready: number } | null = null;
      const consider = (op: Operation, ready: number): { op: Operation; ready: number } | null => {
        if (Number.isNaN(ready)) return null;
        if (ready <= free) return { op, ready };
        if (!wait || ready < wait.ready) wait = { op, ready };
        return null;
      };
      for (const k of [0, 1]) {
        const m = nextB[k][d];
        const c = chunkOf(d, k);
        if (m < nextF[k][d]) {
          const now = consider({ pass: B, chunk: c, microbatch: m }, s.backwardReady[c * M + m]);
          if (now) return now;
        }
      }
      if (s.held[d] < zbvHeldChunks(S)) {
        for (const k of [1, 0]) {
          const m = nextF[k][d];
          if (m >= M) continue;
          if (k === 0 && m - nextF[1][d] >= 2 * (S - d) - 1) continue;
          const c = chunkOf(d, k);
          const now = consider({ pass: F, chunk: c, microbatch: m }, s.forwardReady[c * M + m]);
          if (now) return now;
        }
      }
      if (head[d] < pending[d].length) {
        const x = pending[d][head[d]];
        return { op: { pass: W, chunk: Math.floor(x / M), microbatch: x % M }, ready: free };
      }
      return wait;
    },
    ran: (d, op) => {
      const k = op.chunk === d ? 0 : 1;
      if (op.pass === F) nextF[k][d]++;
      else if (op.pass === B) { nextB[k][d]++; pending[d].push(op.chunk * M + op.microbatch); } else head[d]++;
    },
  });
}

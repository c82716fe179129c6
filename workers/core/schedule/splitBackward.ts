/**
 * The event engine of the zero-bubble schedules (Qi et al., "Zero Bubble Pipeline Parallelism", ICLR'24,
 * arXiv 2401.10241): each backward is split into B, the input gradient that the previous chunk waits for, and W, the
 * weight gradient that nothing waits for. A model of V chunks (virtual stages) runs on S devices; chunk c lives on
 * device `deviceOf(c)` and costs 1/v of that device's stage (v = V / S chunks per device).
 *
 * Dependencies: F(c, m) after F(c-1, m) and its activations' send; B(c, m) after B(c+1, m) and its gradient's send
 * (the last chunk's B after its own F); W(c, m) after B(c, m). A send between two chunks on different devices uses
 * the directed link between them, one transfer at a time, overlapping compute; chunks on one device pass nothing.
 * Which operation a free device runs next is the schedule's policy (zeroBubble.ts, zeroBubbleV.ts). The engine
 * starts, among all devices, the operation that can start earliest, so events happen in time order.
 *
 * Memory: a chunk's activations count from its F to its W (the weight gradient still needs the layer inputs);
 * peakInFlight is the most a device holds, in whole-stage micro-batches (a chunk holds 1/v of them).
 */
import type { ScheduleResult, ScheduleStageInput, TimelineEvent } from './types.ts';

export const F = 0;
export const B = 1;
export const W = 2;
export type Pass = typeof F | typeof B | typeof W;

/** Seconds of a stage's weight-gradient half of its backward: the stage's own split when given, else half. */
export function weightGradientSeconds(s: ScheduleStageInput): number {
  return s.weightGradientSeconds ?? s.backwardSeconds / 2;
}

/** What a device may run next: the pass, its chunk (global index) and micro-batch. */
export interface Operation {
  readonly pass: Pass;
  readonly chunk: number;
  readonly microbatch: number;
}

/** What a policy sees of the simulation. */
export interface EngineState {
  readonly M: number;
  /** When the input of F(c, m) / B(c, m) is on its device: index c * M + m; NaN until known. */
  readonly forwardReady: Float64Array;
  readonly backwardReady: Float64Array;
  /** Done passes: index (pass * V + c) * M + m, 1 when done. */
  readonly done: Uint8Array;
  /** Chunk-activations each device holds (F done, W not yet). */
  readonly held: Int32Array;
}

export interface SplitLayout {
  readonly name: string;
  /** Chunks in all (V). */
  readonly chunks: number;
  readonly deviceOf: (chunk: number) => number;
  /** Device d's next operation and the time its input is ready (NaN: none can start until something else ends),
   * given that the device is free from `free`. */
  readonly next: (d: number, free: number, s: EngineState) => { op: Operation; ready: number } | null;
  /** Called after the engine ran `op` on device d (policies that walk a fixed order advance here). */
  readonly ran?: (d: number, op: Operation) => void;
}

export function simulateSplit(stages: readonly ScheduleStageInput[], M: number, layout: SplitLayout): ScheduleResult {
  const S = stages.length;
  const V = layout.chunks;
  const v = V / S;
  const forwardReady = new Float64Array(V * M).fill(Number.NaN);
  const backwardReady = new Float64Array(V * M).fill(Number.NaN);
  for (let m = 0; m < M; m++) forwardReady[m] = 0;
  const state: EngineState = { M, forwardReady, backwardReady, done: new Uint8Array(3 * V * M), held: new Int32Array(S) };
  const free = new Float64Array(S);
  const link = new Float64Array(S * S); // link from device a to device b, when it is next free: index a * S + b
  const peak = new Array<number>(S).fill(0);
  const local = Int32Array.from({ length: V }, (_, c) => chunkOnDevice(layout, c));
  const events: TimelineEvent[] = [];
  const seconds = (d: number, pass: Pass): number => {
    const st = stages[d];
    const w = weightGradientSeconds(st);
    return (pass === F ? st.forwardSeconds : pass === B ? st.backwardSeconds - w : w) / v;
  };
  /** The send of a boundary between devices a and b (adjacent): the lower device's boundary. */
  const boundary = (a: number, b: number): number => stages[Math.min(a, b)].sendSeconds;
  const send = (from: number, to: number, end: number, m: number, chunk: number): number => {
    if (from === to) return end;
    const s = boundary(from, to);
    const t0 = Math.max(end, link[from * S + to]);
    link[from * S + to] = t0 + s;
    if (s > 0) events.push({ stage: from, toStage: to, microbatch: m, kind: 'send', startSeconds: t0, endSeconds: t0 + s, ...(v > 1 ? { chunk: local[chunk] } : {}) });
    return t0 + s;
  };
  for (let remaining = 3 * V * M; remaining > 0; remaining--) {
    let best: { op: Operation; start: number } | null = null;
    let at = -1;
    for (let d = 0; d < S; d++) {
      const n = layout.next(d, free[d], state);
      if (!n || Number.isNaN(n.ready)) continue;
      const start = Math.max(free[d], n.ready);
      if (!best || start < best.start) { best = { op: n.op, start }; at = d; }
    }
    if (!best) throw new Error(`${layout.name} deadlocked with ${remaining} operations left`);
    const { op, start } = best;
    const { chunk: c, microbatch: m, pass } = op;
    const end = start + seconds(at, pass);
    free[at] = end;
    state.done[(pass * V + c) * M + m] = 1;
    layout.ran?.(at, op);
    events.push({
      stage: at, microbatch: m, kind: pass === F ? 'forward' : 'backward', startSeconds: start, endSeconds: end,
      ...(v > 1 ? { chunk: local[c] } : {}), ...(pass === W ? { weightGradient: true } : {}),
    });
    if (pass === F) {
      peak[at] = Math.max(peak[at], ++state.held[at]);
      if (c + 1 < V) forwardReady[(c + 1) * M + m] = send(at, layout.deviceOf(c + 1), end, m, c);
      else backwardReady[c * M + m] = end;
    } else if (pass === B) {
      if (c > 0) backwardReady[(c - 1) * M + m] = send(at, layout.deviceOf(c - 1), end, m, c);
    } else state.held[at]--;
  }
  let stepSeconds = 0;
  const busy = stages.map((st) => M * (st.forwardSeconds + st.backwardSeconds) + st.gradientSyncSeconds);
  stages.forEach((st, d) => {
    let end = free[d];
    if (st.gradientSyncSeconds > 0) {
      events.push({ stage: d, microbatch: -1, kind: 'gradient-sync', startSeconds: end, endSeconds: end + st.gradientSyncSeconds });
      end += st.gradientSyncSeconds;
    }
    stepSeconds = Math.max(stepSeconds, end);
  });
  for (const t of link) stepSeconds = Math.max(stepSeconds, t);
  const stageIdleSeconds = busy.map((x) => Math.max(0, stepSeconds - x));
  const bubbleSeconds = stageIdleSeconds.reduce((s, x) => s + x, 0) / S;
  return {
    stepSeconds, events, bubbleSeconds, bubbleFraction: stepSeconds > 0 ? bubbleSeconds / stepSeconds : 0, stageIdleSeconds,
    peakInFlight: peak.map((p) => p / v),
  };
}

/** Which of its device's chunks chunk c is: 0 for the device's first (lowest) chunk, 1 for its second, ... */
export function chunkOnDevice(layout: SplitLayout, c: number): number {
  const d = layout.deviceOf(c);
  let k = 0;
  for (let x = 0; x < c; x++) if (layout.deviceOf(x) === d) k++;
  return k;
}

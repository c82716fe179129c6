/**
 * Interleaved 1F1B (Megatron-LM's virtual pipeline, Narayanan et al. SC'21 §2.2.2), simulated event by event.
 * Each of the S devices holds v chunks of its stage's layers: chunk c of device i is virtual stage c·S + i, so a
 * micro-batch passes every device v times. Per chunk a forward takes F_i / v and a backward B_i / v. Each device
 * runs Megatron's order: warm-up min(B·v, 2(S-i-1) + (v-1)·S) forwards, then one forward and one backward in turn,
 * then the remaining backwards; the k-th forward is micro-batch floor(k / (S·v))·S + k mod S on chunk
 * floor(k / S) mod v, the k-th backward the same micro-batch on chunk v-1-(floor(k / S) mod v). B must be a
 * multiple of S (Megatron's requirement). On uniform stages without sends the step is B(f+b) + (S-1)(f+b)/v: the
 * 1F1B bubble over v. A send from device S-1 back to device 0 (chunk c to c+1) takes the first stage's send time
 * (the boundary activations of a transformer are the same size at every layer).
 */
import type { ScheduleResult, ScheduleStageInput, TimelineEvent } from './types.ts';

/** The k-th forward's (or backward's) micro-batch and chunk on any device (module comment). */
export function interleavedOp(k: number, S: number, v: number, backward: boolean): { microbatch: number; chunk: number } {
  const group = Math.floor(k / S) % v;
  return { microbatch: Math.floor(k / (S * v)) * S + (k % S), chunk: backward ? v - 1 - group : group };
}

/** Device i's operations in order: [backward ? 1 : 0, k] pairs, k the forward's or backward's rank. */
export function interleavedOrder(i: number, S: number, v: number, B: number): [number, number][] {
  const total = B * v;
  const warmup = Math.min(total, 2 * (S - i - 1) + (v - 1) * S);
  const out: [number, number][] = [];
  let f = 0;
  let b = 0;
  for (; f < warmup; f++) out.push([0, f]);
  while (f < total) { out.push([0, f++]); out.push([1, b++]); }
  while (b < total) out.push([1, b++]);
  return out;
}

export function simulateInterleaved(stages: readonly ScheduleStageInput[], B: number, v: number): ScheduleResult {
  const S = stages.length;
  if (!Number.isInteger(v) || v < 1) throw new RangeError(`interleaved 1F1B: virtual stages must be a positive integer, got ${v}`);
  if (B % S !== 0) throw new RangeError(`interleaved 1F1B: micro-batches (${B}) must be a multiple of the ${S} stages`);
  const V = S * v;
  const orders = stages.map((_, i) => interleavedOrder(i, S, v, B));
  const forwardReady = new Float64Array(V * B).fill(Number.NaN);
  const backwardReady = new Float64Array(V * B).fill(Number.NaN);
  for (let m = 0; m < B; m++) { forwardReady[m] = 0; backwardReady[(V - 1) * B + m] = 0; }
  const next = new Int32Array(S);
  const free = new Float64Array(S);
  const down = new Float64Array(S); // link device i -> (i + 1) mod S
  const up = new Float64Array(S);   // link device (i + 1) mod S -> i
  const held = new Int32Array(S);
  const peak = new Array<number>(S).fill(0);
  const events: TimelineEvent[] = [];
  const send = (i: number) => (i + 1 < S ? stages[i].sendSeconds : stages[0].sendSeconds);
  let remaining = orders.reduce((n, o) => n + o.length, 0);
  while (remaining > 0) {
    let progressed = false;
    for (let i = 0; i < S; i++) {
      const st = stages[i];
      while (next[i] < orders[i].length) {
        const [isBackward, k] = orders[i][next[i]];
        const { microbatch: m, chunk: c } = interleavedOp(k, S, v, isBackward === 1);
        const q = c * S + i;
        const ready = isBackward ? backwardReady[q * B + m] : forwardReady[q * B + m];
        if (Number.isNaN(ready)) break;
        const start = Math.max(free[i], ready);
        const end = start + (isBackward ? st.backwardSeconds : st.forwardSeconds) / v;
        free[i] = end;
        events.push({ stage: i, microbatch: m, kind: isBackward ? 'backward' : 'forward', startSeconds: start, endSeconds: end, chunk: c });
        if (!isBackward) {
          if (++held[i] > peak[i]) peak[i] = held[i];
          if (q + 1 < V) {
            const j = (i + 1) % S;
            const t0 = Math.max(end, down[i]);
            down[i] = t0 + send(i);
            forwardReady[(q + 1) * B + m] = down[i];
            if (send(i) > 0) events.push({ stage: i, toStage: j, microbatch: m, kind: 'send', startSeconds: t0, endSeconds: down[i], chunk: c });
          }
        } else {
          held[i]--;
          if (q > 0) {
            const j = (i + S - 1) % S;
            const t0 = Math.max(end, up[j]);
            up[j] = t0 + send(j);
            backwardReady[(q - 1) * B + m] = up[j];
            if (send(j) > 0) events.push({ stage: i, toStage: j, microbatch: m, kind: 'send', startSeconds: t0, endSeconds: up[j], chunk: c });
          }
        }
        next[i]++;
        remaining--;
        progressed = true;
      }
    }
    if (!progressed) throw new Error(`interleaved 1F1B deadlocked with ${remaining} operations left`);
  }
  let stepSeconds = 0;
  const busy = stages.map((st) => B * (st.forwardSeconds + st.backwardSeconds) + st.gradientSyncSeconds);
  stages.forEach((st, i) => {
    let end = free[i];
    if (st.gradientSyncSeconds > 0) {
      events.push({ stage: i, microbatch: -1, kind: 'gradient-sync', startSeconds: end, endSeconds: end + st.gradientSyncSeconds });
      end += st.gradientSyncSeconds;
    }
    stepSeconds = Math.max(stepSeconds, end, down[i], up[i]);
  });
  const stageIdleSeconds = busy.map((x) => Math.max(0, stepSeconds - x));
  const bubbleSeconds = stageIdleSeconds.reduce((s, x) => s + x, 0) / S;
  return {
    stepSeconds, events, bubbleSeconds, bubbleFraction: stepSeconds > 0 ? bubbleSeconds / stepSeconds : 0, stageIdleSeconds,
    // In stage-activation units: each chunk holds 1/v of the stage's activations of a micro-batch.
    peakInFlight: peak.map((p) => p / v),
  };
}

/**
 * Zero-bubble ZB-H1 (Qi et al., ICLR'24, "Zero Bubble Pipeline Parallelism"), simulated event by event. Each
 * backward splits into B (the input gradient, which the previous stage waits for) and W (the weight gradient, which
 * nothing waits for), half the backward each; W(m) runs after B(m) on the same stage. A stage starts a forward only
 * while fewer than S - i micro-batches wait for their B (1F1B's warm-up), and when idle runs, in priority order, a
 * ready B, a ready F, else its oldest pending W: the W passes fill what would be 1F1B's bubble. On uniform stages
 * without sends the step is M(F+B+W) + (S-1)(F+B-W), against 1F1B's M(F+B+W) + (S-1)(F+B+W). Deferred W passes keep
 * their micro-batch's activations: peakInFlight counts a micro-batch from its forward to its W.
 */
import type { ScheduleResult, ScheduleStageInput, TimelineEvent } from './types.ts';

const F = 0;
const B = 1;
const W = 2;

export function simulateZeroBubble(stages: readonly ScheduleStageInput[], M: number): ScheduleResult {
  const S = stages.length;
  const fwdReady = new Float64Array(S * M).fill(Number.NaN);
  const bwdReady = new Float64Array(S * M).fill(Number.NaN);
  for (let m = 0; m < M; m++) { fwdReady[m] = 0; bwdReady[(S - 1) * M + m] = 0; }
  const next = [new Int32Array(S), new Int32Array(S), new Int32Array(S)];
  const free = new Float64Array(S);
  const down = new Float64Array(S);
  const up = new Float64Array(S);
  const peak = new Array<number>(S).fill(0);
  const events: TimelineEvent[] = [];
  /** Stage i's next operation and when it can start. */
  const nextOp = (i: number): { kind: number; start: number } | null => {
    const b = next[B][i] < next[F][i] ? bwdReady[i * M + next[B][i]] : Number.NaN;
    const f = next[F][i] < M && next[F][i] - next[B][i] < S - i ? fwdReady[i * M + next[F][i]] : Number.NaN;
    if (b <= free[i]) return { kind: B, start: free[i] };
    if (f <= free[i]) return { kind: F, start: free[i] };
    if (next[W][i] < next[B][i]) return { kind: W, start: free[i] };
    const tb = Number.isNaN(b) ? Infinity : b;
    const tf = Number.isNaN(f) ? Infinity : f;
    if (tb === Infinity && tf === Infinity) return null;
    return tb <= tf ? { kind: B, start: tb } : { kind: F, start: tf };
  };
  for (let remaining = 3 * S * M; remaining > 0; remaining--) {
    // Discrete events: start the operation that can start earliest on any stage.
    let i = -1;
    let op: { kind: number; start: number } | null = null;
    for (let k = 0; k < S; k++) {
      const o = nextOp(k);
      if (o && (!op || o.start < op.start)) { op = o; i = k; }
    }
    if (!op) throw new Error(`ZB-H1 deadlocked with ${remaining} operations left`);
    const st = stages[i];
    const m = next[op.kind][i]++;
    const end = op.start + (op.kind === F ? st.forwardSeconds : st.backwardSeconds / 2);
    free[i] = end;
    events.push({ stage: i, microbatch: m, kind: op.kind === F ? 'forward' : 'backward', startSeconds: op.start, endSeconds: end, ...(op.kind === W ? { weightGradient: true } : {}) });
    if (op.kind === F) {
      peak[i] = Math.max(peak[i], next[F][i] - next[W][i]);
      if (i + 1 < S) {
        const t0 = Math.max(end, down[i]);
        down[i] = t0 + st.sendSeconds;
        fwdReady[(i + 1) * M + m] = down[i];
        if (st.sendSeconds > 0) events.push({ stage: i, toStage: i + 1, microbatch: m, kind: 'send', startSeconds: t0, endSeconds: down[i] });
      }
    } else if (op.kind === B && i > 0) {
      const s = stages[i - 1].sendSeconds;
      const t0 = Math.max(end, up[i - 1]);
      up[i - 1] = t0 + s;
      bwdReady[(i - 1) * M + m] = up[i - 1];
      if (s > 0) events.push({ stage: i, toStage: i - 1, microbatch: m, kind: 'send', startSeconds: t0, endSeconds: up[i - 1] });
    }
  }
  let stepSeconds = 0;
  const busy = stages.map((st) => M * (st.forwardSeconds + st.backwardSeconds) + st.gradientSyncSeconds);
  stages.forEach((st, k) => {
    let end = free[k];
    if (st.gradientSyncSeconds > 0) {
      events.push({ stage: k, microbatch: -1, kind: 'gradient-sync', startSeconds: end, endSeconds: end + st.gradientSyncSeconds });
      end += st.gradientSyncSeconds;
    }
    stepSeconds = Math.max(stepSeconds, end, down[k], up[k]);
  });
  const stageIdleSeconds = busy.map((x) => Math.max(0, stepSeconds - x));
  const bubbleSeconds = stageIdleSeconds.reduce((s, x) => s + x, 0) / S;
  return { stepSeconds, events, bubbleSeconds, bubbleFraction: stepSeconds > 0 ? bubbleSeconds / stepSeconds : 0, stageIdleSeconds, peakInFlight: peak };
}

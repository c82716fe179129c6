/**
 * Pipeline schedules simulated event by event (alpa.md §4; Alpa `pipeline_parallel/schedules.py`).
 *
 * Each stage runs a fixed order of operations, one at a time:
 * - gpipe: all forwards, then all backwards (micro-batches in order).
 * - 1f1b (PipeDream-Flush, Alpa's default): stage i warms up with min(S-i-1, B) forwards, then alternates one
 *   forward and one backward, then drains the remaining backwards.
 * - eager-1f1b (Alpa's "1f1b_overlap_friendly"): the same with a warm-up of min(B, 2(S-i)-1) forwards.
 * - inference: forwards only.
 * Dependencies: F(i,m) starts after F(i-1,m) ended and its activations arrived (stage i-1's sendSeconds);
 * B(i,m) after B(i+1,m) ended and the gradient of the boundary activations arrived (stage i's sendSeconds, the
 * same boundary). Transfers run on the link between the two stages, one at a time per direction, overlapping
 * compute. Each stage synchronises its gradients once, after its last backward.
 */
import { simulateInterleaved } from './interleaved.ts';
import { simulateZeroBubble } from './zeroBubble.ts';
import { simulateZeroBubbleV } from './zeroBubbleV.ts';
import type { ScheduleKind, ScheduleResult, ScheduleStageInput, TimelineEvent } from './types.ts';

export type { ScheduleResult, ScheduleStageInput } from './types.ts';

export interface ScheduleInput {
  readonly schedule: ScheduleKind;
  readonly microbatches: number;
  /** Interleaved 1F1B: chunks per device (default 1, which is 1F1B). */
  readonly virtualStages?: number;
  readonly stages: readonly ScheduleStageInput[];
}

/**
 * Forwards stage `stage` of `stages` runs before its first backward. 1F1B: Alpa's warm-up of min(S-i-1, B)
 * forwards plus the first forward of the steady phase; eager 1F1B: min(B, 2(S-i)-1), as in Alpa's
 * OverlapFriendlyPipeDreamSchedule table; GPipe: all of them.
 */
export function forwardsBeforeFirstBackward(schedule: ScheduleKind, stage: number, stages: number, microbatches: number): number {
  switch (schedule) {
    case 'gpipe':
    case 'inference':
      return microbatches;
    case '1f1b':
    case 'zb-h1': // its forwards; zeroBubble.ts splits the backwards
    case 'zb-v': // per device; zeroBubbleV.ts has two chunks
    case 'interleaved': // with one chunk per device; see interleaved.ts for more
      return Math.min(stages - stage, microbatches);
    case 'eager-1f1b':
      return Math.min(microbatches, 2 * (stages - stage) - 1);
  }
}

/**
 * The order of one stage's operations, encoded as micro-batch m for F(m) and -(m+1) for B(m): the first
 * forwards, then one backward (the oldest outstanding) and one forward in turn, then the remaining backwards.
 */
export function stageOrder(schedule: ScheduleKind, stage: number, stages: number, microbatches: number): Int32Array {
  const training = schedule !== 'inference';
  const order = new Int32Array(training ? 2 * microbatches : microbatches);
  const first = forwardsBeforeFirstBackward(schedule, stage, stages, microbatches);
  let k = 0;
  let nextForward = 0;
  let nextBackward = 0;
  for (; nextForward < first; nextForward++) order[k++] = nextForward;
  if (!training) return order;
  while (nextForward < microbatches) {
    order[k++] = -(nextBackward++ + 1);
    order[k++] = nextForward++;
  }
  while (nextBackward < microbatches) order[k++] = -(nextBackward++ + 1);
  return order;
}

function checkInput(input: ScheduleInput): void {
  const { microbatches, stages } = input;
  if (!Number.isInteger(microbatches) || microbatches < 1) {
    throw new RangeError(`simulateSchedule: microbatches must be a positive integer, got ${microbatches}`);
  }
  if (stages.length === 0) throw new RangeError('simulateSchedule: no stages');
  stages.forEach((s, i) => {
    for (const key of ['forwardSeconds', 'backwardSeconds', 'sendSeconds', 'gradientSyncSeconds'] as const) {
      const v = s[key];
      if (!Number.isFinite(v) || v < 0) throw new RangeError(`simulateSchedule: stage ${i} ${key} is ${v}`);
    }
  });
}

/** Simulates one step of `input.schedule`; see the module comment for the model. */
export function simulateSchedule(input: ScheduleInput): ScheduleResult {
  checkInput(input);
  if (input.schedule === 'zb-h1') return simulateZeroBubble(input.stages, input.microbatches);
  if (input.schedule === 'zb-v') return simulateZeroBubbleV(input.stages, input.microbatches);
  if (input.schedule === 'interleaved') {
    const v = input.virtualStages ?? 1;
    // One chunk per device is 1F1B (Megatron's interleaved warm-up of 2(S-i-1) applies only with several chunks).
    return v === 1 ? simulateSchedule({ ...input, schedule: '1f1b' }) : simulateInterleaved(input.stages, input.microbatches, v);
  }
  const { schedule, microbatches: B, stages } = input;
  const S = stages.length;
  const training = schedule !== 'inference';
  const orders = stages.map((_, i) => stageOrder(schedule, i, S, B));
  // Arrival time of F(i,m)'s input activations / B(i,m)'s output gradient at stage i; NaN until known.
  const forwardReady = new Float64Array(S * B).fill(Number.NaN);
  const backwardReady = new Float64Array(S * B).fill(Number.NaN);
  for (let m = 0; m < B; m++) {
    forwardReady[m] = 0;
    if (training) backwardReady[(S - 1) * B + m] = 0; // the loss is on the last stage: its F(m) precedes B(m)
  }
  const next = new Int32Array(S);            // index into each stage's order
  const stageFree = new Float64Array(S);     // when each stage finishes its current op
  const downLinkFree = new Float64Array(S);  // link i -> i+1 (activations)
  const upLinkFree = new Float64Array(S);    // link i+1 -> i (gradients), indexed by the lower stage
  const inFlight = new Int32Array(S);
  const peakInFlight = new Array<number>(S).fill(0);
  const events: TimelineEvent[] = [];

  let remaining = orders.reduce((n, o) => n + o.length, 0);
  while (remaining > 0) {
    let progressed = false;
    for (let i = 0; i < S; i++) {
      const order = orders[i];
      const st = stages[i];
      while (next[i] < order.length) {
        const code = order[next[i]];
        const forward = code >= 0;
        const m = forward ? code : -code - 1;
        const ready = forward ? forwardReady[i * B + m] : backwardReady[i * B + m];
        if (Number.isNaN(ready)) break;
        const start = Math.max(stageFree[i], ready);
        const end = start + (forward ? st.forwardSeconds : st.backwardSeconds);
        stageFree[i] = end;
        events.push({ stage: i, microbatch: m, kind: forward ? 'forward' : 'backward', startSeconds: start, endSeconds: end });
        if (forward) {
          inFlight[i] = training ? inFlight[i] + 1 : 1;
          if (inFlight[i] > peakInFlight[i]) peakInFlight[i] = inFlight[i];
          if (i + 1 < S) {
            const sendStart = Math.max(end, downLinkFree[i]);
            const arrive = sendStart + st.sendSeconds;
            downLinkFree[i] = arrive;
            forwardReady[(i + 1) * B + m] = arrive;
            if (st.sendSeconds > 0) {
              events.push({ stage: i, toStage: i + 1, microbatch: m, kind: 'send', startSeconds: sendStart, endSeconds: arrive });
            }
          }
        } else {
          inFlight[i]--;
          if (i > 0) {
            const sendSeconds = stages[i - 1].sendSeconds;
            const sendStart = Math.max(end, upLinkFree[i - 1]);
            const arrive = sendStart + sendSeconds;
            upLinkFree[i - 1] = arrive;
            backwardReady[(i - 1) * B + m] = arrive;
            if (sendSeconds > 0) {
              events.push({ stage: i, toStage: i - 1, microbatch: m, kind: 'send', startSeconds: sendStart, endSeconds: arrive });
            }
          }
        }
        next[i]++;
        remaining--;
        progressed = true;
      }
    }
    // Every order is a topological order of the dependency graph, so a sweep without progress is a bug.
    if (!progressed) throw new Error(`simulateSchedule: ${schedule} deadlocked with ${remaining} operations left`);
  }

  let stepSeconds = 0;
  const busySeconds = new Array<number>(S).fill(0);
  for (let i = 0; i < S; i++) {
    const st = stages[i];
    busySeconds[i] = B * (st.forwardSeconds + (training ? st.backwardSeconds : 0));
    let end = stageFree[i];
    if (training && st.gradientSyncSeconds > 0) {
      events.push({ stage: i, microbatch: -1, kind: 'gradient-sync', startSeconds: end, endSeconds: end + st.gradientSyncSeconds });
      end += st.gradientSyncSeconds;
      busySeconds[i] += st.gradientSyncSeconds;
    }
    stepSeconds = Math.max(stepSeconds, end, downLinkFree[i], upLinkFree[i]);
  }
  const stageIdleSeconds = busySeconds.map((busy) => Math.max(0, stepSeconds - busy));
  const bubbleSeconds = stageIdleSeconds.reduce((s, x) => s + x, 0) / S;
  return {
    stepSeconds,
    events,
    bubbleSeconds,
    bubbleFraction: stepSeconds > 0 ? bubbleSeconds / stepSeconds : 0,
    stageIdleSeconds,
    peakInFlight,
  };
}

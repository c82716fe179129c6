/**
 * Chrome trace JSON (the Trace Event Format that chrome://tracing and Perfetto open) of a plan's timeline:
 * one process per stage (its sub-mesh), threads for compute, the two transfer directions and gradient sync,
 * complete events ('X') with ts/dur in microseconds.
 */
import type { Plan, Stage } from '../inter/plan.ts';
import type { TimelineEvent } from '../schedule/types.ts';

export interface TraceEvent {
  readonly name: string;
  readonly ph: 'X' | 'M';
  readonly pid: number;
  readonly tid: number;
  readonly ts?: number;
  readonly dur?: number;
  readonly cat?: string;
  readonly args?: Readonly<Record<string, string | number>>;
}

export interface ChromeTrace {
  readonly traceEvents: readonly TraceEvent[];
  readonly displayTimeUnit: 'ms';
  readonly otherData: Readonly<Record<string, string | number>>;
}

/** Thread ids inside a stage's process. */
export const TRACE_THREADS = { compute: 1, sendNext: 2, sendPrevious: 3, gradientSync: 4 } as const;

const THREAD_NAMES: readonly [number, string][] = [
  [TRACE_THREADS.compute, 'compute'],
  [TRACE_THREADS.sendNext, 'send activations → next stage'],
  [TRACE_THREADS.sendPrevious, 'send gradients → previous stage'],
  [TRACE_THREADS.gradientSync, 'gradient sync'],
];

/** Process ids start at 1 (stage 0 is pid 1): some trace viewers treat pid 0 specially. */
export const stagePid = (stage: number): number => stage + 1;

/** Microseconds rounded to the nanosecond, which keeps large traces short. */
const micros = (seconds: number): number => Math.round(seconds * 1e9) / 1e3;

function deviceRange(devices: readonly number[]): string {
  if (devices.length === 0) return 'no devices';
  const contiguous = devices.every((d, k) => d === devices[0] + k);
  return contiguous && devices.length > 1 ? `GPUs ${devices[0]}-${devices[devices.length - 1]}` : `GPUs ${devices.join(',')}`;
}

export function stageProcessName(s: Stage): string {
  const [n, g] = s.submeshShape;
  const [l0, l1] = s.logicalMesh;
  return `stage ${s.index}: layers ${s.layers[0]}-${s.layers[1] - 1}, ${n}x${g} ${s.gpu} (${deviceRange(s.devices)}), mesh ${l0}x${l1}`;
}

function eventName(e: TimelineEvent): { name: string; tid: number } {
  switch (e.kind) {
    case 'forward': return { name: `F${e.microbatch}`, tid: TRACE_THREADS.compute };
    case 'backward': return { name: `B${e.microbatch}`, tid: TRACE_THREADS.compute };
    case 'send': {
      const down = (e.toStage ?? e.stage + 1) > e.stage;
      return down
        ? { name: `act ${e.microbatch} → stage ${e.toStage ?? e.stage + 1}`, tid: TRACE_THREADS.sendNext }
        : { name: `grad ${e.microbatch} → stage ${e.toStage ?? e.stage - 1}`, tid: TRACE_THREADS.sendPrevious };
    }
    case 'gradient-sync': return { name: 'gradient sync', tid: TRACE_THREADS.gradientSync };
    case 'update': return { name: 'update', tid: TRACE_THREADS.gradientSync };
  }
}

export function chromeTrace(plan: Plan): ChromeTrace {
  const traceEvents: TraceEvent[] = [];
  for (const s of plan.stages) {
    const pid = stagePid(s.index);
    traceEvents.push({ name: 'process_name', ph: 'M', pid, tid: 0, args: { name: stageProcessName(s) } });
    traceEvents.push({ name: 'process_sort_index', ph: 'M', pid, tid: 0, args: { sort_index: s.index } });
    for (const [tid, name] of THREAD_NAMES) traceEvents.push({ name: 'thread_name', ph: 'M', pid, tid, args: { name } });
  }
  for (const e of plan.timeline) {
    const { name, tid } = eventName(e);
    const args: Record<string, number> = { stage: e.stage };
    if (e.microbatch >= 0) args.microbatch = e.microbatch;
    if (e.toStage !== undefined) args.toStage = e.toStage;
    traceEvents.push({
      name, cat: e.kind, ph: 'X', pid: stagePid(e.stage), tid,
      ts: micros(e.startSeconds), dur: micros(e.endSeconds - e.startSeconds), args,
    });
  }
  return {
    traceEvents,
    displayTimeUnit: 'ms',
    otherData: {
      generator: 'meshplan',
      plan: plan.label,
      model: plan.model,
      cluster: plan.cluster,
      schedule: plan.schedule,
      microbatches: plan.microbatches,
      stepSeconds: plan.stepSeconds,
    },
  };
}

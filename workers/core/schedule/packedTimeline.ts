/**
 * A timeline as columns of typed arrays, so that tens of thousands of events cross a worker boundary as a few
 * transferred buffers instead of being structured-cloned object by object (GPT-39B's 63k events: ~70 ms to clone
 * as objects on this machine).
 */
import type { TimelineEvent, TimelineEventKind } from './types.ts';

export const TIMELINE_KINDS: readonly TimelineEventKind[] = ['forward', 'backward', 'send', 'gradient-sync', 'update'];

export interface PackedTimeline {
  readonly length: number;
  readonly stage: Int32Array;
  readonly microbatch: Int32Array;
  /** Index into TIMELINE_KINDS. */
  readonly kind: Uint8Array;
  /** Receiving stage of a send; -1 otherwise. */
  readonly toStage: Int32Array;
  readonly startSeconds: Float64Array;
  readonly endSeconds: Float64Array;
  /** Interleaved 1F1B's chunk of a compute event; -1 otherwise (absent in timelines packed before it existed, e.g.
   * kept in local storage). */
  readonly chunk?: Int16Array;
  /** 1 for a ZB-H1 weight-gradient half of a backward (absent as chunk). */
  readonly weightGradient?: Uint8Array;
}

export function packTimeline(events: readonly TimelineEvent[]): PackedTimeline {
  const n = events.length;
  const p = {
    length: n,
    stage: new Int32Array(n),
    microbatch: new Int32Array(n),
    kind: new Uint8Array(n),
    toStage: new Int32Array(n),
    startSeconds: new Float64Array(n),
    endSeconds: new Float64Array(n),
    chunk: new Int16Array(n),
    weightGradient: new Uint8Array(n),
  };
  const kindIndex = new Map(TIMELINE_KINDS.map((k, i) => [k, i]));
  for (let i = 0; i < n; i++) {
    const e = events[i];
    p.stage[i] = e.stage;
    p.microbatch[i] = e.microbatch;
    p.kind[i] = kindIndex.get(e.kind)!;
    p.toStage[i] = e.toStage ?? -1;
    p.startSeconds[i] = e.startSeconds;
    p.endSeconds[i] = e.endSeconds;
    p.chunk[i] = e.chunk ?? -1;
    p.weightGradient[i] = e.weightGradient ? 1 : 0;
  }
  return p;
}

export function unpackTimeline(p: PackedTimeline): TimelineEvent[] {
  const out = new Array<TimelineEvent>(p.length);
  for (let i = 0; i < p.length; i++) {
    const base = { stage: p.stage[i], microbatch: p.microbatch[i], kind: TIMELINE_KINDS[p.kind[i]], startSeconds: p.startSeconds[i], endSeconds: p.endSeconds[i] };
    out[i] = {
      ...base,
      ...(p.toStage[i] >= 0 ? { toStage: p.toStage[i] } : {}),
      ...((p.chunk?.[i] ?? -1) >= 0 ? { chunk: p.chunk![i] } : {}),
      ...(p.weightGradient?.[i] ? { weightGradient: true } : {}),
    };
  }
  return out;
}

/** The buffers to list in comlink's `transfer(value, buffers)`. */
export function timelineBuffers(p: PackedTimeline): ArrayBuffer[] {
  const columns = [p.stage, p.microbatch, p.kind, p.toStage, p.startSeconds, p.endSeconds, p.chunk, p.weightGradient];
  return columns.filter((a) => a !== undefined).map((a) => a.buffer as ArrayBuffer);
}

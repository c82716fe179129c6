/**
 * Geometry of a Compare column's thumbnails (pure, no React): the stage strip (each stage's share of the layers, in
 * its colour) and the timeline reduced to pixel columns per stage row, so a 60k-event timeline draws as at most
 * stages x width / minimum-run rectangles.
 */
import { TIMELINE_KINDS, type PackedTimeline } from '../../../workers/core/schedule/packedTimeline.ts';

export interface StripBox {
  readonly stage: number;
  readonly x: number;
  readonly width: number;
  /** Layers [start, end). */
  readonly layers: readonly [number, number];
}

/** One box per stage, its width proportional to the stage's layers; a 1 px gap between stages. */
export function stripLayout(stages: readonly { readonly layers: readonly [number, number] }[], width: number): StripBox[] {
  const total = stages.length ? stages[stages.length - 1].layers[1] - stages[0].layers[0] : 0;
  if (total <= 0) return [];
  const first = stages[0].layers[0];
  return stages.map((s, stage) => {
    const x0 = ((s.layers[0] - first) / total) * width, x1 = ((s.layers[1] - first) / total) * width;
    return { stage, x: x0, width: Math.max(1, x1 - x0 - (stage < stages.length - 1 ? 1 : 0)), layers: s.layers };
  });
}

export type ThumbKind = 'forward' | 'backward' | 'other';

export interface ThumbRun {
  readonly stage: number;
  readonly kind: ThumbKind;
  /** Pixel columns [x0, x1). */
  readonly x0: number;
  readonly x1: number;
}

const thumbKind = (k: number): ThumbKind => {
  const name = TIMELINE_KINDS[k];
  return name === 'forward' ? 'forward' : name === 'backward' ? 'backward' : 'other';
};

/**
 * The timeline on `width` pixel columns: per stage row, each column takes the kind that covers most of it
 * (forward, backward, other; idle when nothing does), and equal neighbours merge into runs. Sends are drawn on the
 * sender's row like the timeline view does.
 */
export function timelineThumb(t: PackedTimeline, stageCount: number, width: number): ThumbRun[] {
  let end = 0;
  for (let i = 0; i < t.length; i++) end = Math.max(end, t.endSeconds[i]);
  if (end <= 0 || stageCount <= 0 || width <= 0) return [];
  // cover[stage][kind][column]: seconds of that kind in that pixel column.
  const cover = Array.from({ length: stageCount }, () => Array.from({ length: 3 }, () => new Float64Array(width)));
  const kindIndex: Record<ThumbKind, number> = { forward: 0, backward: 1, other: 2 };
  const perPx = end / width;
  for (let i = 0; i < t.length; i++) {
    const s = t.stage[i];
    if (s < 0 || s >= stageCount) continue;
    const row = cover[s][kindIndex[thumbKind(t.kind[i])]];
    const a = t.startSeconds[i] / perPx, b = t.endSeconds[i] / perPx;
    for (let px = Math.max(0, Math.floor(a)); px < Math.min(width, Math.ceil(b)); px++) {
      row[px] += Math.min(b, px + 1) - Math.max(a, px);
    }
  }
  const kinds: ThumbKind[] = ['forward', 'backward', 'other'];
  const runs: ThumbRun[] = [];
  for (let s = 0; s < stageCount; s++) {
    let open: { kind: ThumbKind; x0: number } | undefined;
    for (let px = 0; px <= width; px++) {
      let best: ThumbKind | undefined, bestCover = 0.25;
      if (px < width) kinds.forEach((k, ki) => { if (cover[s][ki][px] > bestCover) { best = k; bestCover = cover[s][ki][px]; } });
      if (open && open.kind !== best) { runs.push({ stage: s, kind: open.kind, x0: open.x0, x1: px }); open = undefined; }
      if (best && !open) open = { kind: best, x0: px };
    }
  }
  return runs;
}

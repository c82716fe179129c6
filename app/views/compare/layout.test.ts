import { describe, expect, it } from 'vitest';
import { packTimeline } from '../../../workers/core/schedule/packedTimeline.ts';
import { stripLayout, timelineThumb } from './layout.ts';

describe('compare thumbnails', () => {
  it('give each stage its share of the layers, with a gap between stages', () => {
    const boxes = stripLayout([{ layers: [0, 8] }, { layers: [8, 12] }, { layers: [12, 16] }], 160);
    expect(boxes.map((b) => [b.stage, b.x, b.width])).toEqual([[0, 0, 79], [1, 80, 39], [2, 120, 40]]);
    expect(stripLayout([], 100)).toEqual([]);
  });
  it('reduce a timeline to runs of the kind covering most of each pixel column, per stage row', () => {
    const t = packTimeline([
      { stage: 0, microbatch: 0, kind: 'forward', startSeconds: 0, endSeconds: 1 },
      { stage: 0, microbatch: 0, kind: 'backward', startSeconds: 2, endSeconds: 4 },
      { stage: 1, microbatch: 0, kind: 'forward', startSeconds: 1, endSeconds: 2 },
      { stage: 1, microbatch: 0, kind: 'forward', startSeconds: 2, endSeconds: 3 },
      { stage: 1, microbatch: -1, kind: 'gradient-sync', startSeconds: 3.5, endSeconds: 4 },
    ]);
    // 4 s on 8 px: 0.5 s a pixel.
    expect(timelineThumb(t, 2, 8)).toEqual([
      { stage: 0, kind: 'forward', x0: 0, x1: 2 },
      { stage: 0, kind: 'backward', x0: 4, x1: 8 },
      // Two adjacent forwards merge into one run.
      { stage: 1, kind: 'forward', x0: 2, x1: 6 },
      { stage: 1, kind: 'other', x0: 7, x1: 8 },
    ]);
  });
  it('draw nothing for an empty timeline', () => {
    expect(timelineThumb(packTimeline([]), 2, 100)).toEqual([]);
  });
});

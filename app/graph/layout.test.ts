import { describe, expect, it } from 'vitest';
import { zooModel } from '../../workers/core/zoo/index.ts';
import { GAP_X, GAP_Y, NODE_H, NODE_W, groupRuns, type LaidGroup } from './layout.ts';
import { layoutGraph } from './layoutElk.ts';

function overlaps(g: LaidGroup): [string, string][] {
  const out: [string, string][] = [];
  g.ops.forEach((a, i) => g.ops.slice(i + 1).forEach((b) => {
    if (Math.abs(a.x - b.x) < NODE_W && Math.abs(a.y - b.y) < NODE_H) out.push([a.name, b.name]);
  }));
  return out;
}

describe('layer graph layout (ELK layered, top to bottom)', () => {
  it('groups gpt-tiny into embedding, its blocks and the head', async () => {
    const layout = await layoutGraph(zooModel('gpt-tiny'));
    expect(layout.groups.map((g) => g.kind)).toEqual(['embedding', 'block', 'block', 'head']);
    const total = layout.groups.reduce((s, g) => s + g.ops.length, 0);
    expect(total).toBe(zooModel('gpt-tiny').ops.length);
  });
  it('places every consumer a layer below its producers, without overlaps, inside the group box', async () => {
    const layout = await layoutGraph(zooModel('gpt-tiny'));
    const block = layout.groups[1];
    expect(block.edges.length).toBeGreaterThan(5);
    // a block is not one column: ELK puts independent ops side by side (e.g. q, k, v projections)
    expect(new Set(block.ops.map((o) => o.x)).size).toBeGreaterThan(1);
    for (const g of layout.groups) {
      for (const [p, c] of g.edges) expect(g.ops[c].y).toBeGreaterThanOrEqual(g.ops[p].y + NODE_H + GAP_Y);
      expect(overlaps(g)).toEqual([]);
      expect(Math.min(...g.ops.map((o) => o.x))).toBe(0);
      expect(Math.min(...g.ops.map((o) => o.y))).toBe(0);
      expect(g.height).toBe(Math.max(...g.ops.map((o) => o.y)) + NODE_H);
      expect(g.width).toBeGreaterThanOrEqual(Math.max(...g.ops.map((o) => o.x)) + NODE_W);
      // each edge's ELK route runs from the producer's bottom edge to the consumer's top edge, inside the box
      g.edges.forEach(([p, c], k) => {
        const route = g.routes![k];
        expect(route[0].y).toBeCloseTo(g.ops[p].y + NODE_H, 6);
        expect(route[route.length - 1].y).toBeCloseTo(g.ops[c].y, 6);
        for (const q of route) expect(q.x >= 0 && q.x <= g.width && q.y >= 0 && q.y <= g.height).toBe(true);
      });
      // side-by-side ops keep ELK's node spacing
      for (const a of g.ops) for (const b of g.ops) if (a !== b && a.y === b.y) expect(Math.abs(a.x - b.x)).toBeGreaterThanOrEqual(NODE_W + GAP_X);
    }
  });
  it('gives identical blocks identical coordinates', async () => {
    const layout = await layoutGraph(zooModel('gpt-tiny'));
    const [a, b] = layout.groups.filter((g) => g.kind === 'block');
    expect(b.ops.map((o) => [o.x, o.y])).toEqual(a.ops.map((o) => [o.x, o.y]));
  });
  // Its time is measured by bench/ui (drawing the ~3,000-op Llama graph), not here.
  it('lays out Llama-7B: 32 blocks, identical ones placed alike, no overlaps', async () => {
    const layout = await layoutGraph(zooModel('llama-7B'));
    const blocks = layout.groups.filter((g) => g.kind === 'block');
    expect(blocks).toHaveLength(32);
    expect(overlaps(blocks[0])).toEqual([]);
    expect(blocks[31].ops.map((o) => [o.x, o.y])).toEqual(blocks[0].ops.map((o) => [o.x, o.y]));
  });
});

describe('runs of identical layers', () => {
  it('folds GPT-3 2.6B into embedding, one run of 32 identical blocks, and the head', async () => {
    const layout = await layoutGraph(zooModel('gpt-2.6B', { batch: 8 }));
    expect(groupRuns(layout.groups)).toEqual([{ first: 0, count: 1 }, { first: 1, count: 32 }, { first: 33, count: 1 }]);
  });
});

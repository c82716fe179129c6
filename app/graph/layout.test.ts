import { describe, expect, it } from 'vitest';
import { zooModel } from '../../workers/core/zoo/index.ts';
import { NODE_H, GAP_Y, groupRuns, layoutGraph } from './layout.ts';

describe('layer graph layout', () => {
  it('groups gpt-tiny into embedding, its blocks and the head', () => {
    const layout = layoutGraph(zooModel('gpt-tiny'));
    expect(layout.groups.map((g) => g.kind)).toEqual(['embedding', 'block', 'block', 'head']);
    const total = layout.groups.reduce((s, g) => s + g.ops.length, 0);
    expect(total).toBe(zooModel('gpt-tiny').ops.length);
  });
  it('ranks every consumer below its producers', () => {
    const layout = layoutGraph(zooModel('gpt-tiny'));
    for (const g of layout.groups) {
      for (const [p, c] of g.edges) expect(g.ops[c].y).toBeGreaterThanOrEqual(g.ops[p].y + NODE_H + GAP_Y);
      expect(g.height).toBe(Math.max(...g.ops.map((o) => o.y)) + NODE_H);
    }
  });
  it('lays out Llama-7B (32 blocks) quickly', () => {
    const graph = zooModel('llama-7B');
    const t = performance.now();
    const layout = layoutGraph(graph);
    expect(performance.now() - t).toBeLessThan(500);
    expect(layout.groups.filter((g) => g.kind === 'block')).toHaveLength(32);
  });
});

describe('runs of identical layers', () => {
  it('folds GPT-3 2.6B into embedding, one run of 32 identical blocks, and the head', () => {
    const layout = layoutGraph(zooModel('gpt-2.6B', { batch: 8 }));
    expect(groupRuns(layout.groups)).toEqual([{ first: 0, count: 1 }, { first: 1, count: 32 }, { first: 33, count: 1 }]);
  });
});

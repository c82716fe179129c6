import { describe, expect, it } from 'vitest';
import { parseClusterSpec } from '../cluster/spec.ts';
import { createHighsSolver } from '../intra/index.ts';
import { defaultPlanOptions } from '../plan.ts';
import { zooModel } from '../zoo/index.ts';
import { crossover, runLearn } from './learn.ts';

describe('learn', () => {
  it('GPT-39B on 8 x 8 V100: intra-op only sends far more across nodes, and the sentence says so', async () => {
    const g = zooModel('gpt-39B');
    const r = await runLearn(g, parseClusterSpec('p3.16xlarge:8x8'), defaultPlanOptions(g), { solver: createHighsSolver() });
    const row = (k: string) => {
      const x = r.rows.find((y) => y.kind === k);
      if (!x || !x.ok) throw new Error(`${k}: no plan`);
      return x;
    };
    const combined = row('combined');
    const intra = row('intra-only');
    expect(r.winner).toBe('combined');
    expect(intra.stages).toBe(1);
    expect(intra.bubbleFraction.value).toBeLessThan(1e-9);
    expect(combined.stages).toBeGreaterThan(1);
    expect(combined.bubbleFraction.value).toBeGreaterThan(0);
    // One 8x8 mesh over 25 Gbit/s Ethernet: its data-parallel (or sharded) axis runs between nodes.
    expect(intra.traffic.crossNode.bytes).toBeGreaterThan(10 * combined.traffic.crossNode.bytes);
    expect(intra.traffic.crossNode.seconds).toBeGreaterThan(combined.traffic.crossNode.seconds);
    expect(intra.stepSeconds.value).toBeGreaterThan(3 * combined.stepSeconds.value);
    expect(r.reasons.find((x) => x.kind === 'intra-only')?.reason).toBe('cross-node communication');
    expect(r.sentence).toMatch(/^The combined plan wins here \([\d.]+ s per step\)\. Intra-op only is [\d.]+x slower \([\d.]+ s per step\): its communication across nodes takes [\d.]+ s per step \([\d.]+ GB over the 21\.3 Gbit\/s inter-node links\)/);
    // Every stage of every plan carries its collectives.
    expect(r.rows.every((x) => x.ok && x.traffic.complete)).toBe(true);
  });

  it('finds where the best of the three changes along a knob', () => {
    const c = crossover([
      { value: 10, steps: { combined: 5, 'intra-only': 50, 'inter-only': 4 } },
      { value: 100, steps: { combined: 3, 'intra-only': 6, 'inter-only': 3.5 } },
      { value: 400, steps: { combined: 2.5, 'intra-only': 2.4 } },
      { value: 800, steps: {} },
    ]);
    expect(c.best).toEqual(['inter-only', 'combined', 'intra-only', null]);
    expect(c.changes).toEqual([
      { index: 1, value: 100, previousValue: 10, from: 'inter-only', to: 'combined' },
      { index: 2, value: 400, previousValue: 100, from: 'combined', to: 'intra-only' },
    ]);
  });
});

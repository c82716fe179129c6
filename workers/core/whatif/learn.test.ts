import { describe, expect, it } from 'vitest';
import { parseClusterSpec } from '../cluster/spec.ts';
import { createHighsSolver } from '../intra/index.ts';
import { defaultPlanOptions } from '../plan.ts';
import { zooModel } from '../zoo/index.ts';
import type { Plan } from '../plan/types.ts';
import { crossover, learnFromRows, runLearn, type LearnKind, type LearnRow } from './learn.ts';

const fig = (value: number) => ({ value, unit: 's' as const, formula: '', terms: [] });
/** A Learn row from the few numbers the sentence reads. */
function row(kind: LearnKind, step: number, o: { bubble?: number; cross?: number; compute?: number; feasible?: boolean } = {}): LearnRow {
  const breakdown = { computeSeconds: o.compute ?? step * 0.8, intraStageCommunicationSeconds: 0, crossStageSeconds: 0, bubbleSeconds: o.bubble ?? 0, gradientSyncSeconds: 0 };
  const side = (seconds: number) => ({ bytes: seconds * 2.65e9, seconds, terms: [] });
  return {
    kind, ok: true, feasible: o.feasible ?? true, ...(o.feasible === false ? { infeasibleReason: 'stage 0 needs 20.00 GiB per device, 4.00 GiB over the 16.00 GiB limit' } : {}),
    stepSeconds: fig(step), bubbleFraction: { ...fig((o.bubble ?? 0) / step), unit: '1' }, memoryPerDevice: { ...fig(1e9), unit: 'B' },
    traffic: { crossNode: side(o.cross ?? 0), inNode: side(0), complete: true }, stages: 1, microbatches: 8, tflopsPerGpu: 40,
    plan: { breakdown, stages: [] } as unknown as Plan,
  };
}

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
    expect(r.sentence).toMatch(/^The combined plan wins here \([\d.]+ s per step\)\. Intra-op only is [\d.]+x slower \([\d.]+ s per step\): its communication across nodes takes [\d.]+ s per step \([\d.]+ (GiB|TiB) over the 21\.3 Gbit\/s inter-node links\)/);
    // Every stage of every plan carries its collectives.
    expect(r.rows.every((x) => x.ok && x.traffic.complete)).toBe(true);
  });

  it("says so when the combined plan is a baseline's own layout, or another plan is faster, or none fits", () => {
    const cluster = parseClusterSpec('p3.16xlarge:4x8');
    const seeded = learnFromRows([row('combined', 14.34), row('intra-only', 14.57), row('inter-only', 14.34)], cluster);
    expect(seeded.winner).toBe('combined');
    expect(seeded.ties).toEqual(['intra-only', 'inter-only']);
    expect(seeded.sentence).toBe("The combined plan is inter-op only's own layout here (14.3 s per step): no mix of intra- and inter-operator " +
      'parallelism the search tried is faster; intra-op only (14.6 s per step) ties with it (within 2%).');
    const beaten = learnFromRows([row('combined', 11, { bubble: 3 }), row('intra-only', 30, { cross: 20 }), row('inter-only', 10, { bubble: 1 })], cluster);
    expect(beaten.winner).toBe('inter-only');
    expect(beaten.reasons.map((x) => [x.kind, x.reason])).toEqual([['combined', 'pipeline bubble'], ['intra-only', 'cross-node communication']]);
    expect(beaten.sentence).toBe('Inter-op only is the fastest here (10 s per step), not the combined plan. The combined plan is 1.1x slower ' +
      '(11 s per step): its pipeline idles 27% of the step (3 s of bubble) against 10% for inter-op only. Intra-op only is 3x slower (30 s per step): ' +
      'its communication across nodes takes 20 s per step (49.4 GiB over the 21.3 Gbit/s inter-node links) against 0 s (0 GiB) for inter-op only.');
    const none = learnFromRows([row('combined', 5, { feasible: false }), { kind: 'intra-only', ok: false, reason: 'no plan' }, row('inter-only', 6, { feasible: false })], cluster);
    expect(none.winner).toBeNull();
    expect(none.sentence).toBe('No plan fits this cluster: the combined plan: stage 0 needs 20.00 GiB per device, 4.00 GiB over the 16.00 GiB limit; ' +
      'intra-op only: no plan; inter-op only: stage 0 needs 20.00 GiB per device, 4.00 GiB over the 16.00 GiB limit.');
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

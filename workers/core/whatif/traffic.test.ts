import { describe, expect, it } from 'vitest';
import { parseClusterSpec } from '../cluster/spec.ts';
import { collectiveWireBytes } from '../cost/collectives.ts';
import { defaultPlanOptions, plan } from '../plan.ts';
import { zooModel } from '../zoo/index.ts';
import { planTraffic } from './traffic.ts';

describe('plan traffic', () => {
  it('counts a template stage\'s gradient all-reduce (priced as one per-step term, not a listed collective)', async () => {
    const g = zooModel('gpt-350M');
    const r = await plan(g, parseClusterSpec('p3.16xlarge:2x8'), { ...defaultPlanOptions(g), baseline: 'dp' }, undefined, undefined, { intra: 'manual' });
    if (!r.ok) throw new Error(r.reason);
    const [stage] = r.plan.stages;
    expect(stage.logicalMesh).toEqual([16, 1]);
    expect(stage.sharding?.collectives.some((c) => /gradient|weight-update/.test(c.reason))).toBe(false);
    const t = planTraffic(r.plan);
    // 16 data-parallel replicas over two nodes: the all-reduce runs on the inter-node axis.
    expect(t.crossNode.bytes).toBeCloseTo(collectiveWireBytes('all-reduce', stage.memory.gradBytes, 16) * 16, 0);
    expect(t.crossNode.seconds).toBeCloseTo(stage.gradientSyncSeconds, 9);
    expect(t.crossNode.terms.map((x) => x.label)).toEqual(['gradient sync (bytes)', 'gradient sync (seconds)']);
    expect(t.inNode.bytes).toBe(0);
  });
});

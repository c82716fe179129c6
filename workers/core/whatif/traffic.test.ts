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

  it('prices a CP stage\'s all-to-alls over the cp group, not the whole axis 0', async () => {
    // gpt-tiny on 8 GPUs, Megatron dp 4 x cp 2 (Ulysses): each listed all-to-all runs among 2 devices; its wire bytes
    // per device are (2 - 1) / 2^2 of the message, as for a 2-device group (not (8 - 1) / 8^2).
    const g = zooModel('gpt-tiny');
    const r = await plan(g, parseClusterSpec('p3.16xlarge:1x8'), { ...defaultPlanOptions(g), baseline: 'megatron', dp: 4, tp: 1, pp: 1, cp: 2, cpKind: 'ulysses' }, undefined, undefined, { intra: 'manual' });
    if (!r.ok) throw new Error(r.reason);
    const [stage] = r.plan.stages;
    const a2a = stage.sharding?.collectives.filter((c) => c.kind === 'all-to-all') ?? [];
    expect(a2a.length).toBeGreaterThan(0);
    expect(a2a.every((c) => c.group === 2)).toBe(true);
    const wire = a2a.reduce((s, c) => s + collectiveWireBytes('all-to-all', c.bytes, 2) * 8 * r.plan.microbatches, 0);
    const t = planTraffic(r.plan);
    expect(t.inNode.terms.find((x) => x.label === 'tensor-parallel collectives (bytes)')?.value).toBeCloseTo(wire, 0);
  });
});

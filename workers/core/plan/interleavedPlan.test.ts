import { describe, expect, it } from 'vitest';
import { parseClusterSpec } from '../cluster/spec.ts';
import { defaultPlanOptions, plan } from '../plan.ts';
import { zooModel } from '../zoo/index.ts';

describe('interleaved 1F1B in plans', () => {
  it('a 4-stage Megatron pipeline on one DGX-H100: the search picks chunks per device, shrinking the bubble', async () => {
    const model = zooModel('gpt-2.6B', { batch: 64 });
    const cluster = parseClusterSpec('dgx-h100:1x8');
    const base = { ...defaultPlanOptions(model), baseline: 'megatron' as const, dp: 1, tp: 2, pp: 4, microbatches: 8 };
    const one = await plan(model, cluster, { ...base, schedule: '1f1b' }, undefined, undefined, { intra: 'manual' });
    const il = await plan(model, cluster, { ...base, schedule: 'interleaved' }, undefined, undefined, { intra: 'manual' });
    if (!one.ok || !il.ok) throw new Error('expected plans');
    expect(one.plan.virtualStages).toBeUndefined();
    expect(il.plan.virtualStages).toBeGreaterThanOrEqual(2);
    expect(il.plan.schedule).toBe('interleaved');
    expect(il.plan.stepSeconds).toBeLessThan(one.plan.stepSeconds);
    expect(il.plan.breakdown.bubbleSeconds).toBeLessThan(one.plan.breakdown.bubbleSeconds);
    // Every forward and backward on a device is one of its v chunks.
    const chunks = new Set(il.plan.timeline.filter((e) => e.kind === 'forward').map((e) => e.chunk));
    expect(chunks.size).toBe(il.plan.virtualStages);
    expect(il.plan.feasible).toBe(true);
  }, 60_000);

  it('ZB-H1 on the same pipeline: weight gradients fill the bubble, faster than 1F1B', async () => {
    const model = zooModel('gpt-2.6B', { batch: 64 });
    const cluster = parseClusterSpec('dgx-h100:1x8');
    const base = { ...defaultPlanOptions(model), baseline: 'megatron' as const, dp: 1, tp: 2, pp: 4, microbatches: 8 };
    const one = await plan(model, cluster, { ...base, schedule: '1f1b' }, undefined, undefined, { intra: 'manual' });
    const zb = await plan(model, cluster, { ...base, schedule: 'zb-h1' }, undefined, undefined, { intra: 'manual' });
    if (!one.ok || !zb.ok) throw new Error('expected plans');
    expect(zb.plan.schedule).toBe('zb-h1');
    expect(zb.plan.stepSeconds).toBeLessThan(one.plan.stepSeconds);
    expect(zb.plan.breakdown.bubbleSeconds).toBeLessThan(one.plan.breakdown.bubbleSeconds);
    expect(zb.plan.timeline.filter((e) => e.weightGradient)).toHaveLength(4 * 8);
  }, 60_000);
});

import { describe, expect, it } from 'vitest';
import { parseClusterSpec } from '../cluster/spec.ts';
import { defaultPlanOptions, plan } from '../plan.ts';
import { zooModel } from '../zoo/index.ts';

describe('expert parallelism chosen by the search', () => {
  // GShard MoE-10B (the paper's 16-GPU case) on 2 nodes of 8 V100s, global batch 1,024, trained as the paper's runs
  // were: fp16 with Adafactor (8 B of state a parameter; cost/memory.ts precisionBytes).
  const model = zooModel('moe-10B', { batch: 1024 });
  const cluster = parseClusterSpec('p3.16xlarge:2x8');
  const options = { ...defaultPlanOptions(model), precision: 'fp16-adafactor' as const };

  it('spreads the experts (EP > 1 on most stages) and beats tensor-parallel experts by more than 1%', async () => {
    const auto = await plan(model, cluster, options, undefined, undefined, { intra: 'manual' });
    const tp = await plan(model, cluster, { ...options, ep: 1 }, undefined, undefined, { intra: 'manual' });
    if (!auto.ok || !tp.ok) throw new Error('expected plans');
    expect(auto.plan.feasible && tp.plan.feasible).toBe(true);
    // Measured 9.31 s (two stages of EP 8) against 9.76 s (five stages, TP or replicated experts on 2-4 devices:
    // each holds more expert weights, so the pipeline is deeper). Before expert state was divided by its replicas
    // only (issue 14) and under Adam's 16 B: 9.30 s against 10.07 s; the honest state narrows the gap from 8% to 5%.
    // With Megatron's fused kernels' residuals (mem405: a norm keeps its input, bias-GeLU its input, the fused
    // softmax only its output) the activations shrink and TP experts need a shallower pipeline: 9.23 s (5 stages,
    // EP 2, 4, 4 on three) against 9.35 s, 1.3%.
    const spread = auto.plan.stages.filter((s) => (s.expertParallel ?? 0) > 1).length;
    expect(spread).toBeGreaterThanOrEqual(auto.plan.stages.length / 2);
    expect(tp.plan.stages.every((s) => s.expertParallel === undefined || s.expertParallel === 1)).toBe(true);
    expect(auto.plan.stepSeconds).toBeLessThan(tp.plan.stepSeconds / 1.01);
  }, 180_000);

  it('MoE-27B on 4 nodes of 8 V100s (the paper\'s 32-GPU case): expert groups inside nodes level with TP experts, both beat node-spanning groups', async () => {
    const big = zooModel('moe-27B', { batch: 1024 });
    const four = parseClusterSpec('p3.16xlarge:4x8');
    const run = async (ep?: number) => {
      const r = await plan(big, four, { ...defaultPlanOptions(big), precision: 'fp16-adafactor', ...(ep ? { ep } : {}) }, undefined, undefined, { intra: 'manual' });
      if (!r.ok) throw new Error(r.reason);
      expect(r.plan.feasible).toBe(true);
      return r.plan;
    };
    // Measured 9.30 s (EP 4 and 8, one node each), 9.58 s (EP 1: TP experts on 2x2 and 2x4 meshes), 12.76 s (EP 16:
    // all-to-alls over the 25 Gb/s inter-node link). Under the old count (expert state divided by all of axis 0, Adam's
    // 16 B) it was 9.29 s, 9.94 s and 12.75 s: TP experts, replicated over fewer devices, lost more to the defect.
    // With Megatron's column-parallel backward overlap priced (attnmem, inter/manualProfile.ts): TP experts 9.44 s,
    // EP 4 forced 9.29 s; the search's own pick (auto) was 9.48 s: at B=128 the stage DP preferred a 5-stage
    // layout it priced 8.68 s that simulated 15.38 s (its last stage's cross-node gradient sync taken as hidden in
    // the drain: inter/stageOptions.ts). After V100 Megatron lost the backward overlap (4891c68) and NCCL's
    // start-ups (2358e59): auto 9.32 s (the 7-stage EP 4 layout), EP 4 forced 9.29 s; the counts whose later
    // syncs the DP still misprices (B=64, 32) are re-solved with every sync priced (plan/searched.ts, lateSync.test).
    // With Megatron's fused kernels' residuals (mem405) the activations shrink and TP experts fit on 1 x 4 stages
    // without data parallelism: --ep 1 9.189 s (9 stages), EP 4 forced 9.295 s, the search's own pick 9.279 s (8
    // stages of TP experts: 1% above --ep 1, a layout the search did not reach; plan/alternatives.ts re-solves only
    // beyond 3%), EP 16 across nodes 12.63 s. In-node expert groups and TP experts are now within 1.2%.
    const [auto, tp, wide, inNode] = [await run(), await run(1), await run(16), await run(4)];
    expect(inNode.stages.every((s) => s.expertParallel === 4)).toBe(true);
    expect(Math.abs(inNode.stepSeconds / tp.stepSeconds - 1)).toBeLessThan(0.015);
    expect(auto.stepSeconds).toBeLessThan(1.015 * Math.min(inNode.stepSeconds, tp.stepSeconds));
    expect(auto.stepSeconds).toBeLessThan(wide.stepSeconds / 1.1);
    expect(new Set(wide.stages.map((s) => s.expertParallel))).toEqual(new Set([16]));
  }, 240_000);

  it('--ep forces the degree on every stage with experts', async () => {
    const r = await plan(model, cluster, { ...options, ep: 8 }, undefined, undefined, { intra: 'manual' });
    if (!r.ok) throw new Error(r.reason);
    expect(new Set(r.plan.stages.map((s) => s.expertParallel))).toEqual(new Set([8]));
  }, 180_000);

  it('--ep 4 --zero 2 on 8-device stages: the experts\' gradients are sharded over their 2 replicas', async () => {
    // (The DP chose ZeRO-2 itself, 9.42 s, until Megatron's fused kernels' residuals were priced (mem405): with the
    // smaller activations ZeRO-1 fits, 9.28 s; forced here, 9.34 s.)
    const r = await plan(model, cluster, { ...options, ep: 4, zero: 2 }, undefined, undefined, { intra: 'manual' });
    if (!r.ok) throw new Error(r.reason);
    // At ZeRO-1 a device holds as many gradient bytes as parameter bytes (2 B each); at ZeRO-2 the experts' (most of
    // the weights) are split over their 2 replicas and the rest over all 8: under half the parameter bytes.
    const wide = r.plan.stages.filter((s) => s.logicalMesh[0] === 8);
    expect(wide.length).toBeGreaterThan(0);
    for (const s of wide) {
      expect([s.zero, s.expertParallel]).toEqual([2, 4]);
      expect(s.memory.gradBytes).toBeLessThan(0.5 * s.memory.paramBytes);
    }
  }, 180_000);

  it('refuses --ep on a model without experts, and a bad capacity factor, by name', async () => {
    const gpt = zooModel('gpt-350M', { batch: 8 });
    expect(await plan(gpt, cluster, { ...defaultPlanOptions(gpt), ep: 2 })).toEqual({ ok: false, reason: "ep: model 'gpt-350M' has no MoE experts to spread" });
    expect(await plan(model, cluster, { ...options, capacityFactor: 0 })).toEqual({ ok: false, reason: 'capacityFactor must be a number in (0, 16], got 0' });
  });
});

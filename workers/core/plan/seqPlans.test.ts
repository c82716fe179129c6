import { describe, expect, it } from 'vitest';
import { parseClusterSpec } from '../cluster/spec.ts';
import { jaxScript } from '../export/jaxScript.ts';
import { megatronArgs } from '../export/megatronArgs.ts';
import { buildMeshSpace } from '../inter/meshSpace.ts';
import { MEGATRON } from '../inter/manualProfile.ts';
import { createContext, manualProfileFn } from './context.ts';
import { defaultPlanOptions, plan } from '../plan.ts';
import { zooModel } from '../zoo/index.ts';
import type { Plan, PlanOptions } from './types.ts';

const GiB = 2 ** 30;

async function planned(model: ReturnType<typeof zooModel>, spec: string, options: Partial<PlanOptions>): Promise<Plan> {
  const r = await plan(model, parseClusterSpec(spec), { ...defaultPlanOptions(model), precision: 'bf16-mixed', ...options }, undefined, undefined, { intra: 'manual' });
  if (!r.ok) throw new Error(r.reason);
  return r.plan;
}

describe('context parallelism in plans (Llama-3-8B, one 32,768-token sequence per step, 2 DGX H100)', () => {
  const model = zooModel('llama-3-8B', { batch: 1, seq: 32768 });

  it('the search splits the sequence over a CP group and beats every plan without CP by more than 2x', async () => {
    const searched = await planned(model, 'dgx-h100:2x8', {});
    const noCp = await planned(model, 'dgx-h100:2x8', { cp: 1 });
    expect(searched.feasible && noCp.feasible).toBe(true);
    // Without CP one sequence cannot split over data parallelism: at most a node's tensor parallelism works on it
    // (the rest pipelines a single micro-batch). With CP all 16 GPUs share it.
    expect(noCp.stages.every((s) => s.contextParallel === undefined)).toBe(true);
    expect(searched.stages.some((s) => (s.contextParallel?.degree ?? 1) > 1)).toBe(true);
    expect(searched.stepSeconds).toBeLessThan(noCp.stepSeconds / 2);
    for (const s of searched.stages) {
      const devices = s.logicalMesh[0] * s.logicalMesh[1];
      expect(devices % (s.contextParallel?.degree ?? 1)).toBe(0);
    }
  }, 120_000);

  it('Megatron tp=8 cp=2 against tp=8 pp=2: the same 16 GPUs, CP about twice as fast; export names it', async () => {
    const pp = await planned(model, 'dgx-h100:2x8', { baseline: 'megatron', dp: 1, tp: 8, pp: 2 });
    const cp = await planned(model, 'dgx-h100:2x8', { baseline: 'megatron', dp: 1, tp: 8, pp: 1, cp: 2 });
    expect(cp.label).toBe('Megatron dp=1 tp=8 pp=1 cp=2 (ring)');
    expect(cp.stages[0].logicalMesh).toEqual([2, 8]);
    expect(cp.stages[0].contextParallel).toEqual({ degree: 2, kind: 'ring' });
    // Measured: naive attention 1.436 s (cp) vs 2.65 s; fused (the default on H100) 0.505 s vs 0.825 s: fused
    // attention takes the scores' HBM passes out of both, so CP's lead shrinks from 1.85x to 1.63x.
    expect(cp.stepSeconds).toBeLessThan(0.65 * pp.stepSeconds);
    // The search (CP among its choices) is no slower than either hand-made point.
    const searched = await planned(model, 'dgx-h100:2x8', {});
    expect(searched.stepSeconds).toBeLessThanOrEqual(cp.stepSeconds);
    const args = megatronArgs(cp, model);
    if (!args.ok) throw new Error(args.reason);
    expect(args.args.join(' ')).toContain('--context-parallel-size 2 --cp-comm-type p2p');
    expect(args).toMatchObject({ dataParallel: 1, contextParallel: 2, tensorParallel: 8, worldSize: 16 });
    // The JAX export splits only the batch over axis 0: a CP plan is refused by name.
    expect(jaxScript(cp, model, 'bf16-mixed')).toEqual({ ok: false, reason: 'stage 0 runs context parallel 2 (ring); the JAX export splits only the batch over mesh axis 0' });
  }, 120_000);

  it('bad CP requests are named: Ulysses with 8 key/value heads over tp 8 x cp 2, cp not dividing the sequence', async () => {
    const r = await plan(model, parseClusterSpec('dgx-h100:2x8'), { ...defaultPlanOptions(model), baseline: 'megatron', dp: 1, tp: 8, pp: 1, cp: 2, cpKind: 'ulysses' }, undefined, undefined, { intra: 'manual' });
    expect(r).toEqual({ ok: false, reason: 'Ulysses needs heads (32) and key/value heads (8) divisible by tp x cp = 8 x 2' });
    const odd = await plan(model, parseClusterSpec('dgx-h100:2x8'), { ...defaultPlanOptions(model), cp: 3 });
    expect(odd).toEqual({ ok: false, reason: 'cp 3 must divide the sequence length 32768' });
    const kind = await plan(model, parseClusterSpec('dgx-h100:2x8'), { ...defaultPlanOptions(model), cp: 2, cpKind: 'star' as 'ring' });
    expect(kind).toEqual({ ok: false, reason: "cpKind must be one of ring|ulysses, got 'star'" });
  });
});

describe('sequence parallelism in plans (GPT-6.7B, seq 4096, one DGX H100, Megatron tp=8 without remat)', () => {
  const model = zooModel('gpt-6.7B', { batch: 16, seq: 4096 });
  // Naive attention (probabilities kept), as the SP figures below were taken: with fused attention (the H100
  // default) they leave and the plan without SP needs 18.27 GiB.
  const point = { baseline: 'megatron' as const, dp: 1, tp: 8, pp: 1, remat: 'off' as const, microbatches: 16, precision: 'fp16-mixed' as const, attention: 'naive' as const };

  it('SP lets the plan fit 20 GiB where it does not fit without it, for a slower step (its extra all-gathers)', async () => {
    const limit = { memoryLimitBytes: 20 * GiB };
    const off = await planned(model, 'dgx-h100:1x8', { ...point, ...limit, sp: 'off' });
    const on = await planned(model, 'dgx-h100:1x8', { ...point, ...limit, sp: 'on' });
    expect(on.label).toBe('Megatron dp=1 tp=8 pp=1 sp');
    expect(on.stages[0].sequenceParallel).toBe(true);
    expect(off.stages[0].sequenceParallel).toBeUndefined();
    // The model: 22.27 GiB without SP, 18.71 GiB with it (the norms' inputs and the column GEMMs' inputs, whole on
    // each rank without SP, / 8). Before Megatron's fused kernels were priced (mem405) 30.02 / 26.46 GiB: JAX's
    // autodiff residuals kept the scores and the mask's predicate too, which the fused softmax does not.
    expect(off.stages[0].memoryBytesPerDevice / GiB).toBeGreaterThan(22);
    expect(on.stages[0].memoryBytesPerDevice / GiB).toBeLessThan(19);
    expect(off.feasible).toBe(false);
    expect(on.feasible).toBe(true);
    expect(on.stages[0].memory.paramBytes).toBe(off.stages[0].memory.paramBytes);
    expect(on.stepSeconds).toBeGreaterThan(off.stepSeconds);
    const args = megatronArgs(on, model);
    expect(args.ok && args.args.includes('--sequence-parallel')).toBe(true);
  }, 120_000);

  it('the search with SP offered is never slower than without', async () => {
    const auto = await planned(model, 'dgx-h100:1x8', { precision: 'fp16-mixed', memoryLimitBytes: 28 * GiB });
    const off = await planned(model, 'dgx-h100:1x8', { precision: 'fp16-mixed', memoryLimitBytes: 28 * GiB, sp: 'off' });
    expect(auto.feasible).toBe(true);
    expect(auto.stepSeconds).toBeLessThanOrEqual(off.stepSeconds);
    expect(off.stages.every((s) => !s.sequenceParallel)).toBe(true);
  }, 120_000);
});

describe('a CP group\'s link', () => {
  it('cp consecutive positions of axis 0 inside a node use the node\'s link, not axis 0\'s', async () => {
    const model = zooModel('llama-3-8B', { batch: 2, seq: 16384, dims: { layers: 1 } });
    const cluster = parseClusterSpec('dgx-h100:2x8');
    const ctx = createContext(model, cluster, { ...defaultPlanOptions(model), cp: 2 });
    const space = buildMeshSpace(cluster, { submesh: (s) => s[0] === 2, logical: (l) => l[0] === 16 });
    const mesh = space.meshes[0];
    const unit = ctx.clustering.unitGraph.units.find((u) => u.name.startsWith('layer '));
    if (!unit) throw new Error('no block');
    const p = await manualProfileFn(ctx, { ...MEGATRON, tensorParallel: false, contextParallel: { degree: 2, kind: 'ring' } })(unit, mesh, space.submeshes[mesh.shape]);
    const ring = p.collectives.filter((c) => c.ring);
    expect(ring).toHaveLength(2);
    // Axis 0 of (16, 1) spans the two nodes (its ring runs over the 8 rails of each node: 360 GB/s); a CP pair sits in
    // one node, on NVLink's 306 GB/s bus bandwidth.
    expect(ring.every((c) => c.link?.bandwidthBytesPerSecond === cluster.intraNode.bandwidthBytesPerSecond)).toBe(true);
    expect(mesh.links[0].bandwidthBytesPerSecond).not.toBe(cluster.intraNode.bandwidthBytesPerSecond);
  });
});

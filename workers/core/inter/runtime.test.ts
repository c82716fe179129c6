import { describe, expect, it } from 'vitest';
import { CLUSTER_PRESETS, GPU_PRESETS, H100_NVLINK } from '../cluster/presets.ts';
import { defaultPlanOptions, plan } from '../plan.ts';
import type { PlanOptions } from '../plan/types.ts';
import { rowGraph } from '../cost/e2eRows.ts';
import { isRepeatedBlock, overlapsGradientReduce, runtimeTraits, runtimeTraitsOn, scanResidualSeconds } from './runtime.ts';
import type { UnitCost, UnitProfile } from './unitProfile.ts';
import { manualProfile } from './manualProfile.ts';
import { buildUnits } from './units.ts';

const gpt = rowGraph('gpt-125m', 8);
const cluster = CLUSTER_PRESETS['dgx-h100'].cluster(1, 1);
const base: PlanOptions = { ...defaultPlanOptions(gpt), globalBatch: 8, microbatches: 1, precision: 'bf16-adam32', baseline: 'dp' };

async function step(options: Partial<PlanOptions>) {
  const r = await plan(gpt, cluster, { ...base, ...options }, undefined, undefined, { intra: 'manual' });
  if (!r.ok) throw new Error(r.reason);
  return r.plan;
}

describe('runtime traits', () => {
  it('megatron is the default and adds nothing; xla names its effects', () => {
    expect(runtimeTraits()).toEqual(runtimeTraits('megatron'));
    expect(runtimeTraits('megatron')).toEqual({
      rematBlocksOnly: false, scanResidualPasses: 0, scanResidualCopyPasses: 0, copyEngineCollectiveSlowdown: 0, normsInFp32: false, stepsInFlight: 1, zero3ForwardAllToAlls: 0, zero3RematAllToAlls: 0,
      noRematGradientSyncFactor: 1, zero3LogitsAllToAll: false, fusedAttention: true, asyncColumnBackward: true,
      memoryFraction: 1, gradientReduceOverlap: true, residuals: 'fused',
    });
    expect(runtimeTraits('xla')).toEqual({
      rematBlocksOnly: true, scanResidualPasses: 4, scanResidualCopyPasses: 1, copyEngineCollectiveSlowdown: 0.6, normsInFp32: true, stepsInFlight: 1, zero3ForwardAllToAlls: 1, zero3RematAllToAlls: 3,
      noRematGradientSyncFactor: 0.915 / 0.585, zero3LogitsAllToAll: true, fusedAttention: false, asyncColumnBackward: false,
      memoryFraction: 0.75, gradientReduceOverlap: false, residuals: 'autodiff',
    });
    expect(isRepeatedBlock({ name: 'layer 3' })).toBe(true);
    expect(isRepeatedBlock({ name: 'post' })).toBe(false);
  });

  it('xla without remat: scan residual copies make the step slower, fp32 norm residuals the memory larger', async () => {
    const m = await step({ remat: 'off' });
    const x = await step({ remat: 'off', runtime: 'xla' });
    expect(x.stepSeconds / m.stepSeconds).toBeGreaterThan(1.2);
    expect(x.stages[0].memory.activationBytes / m.stages[0].memory.activationBytes).toBeGreaterThan(1.1);
    // one step's memory is what must fit (measured on an H100: bench/bridge), under either runtime
    expect(x.stages[0].requiredBytesPerDevice ?? x.stages[0].memoryBytesPerDevice).toBe(x.stages[0].memoryBytesPerDevice);
    expect(m.stages[0].requiredBytesPerDevice).toBeUndefined();
  });

  it('scan residuals: copies on the compute stream in loops without collectives, on the copy engines (slowing the collectives) otherwise', () => {
    const gpu = GPU_PRESETS['H100-SXM'];
    const pass = 1e9 / (gpu.hbmBandwidthBytesPerSecond * gpu.memoryEfficiency);
    const cost: UnitCost = { forwardSeconds: 0, backwardSeconds: 0, recomputeSeconds: 0, activationBytes: 1e9, bufferBytes: 0, computeSeconds: 0, communicationSeconds: 0.01, attentionRecomputeSeconds: 0, attentionActivationBytes: 0, weightGradientSeconds: 0 };
    const profile = (collectives: UnitProfile['collectives'], gradientSyncSeconds: number) => ({ collectives, gradientSyncSeconds } as UnitProfile);
    const xla = runtimeTraits('xla');
    const ar = (phase: 'forward' | 'backward', rematOnly = false) => ({ kind: 'all-reduce' as const, axis: 0 as const, bytes: 1, phase, scales: true, rematOnly });
    // one device: both loops copy on the compute stream (4 + 2 passes); its communication here is only for the check
    expect(scanResidualSeconds(profile([], 0), { ...cost, communicationSeconds: 0 }, gpu, xla)).toBeCloseTo(6 * pass, 9);
    // data parallel: the backward loop holds the gradient all-reduces, the forward loop none (4 + 1)
    expect(scanResidualSeconds(profile([], 0.001), { ...cost, communicationSeconds: 0 }, gpu, xla)).toBeCloseTo(5 * pass, 9);
    // Megatron: collectives in both loops (4 passes) and 60% slower collectives; a remat-only one does not count
    expect(scanResidualSeconds(profile([ar('forward'), ar('backward')], 0), cost, gpu, xla)).toBeCloseTo(4 * pass + 0.006, 9);
    expect(scanResidualSeconds(profile([ar('forward', true), ar('backward')], 0), cost, gpu, xla)).toBeCloseTo(5 * pass + 0.006, 9);
  });

  it('ZeRO-3 under xla reshards the logits by one all-to-all of the whole fp32 logits tensor; megatron does not', () => {
    const tensors = new Map(gpt.tensors.map((t) => [t.id, t]));
    const units = buildUnits(gpt).units;
    const post = units.find((u) => u.name === 'post')!;
    const z3 = { tensorParallel: false, expertParallel: false, zeroStage: 3 } as const;
    const xla = manualProfile(gpt, post, [2, 1], 'bf16-adam32', z3, [H100_NVLINK, H100_NVLINK], tensors, true, runtimeTraits('xla'));
    const meg = manualProfile(gpt, post, [2, 1], 'bf16-adam32', z3, [H100_NVLINK, H100_NVLINK], tensors, true, runtimeTraits('megatron'));
    expect(xla.collectives.filter((c) => c.kind === 'all-to-all').map((c) => c.bytes)).toEqual([8 * 1024 * 51200 * 4]);
    expect(meg.collectives.filter((c) => c.kind === 'all-to-all')).toEqual([]);
    expect(xla.gradientSyncKind).toBe('reduce-scatter');
    // its receive buffer: one device's share of the logits, live beside them
    expect(xla.bufferBytes).toBe(8 * 1024 * 51200 * 4 / 2);
    expect(meg.bufferBytes).toBeUndefined();
    // no layer unit has logits; a layer's activation resharding is XLA's alone (eager ZeRO-3 only gathers weights)
    const layer = units.find((u) => u.name === 'layer 0')!;
    const layerXla = manualProfile(gpt, layer, [2, 1], 'bf16-adam32', z3, [H100_NVLINK, H100_NVLINK], tensors, true, runtimeTraits('xla'));
    const layerMeg = manualProfile(gpt, layer, [2, 1], 'bf16-adam32', z3, [H100_NVLINK, H100_NVLINK], tensors, true, runtimeTraits('megatron'));
    expect(layerXla.collectives.filter((c) => c.kind === 'all-to-all')).toEqual([]);
    expect(layerXla.collectives.filter((c) => c.kind === 'send-recv').map((c) => [c.phase, c.rematOnly ?? false])).toEqual([['forward', false], ['backward', true]]);
    expect(layerMeg.collectives.filter((c) => c.kind === 'send-recv')).toEqual([]);
  });

  it('data parallel under xla: the gradient all-reduce costs more without remat (no overlap with a recomputing backward)', async () => {
    const two = CLUSTER_PRESETS['dgx-h100'].cluster(1, 2);
    const sync = async (remat: 'on' | 'off', runtime: 'xla' | 'megatron') => {
      const r = await plan(gpt, two, { ...base, remat, runtime }, undefined, undefined, { intra: 'manual' });
      if (!r.ok) throw new Error(r.reason);
      return r.plan.stages[0].gradientSyncSeconds;
    };
    // megatron on an H100 reduces bucket by bucket beside the backward: less of it shows than under xla
    const xlaRemat = await sync('on', 'xla');
    expect(await sync('on', 'megatron')).toBeLessThan(xlaRemat);
    const extra = (await sync('off', 'xla')) - xlaRemat;
    expect(extra).toBeGreaterThan(0.3e-3);
    // the extra is (0.915 / 0.585 - 1) x the all-reduce: 125M parameters at 4 bytes over NVLink is 1.6 ms, plus one
    // link latency per unit
    expect(extra / (0.915 / 0.585 - 1)).toBeGreaterThan(1.6e-3);
    console.log(`gradient all-reduce ${(1e3 * extra / (0.915 / 0.585 - 1)).toFixed(2)} ms`);
    expect(extra / (0.915 / 0.585 - 1)).toBeLessThan(2.3e-3);
  });

  it('xla with remat recomputes the blocks only (not the LM head): faster than megatron remat', async () => {
    // Both with the scores kept (megatron would otherwise fuse attention on the H100: a different mechanism).
    const m = await step({ remat: 'on', attention: 'naive' });
    const x = await step({ remat: 'on', runtime: 'xla' });
    expect(x.stepSeconds).toBeLessThan(m.stepSeconds);
  });

  it('megatron overlaps the gradient reduction with the backward on Ampere and later, not on V100 (the 2021 Megatron-LM)', () => {
    const megatron = runtimeTraits('megatron');
    expect(overlapsGradientReduce(megatron, GPU_PRESETS['H100-SXM'])).toBe(true);
    expect(overlapsGradientReduce(megatron, GPU_PRESETS['A100-80GB'])).toBe(true);
    expect(overlapsGradientReduce(megatron, GPU_PRESETS['V100-16GB'])).toBe(false);
    expect(overlapsGradientReduce(runtimeTraits('xla'), GPU_PRESETS['H100-SXM'])).toBe(false);
  });

  it('megatron runs the column-parallel backward asynchronously from Ampere on, not on V100 (the 2021 Megatron-LM); xla never', () => {
    expect(runtimeTraitsOn('megatron', GPU_PRESETS['H100-SXM']).asyncColumnBackward).toBe(true);
    expect(runtimeTraitsOn('megatron', GPU_PRESETS['A100-80GB']).asyncColumnBackward).toBe(true);
    expect(runtimeTraitsOn(undefined, GPU_PRESETS['V100-16GB']).asyncColumnBackward).toBe(false);
    expect(runtimeTraitsOn('xla', GPU_PRESETS['H100-SXM']).asyncColumnBackward).toBe(false);
    // Nothing else differs between the V100's traits and the default's.
    expect({ ...runtimeTraitsOn('megatron', GPU_PRESETS['V100-16GB']), asyncColumnBackward: true }).toEqual(runtimeTraits('megatron'));
  });

  it("xla: the limit is JAX's arena, 75% of HBM (bytes_limit measured on an H100), unless the plan states one", async () => {
    const hbm = GPU_PRESETS['H100-SXM'].hbmBytes;
    expect((await step({ remat: 'off', runtime: 'megatron' })).stages[0].memoryLimitBytes).toBe(hbm);
    expect((await step({ remat: 'off', runtime: 'xla' })).stages[0].memoryLimitBytes).toBe(0.75 * hbm);
    const stated = await step({ remat: 'off', memoryLimitBytes: 10 * 2 ** 30, runtime: 'xla' });
    expect(stated.stages[0].memoryLimitBytes).toBe(10 * 2 ** 30);
    expect(stated.feasible).toBe(false);
    expect(stated.infeasibleReason).toMatch(/GiB over the 10\.00 GiB limit/);
  });
});

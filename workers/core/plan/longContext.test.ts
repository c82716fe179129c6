import { describe, expect, it } from 'vitest';
import { parseClusterSpec } from '../cluster/spec.ts';
import { defaultPlanOptions, plan } from '../plan.ts';
import { zooModel } from '../zoo/index.ts';
import type { Plan, PlanOptions } from './types.ts';

const GiB = 2 ** 30;

async function planned(model: ReturnType<typeof zooModel>, spec: string, options: Partial<PlanOptions>): Promise<Plan> {
  const r = await plan(model, parseClusterSpec(spec), { ...defaultPlanOptions(model), precision: 'bf16-mixed', ...options }, undefined, undefined, { intra: 'manual' });
  if (!r.ok) throw new Error(r.reason);
  return r.plan;
}

describe('Llama-3-8B at 131,072 tokens on 2 DGX H100 (fused attention, context parallelism)', () => {
  const model = zooModel('llama-3-8B', { batch: 1, seq: 131072 });

  it('fits with fused attention (the H100 default) by splitting the sequence 16 ways; naive attention only recomputing every layer, 7x slower', async () => {
    const p = await planned(model, 'dgx-h100:2x8', {});
    expect(p.feasible).toBe(true);
    // Measured: one stage on all 16 GPUs, ring CP 16 (8,192 tokens a rank), 53.2 GiB a device, step 2.33 s.
    expect(p.stages).toHaveLength(1);
    expect(p.stages[0].contextParallel).toEqual({ degree: 16, kind: 'ring' });
    expect(p.stages[0].memoryBytesPerDevice / GiB).toBeLessThan(79);
    expect(p.stepSeconds).toBeGreaterThan(1.5);
    expect(p.stepSeconds).toBeLessThan(4);
    // Hardware TFLOP/s count what the fused kernels run (causal half, Q K^T again in the backward): 589.5 a GPU, 60%
    // of the bf16 peak; the paper's count (every score) reads 891.4.
    expect(p.tflopsPerGpu).toBeLessThan(0.65 * 989);
    expect(p.modelTflopsPerGpu).toBeGreaterThan(1.4 * p.tflopsPerGpu);
    // With the probabilities in HBM (naive: Megatron's softmax keeps its 2-byte output, 131,072^2 x 32 heads / 16
    // devices = 68.7 GB a layer) only full recompute fits: one layer's probabilities live in its backward (76.5 GiB
    // a device, ring CP 16, ZeRO-3), 16.2 s a step. (Before mem405 JAX's 5 bytes a score were priced: nothing fit.)
    const naive = await planned(model, 'dgx-h100:2x8', { attention: 'naive' });
    expect(naive.stages.every((s) => s.recompute === 'full')).toBe(true);
    expect(naive.stages[0].memory.temporaryBytes).toBeGreaterThan(2 ** 17 * 2 ** 17 * 32 / 16 * 2);
    expect(naive.stepSeconds).toBeGreaterThan(5 * p.stepSeconds);
  }, 240_000);

  it('a contiguous causal split is slower than the balanced one: the last rank does (2cp - 1)/cp of the work', async () => {
    const balanced = await planned(model, 'dgx-h100:2x8', { cp: 16 });
    const contiguous = await planned(model, 'dgx-h100:2x8', { cp: 16, cpSplit: 'contiguous' });
    // Measured: 3.888 s against 2.331 s (attention is most of the step at 131k tokens; its share grows 31/16x).
    expect(contiguous.stepSeconds).toBeGreaterThan(1.3 * balanced.stepSeconds);
    expect(contiguous.stepSeconds).toBeLessThan((31 / 16) * balanced.stepSeconds);
  }, 240_000);
});

import { describe, expect, it } from 'vitest';
import { CLUSTER_PRESETS } from '../cluster/presets.ts';
import { defaultPlanOptions, plan } from '../plan.ts';
import type { PlanOptions } from '../plan/types.ts';
import { rowGraph } from '../cost/e2eRows.ts';
import { isRepeatedBlock, runtimeTraits } from './runtime.ts';

const gpt = rowGraph('gpt-125m', 8);
const cluster = CLUSTER_PRESETS['dgx-h100'].cluster(1, 1);
const base: PlanOptions = { ...defaultPlanOptions(gpt), globalBatch: 8, microbatches: 1, precision: 'bf16-adam32', baseline: 'dp' };

async function step(options: Partial<PlanOptions>) {
  const r = await plan(gpt, cluster, { ...base, ...options }, undefined, undefined, { intra: 'manual' });
  if (!r.ok) throw new Error(r.reason);
  return r.plan;
}

describe('runtime traits', () => {
  it('megatron is the default and adds nothing; xla names its four effects', () => {
    expect(runtimeTraits()).toEqual(runtimeTraits('megatron'));
    expect(runtimeTraits('megatron')).toEqual({ rematBlocksOnly: false, scanResidualCopyPasses: 0, normsInFp32: false, stepsInFlight: 1, zero3RematAllToAlls: 0 });
    expect(runtimeTraits('xla')).toEqual({ rematBlocksOnly: true, scanResidualCopyPasses: 4, normsInFp32: true, stepsInFlight: 2, zero3RematAllToAlls: 3 });
    expect(isRepeatedBlock({ name: 'layer 3' })).toBe(true);
    expect(isRepeatedBlock({ name: 'post' })).toBe(false);
  });

  it('xla without remat: scan residual copies make the step slower, fp32 norm residuals the memory larger', async () => {
    const m = await step({ remat: 'off' });
    const x = await step({ remat: 'off', runtime: 'xla' });
    expect(x.stepSeconds / m.stepSeconds).toBeGreaterThan(1.2);
    expect(x.stages[0].memory.activationBytes / m.stages[0].memory.activationBytes).toBeGreaterThan(1.1);
    expect(x.stages[0].requiredBytesPerDevice! - x.stages[0].memoryBytesPerDevice)
      .toBeCloseTo(x.stages[0].memory.gradBytes + x.stages[0].memory.activationBytes + x.stages[0].memory.temporaryBytes, 0);
    expect(m.stages[0].requiredBytesPerDevice).toBeUndefined();
  });

  it('xla with remat recomputes the blocks only (not the LM head): faster than megatron remat', async () => {
    const m = await step({ remat: 'on' });
    const x = await step({ remat: 'on', runtime: 'xla' });
    expect(x.stepSeconds).toBeLessThan(m.stepSeconds);
  });

  it('two steps in flight: a plan that fits one step can be infeasible under xla', async () => {
    const one = await step({ remat: 'off', memoryLimitBytes: 20 * 2 ** 30, runtime: 'megatron' });
    const x = await step({ remat: 'off', memoryLimitBytes: 20 * 2 ** 30, runtime: 'xla' });
    expect(one.feasible).toBe(true);
    expect(x.feasible).toBe(false);
    expect(x.infeasibleReason).toMatch(/2 steps' temporaries in flight/);
  });
});

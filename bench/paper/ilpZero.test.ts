/**
 * ZeRO on ILP-priced stages, end to end (inter/ilpProfile.ts ilpZeroGroups, inter/zeroStages.ts): the paper's
 * Wide-ResNet 2B on 8 V100s (fp32, batch 1,536) with the intra-op ILP. Its best stage is the ILP's sharding of all
 * 16 layers on a (2, 4) mesh; before ILP stages had ZeRO choices it ran 32 micro-batches at 35.065 s a step (state
 * and activations fill the 16 GB). Sharding the gradients of the weights the ILP keeps replicated over axis 0 (ZeRO-2)
 * frees enough for micro-batches of 64 samples (24 of them): 34.626 s.
 */
import { describe, expect, it } from 'vitest';
import { createHighsSolver } from '../../workers/core/intra/index.ts';
import { PAPER_CASES } from './cases.ts';
import { planCase } from './planCase.ts';

describe('ZeRO on an ILP-priced stage', () => {
  it('Wide-ResNet 2B on 8 V100s: the ILP stage takes ZeRO-2 and a larger micro-batch (35.065 -> 34.626 s)', async () => {
    const c = PAPER_CASES.find((x) => x.id === 'wresnet-2B-8gpu')!;
    const p = await planCase(c, {}, { solver: createHighsSolver() });
    expect(p.feasible).toBe(true);
    expect(p.stages).toHaveLength(1);
    const [s] = p.stages;
    expect(s.logicalMesh).toEqual([2, 4]);
    // The ILP's own per-operator sharding, not a template.
    expect(s.sharding?.ilp.variables).toBeGreaterThan(0);
    expect(s.zero).toBe(2);
    expect(p.microbatches).toBe(24);
    expect(p.stepSeconds).toBeCloseTo(34.626, 2);
    expect(p.stepSeconds).toBeLessThan(35.065 * 0.99);
  }, 300_000);
});

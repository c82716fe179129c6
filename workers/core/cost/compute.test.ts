import { describe, expect, it } from 'vitest';
import { GPU_PRESETS } from '../cluster/presets.ts';
import { curveValue, kernelSeconds, matmulSeconds, matmulShapeEfficiency } from './compute.ts';

const h100 = GPU_PRESETS['H100-SXM'];

describe('GEMM model', () => {
  it('interpolates the efficiency curve in log10(flops) and clamps at the ends', () => {
    const c = { points: [[9, 0.2], [11, 0.6]] as const };
    expect(curveValue(c, 1e8)).toBe(0.2);
    expect(curveValue(c, 1e10)).toBeCloseTo(0.4, 12);
    expect(curveValue(c, 1e13)).toBe(0.6);
  });

  it('loses a wave when one tile too many spills over the 132 SMs', () => {
    // 132 tiles of 128x128: one full wave; 133 tiles: two waves, the second nearly empty
    const full = matmulShapeEfficiency(h100, { batch: 1, m: 128 * 12, n: 128 * 11, k: 4096 });
    const spill = matmulShapeEfficiency(h100, { batch: 1, m: 128 * 133, n: 128, k: 4096 });
    expect(spill / full).toBeCloseTo(133 / 264, 2);
  });

  it('makes small-K GEMMs (attention scores, K = 64) pay the per-tile overhead', () => {
    const e = matmulShapeEfficiency(h100, { batch: 192, m: 1024, n: 1024, k: 64 });
    expect(e).toBeLessThan(0.12);
    expect(e).toBeGreaterThan(0.05);
  });

  it('keeps kernelSeconds (FLOP-only) for callers without shapes, near the shaped time for big squares', () => {
    const shaped = matmulSeconds(h100, 'bf16', { batch: 1, m: 8192, n: 8192, k: 8192 });
    const flat = kernelSeconds(h100, 'bf16', 2 * 8192 ** 3, 3 * 2 * 8192 ** 2, true);
    expect(flat / shaped).toBeGreaterThan(0.8);
    expect(flat / shaped).toBeLessThan(1.25);
  });
});

import { describe, expect, it } from 'vitest';
import { gpt } from '../zoo/gpt.ts';
import { fusionTraffic } from './fusion.ts';

const dims = { hidden: 64, heads: 4, vocab: 128, seq: 32, batch: 2, dtype: 'bf16' as const };
const total = (layers: number, precision: 'bf16-adam32' | 'fp32' = 'bf16-adam32') => {
  const g = gpt({ ...dims, layers });
  let bytes = 0;
  let launches = 0;
  for (const t of fusionTraffic(g, precision).values()) {
    bytes += t.bytes;
    launches += t.launches;
  }
  return { bytes, launches };
};

describe('fusionTraffic (what XLA fuses between GEMMs)', () => {
  const E = 2 * 32 * 64; // tokens x hidden
  const A = 2 * 4 * 32 * 32; // batch x heads x seq x seq
  it('moves 24 E + 2 A elements per GPT block, plus the mask and the bias / norm parameters', () => {
    // chains: bias+residual+next LN (4E), qkv bias+split (6E), mask+softmax (2A), context transpose (2E),
    // proj bias+residual+LN (4E), fc bias+GELU (8E)
    const perLayer = total(3).bytes - total(2).bytes;
    const maskBytes = 32 * 32 * 2;
    const paramBytes = (3 * 64 + 64 + 2 * 64 + 4 * 64 + 64 + 2 * 64) * 2;
    expect(perLayer).toBe((24 * E + 2 * A) * 2 + maskBytes + paramBytes);
  });

  it('runs six kernels per block and scales with the precision width', () => {
    expect(total(3).launches - total(2).launches).toBe(6);
    expect(total(3, 'fp32').bytes - total(2, 'fp32').bytes).toBe(2 * (total(3).bytes - total(2).bytes));
  });
});

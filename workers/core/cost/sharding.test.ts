import { describe, expect, it } from 'vitest';
import { gpt } from '../zoo/gpt.ts';
import { planSplits, splitOf } from './sharding.ts';

const g = gpt({ hidden: 64, layers: 2, heads: 4, vocab: 128, seq: 32, batch: 2, dtype: 'bf16' });
const byPath = (path: string) => g.ops.find((o) => o.path === path)!;
const E = 2 * 32 * 64;

describe('forced-plan splits', () => {
  it('Megatron: column-split qkv/fc, row-split proj with an all-reduce, heads split, norms whole', () => {
    const s = planSplits(g, 'tp', 2);
    expect(splitOf(s, byPath('gpt/h.0/attn/qkv'))).toEqual({ factor: 2, dim: 'n', forwardAllReduceElements: 0, backwardAllReduceElements: E });
    expect(splitOf(s, byPath('gpt/h.0/attn/proj'))).toEqual({ factor: 2, dim: 'k', forwardAllReduceElements: E, backwardAllReduceElements: 0 });
    expect(splitOf(s, byPath('gpt/h.0/mlp/proj'))).toMatchObject({ factor: 2, dim: 'k', forwardAllReduceElements: E });
    expect(splitOf(s, byPath('gpt/h.0/attn/softmax')).factor).toBe(2);
    expect(splitOf(s, byPath('gpt/h.0/mlp/gelu')).factor).toBe(2);
    expect(splitOf(s, byPath('gpt/h.0/ln_1')).factor).toBe(1);
    expect(splitOf(s, byPath('gpt/h.0/attn/residual')).factor).toBe(1);
    expect(splitOf(s, byPath('gpt/head/logits'))).toMatchObject({ factor: 2, dim: 'n', backwardAllReduceElements: E });
    expect(splitOf(s, byPath('gpt/embed/wte'))).toMatchObject({ factor: 2, forwardAllReduceElements: E });
    const wte = g.tensors.find((t) => t.name === 'gpt/embed/wte')!;
    const lnScale = g.tensors.find((t) => t.name === 'gpt/h.0/ln_1/scale')!;
    expect(s.splitParams.has(wte.id)).toBe(true);
    expect(s.splitParams.has(lnScale.id)).toBe(false);
  });

  it('data parallel and ZeRO-3 split every op on its batch; only ZeRO-3 splits the parameters', () => {
    const dp = planSplits(g, 'dp', 2);
    const z3 = planSplits(g, 'zero3', 2);
    for (const op of g.ops) expect(splitOf(dp, op).factor).toBe(2);
    expect(dp.splitParams.size).toBe(0);
    expect(z3.splitParams.size).toBe(g.tensors.filter((t) => t.kind === 'parameter').length);
    expect(splitOf(planSplits(g, 'single', 1), byPath('gpt/h.0/attn/qkv')).factor).toBe(1);
  });
});

/**
 * The per-GPU work of the two published runs (Llama-3-405B at TP 8 with 8,192-token sequences, GPT-3 175B at TP 8
 * with 2,048) against one H100's measurements (calibration/h100-sxm-llm-shapes.json, tools/profile-cluster/
 * llm_shapes.py on the lent H100 80GB HBM3, 6 Dec 2026): the GEMM model (cluster/presets.ts H100_TILING) and the
 * fused attention kernel (cost/fusedAttention.ts, fitted on other shapes) price them within the bounds below, so
 * neither is what separates our 405B prediction from Meta's 41% MFU.
 */
import { describe, expect, it } from 'vitest';
import shapes from './calibration/h100-sxm-llm-shapes.json' with { type: 'json' };
import { GPU_PRESETS } from '../cluster/presets.ts';
import { matmulSeconds } from './compute.ts';
import { CAUSAL_FLOP_FRACTION, fusedAttentionSeconds } from './fusedAttention.ts';

const h100 = GPU_PRESETS['H100-SXM'];
const relErr = (predicted: number, measured: number) => predicted / measured - 1;
const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

describe('H100 GEMM model vs the per-GPU products of Llama-3-405B at TP 8 (8,192 tokens, bf16)', () => {
  // forward, dX and dW products of q, o, gate/up (fused and not), down; k and v (one KV head per GPU) apart
  const rows = shapes.matmul.filter((r) => r.tag.startsWith('405B') && r.n >= 2048);
  const predicted = rows.map((r) => matmulSeconds(h100, 'bf16', { batch: 1, m: r.m, n: r.n, k: r.k }));

  it('prices each within 15% and their sum within 3%', () => {
    expect(rows.length).toBe(11);
    rows.forEach((r, i) => expect(Math.abs(relErr(predicted[i], r.s)), r.tag).toBeLessThan(0.15));
    const err = relErr(sum(predicted), sum(rows.map((r) => r.s)));
    console.log(`405B TP 8 GEMMs: sum of ${rows.length} products ${(100 * err).toFixed(1)}% against the H100`);
    expect(Math.abs(err)).toBeLessThan(0.03);
  });

  it('the single-KV-head k/v product (8192 x 128 x 16384) fills half the SMs: measured 289 TFLOP/s, priced within 20%', () => {
    const r = shapes.matmul.find((x) => x.tag === '405B tp8 k/v')!;
    expect(r.tflops).toBeLessThan(300);
    expect(Math.abs(relErr(matmulSeconds(h100, 'bf16', { batch: 1, m: r.m, n: r.n, k: r.k }), r.s))).toBeLessThan(0.2);
  });

  it('GPT-3 175B\'s 2,048-token products run slower than the curve says (8-19%): the model is optimistic there', () => {
    const g = shapes.matmul.filter((r) => r.tag.startsWith('175B'));
    expect(g.length).toBe(8);
    for (const r of g) {
      const e = relErr(matmulSeconds(h100, 'bf16', { batch: 1, m: r.m, n: r.n, k: r.k }), r.s);
      expect(e, r.tag).toBeLessThan(-0.05);
      expect(e, r.tag).toBeGreaterThan(-0.2);
    }
  });

  it('sustained for 2 s the clocks fall: 8192^3 679 TFLOP/s against 702 timed alone', () => {
    const s = shapes.sustained.find((r) => r.m === 8192 && r.n === 8192)!;
    const alone = shapes.matmul.find((r) => r.tag === 'square' && r.m === 8192)!;
    expect(s.tflops).toBeLessThan(alone.tflops);
    expect(s.tflops).toBeGreaterThan(0.9 * alone.tflops);
  });
});

describe('fused attention model vs cuDNN SDPA at the published runs\' per-GPU heads (head dim 128)', () => {
  const rows = shapes.attention.filter((r) => r.backend === 'CUDNN_ATTENTION' && r.head_dim === 128 && !('error' in r));
  const priced = rows.map((r) => fusedAttentionSeconds(h100, 'bf16', r.full_fwd_flops! * (r.causal ? CAUSAL_FLOP_FRACTION : 1)));

  it('forward + backward within 10% (405B: 16 query heads over 1 KV head at 8,192; 175B: 12 heads at 2,048)', () => {
    expect(rows.length).toBe(4);
    rows.forEach((r, i) => {
      const e = relErr(priced[i].forward + priced[i].backward, r.fwd_s! + r.bwd_s!);
      expect(Math.abs(e), `${r.tag} causal=${r.causal}`).toBeLessThan(0.1);
    });
  });

  it('is FLOP-bound, not memory-bound: the 405B causal core runs at over half of peak on the blocks it computes', () => {
    const r = rows.find((x) => x.tag === '405B tp8' && x.causal)!;
    const computed = r.full_fwd_flops! * (65 / 128); // (n + 1) / 2n of the 128-row blocks under the causal mask
    expect(computed / r.fwd_s! / h100.peakFlopsPerSecond.bf16).toBeGreaterThan(0.5);
    // PyTorch's flash back-end (FlashAttention-2) is 2.6x slower on the same core: the kernel matters
    const fa2 = shapes.attention.find((x) => x.backend === 'FLASH_ATTENTION' && x.tag === '405B tp8' && x.causal)!;
    expect(fa2.fwd_s! / r.fwd_s!).toBeGreaterThan(2.5);
  });
});

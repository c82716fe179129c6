import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Link } from '../cluster/types.ts';
import { GPU_PRESETS } from '../cluster/presets.ts';
import { tensorLookup } from '../cost/opCost.ts';
import { attentionCoresOf } from '../ir/attention.ts';
import type { ModelGraph } from '../ir/types.ts';
import { gpt } from '../zoo/gpt.ts';
import { llama } from '../zoo/llama.ts';
import { runLayerConstruction } from './layerConstruction.ts';
import { manualProfile, MEGATRON } from './manualProfile.ts';
import { isRepeatedBlock, runtimeTraits, type Runtime } from './runtime.ts';
import { evaluateProfile } from './unitProfile.ts';

const LINK: Link = { bandwidthBytesPerSecond: 100e9, latencySeconds: 0 };

/** Activation bytes one block (Llama or GPT) keeps per device for one micro-batch (the graph's batch), as the stage DP
 * reads them: the template's profile on a (1, tp) mesh, priced with fused attention. */
function blockBytes(graph: ModelGraph, tp: number, sp: boolean, runtime: Runtime = 'megatron', fused = true): number {
  const unit = runLayerConstruction(graph, { layers: 'auto' }).unitGraph.units.find(isRepeatedBlock);
  if (!unit) throw new Error('no block');
  const tensors = new Map(graph.tensors.map((t) => [t.id, t]));
  const strategy = { ...MEGATRON, tensorParallel: tp > 1, ...(sp ? { sequenceParallel: true } : {}) };
  const p = manualProfile(graph, unit, [1, tp], 'bf16-mixed', strategy, [LINK, LINK], tensors, true, runtimeTraits(runtime));
  const at = { graph, tensors: tensorLookup(graph), fused: new Map() };
  const { normsInFp32, residuals } = runtimeTraits(runtime);
  const attention = { ...attentionCoresOf(graph), normsInFp32, residuals, fused };
  return evaluateProfile(p, at, GPU_PRESETS['H100-SXM'], 'bf16-mixed', [LINK, LINK], true, attention).activationBytes;
}

describe('what one Llama block keeps for its backward under Megatron-Core + TE (hand-computed)', () => {
  // hidden h = 1,024, 8 heads of 128 over 2 key/value heads (h_kv = 256), FFN F = 3,072, seq s = 2,048, batch 1,
  // bf16; tensor parallelism t = 4. Per token the block keeps (elements):
  //   RMSNorm x2: its input (h) and an fp32 1/rms per token (the fused norm's statistics);
  //   q/k/v and gate/up (column GEMMs): their input, the norm's output (h), whole on each rank without SP;
  //   rotary: nothing (linear in q, k; it reads only the cos/sin tables);
  //   fused attention: q and k after rotary (h/t + h_kv/t), v (h_kv/t), O (h/t, also o_proj's input) and the fp32
  //   log-sum-exp per query head and token;
  //   SwiGLU: gate and up (2F/t; Megatron's fused bias_swiglu recomputes silu in backward); down: its input (F/t);
  //   residual adds: nothing.
  const graph = llama({ hidden: 1024, layers: 2, heads: 8, kvHeads: 2, intermediate: 3072, vocab: 512, seq: 2048, batch: 1 });
  const [h, hkv, F, s, t] = [1024, 256, 3072, 2048, 4];
  const lse = (8 / t) * s * 4;                   // 16,384 B
  const stats = 2 * s * 4;                       // two norms' 1/rms, fp32: 16,384 B (sharded over t with SP)

  it('with SP: everything a sequence or tensor shard, (6h + 2h_kv + 3F)/t per token = 16,273,408 bytes', () => {
    const bytes = ((6 * h + 2 * hkv + 3 * F) / t) * s * 2 + stats / t + lse;
    expect(bytes).toBe(16_273_408);
    expect(blockBytes(graph, t, true)).toBe(bytes);
  });

  it('without SP: the norms and the column GEMMs\' input whole on each rank, 4h + (2h + 2h_kv + 3F)/t = 28,868,608 bytes', () => {
    const bytes = (4 * h + (2 * h + 2 * hkv + 3 * F) / t) * s * 2 + stats + lse;
    expect(bytes).toBe(28_868_608);
    expect(blockBytes(graph, t, false)).toBe(bytes);
  });

  it('one GPU: the same rule at t = 1, 6h + 2h_kv + 3F per token = 65,093,632 bytes', () => {
    const bytes = (6 * h + 2 * hkv + 3 * F) * s * 2 + stats + 8 * s * 4;
    expect(bytes).toBe(65_093_632);
    expect(blockBytes(graph, 1, false)).toBe(bytes);
  });

  it('XLA (naive attention, as the calibrated JAX rows run) keeps JAX autodiff\'s residuals: 82,575,360 bytes with SP', () => {
    // Per token: each norm its centred input and normalised output in fp32 (2 x 4h/t B), the column inputs 2 x 2h/t,
    // rotary's inputs q and k 2(h + h_kv)/t, q, k, v after it 2(h + 2h_kv)/t, the scores (bf16, 2 heads a rank x s),
    // their mask predicate (1 B) and the fp32 probabilities, O 2h/t, gate and up 4F/t, down's input 2F/t: 40,320 B.
    const perToken = 2 * 2 * 4 * h / t + 2 * 2 * h / t + 2 * (h + hkv) / t + 2 * (h + 2 * hkv) / t + (8 / t) * s * (2 + 1 + 4) + 2 * h / t + 4 * F / t + 2 * F / t;
    expect(perToken).toBe(40_320);
    expect(blockBytes(graph, t, true, 'xla', false)).toBe(perToken * s);
  });
});

describe('what one GPT block keeps under Megatron (hand-computed; Korthikanti et al. 2022 without dropout)', () => {
  // hidden h = 1,024, 8 heads (a), seq s = 1,024, batch 1, bf16, t = 4, attention with its probabilities in HBM
  // (Megatron's fused scale-mask-softmax keeps only its output). Per token (elements): the layer norms' inputs
  // (2h) and the column GEMMs' inputs (2h) whole on each rank without SP; q, k, v (3h/t), O (h/t), the GeLU's
  // input (4h/t; Megatron's bias_gelu keeps only it) and fc2's input (4h/t): 4h + 12h/t, Korthikanti's
  // sbh(10 + 24/t) bytes less the two dropout masks; plus the probabilities, a s / t per token, and each norm's
  // fp32 mean and 1/sigma (8 B a token).
  const [h, a, s, t] = [1024, 8, 1024, 4];
  const graph = gpt({ hidden: h, layers: 2, heads: a, vocab: 512, seq: s, batch: 1, dtype: 'bf16' });

  it('without SP: (4h + 12h/t + a s/t) x 2 B + 16 B a token = 18,890,752 bytes', () => {
    const bytes = ((4 * h + (12 * h) / t + (a * s) / t) * 2 + 2 * 8) * s;
    expect(bytes).toBe(18_890_752);
    expect(blockBytes(graph, t, false, 'megatron', false)).toBe(bytes);
  });

  it('with SP: the norms and column inputs a sequence shard too, 16h/t + a s/t (sbh 34/t less dropout): 12,587,008 bytes', () => {
    const bytes = (((16 * h) / t + (a * s) / t) * 2 + (2 * 8) / t) * s;
    expect(bytes).toBe(12_587_008);
    expect(blockBytes(graph, t, true, 'megatron', false)).toBe(bytes);
  });
});

/** One row of cost/calibration/h100-llama-block-memory.json (tools/profile-cluster/llama_block_memory.py). */
interface Row {
  readonly model: string; readonly tp: number; readonly sp: boolean; readonly batch: number; readonly seq: number;
  readonly style: 'megatron' | 'naive'; readonly v_copy: boolean; readonly saved_bytes: number; readonly allocated_delta_bytes: number;
  readonly input_bytes: number; readonly output_bytes: number;
  readonly shapes: { readonly family?: 'gpt'; readonly hidden: number; readonly heads_per_rank: number; readonly kv_heads_per_rank?: number; readonly ffn_per_rank: number };
}
const measured = JSON.parse(readFileSync(new URL('../cost/calibration/h100-llama-block-memory.json', import.meta.url), 'utf8')) as { rows: Row[] };

/** The model's bytes for a measured row: the zoo block at the row's whole-model shapes, on (1, tp). */
function modelBytes(r: Row): number {
  const x = r.shapes;
  const heads = x.heads_per_rank * r.tp;
  if (x.family === 'gpt') return blockBytes(gpt({ hidden: x.hidden, layers: 2, heads, vocab: 512, seq: r.seq, batch: r.batch, dtype: 'bf16' }), r.tp, r.sp, 'megatron', false);
  const kvHeads = (x.kv_heads_per_rank ?? 1) * r.tp;
  return blockBytes(llama({ hidden: x.hidden, layers: 2, heads, kvHeads, intermediate: x.ffn_per_rank * r.tp, vocab: 512, seq: r.seq, batch: r.batch }), r.tp, r.sp);
}

describe('the model against blocks measured on the H100 (calibration/h100-llama-block-memory.json)', () => {
  const rows = (style: Row['style']) => measured.rows.filter((r) => r.style === style && r.v_copy);

  it('keeps what the Megatron-style block saved, to 16 bytes (the attention kernel\'s RNG seed and offset)', () => {
    // Saved-tensor hooks, each storage once: 405B at TP 8 + SP 533,209,104 B a layer and micro-batch (0.4966 GiB),
    // 70B 281,288,720 (TP 8 + SP) and 965,279,760 (TP 4), 8B 1,141,964,816 (one GPU); GPT-3 175B at TP 8
    // 377,520,128 B (probabilities in HBM). memory_allocated after the forward agrees (its delta less the output
    // plus the input, within 1 KiB of allocator rounding).
    const mega = rows('megatron');
    expect(mega.map((r) => `${r.model} tp${r.tp}${r.sp ? '+sp' : ''} b${r.batch}`)).toEqual([
      'llama-3-405B tp8+sp b1', 'llama-3-70B tp8+sp b1', 'llama-3-70B tp8+sp b2', 'llama-3-70B tp4 b1', 'llama-3-8B tp1 b1',
      'llama-3-8B tp2+sp b1', 'gpt-175B tp8 b1', 'gpt-175B tp8+sp b1', 'gpt-2.6B tp2 b4']);
    for (const r of mega) {
      const model = modelBytes(r);
      expect(r.saved_bytes - model, r.model).toBeGreaterThanOrEqual(0);
      expect(r.saved_bytes - model, r.model).toBeLessThanOrEqual(16);
      expect(Math.abs(r.allocated_delta_bytes - r.output_bytes + r.input_bytes - r.saved_bytes), r.model).toBeLessThan(1024);
    }
    expect(modelBytes(mega[0])).toBe(533_209_088);
  });

  it('plain autograd keeps more: the gathered (not the sharded) inputs, fp32 norm intermediates, silu(gate)', () => {
    // 405B at TP 8 + SP: 1,246,240,784 B, 2.34x; the model prices what Megatron runs.
    const naive = rows('naive');
    const l405 = naive.find((r) => r.model === 'llama-3-405B')!;
    expect(l405.saved_bytes / modelBytes(l405)).toBeGreaterThan(2.3);
    for (const r of naive) expect(r.saved_bytes, r.model).toBeGreaterThan(modelBytes(r));
  });

  it('v as a view of a fused QKV output keeps the whole QKV storage: (h + h_kv)/t more per token (+6.7% on 405B)', () => {
    const view = measured.rows.find((r) => r.model === 'llama-3-405B' && !r.v_copy)!;
    const copy = rows('megatron')[0];
    // The QKV output is (h + 2 h_kv)/t a token; the copy of v (h_kv/t) it replaces: 35,651,584 B a layer more.
    expect(view.saved_bytes - copy.saved_bytes).toBe(((16384 + 1024) / 8) * 8192 * 2);
  });
});

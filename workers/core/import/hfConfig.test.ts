import { describe, expect, it } from 'vitest';
import { inspectGraph } from '../ir/inspect.ts';
import { validateGraph } from '../ir/validate.ts';
import { SUPPORTED_MODEL_TYPES } from './hfConfig.ts';
import { importModel } from './index.ts';

const bytes = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
const decoder = (model_type: string, f: Record<string, unknown>) => ({ model_type, ...f });
const dims = (H: number, I: number, L: number, heads: number, kv: number, V: number) =>
  ({ hidden_size: H, intermediate_size: I, num_hidden_layers: L, num_attention_heads: heads, num_key_value_heads: kv, vocab_size: V });

/**
 * Published config.json values; expected counts are sum(p.numel() for p in model.parameters()) of
 * transformers' AutoModelForCausalLM.from_config(config) on the meta device (transformers 5.18.0, torch 2.13 CPU).
 */
const PUBLISHED: [string, Record<string, unknown>, number][] = [
  ['gpt2', { model_type: 'gpt2', vocab_size: 50257, n_positions: 1024, n_embd: 768, n_layer: 12, n_head: 12, n_inner: null }, 124_439_808],
  ['Llama-2-7B', decoder('llama', { ...dims(4096, 11008, 32, 32, 32, 32000), max_position_embeddings: 4096, tie_word_embeddings: false }), 6_738_415_616],
  ['Llama-3-8B', decoder('llama', { ...dims(4096, 14336, 32, 32, 8, 128256), max_position_embeddings: 8192, rope_theta: 500000 }), 8_030_261_248],
  ['Llama-3-70B', decoder('llama', { ...dims(8192, 28672, 80, 64, 8, 128256), max_position_embeddings: 8192 }), 70_553_706_496],
  ['Mistral-7B', decoder('mistral', { ...dims(4096, 14336, 32, 32, 8, 32000), max_position_embeddings: 32768, sliding_window: 4096 }), 7_241_732_096],
  ['Mixtral-8x7B', decoder('mixtral', { ...dims(4096, 14336, 32, 32, 8, 32000), num_local_experts: 8, num_experts_per_tok: 2, max_position_embeddings: 32768 }), 46_702_792_704],
  ['Qwen2-7B', decoder('qwen2', { ...dims(3584, 18944, 28, 28, 4, 152064), max_position_embeddings: 131072, tie_word_embeddings: false }), 7_615_616_512],
  ['Qwen2.5-72B', decoder('qwen2', { ...dims(8192, 29568, 80, 64, 8, 152064), max_position_embeddings: 32768, tie_word_embeddings: false }), 72_706_203_648],
  ['Gemma-7B', decoder('gemma', { ...dims(3072, 24576, 28, 16, 16, 256000), head_dim: 256, hidden_act: 'gelu' }), 8_537_680_896],
  ['Phi-3-mini', decoder('phi3', { ...dims(3072, 8192, 32, 32, 32, 32064), max_position_embeddings: 4096, sliding_window: 2047 }), 3_821_079_552],
  ['DeepSeek-V2-Lite', decoder('deepseek_v2', {
    ...dims(2048, 10944, 27, 16, 16, 102400), moe_intermediate_size: 1408, n_shared_experts: 2, n_routed_experts: 64, num_experts_per_tok: 6,
    first_k_dense_replace: 1, moe_layer_freq: 1, kv_lora_rank: 512, q_lora_rank: null, qk_nope_head_dim: 128, qk_rope_head_dim: 64, v_head_dim: 128,
    max_position_embeddings: 163840,
  }), 15_706_484_224],
];

async function built(cfg: unknown, opts: { batch?: number; seq?: number } = {}) {
  const r = await importModel('config.json', bytes(cfg), opts);
  if (!r.ok) throw new Error(r.error.message);
  return r;
}

describe('Hugging Face config.json, built from the config\'s own fields', () => {
  it.each(PUBLISHED)('%s: parameters exactly as transformers counts them', async (_name, cfg, expected) => {
    const r = await built(cfg, { seq: 128 });
    expect(inspectGraph(r.graph).params).toBe(expected);
    expect(inspectGraph(r.graph).layers).toBe((cfg.num_hidden_layers ?? cfg.n_layer) as number);
    expect(validateGraph(r.graph)).toEqual({ ok: true });
  });

  it('forward FLOPs: Llama-2-7B at 2048 tokens is 2 * (params - embedding) * tokens + causal attention, within 1%', async () => {
    const r = await built(PUBLISHED[1]![1], { seq: 2048 });
    const [T, H, L, V] = [2048, 4096, 32, 32000];
    const analytic = 2 * (6_738_415_616 - V * H) * T + 4 * T * T * H * L;
    expect(Math.abs(inspectGraph(r.graph).forwardFlops / analytic - 1)).toBeLessThan(0.01);
  });

  it('Mixtral: router and top-2 experts per token, 8 expert weights per layer; FLOPs count 2 of 8 experts', async () => {
    const r = await built(PUBLISHED[5]![1], { seq: 1024, batch: 2 });
    const layer0 = r.graph.ops.filter((o) => o.path.startsWith('model/layers.0/mlp/'));
    expect(layer0.some((o) => o.path.endsWith('/gate/topk'))).toBe(true);
    const experts = r.graph.tensors.filter((t) => t.kind === 'parameter' && t.name.startsWith('model/layers.0/mlp/experts/'));
    expect(experts.map((t) => t.shape)).toEqual([[8, 4096, 14336], [8, 4096, 14336], [8, 14336, 4096]]);
    const expertFlops = layer0.filter((o) => o.kind === 'dot' && o.path.includes('/experts/')).reduce((s, o) => s + o.flops, 0);
    expect(expertFlops).toBe(2 * 2048 * 2 * 3 * 4096 * 14336);
    expect(r.graph.config).toMatchObject({ experts: 8, topK: 2, kvHeads: 8 });
  });

  it('Qwen2 has q/k/v biases (and no o_proj bias); GPT-2 has no vocab bias and a tied head', async () => {
    const q = await built(PUBLISHED[6]![1], { seq: 64 });
    const names = q.graph.tensors.filter((t) => t.name.startsWith('model/layers.0/self_attn/') && t.name.endsWith('/bias')).map((t) => t.name);
    expect(names).toEqual(['model/layers.0/self_attn/q_proj/bias', 'model/layers.0/self_attn/k_proj/bias', 'model/layers.0/self_attn/v_proj/bias']);
    const g = await built(PUBLISHED[0]![1]);
    expect(g.graph.tensors.some((t) => t.kind === 'parameter' && t.name.startsWith('lm_head'))).toBe(false);
    expect(g.graph.seq).toBe(1024);
  });

  it('an unknown model_type with the standard fields builds a generic decoder, warning what was assumed', async () => {
    const r = await built({ model_type: 'acme', ...dims(1024, 2816, 4, 16, 4, 32000) });
    expect(r.warnings.join('\n')).toMatch(/model_type "acme" is unknown; built as a generic decoder .*assumed RMSNorm, rotary positions, a gated \(SwiGLU\) MLP/);
    const perLayer = 2 * 1024 + 1024 * 1024 * 2 + 2 * 1024 * 256 + 3 * 1024 * 2816;
    expect(inspectGraph(r.graph).params).toBe(2 * 32000 * 1024 + 1024 + 4 * perLayer);
  });

  it('a config without the standard fields is refused naming what is missing; bad values name the key', async () => {
    const r = await importModel('config.json', bytes({ model_type: 'bert', hidden_size: 768 }));
    expect(r.ok ? undefined : r.error.message).toBe(`config.json: model_type "bert" is not supported and the config lacks the standard fields (num_hidden_layers, num_attention_heads, intermediate_size, vocab_size); supported: ${SUPPORTED_MODEL_TYPES.join(', ')}`);
    const bad = await importModel('config.json', bytes({ ...PUBLISHED[0]![1], n_layer: 0 }));
    expect(bad.ok ? undefined : [bad.error.message, bad.error.node]).toEqual(["config.json: 'n_layer' must be a positive integer, got 0", 'n_layer']);
    const flag = await importModel('config.json', bytes({ ...PUBLISHED[1]![1], attention_bias: 'yes' }));
    expect(flag.ok ? undefined : flag.error.message).toBe(`config.json: 'attention_bias' must be true or false, got "yes"`);
  });
});

/**
 * A decoder-only transformer built from a DecoderSpec (which hfConfig.ts reads off a Hugging Face config.json):
 * every parameter the transformers model holds, with the config's own biases, norms, GQA heads, head_dim, tied or
 * untied head, learned positions, multi-head latent attention and MoE layers (router, top-k routed experts, shared
 * experts). Paths follow transformers' module names ('model/layers.<i>/self_attn/q_proj'), so layers are found.
 */
import { GraphBuilder } from '../ir/builder.ts';
import type { DType, ModelGraph } from '../ir/types.ts';
import { causalAttention, causalMask, dense, lmLoss, normLayer } from '../zoo/transformer.ts';

export interface MhaSpec {
  readonly kind: 'mha';
  readonly heads: number;
  readonly kvHeads: number;
  readonly headDim: number;
  readonly qkvBias: boolean;
  readonly oBias: boolean;
  /** Per-head RMSNorm of q and k (Qwen3). */
  readonly qkNorm?: boolean;
  /** Rotary embedding on q and k (false: learned absolute positions, GPT-2). */
  readonly rotary: boolean;
}

/** DeepSeek-V2 multi-head latent attention. */
export interface MlaSpec {
  readonly kind: 'mla';
  readonly heads: number;
  readonly qLoraRank?: number;
  readonly kvLoraRank: number;
  readonly qkNope: number;
  readonly qkRope: number;
  readonly vHead: number;
  readonly bias: boolean;
}

export interface MlpSpec {
  /** gated: act(gate) * up then down (SwiGLU/GeGLU); plain: fc, act, proj (GPT-2). */
  readonly kind: 'gated' | 'plain';
  readonly intermediate: number;
  readonly bias: boolean;
}

export interface MoeSpec {
  readonly experts: number;
  readonly topK: number;
  readonly intermediate: number;
  readonly shared?: { readonly intermediate: number; readonly gate: boolean };
  /** Layers whose MLP is the MoE (others use the dense MLP). */
  readonly isMoeLayer: (layer: number) => boolean;
}

export interface DecoderSpec {
  readonly name: string;
  readonly family: string;
  readonly hidden: number;
  readonly layers: number;
  readonly vocab: number;
  readonly seq: number;
  readonly batch: number;
  readonly dtype: DType;
  /** Learned absolute position table size (GPT-2's n_positions). */
  readonly positions?: number;
  readonly norm: 'rms' | 'layer';
  readonly attention: MhaSpec | MlaSpec;
  readonly mlp: MlpSpec;
  readonly moe?: MoeSpec;
  readonly tied: boolean;
  readonly config: Readonly<Record<string, number | string | boolean>>;
  readonly warnings: readonly string[];
}

export function buildDecoder(spec: DecoderSpec, source: string): ModelGraph {
  const { hidden: H, vocab: V, seq: S, batch: B, dtype } = spec;
  const b = new GraphBuilder({
    name: spec.name, source, family: spec.family, batch: B, seq: S, warnings: [...spec.warnings],
    config: { ...spec.config, hidden: H, layers: spec.layers, vocab: V, seq: S, batch: B },
  });
  const ids = b.input('input_ids', [B, S], 'i32', 0);
  const embed = b.param('model/embed_tokens/weight', [V, H], dtype);
  let x = b.gather('model/embed_tokens', embed, ids, 0);
  if (spec.positions) {
    const table = b.param('model/wpe/weight', [spec.positions, H], dtype);
    const pos = b.constant('position_ids', [S], 'i32');
    x = b.elementwise('model/wpe/add', 'add', [x, b.gather('model/wpe', table, pos, 0)]);
  }
  const att = spec.attention;
  const grouped = att.kind === 'mha' && att.kvHeads !== att.heads;
  const mask = causalMask(b, S, grouped, dtype);
  const ropeDim = att.kind === 'mha' ? (att.rotary ? att.headDim : 0) : att.qkRope;
  const rope = ropeDim ? [b.constant('rotary_cos', [S, 1, ropeDim], dtype), b.constant('rotary_sin', [S, 1, ropeDim], dtype)] : [];
  const rms = spec.norm === 'rms';
  for (let i = 0; i < spec.layers; i++) {
    const p = `model/layers.${i}`;
    const h = normLayer(b, `${p}/input_layernorm`, x, H, dtype, rms);
    const o = att.kind === 'mha' ? mha(b, `${p}/self_attn`, h, att, spec, mask, rope) : mla(b, `${p}/self_attn`, h, att, spec, mask, rope);
    const x1 = b.elementwise(`${p}/self_attn/residual`, 'add', [x, o]);
    const h2 = normLayer(b, `${p}/post_attention_layernorm`, x1, H, dtype, rms);
    const y = spec.moe?.isMoeLayer(i) ? moeMlp(b, `${p}/mlp`, h2, spec.moe, spec) : mlp(b, `${p}/mlp`, h2, spec.mlp, H, dtype);
    x = b.elementwise(`${p}/mlp/residual`, 'add', [x1, y]);
  }
  const y = normLayer(b, 'model/norm', x, H, dtype, rms);
  const logits = spec.tied
    ? b.dot('lm_head', y, embed, { lhsContract: [2], rhsContract: [1] })
    : dense(b, 'lm_head', y, H, V, dtype, false);
  lmLoss(b, 'loss', logits, B, S);
  return b.build();
}

function mha(b: GraphBuilder, path: string, h: string, a: MhaSpec, spec: DecoderSpec, mask: string, rope: string[]): string {
  const { batch: B, seq: S, hidden: H, dtype } = spec;
  const proj = (name: string, heads: number) => b.reshape(`${path}/${name}_heads`, dense(b, `${path}/${name}_proj`, h, H, heads * a.headDim, dtype, a.qkvBias), [B, S, heads, a.headDim]);
  let q = proj('q', a.heads), k = proj('k', a.kvHeads);
  const v = proj('v', a.kvHeads);
  if (a.qkNorm) {
    q = normLayer(b, `${path}/q_norm`, q, a.headDim, dtype, true);
    k = normLayer(b, `${path}/k_norm`, k, a.headDim, dtype, true);
  }
  if (rope.length) {
    q = b.elementwise(`${path}/q_rotary`, 'rotary', [q, ...rope]);
    k = b.elementwise(`${path}/k_rotary`, 'rotary', [k, ...rope]);
  }
  const ctx = causalAttention(b, path, q, k, v, mask, { batch: B, seq: S, heads: a.heads, kvHeads: a.kvHeads, headDim: a.headDim });
  return dense(b, `${path}/o_proj`, ctx, a.heads * a.headDim, H, dtype, a.oBias);
}

/** Multi-head latent attention: q (optionally through a low-rank q_a/q_b), a shared compressed kv plus a rotary key. */
function mla(b: GraphBuilder, path: string, h: string, a: MlaSpec, spec: DecoderSpec, mask: string, rope: string[]): string {
  const { batch: B, seq: S, hidden: H, dtype } = spec;
  const dqk = a.qkNope + a.qkRope;
  let q: string;
  if (a.qLoraRank) {
    const qa = normLayer(b, `${path}/q_a_layernorm`, dense(b, `${path}/q_a_proj`, h, H, a.qLoraRank, dtype, a.bias), a.qLoraRank, dtype, true);
    q = dense(b, `${path}/q_b_proj`, qa, a.qLoraRank, a.heads * dqk, dtype, false);
  } else {
    q = dense(b, `${path}/q_proj`, h, H, a.heads * dqk, dtype, false);
  }
  q = b.reshape(`${path}/q_heads`, q, [B, S, a.heads, dqk]);
  const kva = dense(b, `${path}/kv_a_proj_with_mqa`, h, H, a.kvLoraRank + a.qkRope, dtype, a.bias);
  const latent = normLayer(b, `${path}/kv_a_layernorm`, b.slice(`${path}/kv_latent`, kva, 2, a.kvLoraRank), a.kvLoraRank, dtype, true);
  const kRope = b.reshape(`${path}/k_pe`, b.slice(`${path}/k_rope`, kva, 2, a.qkRope), [B, S, 1, a.qkRope]);
  const kv = b.reshape(`${path}/kv_heads`, dense(b, `${path}/kv_b_proj`, latent, a.kvLoraRank, a.heads * (a.qkNope + a.vHead), dtype, false), [B, S, a.heads, a.qkNope + a.vHead]);
  const kNope = b.slice(`${path}/k_nope`, kv, 3, a.qkNope);
  const v = b.slice(`${path}/v`, kv, 3, a.vHead);
  const kPe = b.broadcast(`${path}/k_pe_heads`, b.elementwise(`${path}/k_rotary`, 'rotary', [kRope, ...rope]), [B, S, a.heads, a.qkRope], [0, 1, 2, 3]);
  const k = b.concatenate(`${path}/k`, [kNope, kPe], 3);
  const qPe = b.elementwise(`${path}/q_rotary`, 'rotary', [b.slice(`${path}/q_pe`, q, 3, a.qkRope), ...rope]);
  q = b.concatenate(`${path}/q`, [b.slice(`${path}/q_nope`, q, 3, a.qkNope), qPe], 3);
  // scores [B, heads, S, S]; context [B, heads, S, vHead] -> [B, S, heads * vHead]
  const scores = b.dot(`${path}/scores`, q, k, { lhsBatch: [0, 2], rhsBatch: [0, 2], lhsContract: [3], rhsContract: [3] });
  const probs = b.softmax(`${path}/softmax`, b.elementwise(`${path}/scale_mask`, 'scale_mask', [scores, mask]), 3);
  const ctx = b.dot(`${path}/context`, probs, v, { lhsBatch: [0, 1], rhsBatch: [0, 2], lhsContract: [3], rhsContract: [1] });
  const merged = b.reshape(`${path}/merge_heads`, b.transpose(`${path}/context_transpose`, ctx, [0, 2, 1, 3]), [B, S, a.heads * a.vHead]);
  return dense(b, `${path}/o_proj`, merged, a.heads * a.vHead, H, dtype, false);
}

function mlp(b: GraphBuilder, path: string, x: string, m: MlpSpec, H: number, dtype: DType): string {
  if (m.kind === 'plain') {
    const act = b.elementwise(`${path}/act`, 'gelu', [dense(b, `${path}/c_fc`, x, H, m.intermediate, dtype, m.bias)]);
    return dense(b, `${path}/c_proj`, act, m.intermediate, H, dtype, m.bias);
  }
  const gate = dense(b, `${path}/gate_proj`, x, H, m.intermediate, dtype, m.bias);
  const up = dense(b, `${path}/up_proj`, x, H, m.intermediate, dtype, m.bias);
  return dense(b, `${path}/down_proj`, b.elementwise(`${path}/act`, 'swiglu', [gate, up]), m.intermediate, H, dtype, m.bias);
}

/**
 * Router (linear, softmax, top-k) -> tokens gathered per expert [E, C, H] with C = tokens * k / E (balanced load)
 * -> batched gated experts -> weighted scatter back to [tokens, H]; plus shared experts on every token.
 */
function moeMlp(b: GraphBuilder, path: string, x: string, m: MoeSpec, spec: DecoderSpec): string {
  const { batch: B, seq: S, hidden: H, dtype } = spec;
  const T = B * S, E = m.experts, C = Math.ceil((T * m.topK) / E), I = m.intermediate;
  const xt = b.reshape(`${path}/tokens`, x, [T, H]);
  const probs = b.softmax(`${path}/gate/softmax`, b.linear(`${path}/gate`, xt, b.param(`${path}/gate/weight`, [H, E], dtype)), 1);
  const [topk] = b.op({ kind: 'reduce', path: `${path}/gate/topk`, attrs: { kind: 'reduce', dims: [1], reducer: 'max' }, inputs: [probs], outputs: [{ shape: [T, m.topK], dtype: 'i32', batchDim: 0 }] });
  const slots = b.reshape(`${path}/dispatch_slots`, topk!, [E, C], { batchDim: 1 });
  const routed = b.gather(`${path}/dispatch`, xt, slots, 0);
  const expertDot = (name: string, input: string, inF: number, outF: number) => b.dot(`${path}/experts/${name}`, input, b.param(`${path}/experts/${name}/weight`, [E, inF, outF], dtype), { lhsBatch: [0], rhsBatch: [0], lhsContract: [2], rhsContract: [1] });
  const act = b.elementwise(`${path}/experts/act`, 'swiglu', [expertDot('gate_proj', routed, H, I), expertDot('up_proj', routed, H, I)]);
  const out = expertDot('down_proj', act, I, H);
  const [combined] = b.op({ kind: 'scatter', path: `${path}/combine`, attrs: { kind: 'none' }, inputs: [out, slots, topk!], outputs: [{ shape: [T, H], batchDim: 0 }], flops: 2 * T * m.topK * H });
  let y = combined!;
  if (m.shared) {
    let s = mlp(b, `${path}/shared_experts`, xt, { kind: 'gated', intermediate: m.shared.intermediate, bias: false }, H, dtype);
    if (m.shared.gate) {
      const g = b.elementwise(`${path}/shared_expert_gate/sigmoid`, 'sigmoid', [dense(b, `${path}/shared_expert_gate`, xt, H, 1, dtype, false)]);
      s = b.elementwise(`${path}/shared_expert_gate/mul`, 'mul', [s, g]);
    }
    y = b.elementwise(`${path}/shared_add`, 'add', [y, s]);
  }
  return b.reshape(`${path}/untokens`, y, [B, S, H]);
}

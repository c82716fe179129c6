/**
 * Llama-family decoder: token embedding (no positions), per layer RMSNorm, q/k/v projections without bias,
 * rotary position embedding applied to q and k (an elementwise op with cos/sin tables), grouped-query attention
 * (kvHeads key/value heads), output projection, RMSNorm, SwiGLU MLP (gate, up, silu(gate) * up, down), final
 * RMSNorm and an LM head (untied unless tieEmbeddings). Paths: 'llama/layers.<i>/self_attn/...', '.../mlp/...'.
 */
import { GraphBuilder } from '../ir/builder.ts';
import type { DType, ModelGraph } from '../ir/types.ts';
import { causalAttention, causalMask, checkDims, dense, lmLoss, normLayer, ZooError } from './transformer.ts';

export interface LlamaConfig {
  readonly hidden: number;
  readonly layers: number;
  readonly heads: number;
  readonly kvHeads: number;
  readonly intermediate: number;
  readonly vocab: number;
  readonly seq: number;
  readonly batch: number;
  readonly headDim?: number;
  readonly tieEmbeddings?: boolean;
  readonly dtype?: DType;
  readonly name?: string;
}

export function llama(cfg: LlamaConfig): ModelGraph {
  const { hidden: H, layers: L, heads, kvHeads, intermediate: I, vocab: V, seq: S, batch: B } = cfg;
  const dh = cfg.headDim ?? H / heads;
  const dtype = cfg.dtype ?? 'bf16';
  checkDims('llama', { hidden: H, layers: L, heads, kvHeads, intermediate: I, vocab: V, seq: S, batch: B, headDim: dh });
  if (heads % kvHeads !== 0) throw new ZooError(`llama: heads ${heads} is not a multiple of kvHeads ${kvHeads}`);
  const name = cfg.name ?? `llama-h${H}-l${L}`;
  const b = new GraphBuilder({
    name, source: `zoo:${name}`, family: 'llama', batch: B, seq: S,
    config: { hidden: H, layers: L, heads, kvHeads, intermediate: I, vocab: V, seq: S, batch: B, headDim: dh },
  });
  const tokens = b.input('input_ids', [B, S], 'i32', 0);
  const embed = b.param('llama/embed_tokens/weight', [V, H], dtype);
  let x = b.gather('llama/embed_tokens', embed, tokens, 0);
  const grouped = kvHeads !== heads;
  const mask = causalMask(b, S, grouped, dtype);
  const cos = b.constant('rotary_cos', [S, 1, dh], dtype);
  const sin = b.constant('rotary_sin', [S, 1, dh], dtype);
  for (let i = 0; i < L; i++) {
    const p = `llama/layers.${i}`;
    const h = normLayer(b, `${p}/input_layernorm`, x, H, dtype, true);
    const q = b.reshape(`${p}/self_attn/q_heads`, dense(b, `${p}/self_attn/q_proj`, h, H, heads * dh, dtype, false), [B, S, heads, dh]);
    const k = b.reshape(`${p}/self_attn/k_heads`, dense(b, `${p}/self_attn/k_proj`, h, H, kvHeads * dh, dtype, false), [B, S, kvHeads, dh]);
    const v = b.reshape(`${p}/self_attn/v_heads`, dense(b, `${p}/self_attn/v_proj`, h, H, kvHeads * dh, dtype, false), [B, S, kvHeads, dh]);
    const qr = b.elementwise(`${p}/self_attn/q_rotary`, 'rotary', [q, cos, sin]);
    const kr = b.elementwise(`${p}/self_attn/k_rotary`, 'rotary', [k, cos, sin]);
    const ctx = causalAttention(b, `${p}/self_attn`, qr, kr, v, mask, { batch: B, seq: S, heads, kvHeads, headDim: dh });
    const o = dense(b, `${p}/self_attn/o_proj`, ctx, heads * dh, H, dtype, false);
    const x1 = b.elementwise(`${p}/self_attn/residual`, 'add', [x, o]);
    const h2 = normLayer(b, `${p}/post_attention_layernorm`, x1, H, dtype, true);
    const gate = dense(b, `${p}/mlp/gate_proj`, h2, H, I, dtype, false);
    const up = dense(b, `${p}/mlp/up_proj`, h2, H, I, dtype, false);
    const act = b.elementwise(`${p}/mlp/swiglu`, 'swiglu', [gate, up]);
    const down = dense(b, `${p}/mlp/down_proj`, act, I, H, dtype, false);
    x = b.elementwise(`${p}/mlp/residual`, 'add', [x1, down]);
  }
  const y = normLayer(b, 'llama/norm', x, H, dtype, true);
  const logits = cfg.tieEmbeddings
    ? b.dot('llama/lm_head', y, embed, { lhsContract: [2], rhsContract: [1] })
    : dense(b, 'llama/lm_head', y, H, V, dtype, false);
  lmLoss(b, 'llama/loss', logits, B, S);
  return b.build();
}

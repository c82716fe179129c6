/**
 * GPT-3 style decoder (the paper's GPT family): learned position embedding, token embedding tied with the LM head
 * (plus a vocab bias), per layer pre-LN, fused QKV with bias, output projection, LN, MLP hidden -> 4 hidden ->
 * hidden with GELU, all with biases. Paths: 'gpt/embed/...', 'gpt/h.<i>/attn/...', 'gpt/h.<i>/mlp/...', 'gpt/head/...'.
 */
import { GraphBuilder } from '../ir/builder.ts';
import type { DType, ModelGraph } from '../ir/types.ts';
import { causalAttention, causalMask, checkDims, dense, lmLoss, normLayer, ZooError } from './transformer.ts';

export interface GptConfig {
  readonly hidden: number;
  readonly layers: number;
  readonly heads: number;
  readonly vocab: number;
  readonly seq: number;
  readonly batch: number;
  /** MLP width as a multiple of hidden (4 for GPT-3). */
  readonly mlpFactor?: number;
  readonly dtype?: DType;
  readonly name?: string;
}

export function gpt(cfg: GptConfig): ModelGraph {
  const { hidden: H, layers: L, heads, vocab: V, seq: S, batch: B } = cfg;
  const mlpFactor = cfg.mlpFactor ?? 4;
  const dtype = cfg.dtype ?? 'f16';
  checkDims('gpt', { hidden: H, layers: L, heads, vocab: V, seq: S, batch: B, mlpFactor });
  if (H % heads !== 0) throw new ZooError(`gpt: hidden ${H} is not a multiple of heads ${heads}`);
  const name = cfg.name ?? `gpt-h${H}-l${L}`;
  const b = new GraphBuilder({
    name, source: `zoo:${name}`, family: 'gpt', batch: B, seq: S,
    config: { hidden: H, layers: L, heads, vocab: V, seq: S, batch: B, mlpFactor },
  });
  const wte = b.param('gpt/embed/wte', [V, H], dtype);
  let x = embedTokens(b, 'gpt/embed', wte, B, S, H, dtype);
  const mask = causalMask(b, S, false, dtype);
  for (let i = 0; i < L; i++) x = gptBlock(b, `gpt/h.${i}`, x, mask, { B, S, H, heads, dtype, mlp: (p, y) => gptMlp(b, p, y, H, mlpFactor, dtype) });
  const logits = tiedLogits(b, 'gpt/head', x, wte, H, V, dtype);
  lmLoss(b, 'gpt/head/loss', logits, B, S);
  return b.build();
}

/** Token lookup in the (tied) embedding plus learned positions: [B, S, H]. */
export function embedTokens(b: GraphBuilder, path: string, wte: string, B: number, S: number, H: number, dtype: DType): string {
  const tokens = b.input('input_ids', [B, S], 'i32', 0);
  const emb = b.gather(`${path}/wte`, wte, tokens, 0);
  const wpe = b.param(`${path}/wpe`, [S, H], dtype);
  return b.elementwise(`${path}/add_positions`, 'add', [emb, wpe]);
}

/** Final LN, then logits = x @ wte^T + bias: [B, S, V]. */
export function tiedLogits(b: GraphBuilder, path: string, x: string, wte: string, H: number, V: number, dtype: DType): string {
  const y = normLayer(b, `${path}/ln_f`, x, H, dtype, false);
  const logits = b.dot(`${path}/logits`, y, wte, { lhsContract: [2], rhsContract: [1] });
  const bias = b.param(`${path}/logits/bias`, [V], dtype);
  return b.elementwise(`${path}/logits/bias_add`, 'add', [logits, bias]);
}

export interface BlockDims {
  readonly B: number;
  readonly S: number;
  readonly H: number;
  readonly heads: number;
  readonly dtype: DType;
  /** The feed-forward part: dense MLP or mixture of experts; gets the normalised input, returns [B, S, H]. */
  readonly mlp: (path: string, x: string) => string;
}

/** Pre-LN block: x + attn(ln_1(x)), then + mlp(ln_2(.)). */
export function gptBlock(b: GraphBuilder, path: string, x: string, mask: string, d: BlockDims): string {
  const { B, S, H, heads, dtype } = d;
  const dh = H / heads;
  const h1 = normLayer(b, `${path}/ln_1`, x, H, dtype, false);
  const qkv = dense(b, `${path}/attn/qkv`, h1, H, 3 * H, dtype, true);
  const qkvHeads = b.reshape(`${path}/attn/split_heads`, qkv, [B, S, 3 * heads, dh]);
  const [q, k, v] = ['q', 'k', 'v'].map((n) => b.slice(`${path}/attn/${n}`, qkvHeads, 2, heads));
  const ctx = causalAttention(b, `${path}/attn`, q, k, v, mask, { batch: B, seq: S, heads, kvHeads: heads, headDim: dh });
  const proj = dense(b, `${path}/attn/proj`, ctx, H, H, dtype, true);
  const x1 = b.elementwise(`${path}/attn/residual`, 'add', [x, proj]);
  const h2 = normLayer(b, `${path}/ln_2`, x1, H, dtype, false);
  const m = d.mlp(path, h2);
  return b.elementwise(`${path}/mlp/residual`, 'add', [x1, m]);
}

export function gptMlp(b: GraphBuilder, path: string, x: string, H: number, factor: number, dtype: DType): string {
  const fc = dense(b, `${path}/mlp/fc`, x, H, factor * H, dtype, true);
  const act = b.elementwise(`${path}/mlp/gelu`, 'gelu', [fc]);
  return dense(b, `${path}/mlp/proj`, act, factor * H, H, dtype, true);
}

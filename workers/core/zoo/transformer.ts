/**
 * Pieces shared by the decoder families (GPT, MoE, Llama): the causal attention core as dot_general ops with
 * batch dims (so heads and batch can be sharded), dense layers with optional bias, norms, and the LM loss.
 */
import type { GraphBuilder } from '../ir/builder.ts';
import type { DType } from '../ir/types.ts';

export class ZooError extends Error {}

export interface AttentionDims {
  readonly batch: number;
  readonly seq: number;
  readonly heads: number;
  /** Key/value heads; < heads means grouped-query attention. */
  readonly kvHeads: number;
  readonly headDim: number;
}

/**
 * softmax(q k^T / sqrt(d) + causal mask) v for q [B,S,heads,dh], k and v [B,S,kvHeads,dh]; returns [B,S,heads*dh].
 * Grouped-query attention splits the query heads into kvHeads groups so each group's dots share one k and v.
 */
export function causalAttention(b: GraphBuilder, path: string, q: string, k: string, v: string, mask: string, d: AttentionDims): string {
  const { batch: B, seq: S, heads, kvHeads, headDim: dh } = d;
  if (heads % kvHeads !== 0) throw new ZooError(`heads ${heads} is not a multiple of kvHeads ${kvHeads}`);
  let context: string;
  if (kvHeads === heads) {
    // scores [B, heads, S_q, S_k]
    const scores = b.dot(`${path}/scores`, q, k, { lhsBatch: [0, 2], rhsBatch: [0, 2], lhsContract: [3], rhsContract: [3] });
    const masked = b.elementwise(`${path}/scale_mask`, 'scale_mask', [scores, mask]);
    const probs = b.softmax(`${path}/softmax`, masked, 3);
    // context [B, heads, S_q, dh] -> [B, S_q, heads, dh]
    const ctx = b.dot(`${path}/context`, probs, v, { lhsBatch: [0, 1], rhsBatch: [0, 2], lhsContract: [3], rhsContract: [1] });
    context = b.transpose(`${path}/context_transpose`, ctx, [0, 2, 1, 3]);
  } else {
    const group = heads / kvHeads;
    const qg = b.reshape(`${path}/q_groups`, q, [B, S, kvHeads, group, dh]);
    // scores [B, kvHeads, S_q, group, S_k]
    const scores = b.dot(`${path}/scores`, qg, k, { lhsBatch: [0, 2], rhsBatch: [0, 2], lhsContract: [4], rhsContract: [3] });
    const masked = b.elementwise(`${path}/scale_mask`, 'scale_mask', [scores, mask]);
    const probs = b.softmax(`${path}/softmax`, masked, 4);
    // context [B, kvHeads, S_q, group, dh] -> [B, S_q, kvHeads, group, dh]
    const ctx = b.dot(`${path}/context`, probs, v, { lhsBatch: [0, 1], rhsBatch: [0, 2], lhsContract: [4], rhsContract: [1] });
    context = b.transpose(`${path}/context_transpose`, ctx, [0, 2, 1, 3, 4]);
  }
  return b.reshape(`${path}/merge_heads`, context, [B, S, heads * dh]);
}

/** The causal mask constant: [S, S] for plain attention, [S, 1, S] to broadcast over GQA groups. */
export function causalMask(b: GraphBuilder, seq: number, grouped: boolean, dtype: DType): string {
  return b.constant('causal_mask', grouped ? [seq, 1, seq] : [seq, seq], dtype);
}

/** x @ w (+ bias): the weight is [in, out], the bias [out]. */
export function dense(b: GraphBuilder, path: string, x: string, inFeatures: number, outFeatures: number, dtype: DType, bias: boolean): string {
  const w = b.param(`${path}/kernel`, [inFeatures, outFeatures], dtype);
  const y = b.linear(path, x, w);
  if (!bias) return y;
  const bv = b.param(`${path}/bias`, [outFeatures], dtype);
  return b.elementwise(`${path}/bias_add`, 'add', [y, bv]);
}

/** Layer norm (scale + bias) or RMS norm (scale) over the last axis of a [B, S, H] activation. */
export function normLayer(b: GraphBuilder, path: string, x: string, hidden: number, dtype: DType, rms: boolean): string {
  const scale = b.param(`${path}/scale`, [hidden], dtype);
  if (rms) return b.norm(path, x, [scale], [2], true);
  const bias = b.param(`${path}/bias`, [hidden], dtype);
  return b.norm(path, x, [scale, bias], [2]);
}

/** Softmax cross-entropy of logits [B, S, V] against labels [B, S], then the mean: the scalar loss. */
export function lmLoss(b: GraphBuilder, path: string, logits: string, batch: number, seq: number): string {
  const labels = b.input('labels', [batch, seq], 'i32', 0);
  const perToken = b.reduce(`${path}/cross_entropy`, logits, [2], 'other', [labels]);
  return b.reduce(`${path}/mean`, perToken, [0, 1], 'mean');
}

/** Shared checks of generator dimensions: positive integers, named in the error. */
export function checkDims(family: string, dims: Readonly<Record<string, number | undefined>>): void {
  for (const [key, value] of Object.entries(dims)) {
    if (value === undefined) continue;
    if (!Number.isInteger(value) || value <= 0) throw new ZooError(`${family}: ${key} must be a positive integer, got ${value}`);
  }
}

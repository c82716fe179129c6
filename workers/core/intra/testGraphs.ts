/**
 * Small transformer graphs for the intra pass's tests and bench, built with the IR GraphBuilder: an MLP block and
 * a GPT-3 style layer (LN, fused QKV in Megatron's head-major layout, attention, projection, LN, MLP), whose input
 * is an activation from a previous stage.
 */
import { GraphBuilder } from '../ir/builder.ts';
import type { ModelGraph } from '../ir/types.ts';

export interface BlockDims {
  readonly batch: number;
  readonly seq: number;
  readonly hidden: number;
  readonly heads?: number;
}

function stageInput(b: GraphBuilder, d: BlockDims): string {
  return b.tensor({ name: 'x', shape: [d.batch, d.seq, d.hidden], dtype: 'f16', kind: 'activation', batchDim: 0 });
}

function mlp(b: GraphBuilder, x: string, d: BlockDims, path: string): string {
  const w1 = b.param(`${path}/fc1.w`, [d.hidden, 4 * d.hidden], 'f16');
  const b1 = b.param(`${path}/fc1.b`, [4 * d.hidden], 'f16');
  const w2 = b.param(`${path}/fc2.w`, [4 * d.hidden, d.hidden], 'f16');
  const b2 = b.param(`${path}/fc2.b`, [d.hidden], 'f16');
  const h = b.elementwise(`${path}/fc1.bias`, 'add', [b.linear(`${path}/fc1`, x, w1), b1]);
  const g = b.elementwise(`${path}/gelu`, 'gelu', [h]);
  return b.elementwise(`${path}/fc2.bias`, 'add', [b.linear(`${path}/fc2`, g, w2), b2]);
}

/** x·W1 + b1 -> gelu -> ·W2 + b2 on an activation x [batch, seq, hidden]. */
export function mlpBlock(d: BlockDims): ModelGraph {
  const b = new GraphBuilder({ name: 'mlp-block', source: 'test:mlp', batch: d.batch, seq: d.seq });
  mlp(b, stageInput(b, d), d, 'mlp/h.0/mlp');
  return b.build();
}

/** One GPT-3 layer (pre-LN) on an activation x [batch, seq, hidden]. */
export function gptLayer(d: BlockDims): ModelGraph {
  const { batch: B, seq: S, hidden: H } = d;
  const nh = d.heads ?? Math.max(1, H / 64);
  const hd = H / nh;
  const b = new GraphBuilder({ name: 'gpt-layer', source: 'test:gpt-layer', family: 'gpt', batch: B, seq: S });
  const p = 'gpt/h.0';
  const x = stageInput(b, d);
  const ln1 = b.norm(`${p}/ln_1`, x, [b.param(`${p}/ln_1.g`, [H], 'f16'), b.param(`${p}/ln_1.b`, [H], 'f16')], [2]);
  const wqkv = b.param(`${p}/attn/qkv.w`, [H, 3 * H], 'f16');
  const qkv = b.elementwise(`${p}/attn/qkv.bias`, 'add', [b.linear(`${p}/attn/qkv`, ln1, wqkv), b.param(`${p}/attn/qkv.b`, [3 * H], 'f16')]);
  const heads = b.reshape(`${p}/attn/split_heads`, qkv, [B, S, nh, 3 * hd]);
  const q = b.transpose(`${p}/attn/q.t`, b.slice(`${p}/attn/q`, heads, 3, hd), [0, 2, 1, 3]);
  const k = b.transpose(`${p}/attn/k.t`, b.slice(`${p}/attn/k`, heads, 3, hd), [0, 2, 3, 1]);
  const v = b.transpose(`${p}/attn/v.t`, b.slice(`${p}/attn/v`, heads, 3, hd), [0, 2, 1, 3]);
  const scores = b.dot(`${p}/attn/scores`, q, k, { lhsBatch: [0, 1], rhsBatch: [0, 1], lhsContract: [3], rhsContract: [2] });
  const probs = b.softmax(`${p}/attn/softmax`, scores, 3);
  const ctx = b.dot(`${p}/attn/context`, probs, v, { lhsBatch: [0, 1], rhsBatch: [0, 1], lhsContract: [3], rhsContract: [2] });
  const merged = b.reshape(`${p}/attn/merge_heads`, b.transpose(`${p}/attn/context.t`, ctx, [0, 2, 1, 3]), [B, S, H]);
  const wo = b.param(`${p}/attn/proj.w`, [H, H], 'f16');
  const proj = b.elementwise(`${p}/attn/proj.bias`, 'add', [b.linear(`${p}/attn/proj`, merged, wo), b.param(`${p}/attn/proj.b`, [H], 'f16')]);
  const res1 = b.elementwise(`${p}/residual_1`, 'add', [x, proj]);
  const ln2 = b.norm(`${p}/ln_2`, res1, [b.param(`${p}/ln_2.g`, [H], 'f16'), b.param(`${p}/ln_2.b`, [H], 'f16')], [2]);
  b.elementwise(`${p}/residual_2`, 'add', [res1, mlp(b, ln2, d, `${p}/mlp`)]);
  return b.build();
}

/** Two 3x3 convolutions (channels -> 2 channels -> channels) with a ReLU between, on x [batch, channels, image, image]. */
export function convPair(batch: number, channels: number, image: number): ModelGraph {
  const b = new GraphBuilder({ name: 'conv-pair', source: 'test:conv', batch });
  const x = b.tensor({ name: 'x', shape: [batch, channels, image, image], dtype: 'f16', kind: 'activation', batchDim: 0 });
  const pad = [[1, 1], [1, 1]] as const;
  const c1 = b.conv2d('net/block.0/conv1', x, b.param('w1', [channels * 2, channels, 3, 3], 'f16'), [1, 1], pad);
  const r = b.elementwise('net/block.0/relu', 'relu', [c1]);
  b.conv2d('net/block.0/conv2', r, b.param('w2', [channels, channels * 2, 3, 3], 'f16'), [1, 1], pad);
  return b.build();
}

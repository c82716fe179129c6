/**
 * GShard-style MoE decoder (the paper's MoE family, Alpa's alpa/model/moe.py): GPT-style blocks where every second
 * layer (layers 0, 2, 4, ...) replaces the MLP by E experts. Tokens are cut into groups of expertGroupSize; a
 * softmax gate picks the top 2 experts per token; dispatch and combine are einsums (dot ops) with the one-hot
 * dispatch mask [G, S, E, C] (capacity C = 2 S / E); the experts are batched dots whose leading dim is the expert,
 * so expert parallelism is a sharding of that dim. Paths: 'moe/layers.<i>/moe/...'.
 */
import { GraphBuilder } from '../ir/builder.ts';
import type { DType, ModelGraph } from '../ir/types.ts';
import { embedTokens, gptBlock, gptMlp, tiedLogits } from './gpt.ts';
import { causalMask, checkDims, lmLoss, ZooError } from './transformer.ts';

export interface MoeConfig {
  readonly hidden: number;
  readonly layers: number;
  readonly heads: number;
  readonly experts: number;
  readonly vocab: number;
  readonly seq: number;
  readonly batch: number;
  /** Tokens per routing group (2048 in the paper's runs). */
  readonly expertGroupSize?: number;
  /** MLP and expert width as a multiple of hidden (8 in the paper's runs). */
  readonly mlpFactor?: number;
  readonly dtype?: DType;
  readonly name?: string;
}

export function moe(cfg: MoeConfig): ModelGraph {
  const { hidden: H, layers: L, heads, experts: E, vocab: V, seq: S, batch: B } = cfg;
  const mlpFactor = cfg.mlpFactor ?? 8;
  const expertGroupSize = cfg.expertGroupSize ?? 2048;
  const dtype = cfg.dtype ?? 'f16';
  checkDims('moe', { hidden: H, layers: L, heads, experts: E, vocab: V, seq: S, batch: B, mlpFactor, expertGroupSize });
  if (H % heads !== 0) throw new ZooError(`moe: hidden ${H} is not a multiple of heads ${heads}`);
  const name = cfg.name ?? `moe-h${H}-l${L}-e${E}`;
  const b = new GraphBuilder({
    name, source: `zoo:${name}`, family: 'moe', batch: B, seq: S,
    config: { hidden: H, layers: L, heads, experts: E, vocab: V, seq: S, batch: B, mlpFactor, expertGroupSize, topK: 2 },
  });
  const groups = tokenGroups(B * S, expertGroupSize);
  const wte = b.param('moe/embed/wte', [V, H], dtype);
  let x = embedTokens(b, 'moe/embed', wte, B, S, H, dtype);
  const mask = causalMask(b, S, false, dtype);
  for (let i = 0; i < L; i++) {
    const mlp = i % 2 === 0
      ? (p: string, y: string) => moeLayer(b, `${p}/moe`, y, { B, S, H, E, mlpFactor, dtype, ...groups })
      : (p: string, y: string) => gptMlp(b, p, y, H, mlpFactor, dtype);
    x = gptBlock(b, `moe/layers.${i}`, x, mask, { B, S, H, heads, dtype, mlp });
  }
  const logits = tiedLogits(b, 'moe/head', x, wte, H, V, dtype);
  lmLoss(b, 'moe/head/loss', logits, B, S);
  return b.build();
}

/** Groups of `size` tokens; when the tokens are not a multiple of it, the largest size dividing them. */
export function tokenGroups(tokens: number, groupSize: number): { groups: number; groupSize: number } {
  let size = Math.min(groupSize, tokens);
  while (tokens % size !== 0) size--;
  return { groups: tokens / size, groupSize: size };
}

interface MoeDims {
  readonly B: number; readonly S: number; readonly H: number; readonly E: number; readonly mlpFactor: number;
  readonly dtype: DType; readonly groups: number; readonly groupSize: number;
}

function moeLayer(b: GraphBuilder, path: string, x: string, d: MoeDims): string {
  const { B, S, H, E, dtype, groups: G, groupSize: Sg } = d;
  const F = d.mlpFactor * H;
  const C = Math.max(1, Math.floor((2 * Sg) / E));
  const xg = b.reshape(`${path}/group_tokens`, x, [G, Sg, H]);
  const wg = b.param(`${path}/gate/kernel`, [H, E], dtype);
  const logits = b.linear(`${path}/gate`, xg, wg);
  const gates = b.softmax(`${path}/gate/softmax`, logits, 2);
  // top-2 routing: masked gate weights and each token's slot in its experts' capacity
  const top2 = b.elementwise(`${path}/gate/top2`, 'top2', [gates]);
  const slot = b.elementwise(`${path}/gate/position`, 'cumsum', [top2]);
  const slot4 = b.reshape(`${path}/gate/position_expand`, slot, [G, Sg, E, 1]);
  const capacitySlots = b.constant('expert_capacity_iota', [C], 'i32');
  const dispatch = b.elementwise(`${path}/gate/dispatch_mask`, 'eq', [slot4, capacitySlots], { dtype });
  const weights4 = b.reshape(`${path}/gate/weights_expand`, top2, [G, Sg, E, 1]);
  const combine = b.elementwise(`${path}/gate/combine_weights`, 'mul', [dispatch, weights4]);
  // 'GSEC,GSM->GECM' then to expert-major [E, G, C, M]
  const routed = b.dot(`${path}/dispatch`, dispatch, xg, { lhsBatch: [0], rhsBatch: [0], lhsContract: [1], rhsContract: [1] });
  const expertIn = b.transpose(`${path}/dispatch_transpose`, routed, [1, 0, 2, 3]);
  const h = expertDense(b, `${path}/experts/wi`, expertIn, E, H, F, dtype);
  const act = b.elementwise(`${path}/experts/relu`, 'relu', [h]);
  const expertOut = expertDense(b, `${path}/experts/wo`, act, E, F, H, dtype);
  // 'GSEC,EGCM->GSM'
  const y = b.dot(`${path}/combine`, combine, expertOut, { lhsBatch: [0], rhsBatch: [1], lhsContract: [2, 3], rhsContract: [0, 2] });
  return b.reshape(`${path}/ungroup_tokens`, y, [B, S, H]);
}

/** Per-expert dense layer: [E, G, C, in] x [E, in, out] -> [E, G, C, out], plus a per-expert bias. */
function expertDense(b: GraphBuilder, path: string, x: string, E: number, inF: number, outF: number, dtype: DType): string {
  const w = b.param(`${path}/kernel`, [E, inF, outF], dtype);
  const y = b.dot(path, x, w, { lhsBatch: [0], rhsBatch: [0], lhsContract: [3], rhsContract: [1] });
  const bias = b.param(`${path}/bias`, [E, 1, 1, outF], dtype);
  return b.elementwise(`${path}/bias_add`, 'add', [y, bias]);
}

/**
 * Mixture-of-experts routing masks, traced from TopK's expert indices, so that a NonZero over such a mask gets its
 * expected size instead of none. TorchScript exports of eager expert loops (transformers' experts_implementation
 * "eager") pick each expert's tokens with NonZero over one_hot(topk_indices).permute(2, 1, 0)[e]; its output size
 * depends on the data. Under balanced routing each of `tokens` tokens picks `topK` of `experts` experts, so a mask
 * holds ones at a fraction 1 / experts of its elements: an expert gets tokens × topK / experts rows. A NonZero on
 * anything not traced here stays unknown (no silent guess).
 */
import type { NodeProto } from 'onnx-buf';
import { attrInt, attrInts } from './onnxValues.ts';
import type { Val } from './onnxVal.ts';

export interface Routing {
  readonly tokens: number;
  readonly topK: number;
  readonly experts: number;
  /** Expected number of nonzero elements; undefined for the expert indices themselves (not a mask). */
  readonly count?: number;
  /** The mask's dim that runs over experts (OneHot's depth, possibly experts + 1), where still known. */
  readonly expertAxis?: number;
  /** A per-expert "is it hit" mask (the token dims reduced away). */
  readonly hits?: boolean;
}

export type RoutedVal = Val & { routing?: Routing };

const prod = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);
const norm = (a: number, rank: number): number => (a < 0 ? a + rank : a);
/** Ops that move, reshape or retype a mask's elements without changing how many are nonzero (the first input's). */
const KEEPS = new Set(['Squeeze', 'Unsqueeze', 'Reshape', 'Flatten', 'Cast', 'Identity']);

function scalarConst(v: RoutedVal | undefined): number | undefined {
  return v && !v.routing && v.values?.length === 1 ? v.values[0] : undefined;
}

/** Where the expert dim (size `depth`) sits in `shape`, when it is the only dim of that size. */
function findAxis(shape: readonly number[] | undefined, depth: number | undefined): number | undefined {
  if (!shape || depth === undefined) return undefined;
  const at = shape.flatMap((d, i) => (d === depth ? [i] : []));
  return at.length === 1 ? at[0] : undefined;
}

function reduced(node: NodeProto, ins: readonly (RoutedVal | undefined)[], r: Routing, outShape: readonly number[] | undefined): Routing | undefined {
  const s0 = ins[0]!.shape!, depth = r.expertAxis === undefined ? undefined : s0[r.expertAxis];
  const axes = (attrInts(node, 'axes') ?? ins[1]?.values ?? s0.map((_, i) => i)).map((a) => norm(a, s0.length));
  if (r.expertAxis === undefined || r.hits) return undefined;
  if (axes.includes(r.expertAxis)) return { ...r, count: prod(outShape ?? []), expertAxis: undefined }; // every token picks topK
  if (axes.length !== s0.length - 1) return undefined;
  // Each expert gets tokens × topK / experts ≥ 1 rows in expectation: every real expert is hit.
  return r.tokens * r.topK >= r.experts ? { ...r, count: r.experts, hits: true, expertAxis: findAxis(outShape, depth) } : undefined;
}

/** The routing carried by output `i` of `node`, or undefined where the output is no routing mask. */
export function routingOf(node: NodeProto, ins: readonly (RoutedVal | undefined)[], i: number, outShape: readonly number[] | undefined): Routing | undefined {
  const r = ins[0]?.routing, s0 = ins[0]?.shape;
  if (i !== (node.opType === 'TopK' ? 1 : 0)) return undefined;
  switch (node.opType) {
    case 'TopK': {
      const k = ins[1]?.values?.[0];
      if (!s0?.length || k === undefined) return undefined;
      const experts = s0[norm(attrInt(node, 'axis', -1), s0.length)]!;
      return Number.isInteger(k) && k >= 1 && experts > k ? { tokens: prod(s0) / experts, topK: k, experts } : undefined;
    }
    case 'OneHot': {
      const depth = ins[1]?.values?.[0];
      if (!r || r.count !== undefined || !s0 || depth === undefined || depth < r.experts) return undefined;
      return { ...r, count: r.tokens * r.topK, expertAxis: norm(attrInt(node, 'axis', -1), s0.length + 1) };
    }
    case 'Transpose': {
      const perm = attrInts(node, 'perm') ?? s0?.map((_, j) => s0.length - 1 - j);
      return r && { ...r, expertAxis: r.expertAxis === undefined ? undefined : perm?.indexOf(r.expertAxis) };
    }
    case 'Gather': {
      // One expert's slice of the mask: its share of the routed tokens.
      const n = prod(ins[1]?.shape ?? [2]);
      if (!r || r.count === undefined || r.hits || norm(attrInt(node, 'axis', 0), s0?.length ?? 0) !== r.expertAxis || n !== 1) return undefined;
      return { ...r, count: r.count / r.experts, expertAxis: undefined };
    }
    case 'Equal': case 'Greater': {
      const c = scalarConst(ins[1]), q = ins[0]?.routing;
      if (!q || c === undefined) return undefined;
      if (node.opType === 'Greater') return q.count !== undefined && c === 0 ? q : undefined;
      if (q.count === undefined) return Number.isInteger(c) && c >= 0 && c < q.experts ? { ...q, count: q.tokens * q.topK / q.experts } : undefined;
      return c === 1 ? q : undefined;
    }
    case 'ReduceSum': case 'ReduceMax': return r && r.count !== undefined && s0 ? reduced(node, ins, r, outShape) : undefined;
    default:
      if (!r || !KEEPS.has(node.opType)) return undefined;
      return { ...r, expertAxis: findAxis(outShape, r.expertAxis === undefined ? undefined : s0?.[r.expertAxis]) };
  }
}

/** NonZero's output [rank, expected count] over a traced routing mask, with the assumption in words. */
export function nonZeroEstimate(input: RoutedVal | undefined, batch: number): { shape: number[]; assumption: string; perToken: boolean } | undefined {
  const r = input?.routing, s = input?.shape;
  if (!r || r.count === undefined || !s) return undefined;
  const tokens = r.tokens % batch === 0 && batch > 1 ? `${batch}×${r.tokens / batch}` : `${r.tokens}`;
  const balanced = `balanced routing: ${tokens}×${r.topK}/${r.experts} = ${r.tokens * r.topK / r.experts} tokens per expert`;
  return { shape: [s.length, Math.round(r.count)], assumption: r.hits ? `${balanced}, so all ${r.experts} experts are hit` : balanced, perToken: !r.hits };
}

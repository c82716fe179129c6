/**
 * Which dims of each tensor carry the batch, followed through the ops from the tensors' own batchDim: a dot's
 * output carries it on every batch, lhs-free and rhs-free dim whose operand dim does (CLIP's similarity logits
 * [texts, images] = text [B, d] x image^T [d, B] carry it twice), a transpose moves it with its perm, an
 * elementwise op (numpy broadcasting, right-aligned) keeps its operands' batch dims that are not broadcast.
 * Other ops keep the tensor's batchDim as the importer set it. A dot, transpose or elementwise op none of whose
 * operands carries the batch yields an output that does not either.
 */
import type { DotAttrs, ModelGraph, Op, Tensor } from './types.ts';

const SAME_SHAPE = new Set(['elementwise', 'softmax', 'layernorm']);

export function batchDimsOf(graph: Pick<ModelGraph, 'tensors' | 'ops'>): Map<string, readonly number[]> {
  const byId = new Map<string, Tensor>(graph.tensors.map((t) => [t.id, t]));
  const dims = new Map<string, readonly number[]>();
  for (const t of graph.tensors) if (t.batchDim !== undefined) dims.set(t.id, [t.batchDim]);
  for (const op of graph.ops) {
    const out = op.outputs.length === 1 ? byId.get(op.outputs[0]!) : undefined;
    if (!out || out.batchDim === undefined) continue;
    // An empty set is an answer too: no operand carries the batch, so neither can the output (a batch-1 file's
    // [1, S, d] position embeddings look batch-carrying to the importer's guess).
    const derived = derive(op, out, byId, dims);
    if (derived) dims.set(out.id, derived);
  }
  return dims;
}

function derive(op: Op, out: Tensor, byId: ReadonlyMap<string, Tensor>, dims: ReadonlyMap<string, readonly number[]>): number[] | undefined {
  const ins = op.inputs.map((id) => byId.get(id));
  const of = (i: number): readonly number[] => dims.get(op.inputs[i] ?? '') ?? [];
  if (op.kind === 'dot' && op.attrs.kind === 'dot' && ins.length === 2 && ins[0] && ins[1]) {
    const a = op.attrs as DotAttrs;
    const free = (rank: number, batch: readonly number[], contract: readonly number[]) =>
      Array.from({ length: rank }, (_, i) => i).filter((i) => !batch.includes(i) && !contract.includes(i));
    const lhsFree = free(ins[0].shape.length, a.lhsBatch, a.lhsContract);
    const rhsFree = free(ins[1].shape.length, a.rhsBatch, a.rhsContract);
    if (a.lhsBatch.length + lhsFree.length + rhsFree.length !== out.shape.length) return undefined;
    const [l, r] = [of(0), of(1)];
    const outDims: number[] = [];
    a.lhsBatch.forEach((d, i) => { if (l.includes(d) || r.includes(a.rhsBatch[i]!)) outDims.push(i); });
    lhsFree.forEach((d, j) => { if (l.includes(d)) outDims.push(a.lhsBatch.length + j); });
    rhsFree.forEach((d, j) => { if (r.includes(d)) outDims.push(a.lhsBatch.length + lhsFree.length + j); });
    return outDims;
  }
  if (op.kind === 'transpose' && op.attrs.kind === 'transpose' && ins[0]?.shape.length === out.shape.length) {
    const perm = op.attrs.perm;
    const src = of(0);
    return perm.flatMap((p, i) => (src.includes(p) ? [i] : []));
  }
  if (SAME_SHAPE.has(op.kind)) {
    const set = new Set<number>();
    ins.forEach((t, k) => {
      if (!t) return;
      const shift = out.shape.length - t.shape.length;
      for (const d of of(k)) if (d + shift >= 0 && t.shape[d] === out.shape[d + shift]) set.add(d + shift);
    });
    return [...set].sort((x, y) => x - y);
  }
  return undefined;
}

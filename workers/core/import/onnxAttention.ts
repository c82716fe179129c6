/**
 * Fused ONNX attention (opset-23 Attention, com.microsoft MultiHeadAttention) expanded into what it computes:
 * scores = Q.K^T, softmax over the keys, out = P.V, so each dot has two operands like every other dot in the IR.
 * Masks and biases are left out (elementwise, small next to the two dots).
 */
import { numel, type GraphAssembler } from './assemble.ts';

/** Emits the three ops; Q, K, V are [B, H, S, D] or [B, S, E] (heads packed, same FLOPs as one wide head). */
export function emitAttention(asm: GraphAssembler, d: { name: string; path: string; q: string; k: string; v: string; out: string }): boolean {
  const q = asm.get(d.q), k = asm.get(d.k), v = asm.get(d.v), out = asm.get(d.out);
  const rank = q.shape.length;
  if ((rank !== 3 && rank !== 4) || k.shape.length !== rank || v.shape.length !== rank) return false;
  const batch = rank === 4 ? [0, 1] : [0];
  const sq = q.shape[rank - 2]!, skv = k.shape[rank - 2]!, dk = q.shape[rank - 1]!, dv = v.shape[rank - 1]!;
  const lead = q.shape.slice(0, rank - 2);
  const scoresShape = [...lead, sq, skv];
  const scores = asm.tensor({ name: `${out.name}.scores`, shape: scoresShape, dtype: q.dtype, kind: 'activation', batchDim: q.batchDim });
  const probs = asm.tensor({ name: `${out.name}.probs`, shape: scoresShape, dtype: q.dtype, kind: 'activation', batchDim: q.batchDim });
  const n = numel(scoresShape);
  asm.op({ name: `${d.name}/qk`, kind: 'dot', attrs: { kind: 'dot', lhsBatch: batch, rhsBatch: batch, lhsContract: [rank - 1], rhsContract: [rank - 1] }, flops: 2 * n * dk, inputs: [d.q, d.k], outputs: [scores], path: d.path });
  asm.op({ name: `${d.name}/softmax`, kind: 'softmax', attrs: { kind: 'axis', axis: rank - 1 }, flops: 5 * n, inputs: [scores], outputs: [probs], path: d.path });
  const expected = [...lead, sq, dv];
  const target = expected.join() === out.shape.join() ? d.out
    : asm.tensor({ name: `${out.name}.heads`, shape: expected, dtype: q.dtype, kind: 'activation', batchDim: q.batchDim });
  asm.op({ name: `${d.name}/pv`, kind: 'dot', attrs: { kind: 'dot', lhsBatch: batch, rhsBatch: batch, lhsContract: [rank - 1], rhsContract: [rank - 2] }, flops: 2 * n * dv, inputs: [probs, d.v], outputs: [target], path: d.path });
  if (target !== d.out) {
    asm.op({ name: `${d.name}/merge`, kind: 'reshape', attrs: { kind: 'none' }, flops: 0, inputs: [target], outputs: [d.out], path: d.path });
  }
  return true;
}

/** IR emission helpers of the ONNX importer: a Gemm / Conv bias as its own add, SplitToSequence parts. */
import type { NodeProto } from 'onnx-buf';
import { numel, type GraphAssembler } from './assemble.ts';
import type { MappedOp } from './onnxOps.ts';

/**
 * Dot and conv ops take two operands in the IR (the planner's strategies expect that): a Gemm or Conv bias
 * becomes its own add (a conv bias reshaped to [C, 1, 1] first); a constant bias (the exporter's zeros for
 * bias=False) is folded away.
 */
export function emitWithBias(asm: GraphAssembler, d: { node: NodeProto; name: string; path: string; mapped: MappedOp; inputIds: string[]; out: string; bias?: string }): void {
  const outT = asm.get(d.out);
  const n = numel(outT.shape);
  const core = d.bias === undefined ? d.out : asm.tensor({ name: `${outT.name}.nobias`, shape: outT.shape, dtype: outT.dtype, kind: 'activation', batchDim: outT.batchDim });
  asm.op({ name: d.name, kind: d.mapped.kind, attrs: d.mapped.attrs, flops: Math.max(0, d.mapped.flops - n), inputs: d.inputIds.slice(0, 2), outputs: [core], path: d.path });
  if (d.bias === undefined) return;
  let bias = d.bias;
  if (d.mapped.kind === 'conv') {
    const b = asm.get(bias);
    const shaped = [numel(b.shape), ...outT.shape.slice(2).map(() => 1)];
    const reshaped = asm.tensor({ name: `${b.name}.reshaped`, shape: shaped, dtype: b.dtype, kind: 'activation' });
    asm.op({ name: `${d.name}/bias_reshape`, kind: 'reshape', attrs: { kind: 'none' }, flops: 0, inputs: [bias], outputs: [reshaped], path: d.path });
    bias = reshaped;
  }
  asm.op({ name: `${d.name}/bias`, kind: 'elementwise', attrs: { kind: 'elementwise', fn: 'Add' }, flops: n, inputs: [core, bias], outputs: [d.out], path: d.path });
}

/** Shapes of SplitToSequence parts: an explicit list of sizes, a chunk size, or unit splits. */
export function splitParts(shape: readonly number[], split: readonly number[] | undefined, node: NodeProto): number[][] {
  const axisAttr = node.attribute.find((a) => a.name === 'axis');
  const keep = node.attribute.find((a) => a.name === 'keepdims');
  const rank = shape.length;
  const axis = axisAttr ? (Number(axisAttr.i) + rank) % Math.max(1, rank) : 0;
  const dim = shape[axis] ?? 1;
  let sizes: number[];
  if (split && split.length > 1) sizes = [...split];
  else if (split && split.length === 1 && split[0]! > 0) sizes = Array.from({ length: Math.min(4096, Math.ceil(dim / split[0]!)) }, (_, i) => Math.min(split[0]!, dim - i * split[0]!));
  else sizes = new Array<number>(Math.min(dim, 4096)).fill(1);
  return sizes.map((s) => {
    const out = [...shape];
    out[axis] = s;
    if (!split && keep && Number(keep.i) === 0) out.splice(axis, 1);
    return out;
  });
}

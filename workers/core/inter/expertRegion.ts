/**
 * Where a unit's tokens enter and leave its experts (expert parallelism's all-to-alls, GShard §2.2 / Megatron-Core's
 * token dispatcher): the experts are dots whose parameter carries a dot batch dim (one weight per expert, the zoo's
 * GShard layers and imported Mixtral / Qwen-MoE / DeepSeek graphs alike). The region is those dots and the
 * elementwise ops between them (activation, per-expert bias, SwiGLU); a dispatch is an activation entering the
 * region (the routed tokens [E, C, H], counted once however many expert dots read it), a combine a region tensor an
 * op outside reads (the experts' output). With C = tokens x top_k / E each is tokens x top_k x hidden elements.
 */
import type { ModelGraph, Op, Tensor } from '../ir/types.ts';

/** A dot whose parameter operand has a dot batch dim: one weight per expert. */
export function isExpertDot(op: Op, tensors: ReadonlyMap<string, Tensor>): boolean {
  if (op.kind !== 'dot' || op.attrs.kind !== 'dot') return false;
  const p = op.inputs.findIndex((t) => tensors.get(t)?.kind === 'parameter');
  if (p < 0) return false;
  return (p === 0 ? op.attrs.lhsBatch : op.attrs.rhsBatch).length > 0;
}

export interface ExpertBoundary {
  /** Index in graph.ops of the op at the boundary (the expert dot reading a dispatch, the op producing a combine). */
  readonly op: number;
  readonly tensor: Tensor;
}

export interface ExpertRegion {
  readonly dispatch: readonly ExpertBoundary[];
  readonly combine: readonly ExpertBoundary[];
}

const numel = (t: Tensor) => t.shape.reduce((a, b) => a * b, 1);

/** The dispatches and combines of the expert region among `forwardOps` (graph order, producers first). */
export function expertRegion(graph: ModelGraph, forwardOps: readonly number[], tensors: ReadonlyMap<string, Tensor>): ExpertRegion {
  const inRegion = new Set<string>();
  const producer = new Map<string, number>();
  const regionOps = new Set<number>();
  const dispatch: ExpertBoundary[] = [];
  const seen = new Set<string>();
  for (const i of forwardOps) {
    const op = graph.ops[i];
    if (isExpertDot(op, tensors)) {
      regionOps.add(i);
      for (const id of op.inputs) {
        const t = tensors.get(id);
        if (!t || t.kind === 'parameter' || inRegion.has(id) || seen.has(id)) continue;
        seen.add(id);
        dispatch.push({ op: i, tensor: t });
      }
      for (const id of op.outputs) { inRegion.add(id); producer.set(id, i); }
      continue;
    }
    // Elementwise work on the experts' tokens stays in the region (same element count as a region input).
    const regionInput = op.inputs.map((id) => tensors.get(id)).find((t) => t && inRegion.has(t.id));
    if (op.kind === 'elementwise' && regionInput) {
      const outs = op.outputs.map((id) => tensors.get(id)).filter((t): t is Tensor => !!t);
      if (outs.every((t) => numel(t) === numel(regionInput))) {
        regionOps.add(i);
        for (const t of outs) { inRegion.add(t.id); producer.set(t.id, i); }
      }
    }
  }
  const combine: ExpertBoundary[] = [];
  const left = new Set<string>();
  for (const i of forwardOps) {
    if (regionOps.has(i)) continue;
    for (const id of graph.ops[i].inputs) {
      const t = tensors.get(id);
      if (!t || !inRegion.has(id) || left.has(id)) continue;
      left.add(id);
      combine.push({ op: producer.get(id)!, tensor: t });
    }
  }
  return { dispatch, combine };
}

/** Elements of one boundary tensor (tokens x top_k x hidden at the graph's capacity). */
export function boundaryElements(b: ExpertBoundary): number {
  return numel(b.tensor);
}

/**
 * inspectGraph: the headline figures of a model (what `meshplan inspect` prints and the Model view shows).
 */
import { DTYPE_BYTES } from './types.ts';
import type { ModelGraph, OpKind } from './types.ts';
import { countLayers } from './layers.ts';
import { numel } from './shapes.ts';

export interface GraphSummary {
  readonly name: string;
  readonly source: string;
  readonly family?: string;
  readonly batch: number;
  readonly seq?: number;
  /** Number of trained weights (elements of parameter tensors). */
  readonly params: number;
  readonly paramBytes: number;
  /** FLOPs of the forward ops, one execution at the graph's batch. */
  readonly forwardFlops: number;
  /** FLOPs of one training step (forward + backward, no recomputation) at the graph's batch: 3x forward for a
   * forward graph, the sum over all ops for an explicit train-step graph. */
  readonly flopsPerStep: number;
  readonly ops: number;
  /** Repeated blocks recognised from op paths (h.i, layers.i, block.i). */
  readonly layers: number;
  /** Bytes of all batch-scaled activations the forward pass produces, divided by the batch. */
  readonly activationBytesPerSample: number;
  readonly opCounts: Readonly<Partial<Record<OpKind, number>>>;
}

export function inspectGraph(graph: ModelGraph): GraphSummary {
  let params = 0;
  let paramBytes = 0;
  for (const t of graph.tensors) {
    if (t.kind !== 'parameter') continue;
    const n = numel(t.shape);
    params += n;
    paramBytes += n * DTYPE_BYTES[t.dtype];
  }
  const producedForward = new Set<string>();
  let forwardFlops = 0;
  let allFlops = 0;
  const opCounts: Partial<Record<OpKind, number>> = {};
  for (const op of graph.ops) {
    allFlops += op.flops;
    opCounts[op.kind] = (opCounts[op.kind] ?? 0) + 1;
    if (op.phase !== 'forward') continue;
    forwardFlops += op.flops;
    for (const o of op.outputs) producedForward.add(o);
  }
  let activationBytes = 0;
  for (const t of graph.tensors) {
    if (t.kind === 'activation' && t.batchDim !== undefined && producedForward.has(t.id)) activationBytes += numel(t.shape) * DTYPE_BYTES[t.dtype];
  }
  return {
    name: graph.name, source: graph.source, ...(graph.family ? { family: graph.family } : {}), batch: graph.batch,
    ...(graph.seq !== undefined ? { seq: graph.seq } : {}),
    params, paramBytes, forwardFlops,
    flopsPerStep: graph.training?.explicitBackward ? allFlops : 3 * forwardFlops,
    ops: graph.ops.length, layers: countLayers(graph),
    activationBytesPerSample: activationBytes / graph.batch, opCounts,
  };
}

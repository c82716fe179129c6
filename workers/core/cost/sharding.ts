/**
 * How the forced plans of the fidelity check split each op of a forward graph over n devices, and which
 * collectives they imply (no search: these are the textbook plans the calibration rows ran).
 * - dp / zero3: every op splits its batch n ways (GEMM rows); parameters replicated (dp) or sharded (zero3).
 * - tp (Megatron): a GEMM with a parameter operand is column-split when its activation input is whole and
 *   row-split when that input is already split (then its output is all-reduced); attention and memory-bound ops
 *   follow a split input; an embedding gather from a split table is all-reduced. Backward mirrors it: the input
 *   gradient of a column-split GEMM is all-reduced.
 */
import type { ModelGraph, Op, Tensor } from '../ir/types.ts';
import { FREE_KINDS } from './fusion.ts';
import type { SplitDim } from './opCost.ts';

export type ForcedPlanKind = 'single' | 'dp' | 'tp' | 'zero3';

export interface OpSplit {
  /** Ways the op's work is split on one device's behalf (1 = replicated). */
  readonly factor: number;
  readonly dim: SplitDim;
  /** Bytes (at graph dtype, before precision) all-reduced after the forward / in the backward, per execution. */
  readonly forwardAllReduceElements: number;
  readonly backwardAllReduceElements: number;
}

export interface PlanSplits {
  readonly ops: ReadonlyMap<string, OpSplit>;
  /** Parameter tensors split over the devices (their state and update are divided by n). */
  readonly splitParams: ReadonlySet<string>;
}

const numel = (t: Tensor | undefined) => (t ? t.shape.reduce((s, d) => s * d, 1) : 0);

export function planSplits(graph: ModelGraph, kind: ForcedPlanKind, n: number, opIds?: readonly string[]): PlanSplits {
  const inStage = opIds ? new Set(opIds) : undefined;
  const ops = graph.ops.filter((o) => !inStage || inStage.has(o.id));
  const tensor = new Map(graph.tensors.map((t) => [t.id, t]));
  const out = new Map<string, OpSplit>();
  const params = graph.tensors.filter((t) => t.kind === 'parameter').map((t) => t.id);
  if (kind !== 'tp' || n <= 1) {
    const f = kind === 'single' ? 1 : n;
    for (const op of ops) out.set(op.id, { factor: f, dim: 'm', forwardAllReduceElements: 0, backwardAllReduceElements: 0 });
    return { ops: out, splitParams: new Set(kind === 'zero3' && n > 1 ? params : []) };
  }
  const split = new Set<string>();
  const splitParams = new Set<string>();
  const isParam = (id: string) => tensor.get(id)?.kind === 'parameter';
  for (const op of ops) {
    const acts = op.inputs.filter((i) => !isParam(i) && tensor.get(i)?.kind !== 'constant');
    const paramIn = op.inputs.filter(isParam);
    const anySplit = acts.some((i) => split.has(i));
    let s: OpSplit = { factor: 1, dim: 'm', forwardAllReduceElements: 0, backwardAllReduceElements: 0 };
    if (op.kind === 'dot' && paramIn.length > 0) {
      paramIn.forEach((p) => splitParams.add(p));
      if (anySplit) {
        s = { factor: n, dim: 'k', forwardAllReduceElements: numel(tensor.get(op.outputs[0])), backwardAllReduceElements: 0 };
      } else {
        s = { factor: n, dim: 'n', forwardAllReduceElements: 0, backwardAllReduceElements: numel(tensor.get(acts[0])) };
        op.outputs.forEach((o) => split.add(o));
      }
    } else if (op.kind === 'gather' && paramIn.length > 0) {
      paramIn.forEach((p) => splitParams.add(p));
      s = { factor: n, dim: 'm', forwardAllReduceElements: numel(tensor.get(op.outputs[0])), backwardAllReduceElements: 0 };
    } else if (anySplit && !FREE_KINDS.has(op.kind)) {
      // attention GEMMs split their batch (heads); memory-bound ops their split dim; a reduce over the split dim
      // (cross-entropy over the vocab) leaves a whole result after a scalar-sized all-reduce.
      s = { factor: n, dim: 'm', forwardAllReduceElements: 0, backwardAllReduceElements: 0 };
      paramIn.forEach((p) => splitParams.add(p));
      if (op.kind !== 'reduce') op.outputs.forEach((o) => split.add(o));
    } else if (anySplit) {
      op.outputs.forEach((o) => split.add(o));
    }
    out.set(op.id, s);
  }
  return { ops: out, splitParams };
}

/** The op's split, whole when the plan does not list it. */
export function splitOf(splits: PlanSplits, op: Op): OpSplit {
  return splits.ops.get(op.id) ?? { factor: 1, dim: 'm', forwardAllReduceElements: 0, backwardAllReduceElements: 0 };
}

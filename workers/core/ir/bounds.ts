/**
 * What the planner can plan, checked once at every entry (CLI, page, plan()): a graph with ops, within the op and
 * tensor counts of boundary/limits.ts, every dimension finite and in range, and FLOPs and bytes that stay finite
 * when summed (a 1e20 dimension makes FLOPs overflow to Infinity, which no cost or DP can rank).
 */
import { LIMITS } from '../boundary/limits.ts';
import { echo } from '../boundary/text.ts';
import type { ModelGraph } from './types.ts';

/** The first problem that makes a graph unplannable, or undefined. */
export function graphProblem(graph: Pick<ModelGraph, 'ops' | 'tensors'>): string | undefined {
  if (!Array.isArray(graph.ops) || graph.ops.length === 0) return 'the graph has no ops: nothing to plan';
  if (graph.ops.length > LIMITS.ops.max) return `the graph has ${graph.ops.length.toLocaleString('en-US')} ops; at most ${LIMITS.ops.max.toLocaleString('en-US')} (${LIMITS.ops.reason})`;
  if (graph.tensors.length > LIMITS.tensors.max) return `the graph has ${graph.tensors.length.toLocaleString('en-US')} tensors; at most ${LIMITS.tensors.max.toLocaleString('en-US')} (${LIMITS.tensors.reason})`;
  for (const t of graph.tensors) {
    let elements = 1;
    for (let axis = 0; axis < t.shape.length; axis++) {
      const d = t.shape[axis];
      if (!Number.isInteger(d) || d < 1 || d > LIMITS.dim.max) {
        return `tensor '${echo(t.name || t.id)}' has dimension ${d} at axis ${axis}; each must be an integer in 1..2^40 (${LIMITS.dim.reason})`;
      }
      elements *= d;
    }
    if (elements > LIMITS.tensorElements.max) return `tensor '${echo(t.name || t.id)}' has ${elements.toExponential(2)} elements; at most 2^53 (${LIMITS.tensorElements.reason})`;
  }
  let flops = 0;
  for (const op of graph.ops) {
    if (!Number.isFinite(op.flops) || op.flops < 0) return `op '${echo(op.id)}' (${echo(op.path)}) has ${op.flops} FLOPs; FLOPs must be finite and >= 0`;
    flops += op.flops;
  }
  if (!Number.isFinite(flops) || flops > 1e30) return `the graph's FLOPs sum to ${flops.toExponential(2)}; beyond 1e30 per step no plan ends in a human lifetime`;
  return undefined;
}

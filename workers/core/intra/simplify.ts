/**
 * Graph simplification (alpa.md §1.4, CostGraph.Simplify): every follow op joins the node of the operand it
 * follows, so a node is an anchor (a dot, conv, gather ... or a source tensor: parameter, input, activation from
 * another stage) plus the chain of follow ops hanging off it. The ILP then has one variable vector per node.
 */
import type { Op, Tensor } from '../ir/types.ts';
import { isFollowKind, primaryInput } from './follow.ts';

export interface Follower {
  readonly op: Op;
  /** Index of the input it follows. */
  readonly primary: number;
}

export interface GraphNode {
  readonly index: number;
  /** The op the node is built around, or undefined for a source tensor. */
  readonly anchor?: Op;
  /** The tensor a source node stands for (consumed by the stage, produced outside it). */
  readonly source?: Tensor;
  /** Follow ops in topological order. */
  readonly followers: Follower[];
}

export interface SimplifiedGraph {
  readonly nodes: readonly GraphNode[];
  /** Node that produces each tensor (sources included). */
  readonly nodeOfTensor: ReadonlyMap<string, number>;
}

/** Groups the stage's ops (topological order) into nodes. */
export function simplify(ops: readonly Op[], tensor: (id: string) => Tensor): SimplifiedGraph {
  const ctx = { tensor };
  const nodes: GraphNode[] = [];
  const nodeOfTensor = new Map<string, number>();
  const order = new Map<string, number>();
  const sourceNode = (id: string): number => {
    let n = nodeOfTensor.get(id);
    if (n === undefined) {
      n = nodes.length;
      nodes.push({ index: n, source: ctx.tensor(id), followers: [] });
      nodeOfTensor.set(id, n);
      order.set(id, -1);
    }
    return n;
  };
  ops.forEach((op, position) => {
    for (const id of op.inputs) if (!nodeOfTensor.has(id)) sourceNode(id);
    let target: number;
    if (isFollowKind(op)) {
      const p = primaryInput(op, ctx.tensor, (id) => order.get(id) ?? -1);
      if (p >= 0) {
        target = nodeOfTensor.get(op.inputs[p]) as number;
        nodes[target].followers.push({ op, primary: p });
      } else {
        target = nodes.length;
        nodes.push({ index: target, anchor: op, followers: [] });
      }
    } else {
      target = nodes.length;
      nodes.push({ index: target, anchor: op, followers: [] });
    }
    for (const id of op.outputs) { nodeOfTensor.set(id, target); order.set(id, position); }
  });
  return { nodes, nodeOfTensor };
}

/**
 * The model's layer graph, laid out in a worker: ops grouped into layers (embedding, blocks, head) and, inside each
 * group, a layered layout — rank = longest path from the group's inputs, ops of one rank side by side. Pure.
 */
import { indexGraph, structuralHash } from '../../workers/core/ir/hash.ts';
import { groupLayers } from '../../workers/core/ir/layers.ts';
import type { ModelGraph, OpKind } from '../../workers/core/ir/types.ts';

export const NODE_W = 132;
export const NODE_H = 20;
export const GAP_X = 10;
export const GAP_Y = 16;

export interface LaidOp {
  readonly id: string;
  readonly name: string;
  readonly kind: OpKind;
  readonly x: number;
  readonly y: number;
}

export interface LaidGroup {
  readonly name: string;
  readonly kind: 'embedding' | 'block' | 'head';
  /** Structural hash (ir/hash.ts): equal for identical layers, which the planner solves once. */
  readonly hash: string;
  readonly flops: number;
  readonly ops: readonly LaidOp[];
  /** Producer -> consumer pairs inside the group, as indices into ops. */
  readonly edges: readonly (readonly [number, number])[];
  readonly width: number;
  readonly height: number;
}

export interface GraphLayout {
  readonly graphName: string;
  readonly groups: readonly LaidGroup[];
}

export function layoutGraph(graph: Pick<ModelGraph, 'name' | 'ops' | 'tensors'>): GraphLayout {
  const byId = new Map(graph.ops.map((o) => [o.id, o]));
  const index = indexGraph(graph);
  const groups = groupLayers(graph).map((g): LaidGroup => {
    const ops = g.opIds.map((id) => byId.get(id)!);
    const producer = new Map<string, number>();
    ops.forEach((o, i) => { for (const t of o.outputs) producer.set(t, i); });
    const rank = new Array<number>(ops.length).fill(0);
    const edges: [number, number][] = [];
    ops.forEach((o, i) => {
      for (const t of o.inputs) {
        const p = producer.get(t);
        if (p === undefined || p >= i) continue;
        edges.push([p, i]);
        rank[i] = Math.max(rank[i], rank[p] + 1);
      }
    });
    const perRank: number[] = [];
    const laid = ops.map((o, i) => {
      const column = perRank[rank[i]] ?? 0;
      perRank[rank[i]] = column + 1;
      return { id: o.id, name: o.name, kind: o.kind, x: column * (NODE_W + GAP_X), y: rank[i] * (NODE_H + GAP_Y) };
    });
    const columns = Math.max(1, ...perRank.filter((n) => n !== undefined));
    return {
      name: g.name, kind: g.kind, hash: structuralHash(graph, g.opIds, index), flops: ops.reduce((s, o) => s + o.flops, 0), ops: laid, edges,
      width: columns * (NODE_W + GAP_X) - GAP_X, height: perRank.length * (NODE_H + GAP_Y) - GAP_Y,
    };
  });
  return { graphName: graph.name, groups };
}

/** A run of consecutive groups: several identical blocks (same structural hash), or one group on its own. */
export interface GroupRun {
  readonly first: number;
  readonly count: number;
}

export function groupRuns(groups: readonly LaidGroup[]): GroupRun[] {
  const runs: GroupRun[] = [];
  groups.forEach((g, i) => {
    const last = runs[runs.length - 1];
    const prev = groups[i - 1];
    if (last && prev && g.kind === 'block' && prev.kind === 'block' && prev.hash === g.hash) runs[runs.length - 1] = { first: last.first, count: last.count + 1 };
    else runs.push({ first: i, count: 1 });
  });
  return runs;
}

/**
 * The layer graph's shape as the view consumes it (node size, laid-out groups) and the folding of identical layers.
 * The layout itself is computed with ELK in the layout worker (layoutElk.ts), kept out of the main bundle.
 */
import type { OpKind } from '../../workers/core/ir/types.ts';

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

export interface EdgePoint {
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
  /** ELK's route of each edge (same order as edges): start point, bend points, end point; absent: draw straight. */
  readonly routes?: readonly (readonly EdgePoint[])[];
  readonly width: number;
  readonly height: number;
}

export interface GraphLayout {
  readonly graphName: string;
  readonly groups: readonly LaidGroup[];
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

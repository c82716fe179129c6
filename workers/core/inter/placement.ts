/**
 * Placement of stage sub-meshes on the physical cluster (alpa.md §3 "Placement"): largest first; multi-node
 * sub-meshes take whole free nodes, (1, k) sub-meshes fill nodes left to right. Power-of-two (1, k) shapes that
 * sum to whole nodes always pack this way (App. A).
 */
import type { SubMesh } from '../cluster/types.ts';
import type { MeshSpace, SubmeshChoice } from './stageCosts.ts';

export class PlacementError extends Error {}

export function placeSubmeshes(space: MeshSpace, submeshes: readonly SubmeshChoice[]): SubMesh[] {
  const free = space.groups.map((g) => new Array<number>(g.nodes).fill(g.gpusPerNode));
  const order = submeshes.map((_, i) => i).sort((a, b) => submeshes[b].devices - submeshes[a].devices || a - b);
  const out: SubMesh[] = new Array(submeshes.length);
  for (const i of order) {
    const s = submeshes[i];
    const g = space.groups[s.group];
    const nodesFree = free[s.group];
    const [nodes, gpus] = s.shape;
    let placed = false;
    if (nodes > 1 || gpus === g.gpusPerNode) {
      for (let n = 0; n + nodes <= g.nodes && !placed; n++) {
        let ok = true;
        for (let k = n; k < n + nodes; k++) if (nodesFree[k] !== g.gpusPerNode) ok = false;
        if (!ok) continue;
        for (let k = n; k < n + nodes; k++) nodesFree[k] = 0;
        out[i] = { nodeStart: g.nodeStart + n, nodes, gpuStart: 0, gpusPerNode: gpus };
        placed = true;
      }
    } else {
      for (let n = 0; n < g.nodes && !placed; n++) {
        if (nodesFree[n] < gpus) continue;
        out[i] = { nodeStart: g.nodeStart + n, nodes: 1, gpuStart: g.gpusPerNode - nodesFree[n], gpusPerNode: gpus };
        nodesFree[n] -= gpus;
        placed = true;
      }
    }
    if (!placed) throw new PlacementError(`cannot place a ${nodes}x${gpus} sub-mesh of ${s.gpu} (stage ${i})`);
  }
  return out;
}

/** Whether two placed sub-meshes sit in one and the same node. */
export function sameNode(a: SubMesh, b: SubMesh): boolean {
  return a.nodes === 1 && b.nodes === 1 && a.nodeStart === b.nodeStart;
}

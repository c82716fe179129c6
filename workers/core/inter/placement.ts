/**
 * Placement of stage sub-meshes on the physical cluster (alpa.md §3 "Placement"): largest first; multi-node
 * sub-meshes take whole free nodes, (1, k) sub-meshes fill nodes left to right. Power-of-two (1, k) shapes that
 * sum to whole nodes always pack this way (App. A).
 */
import { leafAligned } from '../cluster/fabric.ts';
import type { Fabric, SubMesh } from '../cluster/types.ts';
import type { MeshSpace, SubmeshChoice } from './meshSpace.ts';

export class PlacementError extends Error {}

/**
 * In pipeline order, each sub-mesh right after the previous one in its group (a (1, k) mesh in the current node,
 * a multi-node mesh from the next empty node): adjacent stages then share nodes. Null when that leaves a gap.
 */
export function placeInOrder(space: MeshSpace, submeshes: readonly SubmeshChoice[], fabric?: Fabric): SubMesh[] | null {
  const cursor = space.groups.map(() => ({ node: 0, gpu: 0 }));
  const out: SubMesh[] = [];
  for (const s of submeshes) {
    const g = space.groups[s.group];
    const c = cursor[s.group];
    const [nodes, gpus] = s.shape;
    if (c.gpu === g.gpusPerNode) { c.node++; c.gpu = 0; }
    if (nodes > 1 || gpus === g.gpusPerNode) {
      if (c.gpu !== 0 || c.node + nodes > g.nodes || !leafAligned(fabric, g.nodeStart + c.node, nodes)) return null;
      out.push({ nodeStart: g.nodeStart + c.node, nodes, gpuStart: 0, gpusPerNode: gpus });
      c.node += nodes;
    } else {
      if (c.node >= g.nodes || c.gpu + gpus > g.gpusPerNode) return null;
      out.push({ nodeStart: g.nodeStart + c.node, nodes: 1, gpuStart: c.gpu, gpusPerNode: gpus });
      c.gpu += gpus;
    }
  }
  return out;
}

/** Largest first (always succeeds for the DP's shapes); see the module comment. */
export function placeLargestFirst(space: MeshSpace, submeshes: readonly SubmeshChoice[], fabric?: Fabric): SubMesh[] {
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
      // Positions that respect the leaf groups first (cluster/fabric.ts), then any; the first free one wins.
      for (const aligned of [true, false]) {
        for (let n = 0; n + nodes <= g.nodes && !placed; n++) {
          if (leafAligned(fabric, g.nodeStart + n, nodes) !== aligned) continue;
          let ok = true;
          for (let k = n; k < n + nodes && ok; k++) if (nodesFree[k] !== g.gpusPerNode) ok = false;
          if (!ok) continue;
          for (let k = n; k < n + nodes; k++) nodesFree[k] = 0;
          out[i] = { nodeStart: g.nodeStart + n, nodes, gpuStart: 0, gpusPerNode: gpus };
          placed = true;
        }
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

/**
 * The placement the plan uses: in pipeline order when it packs (adjacent stages share nodes, so their transfers
 * stay on NVLink), else largest first.
 */
export function placeSubmeshes(space: MeshSpace, submeshes: readonly SubmeshChoice[], fabric?: Fabric): SubMesh[] {
  const inOrder = placeInOrder(space, submeshes, fabric);
  if (inOrder) return inOrder;
  if (!fabric) return placeLargestFirst(space, submeshes);
  // Leaf-aligned positions first can fragment the nodes (512-node meshes on 384-node pods): then place as if flat.
  try {
    return placeLargestFirst(space, submeshes, fabric);
  } catch (err) {
    if (!(err instanceof PlacementError)) throw err;
    return placeInOrder(space, submeshes) ?? placeLargestFirst(space, submeshes);
  }
}

/**
 * Cluster spec strings shared by every command: `<preset>[:<nodes>x<gpusPerNode>]`, and heterogeneous clusters as
 * parts joined by '+' (`dgx-a100:2x8+dgx-h100:1x8`, nodes in that order). validateCluster checks any Cluster
 * (presets, JSON files, the UI's drawn clusters) and names the node or field at fault.
 */
import { LIMITS } from '../boundary/limits.ts';
import { ownValue } from '../boundary/lookup.ts';
import { echo } from '../boundary/text.ts';
import { CLUSTER_PRESETS, presetCluster } from './presets.ts';
import type { Cluster, ClusterNode } from './types.ts';

export class ClusterSpecError extends Error {
  override name = 'ClusterSpecError';
}

const PART = /^([A-Za-z0-9._-]+?)(?::(\d+)x(\d+))?$/;

function parsePart(part: string): Cluster {
  const m = PART.exec(part.trim());
  if (!m) throw new ClusterSpecError(`bad cluster spec '${echo(part)}': expected <preset>[:<nodes>x<gpusPerNode>], e.g. p3.16xlarge:8x8`);
  const preset = ownValue(CLUSTER_PRESETS, m[1]);
  if (!preset) throw new ClusterSpecError(`unknown cluster preset '${echo(m[1])}' (known: ${Object.keys(CLUSTER_PRESETS).join(', ')})`);
  const nodes = m[2] === undefined ? 1 : Number(m[2]);
  const gpus = m[3] === undefined ? preset.gpusPerNode : Number(m[3]);
  if (nodes < 1 || nodes > preset.maxNodes) {
    throw new ClusterSpecError(`${preset.name}: nodes must be 1..${preset.maxNodes}, got ${nodes}`);
  }
  if (gpus < 1 || gpus > preset.gpusPerNode) {
    throw new ClusterSpecError(`${preset.name}: GPUs per node must be 1..${preset.gpusPerNode}, got ${gpus}`);
  }
  return presetCluster(preset, nodes, gpus);
}

/** Parse `preset[:NxG]` or several joined by '+'. Throws ClusterSpecError naming the bad part. */
export function parseClusterSpec(spec: string): Cluster {
  const parts = spec.split('+').map((p) => p.trim());
  if (parts.some((p) => p === '')) throw new ClusterSpecError(`bad cluster spec '${echo(spec)}': empty part`);
  if (parts.length > LIMITS.gpuGroups.max) {
    throw new ClusterSpecError(`cluster spec has ${parts.length} parts; at most ${LIMITS.gpuGroups.max} (${LIMITS.gpuGroups.reason})`);
  }
  const clusters = parts.map(parsePart);
  const nodeCount = clusters.reduce((n, c) => n + c.nodes.length, 0);
  if (nodeCount > LIMITS.nodes.max) {
    throw new ClusterSpecError(`cluster spec '${echo(spec)}' has ${nodeCount} nodes; at most ${LIMITS.nodes.max} (${LIMITS.nodes.reason})`);
  }
  if (clusters.length === 1) return clusters[0];
  // Heterogeneous: each node keeps its own NVLink; between nodes the slowest NIC sets the pace.
  const nodes: ClusterNode[] = clusters.flatMap((c) => c.nodes.map((n) => ({ ...n, intraNode: c.intraNode })));
  const interNode = clusters.map((c) => c.interNode)
    .reduce((a, b) => (b.bandwidthBytesPerSecond < a.bandwidthBytesPerSecond ? b : a));
  // One fabric for the whole cluster: the first part's that names one (leaf groups count nodes from node 0).
  const fabric = clusters.find((c) => c.fabric)?.fabric;
  return { name: clusters.map((c) => c.name).join('+'), nodes, intraNode: clusters[0].intraNode, interNode, ...(fabric ? { fabric } : {}) };
}

export { validateCluster } from './validate.ts';

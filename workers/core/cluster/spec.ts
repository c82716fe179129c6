/**
 * Cluster spec strings shared by every command: `<preset>[:<nodes>x<gpusPerNode>]`, and heterogeneous clusters as
 * parts joined by '+' (`dgx-a100:2x8+dgx-h100:1x8`, nodes in that order). validateCluster checks any Cluster
 * (presets, JSON files, the UI's drawn clusters) and names the node or field at fault.
 */
import { CLUSTER_PRESETS, GPU_PRESETS, presetCluster } from './presets.ts';
import type { Cluster, ClusterNode, GpuSpec, Link } from './types.ts';

export class ClusterSpecError extends Error {
  override name = 'ClusterSpecError';
}

const PART = /^([A-Za-z0-9._-]+?)(?::(\d+)x(\d+))?$/;

function parsePart(part: string): Cluster {
  const m = PART.exec(part.trim());
  if (!m) throw new ClusterSpecError(`bad cluster spec '${part}': expected <preset>[:<nodes>x<gpusPerNode>], e.g. p3.16xlarge:8x8`);
  const preset = CLUSTER_PRESETS[m[1]];
  if (!preset) throw new ClusterSpecError(`unknown cluster preset '${m[1]}' (known: ${Object.keys(CLUSTER_PRESETS).join(', ')})`);
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
  if (parts.some((p) => p === '')) throw new ClusterSpecError(`bad cluster spec '${spec}': empty part`);
  const clusters = parts.map(parsePart);
  if (clusters.length === 1) return clusters[0];
  // Heterogeneous: each node keeps its own NVLink; between nodes the slowest NIC sets the pace.
  const nodes: ClusterNode[] = clusters.flatMap((c) => c.nodes.map((n) => ({ ...n, intraNode: c.intraNode })));
  const interNode = clusters.map((c) => c.interNode)
    .reduce((a, b) => (b.bandwidthBytesPerSecond < a.bandwidthBytesPerSecond ? b : a));
  // One fabric for the whole cluster: the first part's that names one (leaf groups count nodes from node 0).
  const fabric = clusters.find((c) => c.fabric)?.fabric;
  return { name: clusters.map((c) => c.name).join('+'), nodes, intraNode: clusters[0].intraNode, interNode, ...(fabric ? { fabric } : {}) };
}

function checkLink(where: string, link: Link | undefined, out: string[]): void {
  if (!link) { out.push(`${where}: missing`); return; }
  if (!(link.bandwidthBytesPerSecond > 0)) out.push(`${where}.bandwidthBytesPerSecond must be positive, got ${link.bandwidthBytesPerSecond}`);
  if (!(link.latencySeconds >= 0)) out.push(`${where}.latencySeconds must be >= 0, got ${link.latencySeconds}`);
  if (link.floorSeconds !== undefined && !(link.floorSeconds >= 0)) out.push(`${where}.floorSeconds must be >= 0, got ${link.floorSeconds}`);
  for (const [kind, eff] of Object.entries(link.collectiveEfficiency ?? {})) {
    if (!(eff! > 0)) out.push(`${where}.collectiveEfficiency.${kind} must be positive, got ${eff}`);
  }
}

function checkGpuSpec(where: string, g: GpuSpec, out: string[]): void {
  for (const [dtype, flops] of Object.entries(g.peakFlopsPerSecond ?? {})) {
    if (!(flops > 0)) out.push(`${where}.peakFlopsPerSecond.${dtype} must be positive, got ${flops}`);
  }
  if (!(g.hbmBytes > 0)) out.push(`${where}.hbmBytes must be positive, got ${g.hbmBytes}`);
  if (!(g.hbmBandwidthBytesPerSecond > 0)) out.push(`${where}.hbmBandwidthBytesPerSecond must be positive, got ${g.hbmBandwidthBytesPerSecond}`);
  if (!(g.memoryEfficiency > 0 && g.memoryEfficiency <= 1)) out.push(`${where}.memoryEfficiency must be in (0, 1], got ${g.memoryEfficiency}`);
  if (!g.matmulEfficiency?.points?.length) out.push(`${where}.matmulEfficiency needs at least one point`);
  if (!(g.launchSeconds >= 0)) out.push(`${where}.launchSeconds must be >= 0, got ${g.launchSeconds}`);
}

/** Problems of a cluster, one message each naming the node or field; empty when the cluster is usable. */
export function validateCluster(c: Cluster): string[] {
  const out: string[] = [];
  if (!c.nodes || c.nodes.length === 0) out.push('cluster has no nodes');
  for (const [name, g] of Object.entries(c.gpuSpecs ?? {})) checkGpuSpec(`gpuSpecs['${name}']`, g, out);
  (c.nodes ?? []).forEach((n, i) => {
    if (!Number.isInteger(n.gpus) || n.gpus <= 0) out.push(`node ${i}: gpus must be a positive integer, got ${n.gpus}`);
    if (!c.gpuSpecs?.[n.gpu] && !GPU_PRESETS[n.gpu]) {
      out.push(`node ${i}: unknown GPU type '${n.gpu}' (presets: ${Object.keys(GPU_PRESETS).join(', ')}; or define it in gpuSpecs)`);
    }
    if (n.intraNode) checkLink(`node ${i}: intraNode`, n.intraNode, out);
  });
  checkLink('intraNode', c.intraNode, out);
  if ((c.nodes?.length ?? 0) > 1) checkLink('interNode', c.interNode, out);
  if (c.fabric) {
    const f = c.fabric;
    if (!Number.isInteger(f.nodesPerLeaf) || f.nodesPerLeaf < 1) out.push(`fabric.nodesPerLeaf must be a positive integer, got ${f.nodesPerLeaf}`);
    if (!(f.spineOversubscription >= 1)) out.push(`fabric.spineOversubscription must be >= 1, got ${f.spineOversubscription}`);
    if (!(f.spineLatencySeconds >= 0)) out.push(`fabric.spineLatencySeconds must be >= 0, got ${f.spineLatencySeconds}`);
  }
  return out;
}

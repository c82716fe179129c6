/**
 * Cluster edits the Cluster panel makes: each takes a Cluster and returns a new one (plain data, no mutation).
 * Presets and GPU specs are data from workers/core/cluster/presets.ts (no pass runs here).
 */
import { A100_NVLINK, CLUSTER_PRESETS, GPU_PRESETS, H100_NVLINK, NVL72_NVLINK, V100_NVLINK, presetCluster } from '../../workers/core/cluster/presets.ts';
import type { Cluster, ClusterNode, Link } from '../../workers/core/cluster/types.ts';
import { inRange, LIMITS } from '../../workers/core/boundary/limits.ts';

/** The cluster presets the panel offers: the paper's p3.16xlarge x 1/2/4/8, one DGX-A100, one DGX-H100, and the
 * training scale of 2026: a DGX-H100 SuperPOD of 128 and 2,048 nodes, Meta's Llama 3 RoCE cluster at 16,384 GPUs,
 * one GB200 NVL72 rack. */
export const CLUSTER_MENU: readonly { readonly label: string; readonly preset: string; readonly nodes: number }[] = [
  { label: 'p3.16xlarge x1', preset: 'p3.16xlarge', nodes: 1 },
  { label: 'p3.16xlarge x2', preset: 'p3.16xlarge', nodes: 2 },
  { label: 'p3.16xlarge x4', preset: 'p3.16xlarge', nodes: 4 },
  { label: 'p3.16xlarge x8', preset: 'p3.16xlarge', nodes: 8 },
  { label: 'DGX-A100', preset: 'dgx-a100', nodes: 1 },
  { label: 'DGX-H100', preset: 'dgx-h100', nodes: 1 },
  { label: 'DGX-H100 SuperPOD x128 (1,024 GPUs)', preset: 'dgx-h100-superpod', nodes: 128 },
  { label: 'DGX-H100 SuperPOD x2048 (16,384 GPUs)', preset: 'dgx-h100-superpod', nodes: 2048 },
  { label: 'Llama 3 RoCE H100 x2048 (16,384 GPUs)', preset: 'llama3-h100-roce', nodes: 2048 },
  { label: 'GB200 NVL72 rack (72 GPUs)', preset: 'gb200-nvl72', nodes: 1 },
];

export const GPU_TYPES: readonly string[] = Object.keys(GPU_PRESETS);

/** A GB200 NVL72 rack is one node of 72 GPUs; 2,048 nodes x 8 = 16,384 GPUs (the planner's range). */
export const MAX_GPUS_PER_NODE = 72;
export const MAX_NODES = 2048;

export function presetByLabel(label: string): Cluster {
  const m = CLUSTER_MENU.find((p) => p.label === label) ?? CLUSTER_MENU[0];
  const p = CLUSTER_PRESETS[m.preset];
  return presetCluster(p, m.nodes, p.gpusPerNode);
}

/** The NVLink of a GPU type, used as a node's own link when its type differs from the cluster's first node. */
export function nvlinkOf(gpu: string): Link {
  if (gpu.startsWith('V100')) return V100_NVLINK;
  if (gpu.startsWith('A100')) return A100_NVLINK;
  if (gpu === 'B200') return NVL72_NVLINK;
  return H100_NVLINK;
}

/** A name that says what the cluster is: the preset form when homogeneous ('p3.16xlarge:2x8'), else a list. */
export function clusterName(nodes: readonly ClusterNode[], base: string): string {
  const first = nodes[0];
  const homogeneous = first && nodes.every((n) => n.gpu === first.gpu && n.gpus === first.gpus);
  const prefix = base.split(/[:+]/)[0] || 'custom';
  if (homogeneous) return `${prefix}:${nodes.length}x${first.gpus}`;
  return nodes.map((n) => `${n.gpu}x${n.gpus}`).join('+');
}

function withNodes(c: Cluster, nodes: ClusterNode[]): Cluster {
  // A node of another GPU type than node 0 keeps its own NVLink (heterogeneous clusters).
  const base = nodes[0]?.gpu;
  const linked = nodes.map((n) => {
    const { intraNode: _drop, ...rest } = n;
    return n.gpu === base ? rest : { ...rest, intraNode: nvlinkOf(n.gpu) };
  });
  return { ...c, nodes: linked, name: clusterName(linked, c.name) };
}

export function addNode(c: Cluster): Cluster {
  const last = c.nodes[c.nodes.length - 1] ?? { gpu: 'V100-16GB', gpus: 8 };
  if (c.nodes.length >= MAX_NODES) return c;
  return withNodes(c, [...c.nodes, { gpu: last.gpu, gpus: last.gpus }]);
}

export function removeNode(c: Cluster, index: number): Cluster {
  if (c.nodes.length <= 1) return c;
  return withNodes(c, c.nodes.filter((_, i) => i !== index));
}

export function setNodeGpus(c: Cluster, index: number, gpus: number): Cluster {
  const n = Math.max(1, Math.min(MAX_GPUS_PER_NODE, Math.round(gpus)));
  return withNodes(c, c.nodes.map((node, i) => (i === index ? { ...node, gpus: n } : node)));
}

export function setNodeGpu(c: Cluster, index: number, gpu: string): Cluster {
  const nodes = c.nodes.map((node, i) => (i === index ? { ...node, gpu } : node));
  // Changing node 0's type changes the cluster's base NVLink too.
  const intraNode = index === 0 ? nvlinkOf(gpu) : c.intraNode;
  return withNodes({ ...c, intraNode }, nodes);
}

/** `nodes` nodes, each like the last one (clamped to 1..MAX_NODES): the Learn region's node-count knob. */
export function setNodeCount(c: Cluster, nodes: number): Cluster {
  const n = Math.max(1, Math.min(MAX_NODES, Math.round(nodes)));
  const last = c.nodes[c.nodes.length - 1] ?? { gpu: 'V100-16GB', gpus: 8 };
  const kept = c.nodes.slice(0, n);
  return withNodes(c, [...kept, ...Array.from({ length: n - kept.length }, () => ({ gpu: last.gpu, gpus: last.gpus }))]);
}

/** Every node with `gpus` GPUs (clamped to 1..MAX_GPUS_PER_NODE): the Learn region's GPUs-per-node knob. */
export function setGpusPerNode(c: Cluster, gpus: number): Cluster {
  const n = Math.max(1, Math.min(MAX_GPUS_PER_NODE, Math.round(gpus)));
  return withNodes(c, c.nodes.map((node) => ({ ...node, gpus: n })));
}

export function setIntraBandwidth(c: Cluster, bytesPerSecond: number): Cluster {
  return { ...c, intraNode: { ...c.intraNode, bandwidthBytesPerSecond: bytesPerSecond }, nodes: c.nodes.map(({ intraNode: _d, ...n }) => n) };
}

export function setInterBandwidth(c: Cluster, bytesPerSecond: number): Cluster {
  return { ...c, interNode: { ...c.interNode, bandwidthBytesPerSecond: bytesPerSecond } };
}

/** Global device index of (node, gpu): devices are numbered node by node, as Stage.devices counts them. */
export function deviceOffsets(c: Cluster): number[] {
  const out: number[] = [];
  let base = 0;
  for (const n of c.nodes) { out.push(base); base += n.gpus; }
  return out;
}

export const totalGpus = (c: Cluster): number => c.nodes.reduce((s, n) => s + n.gpus, 0);

/** Consecutive nodes of one GPU type and count, as the panel lists a large cluster. */
export function nodeRuns(c: Cluster): { start: number; count: number; gpu: string; gpus: number }[] {
  const out: { start: number; count: number; gpu: string; gpus: number }[] = [];
  c.nodes.forEach((n, i) => {
    const last = out[out.length - 1];
    if (last && last.gpu === n.gpu && last.gpus === n.gpus) last.count++;
    else out.push({ start: i, count: 1, gpu: n.gpu, gpus: n.gpus });
  });
  return out;
}

export function hbmBytesOf(gpu: string): number | undefined {
  return GPU_PRESETS[gpu]?.hbmBytes;
}

/** The units the page's bandwidth fields are in: GB/s inside a node, Gbit/s between nodes. */
export const BANDWIDTH_UNITS = { 'GB/s': 1e9, 'Gbit/s': 1e9 / 8 } as const;
export type BandwidthUnit = keyof typeof BANDWIDTH_UNITS;

/**
 * A bandwidth field's text in bytes per second, or why it cannot be used, naming the field: empty, not a number, or
 * outside the planner's range for links (LIMITS.bandwidthBytesPerSecond; 1e400 reads as Infinity and is out of it).
 */
export function parseBandwidth(field: string, text: string, unit: BandwidthUnit): { ok: true; bytesPerSecond: number } | { ok: false; reason: string } {
  const t = text.trim();
  const per = BANDWIDTH_UNITS[unit];
  const range = LIMITS.bandwidthBytesPerSecond;
  const n = Number(t);
  if (t === '' || Number.isNaN(n)) return { ok: false, reason: `${field}: '${t}' is not a number` };
  if (inRange(n * per, range)) return { ok: true, bytesPerSecond: n * per };
  const shown = (v: number) => Number((v / per).toPrecision(3)).toLocaleString('en-US', { maximumFractionDigits: 3 });
  return { ok: false, reason: `${field}: ${t} ${unit} is out of range; it must be between ${shown(range.min)} and ${shown(range.max)} ${unit}: ${range.reason}` };
}

/** A whole-number field's text (nodes, GPUs per node, global batch), or why it cannot be used, naming the field. */
export function parseCount(field: string, text: string, min: number, max: number): { ok: true; value: number } | { ok: false; reason: string } {
  const t = text.trim();
  const n = Number(t);
  if (t === '' || Number.isNaN(n)) return { ok: false, reason: `${field}: '${t}' is not a number` };
  if (Number.isInteger(n) && n >= min && n <= max) return { ok: true, value: n };
  return { ok: false, reason: `${field}: ${t} is out of range; it must be a whole number from ${min} to ${max.toLocaleString('en-US')}` };
}

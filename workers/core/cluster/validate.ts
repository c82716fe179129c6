/**
 * The one check of a Cluster at the boundary (CLI presets and JSON files, the page's editor and share URLs): the
 * JSON's shape (zod), then every number against its range in boundary/limits.ts, each problem naming the node or
 * field. A cluster that passes plans with finite costs: no zero bandwidth, no 1e308 latency, no 1e-300 peak.
 */
import { z } from 'zod';
import { LIMITS, rangeProblem, type Range } from '../boundary/limits.ts';
import { echo, summarise } from '../boundary/text.ts';
import { GPU_PRESETS } from './presets.ts';
import { lookupGpuSpec } from './topology.ts';
import type { Cluster, GpuSpec, Link } from './types.ts';

const COLLECTIVES = ['all-reduce', 'all-gather', 'reduce-scatter', 'all-to-all', 'send-recv'] as const;
const collectiveEfficiency = z.object(Object.fromEntries(COLLECTIVES.map((k) => [k, z.number()])) as Record<(typeof COLLECTIVES)[number], z.ZodNumber>).partial().strict();
const link = z.object({
  bandwidthBytesPerSecond: z.number(), latencySeconds: z.number(), floorSeconds: z.number().optional(),
  collectiveEfficiency: collectiveEfficiency.optional(),
});
const curve = z.object({ points: z.array(z.tuple([z.number(), z.number()])).min(1).max(64) });
const gpuSpec = z.object({
  name: z.string().max(200),
  peakFlopsPerSecond: z.object({ f32: z.number(), tf32: z.number(), f16: z.number(), bf16: z.number() }),
  hbmBytes: z.number(),
  hbmBandwidthBytesPerSecond: z.number(),
  memoryEfficiency: z.number(),
  matmulEfficiency: curve,
  launchSeconds: z.number(),
  intraNodeBandwidthBytesPerSecond: z.number(),
  fusedMemoryEfficiency: z.number().optional(),
  softmaxMemoryEfficiency: z.number().optional(),
  matmulTiling: z.object({
    tileM: z.number(), tileN: z.number(), multiprocessors: z.number(), kOverheadElements: z.number(), efficiency: curve,
  }).optional(),
});
/** The JSON form of a Cluster (types.ts). Node and GPU-spec counts are capped here so that a 100,000-node file
 * stops at its count instead of being checked node by node. */
export const clusterSchema = z.object({
  name: z.string().max(1000),
  nodes: z.array(z.object({ gpu: z.string().max(200), gpus: z.number(), intraNode: link.optional() })).max(LIMITS.nodes.max, {
    message: `at most ${LIMITS.nodes.max.toLocaleString('en-US')} nodes (${LIMITS.nodes.reason})`,
  }),
  gpuSpecs: z.record(z.string().max(200), gpuSpec).optional(),
  intraNode: link,
  interNode: link,
  fabric: z.object({ nodesPerLeaf: z.number(), spineOversubscription: z.number(), spineLatencySeconds: z.number() }).optional(),
});

/** Largest cluster JSON read: 2,048 nodes each with its own link and a few GPU specs are well under 4 MiB. */
export const MAX_CLUSTER_JSON_BYTES = 4 * 2 ** 20;

/** Where in the JSON a zod issue points, as `nodes[2].gpus`. */
function issuePath(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i ? '.' : ''}${echo(String(p), 40)}`)).join('') || '(root)';
}

export type ClusterParse = { readonly ok: true; readonly cluster: Cluster } | { readonly ok: false; readonly message: string };

/** A Cluster from parsed JSON (a file, a share URL): shape, then ranges; the message summarises the problems. */
export function clusterFromValue(value: unknown): ClusterParse {
  const parsed = clusterSchema.safeParse(value);
  if (!parsed.success) {
    return { ok: false, message: summarise(parsed.error.issues.map((i) => `${issuePath(i.path)}: ${i.message}`), 3) };
  }
  const cluster = parsed.data as Cluster;
  const problems = validateCluster(cluster);
  return problems.length ? { ok: false, message: summarise(problems) } : { ok: true, cluster };
}

function check(out: string[], where: string, value: unknown, range: Range): void {
  const p = rangeProblem(where, value, range);
  if (p) out.push(p);
}

function checkLink(where: string, l: Link | undefined, out: string[]): void {
  if (!l || typeof l !== 'object') { out.push(`${where}: missing`); return; }
  check(out, `${where}.bandwidthBytesPerSecond`, l.bandwidthBytesPerSecond, LIMITS.bandwidthBytesPerSecond);
  check(out, `${where}.latencySeconds`, l.latencySeconds, LIMITS.latencySeconds);
  if (l.floorSeconds !== undefined) check(out, `${where}.floorSeconds`, l.floorSeconds, LIMITS.latencySeconds);
  for (const kind of COLLECTIVES) {
    const eff = l.collectiveEfficiency?.[kind];
    if (eff !== undefined) check(out, `${where}.collectiveEfficiency.${kind}`, eff, LIMITS.collectiveEfficiency);
  }
}

function checkCurve(where: string, points: readonly (readonly [number, number])[] | undefined, out: string[]): void {
  if (!points?.length) { out.push(`${where} needs at least one point`); return; }
  points.forEach(([x, y], k) => {
    check(out, `${where}.points[${k}][0]`, x, LIMITS.log10Flops);
    check(out, `${where}.points[${k}][1]`, y, LIMITS.efficiency);
  });
}

function checkGpuSpec(where: string, g: GpuSpec, out: string[]): void {
  for (const dtype of ['f32', 'tf32', 'f16', 'bf16'] as const) check(out, `${where}.peakFlopsPerSecond.${dtype}`, g.peakFlopsPerSecond?.[dtype], LIMITS.peakFlopsPerSecond);
  check(out, `${where}.hbmBytes`, g.hbmBytes, LIMITS.hbmBytes);
  check(out, `${where}.hbmBandwidthBytesPerSecond`, g.hbmBandwidthBytesPerSecond, LIMITS.hbmBandwidthBytesPerSecond);
  check(out, `${where}.memoryEfficiency`, g.memoryEfficiency, LIMITS.efficiency);
  for (const k of ['fusedMemoryEfficiency', 'softmaxMemoryEfficiency'] as const) if (g[k] !== undefined) check(out, `${where}.${k}`, g[k], LIMITS.efficiency);
  checkCurve(`${where}.matmulEfficiency`, g.matmulEfficiency?.points, out);
  check(out, `${where}.launchSeconds`, g.launchSeconds, LIMITS.launchSeconds);
  check(out, `${where}.intraNodeBandwidthBytesPerSecond`, g.intraNodeBandwidthBytesPerSecond, LIMITS.bandwidthBytesPerSecond);
  const t = g.matmulTiling;
  if (t) {
    for (const k of ['tileM', 'tileN', 'multiprocessors'] as const) check(out, `${where}.matmulTiling.${k}`, t[k], LIMITS.tile);
    check(out, `${where}.matmulTiling.kOverheadElements`, t.kOverheadElements, LIMITS.kOverheadElements);
    checkCurve(`${where}.matmulTiling.efficiency`, t.efficiency?.points, out);
  }
}

/** The GPU spec a node names: the cluster's own (own keys only), else a preset; undefined when neither has it. */
/** Problems of a cluster, one message each naming the node or field; empty when the cluster is usable. */
export function validateCluster(c: Cluster): string[] {
  const out: string[] = [];
  const nodes = Array.isArray(c.nodes) ? c.nodes : [];
  if (nodes.length === 0) return ['cluster has no nodes'];
  if (nodes.length > LIMITS.nodes.max) {
    return [`cluster has ${nodes.length.toLocaleString('en-US')} nodes; at most ${LIMITS.nodes.max.toLocaleString('en-US')} (${LIMITS.nodes.reason})`];
  }
  for (const name of Object.keys(c.gpuSpecs ?? {})) checkGpuSpec(`gpuSpecs['${echo(name, 40)}']`, c.gpuSpecs![name], out);
  let total = 0;
  let groups = 0;
  nodes.forEach((n, i) => {
    check(out, `node ${i}: gpus`, n.gpus, LIMITS.gpusPerNode);
    if (Number.isFinite(n.gpus)) total += n.gpus;
    if (i === 0 || n.gpu !== nodes[i - 1].gpu || n.gpus !== nodes[i - 1].gpus) groups++;
    if (!lookupGpuSpec(c, n.gpu)) {
      out.push(`node ${i}: unknown GPU type '${echo(n.gpu, 40)}' (presets: ${Object.keys(GPU_PRESETS).join(', ')}; or define it in gpuSpecs)`);
    }
    if (n.intraNode) checkLink(`node ${i}: intraNode`, n.intraNode, out);
  });
  if (total > LIMITS.totalGpus.max) out.push(`cluster has ${total.toLocaleString('en-US')} GPUs; at most ${LIMITS.totalGpus.max.toLocaleString('en-US')} (${LIMITS.totalGpus.reason})`);
  if (groups > LIMITS.gpuGroups.max) {
    out.push(`cluster has ${groups} groups of consecutive nodes with one GPU type and count; at most ${LIMITS.gpuGroups.max} (${LIMITS.gpuGroups.reason}): order the nodes by type`);
  }
  checkLink('intraNode', c.intraNode, out);
  if (nodes.length > 1) checkLink('interNode', c.interNode, out);
  if (c.fabric) {
    check(out, 'fabric.nodesPerLeaf', c.fabric.nodesPerLeaf, LIMITS.nodes);
    check(out, 'fabric.spineOversubscription', c.fabric.spineOversubscription, LIMITS.spineOversubscription);
    check(out, 'fabric.spineLatencySeconds', c.fabric.spineLatencySeconds, LIMITS.latencySeconds);
  }
  return out;
}

/**
 * A measured cluster profile (tools/profile-cluster/profile.py writes it) as a Cluster: the preset GPU whose name
 * the profiled GPU's matches, with its GEMM curve, 32-bit peaks, HBM efficiencies, launch cost and multiprocessor
 * count fitted to the measurements (profileFit.ts), and, when the profile has collective curves, the intra-node
 * link fitted to them; without curves (one GPU) the preset's link figures are kept and the notes say so. The CLI
 * (`--cluster profile.json`) and the page's Cluster panel both import through clusterFromProfile.
 */
import { CLUSTER_PRESETS, GPU_PRESETS } from '../cluster/presets.ts';
import {
  DTYPE_OF, fitBandwidth, fitLink, fitMatmul, fitPoints, type FitPoint, type ProfileBandwidth, type ProfileCollective, type ProfileMatmul,
} from './profileFit.ts';
import type { Cluster, GpuSpec } from '../cluster/types.ts';

export const CLUSTER_PROFILE_FORMAT = 'meshplan.cluster-profile';

export interface ClusterProfile {
  readonly format: typeof CLUSTER_PROFILE_FORMAT;
  readonly version: number;
  readonly gpu: { readonly name: string; readonly multiprocessors: number; readonly memoryBytes: number; readonly count: number };
  readonly launchSeconds: number;
  readonly bandwidth: readonly ProfileBandwidth[];
  readonly matmul: readonly ProfileMatmul[];
  readonly collectives:
    | { readonly absent: true; readonly reason: string }
    | { readonly absent: false; readonly gpusPerNode: number; readonly nodes: number; readonly rows: readonly ProfileCollective[] };
}

export interface ProfiledCluster {
  readonly cluster: Cluster;
  readonly gpu: GpuSpec;
  /** The preset the fit started from. */
  readonly basePreset: string;
  readonly notes: readonly string[];
  readonly points: readonly FitPoint[];
}

/** Whether parsed JSON claims to be a profile (the CLI and the page route cluster files on this). */
export function isClusterProfile(data: unknown): boolean {
  return typeof data === 'object' && data !== null && (data as { format?: unknown }).format === CLUSTER_PROFILE_FORMAT;
}

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Checks the fields the fit reads; the first problem as 'where: what'. */
export function checkClusterProfile(data: unknown): string | undefined {
  if (!isClusterProfile(data)) return `format is not "${CLUSTER_PROFILE_FORMAT}"`;
  const p = data as Record<string, unknown>;
  const gpu = p.gpu as Record<string, unknown> | undefined;
  if (!gpu || typeof gpu.name !== 'string') return 'gpu.name: missing';
  for (const k of ['multiprocessors', 'memoryBytes', 'count']) if (!isNum(gpu[k]) || (gpu[k] as number) <= 0) return `gpu.${k}: not a positive number`;
  if (!isNum(p.launchSeconds) || p.launchSeconds < 0) return 'launchSeconds: not a non-negative number';
  for (const [key, fields] of [['matmul', ['m', 'n', 'k', 's']], ['bandwidth', ['mib', 's', 'gbps']]] as const) {
    const rows = p[key];
    if (!Array.isArray(rows)) return `${key}: not a list`;
    for (let i = 0; i < rows.length; i++) {
      for (const f of fields) if (!isNum(rows[i]?.[f]) || rows[i][f] <= 0) return `${key}[${i}].${f}: not a positive number`;
    }
  }
  const c = p.collectives as Record<string, unknown> | undefined;
  if (!c || typeof c.absent !== 'boolean') return 'collectives.absent: missing';
  if (!c.absent) {
    if (!Array.isArray(c.rows)) return 'collectives.rows: not a list';
    for (let i = 0; i < c.rows.length; i++) {
      const r = c.rows[i];
      if (!['all-reduce', 'all-gather', 'reduce-scatter', 'all-to-all', 'send-recv'].includes(r?.op)) return `collectives.rows[${i}].op: unknown '${r?.op}'`;
      for (const f of ['group', 'bytes', 's']) if (!isNum(r[f]) || r[f] <= 0) return `collectives.rows[${i}].${f}: not a positive number`;
    }
  }
  return undefined;
}

/** The preset GPU a profiled device name stands for ('NVIDIA H100 80GB HBM3' -> 'H100-SXM'). */
export function basePresetFor(name: string): string | undefined {
  const n = name.toUpperCase();
  if (n.includes('H200')) return 'H200';
  if (n.includes('H100')) return 'H100-SXM';
  if (n.includes('A100')) return n.includes('40GB') ? 'A100-40GB' : 'A100-80GB';
  if (n.includes('V100')) return 'V100-16GB';
  return undefined;
}

const CLUSTER_OF_GPU: Readonly<Record<string, string>> = { 'H100-SXM': 'dgx-h100', H200: 'dgx-h100', 'A100-80GB': 'dgx-a100', 'A100-40GB': 'dgx-a100', 'V100-16GB': 'p3.16xlarge' };

/** The fitted Cluster, or why the profile cannot be used. */
export function clusterFromProfile(p: ClusterProfile): ProfiledCluster | string {
  const problem = checkClusterProfile(p);
  if (problem) return problem;
  const basePreset = basePresetFor(p.gpu.name);
  if (!basePreset) return `gpu.name: no preset for '${p.gpu.name}' to start the fit from (H100, H200, A100, V100)`;
  const base = GPU_PRESETS[basePreset];
  const clusterPreset = CLUSTER_PRESETS[CLUSTER_OF_GPU[basePreset]];
  // Short: the Cluster panel shows it in a node's GPU menu; the device's own name is in the first note.
  const name = `${basePreset} (profiled)`;
  const start: GpuSpec = {
    ...base, name, hbmBytes: p.gpu.memoryBytes, launchSeconds: p.launchSeconds,
    matmulTiling: base.matmulTiling ? { ...base.matmulTiling, multiprocessors: p.gpu.multiprocessors } : undefined,
  };
  // Memory-bound kernels as XLA fusions when the profile has them (what --runtime xla plans run), else as framework
  // kernels (PyTorch's softmax and layer norm reach about half the bandwidth XLA's fusions do on the same rows).
  // XLA rows timed one synchronised call at a time (profile.py before 2026-12-06) time the dispatch too: left out.
  const xlaRows = p.bandwidth.filter((r) => r.framework === 'xla');
  const xla = xlaRows.filter((r) => r.timing === 'back-to-back');
  const kept = xla.length ? xla : p.bandwidth.filter((r) => r.framework !== 'xla');
  const kernels = kept;
  const gpu = fitBandwidth(start.matmulTiling ? fitMatmul(start, p.matmul) : start, kernels);
  const notes: string[] = [`${p.gpu.name} x${p.gpu.count}: fitted from the ${basePreset} preset's datasheet peaks and GEMM tiling`];
  const unknownDtypes = [...new Set(p.matmul.map((r) => r.dtype).filter((d) => !DTYPE_OF[d]))];
  if (unknownDtypes.length) notes.push(`GEMM rows of dtype ${unknownDtypes.join(', ')} ignored`);
  let intraNode = clusterPreset.intraNode;
  let rows: readonly ProfileCollective[] = [];
  if (p.collectives.absent) {
    notes.push(`collective curves absent (${p.collectives.reason}): the ${clusterPreset.name} preset's link figures are kept ` +
      `(${(intraNode.bandwidthBytesPerSecond / 1e9).toFixed(0)} GB/s all-reduce bus bandwidth, ${(intraNode.latencySeconds * 1e6).toFixed(1)} us start-up)`);
  } else {
    rows = p.collectives.rows;
    intraNode = fitLink(intraNode, rows);
    notes.push(`intra-node link fitted to ${rows.length} collective measurements (${(intraNode.bandwidthBytesPerSecond / 1e9).toFixed(0)} GB/s bus bandwidth)`);
  }
  notes.push(`memory-bound kernels fitted to ${xla.length ? 'XLA fusions (jax.jit)' : xlaRows.length
    ? `framework (PyTorch) kernels: the profile's ${xlaRows.length} XLA rows were timed one synchronised call at a time (dispatch-bound), left out`
    : 'framework (PyTorch) kernels: no XLA rows in the profile'}`);
  const points = fitPoints(gpu, p.collectives.absent ? undefined : intraNode, p.matmul, kernels, rows);
  const left = points.filter((x) => x.leftOut);
  if (left.length) {
    const reasons = new Map<string, number>();
    for (const x of left) {
      const key = `${x.kind}: ${x.leftOut!.replace(/^outlier: .*/, 'outlier (slower per byte than the next smaller message)')}`;
      reasons.set(key, (reasons.get(key) ?? 0) + 1);
    }
    notes.push(`left out of the fit: ${[...reasons].map(([k, n]) => `${n} ${k}`).join('; ')}`);
  }
  const gpus = p.collectives.absent ? p.gpu.count : p.collectives.gpusPerNode;
  const nodes = p.collectives.absent ? 1 : p.collectives.nodes;
  const cluster: Cluster = {
    name,
    nodes: Array.from({ length: nodes }, () => ({ gpu: name, gpus })),
    gpuSpecs: { [name]: gpu },
    intraNode,
    interNode: clusterPreset.interNode,
  };
  return { cluster, gpu, basePreset, notes, points };
}

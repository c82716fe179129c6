/**
 * `--cluster` argument shared by every command: a preset spec (`p3.16xlarge:8x8`, `dgx-h100:1x2`, parts joined by
 * '+'), a path to a JSON Cluster (workers/core/cluster/types.ts), checked with zod and validateCluster, or a path
 * to a measured profile (tools/profile-cluster), fitted by workers/core/cost/clusterProfile.ts (its notes on stderr).
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { CliError } from './args.ts';
import { ClusterSpecError, parseClusterSpec, validateCluster } from '../core/cluster/spec.ts';
import { clusterFromProfile, isClusterProfile, type ClusterProfile } from '../core/cost/clusterProfile.ts';
import type { Cluster } from '../core/cluster/types.ts';

const collectiveEfficiency = z.object({
  'all-reduce': z.number(), 'all-gather': z.number(), 'reduce-scatter': z.number(), 'all-to-all': z.number(), 'send-recv': z.number(),
}).partial();

const link = z.object({
  bandwidthBytesPerSecond: z.number(),
  latencySeconds: z.number(),
  floorSeconds: z.number().optional(),
  collectiveEfficiency: collectiveEfficiency.optional(),
});

const curve = z.object({ points: z.array(z.tuple([z.number(), z.number()])).min(1) });

const gpuSpec = z.object({
  name: z.string(),
  peakFlopsPerSecond: z.object({ f32: z.number(), tf32: z.number(), f16: z.number(), bf16: z.number() }),
  hbmBytes: z.number(),
  hbmBandwidthBytesPerSecond: z.number(),
  memoryEfficiency: z.number(),
  matmulEfficiency: curve,
  launchSeconds: z.number(),
  intraNodeBandwidthBytesPerSecond: z.number(),
  fusedMemoryEfficiency: z.number().optional(),
  matmulTiling: z.object({
    tileM: z.number().int().positive(), tileN: z.number().int().positive(), multiprocessors: z.number().int().positive(),
    kOverheadElements: z.number().nonnegative(), efficiency: curve,
  }).optional(),
});

const clusterSchema = z.object({
  name: z.string(),
  nodes: z.array(z.object({ gpu: z.string(), gpus: z.number(), intraNode: link.optional() })),
  gpuSpecs: z.record(z.string(), gpuSpec).optional(),
  intraNode: link,
  interNode: link,
});

/** Where in the JSON a zod issue points, as `nodes[2].gpus`. */
function issuePath(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i ? '.' : ''}${String(p)}`)).join('') || '(root)';
}

/** Parse a cluster JSON text; `source` names the file in messages. */
export function clusterFromJson(text: string, source: string): Cluster {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new CliError(`${source}: not valid JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  if (isClusterProfile(data)) {
    const r = clusterFromProfile(data as ClusterProfile);
    if (typeof r === 'string') throw new CliError(`${source}: ${r}`);
    for (const note of r.notes) process.stderr.write(`meshplan: ${source}: ${note}\n`);
    return r.cluster;
  }
  const parsed = clusterSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CliError(`${source}: ${issuePath(issue.path)}: ${issue.message}`);
  }
  const cluster = parsed.data as Cluster;
  const problems = validateCluster(cluster);
  if (problems.length) throw new CliError(`${source}: ${problems.join('; ')}`);
  return cluster;
}

export async function loadClusterArg(spec: string): Promise<Cluster> {
  if (spec.endsWith('.json') || spec.includes('/')) {
    let text: string;
    try {
      text = await readFile(spec, 'utf8');
    } catch {
      throw new CliError(`cluster file not found: ${spec}`);
    }
    return clusterFromJson(text, spec);
  }
  try {
    const cluster = parseClusterSpec(spec);
    const problems = validateCluster(cluster);
    if (problems.length) throw new CliError(`--cluster ${spec}: ${problems.join('; ')}`);
    return cluster;
  } catch (err) {
    if (err instanceof ClusterSpecError) throw new CliError(`--cluster: ${err.message}`);
    throw err;
  }
}

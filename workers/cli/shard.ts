/**
 * `meshplan shard --model M --cluster C --mesh <n0>x<n1> [--batch N] [--seq N] [--memory-gb G] [--mode train|infer]
 * [--precision P] [--microbatches N] [--layer I] [--time-limit S] [--json]`: the intra-op pass alone — how every
 * tensor of the model (or of one layer) is sharded over one logical mesh, with the collectives that implies.
 * The mesh takes the first n0*n1 devices: whole nodes when it spans several, axis 1 inside a node when it fits.
 */
import type { Cluster, SubMesh } from '../core/cluster/types.ts';
import { groupLayers } from '../core/ir/layers.ts';
import type { ModelGraph } from '../core/ir/types.ts';
import { createHighsSolver, runIntra } from '../core/intra/index.ts';
import { PRECISIONS, type Precision, type ShardingPlan } from '../core/plan/types.ts';
import { LIMITS, rangeText } from '../core/boundary/limits.ts';
import { echo, oneLine } from '../core/boundary/text.ts';
import { CliError, intArg, numberArg, oneOf, parseArgs, required } from './args.ts';
import { loadClusterArg } from './cluster.ts';
import { loadModelArg } from './model.ts';

export function parseMesh(raw: string): [number, number] {
  const m = /^([0-9]{1,5})x([0-9]{1,5})$/.exec(raw.trim());
  const ok = m && [m[1], m[2]].every((v) => Number(v) >= LIMITS.meshAxis.min && Number(v) <= LIMITS.meshAxis.max);
  if (!m || !ok) throw new CliError(`--mesh must look like 2x4 (n0 x n1, each ${rangeText(LIMITS.meshAxis)}), got '${echo(raw)}'`);
  return [Number(m[1]), Number(m[2])];
}

/** The first n0*n1 devices as a sub-mesh: part of node 0, or whole nodes. */
export function meshSubmesh(cluster: Cluster, mesh: readonly [number, number]): SubMesh {
  const devices = mesh[0] * mesh[1];
  const perNode = cluster.nodes[0]?.gpus ?? 0;
  const total = cluster.nodes.reduce((s, n) => s + n.gpus, 0);
  if (devices > total) throw new CliError(`--mesh ${mesh.join('x')} needs ${devices} GPUs; cluster '${cluster.name}' has ${total}`);
  if (devices <= perNode) return { nodeStart: 0, nodes: 1, gpuStart: 0, gpusPerNode: devices };
  if (devices % perNode !== 0 || cluster.nodes.slice(0, devices / perNode).some((n) => n.gpus !== perNode)) {
    throw new CliError(`--mesh ${mesh.join('x')}: ${devices} GPUs is not a whole number of ${perNode}-GPU nodes`);
  }
  return { nodeStart: 0, nodes: devices / perNode, gpuStart: 0, gpusPerNode: perNode };
}

function layerOps(graph: ModelGraph, index: number): string[] {
  const blocks = groupLayers(graph).filter((g) => g.kind === 'block');
  const block = blocks.find((g) => g.layerIndex === index);
  if (!block) throw new CliError(`--layer ${index}: model '${graph.name}' has layers 0..${blocks.length - 1}`);
  return [...block.opIds];
}

export async function run(argv: string[]): Promise<number> {
  const args = parseArgs(argv, ['model', 'cluster', 'mesh', 'batch', 'seq', 'memory-gb', 'mode', 'precision', 'microbatches', 'layer', 'time-limit']);
  const batch = intArg(args, 'batch', LIMITS.globalBatch);
  const seq = intArg(args, 'seq', LIMITS.seq);
  const meshShape = parseMesh(required(args, 'mesh'));
  const mode = oneOf(args, 'mode', ['train', 'infer'] as const) ?? 'train';
  const precision = oneOf<Precision>(args, 'precision', PRECISIONS) ?? 'fp16-mixed';
  const memoryGb = numberArg(args, 'memory-gb', LIMITS.memoryGb);
  const memoryBudgetBytes = memoryGb === undefined ? undefined : memoryGb * 2 ** 30;
  const timeLimit = numberArg(args, 'time-limit', LIMITS.timeLimitSeconds);
  const layer = intArg(args, 'layer', LIMITS.layerIndex);
  const microbatches = intArg(args, 'microbatches', LIMITS.microbatches);
  const graph = await loadModelArg(required(args, 'model'), { batch, seq });
  const cluster = await loadClusterArg(required(args, 'cluster'));
  const plan = await runIntra({
    graph, cluster, submesh: meshSubmesh(cluster, meshShape), meshShape, mode, precision, memoryBudgetBytes,
    timeLimitSeconds: timeLimit, microbatches,
    ...(layer !== undefined ? { opIds: layerOps(graph, layer) } : {}),
  }, createHighsSolver());
  // A solver failure is the input's (a problem HiGHS cannot take): one line on stderr, exit 2, nothing on stdout.
  if (plan.status === 'error') throw new CliError(`mesh ${meshShape.join('x')}: the sharding ILP failed: ${oneLine(plan.message ?? 'no message from the solver')}`);
  process.stdout.write(args.flags.has('json') ? JSON.stringify(plan) + '\n' : formatPlan(plan));
  return 0;
}

function ms(s: number): string {
  return `${(s * 1e3).toFixed(3)} ms`;
}

function gib(b: number): string {
  return `${(b / 2 ** 30).toFixed(2)} GiB`;
}

export function formatPlan(p: ShardingPlan): string {
  const lines = [
    `status          ${p.status}${p.message ? ` (${p.message})` : ''}`,
    `mesh            ${p.meshShape.join('x')}`,
    `objective       ${ms(p.objectiveSeconds)} (forward ${ms(p.forwardSeconds)}, backward ${ms(p.backwardSeconds)})`,
    `gradient sync   ${ms(p.gradientSyncSeconds)} per step`,
    `cost            compute ${ms(p.cost.computeSeconds)}, communication ${ms(p.cost.communicationSeconds)}, resharding ${ms(p.cost.reshardingSeconds)}`,
    `memory/device   ${gib(p.memoryBytesPerDevice)}${p.minimumMemoryBytes !== undefined ? ` (smallest reachable ${gib(p.minimumMemoryBytes)})` : ''}`,
    `ILP             ${p.ilp.variables} variables, ${p.ilp.constraints} constraints, ${p.ilp.solveSeconds.toFixed(3)} s`,
    '',
    'ops (followers omitted)',
    ...p.ops.filter((o) => o.strategy !== 'follow').map((o) => `  ${o.name}  ${o.strategy}`),
    '',
    'parameters',
    ...p.tensors.filter((t) => t.kind === 'parameter').map((t) => `  ${t.name} [${t.shape.join(',')}]  ${t.spec}`),
    '',
    `collectives (${p.collectives.length})`,
    ...p.collectives.map((c) => `  ${c.kind} axis ${c.axis} ${c.bytes} B ${ms(c.seconds)} ${c.reason} ${c.op}`),
  ];
  return lines.join('\n') + '\n';
}

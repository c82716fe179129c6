/**
 * Options normalised once at the entry (errors name the bad option) into what every planning path shares
 * (inter/context.ts PlanContext), and the intra-op pass as a profile source.
 */
import { ATTENTION_CHOICES, runtimeTraits, usesFusedAttention } from '../inter/runtime.ts';
import { attentionCoreOpsOf } from '../inter/stageCosts.ts';
import type { Recompute } from '../inter/stageOptions.ts';
import { gpuGroups } from '../cluster/submeshes.ts';
import { gpuSpec, totalDevices } from '../cluster/topology.ts';
import { CP_KINDS, CP_SPLITS, seqChoiceOf } from '../inter/seqParallel.ts';
import type { Cluster } from '../cluster/types.ts';
import type { ModelGraph, Tensor } from '../ir/types.ts';
import { runLayerConstruction } from '../inter/layerConstruction.ts';
import { divisorsDescending } from '../inter/search.ts';
import { profileKey, type ProfileFn } from '../inter/profileUnits.ts';
import { profileFromSharding } from '../inter/ilpProfile.ts';
import { ilpContextParallelSplit } from '../inter/ilpSeqParallel.ts';
import { expertGroupLink } from '../inter/expertChoice.ts';
import type { PlanContext } from '../inter/context.ts';
import { LIMITS, rangeProblem } from '../boundary/limits.ts';
import { echo, summarise } from '../boundary/text.ts';
import { validateCluster } from '../cluster/validate.ts';
import { graphProblem } from '../ir/bounds.ts';
import { PRECISIONS, RUNTIMES, type PlanOptions, type ShardingPlan } from './types.ts';

export { costContext, manualProfileFn, type PlanContext } from '../inter/context.ts';

/** The intra-op pass as the planner calls it (structurally the brief's runIntra). */
export type IntraFn = (input: {
  readonly graph: ModelGraph; readonly opIds?: readonly string[]; readonly cluster: Cluster;
  readonly submesh: { readonly nodeStart: number; readonly nodes: number; readonly gpuStart: number; readonly gpusPerNode: number };
  readonly meshShape: readonly [number, number]; readonly mode: 'train' | 'infer'; readonly precision: PlanOptions['precision'];
  readonly gradientSync?: boolean; readonly timeLimitSeconds?: number; readonly microbatches?: number;
}) => Promise<ShardingPlan>;

export class PlanOptionError extends Error {}

function hasExpertDots(graph: ModelGraph, tensors: ReadonlyMap<string, Tensor>): boolean {
  return graph.ops.some((op) => {
    if (op.kind !== 'dot' || op.attrs.kind !== 'dot') return false;
    const p = op.inputs.findIndex((t) => tensors.get(t)?.kind === 'parameter');
    return p >= 0 && (p === 0 ? op.attrs.lhsBatch : op.attrs.rhsBatch).length > 0;
  });
}

export function createContext(graph: ModelGraph, cluster: Cluster, options: PlanOptions, concurrency = 1): PlanContext {
  // The boundary's checks again, for callers that skip it (tests, the page's worker): each is cheap.
  const graphIssue = graphProblem(graph);
  if (graphIssue) throw new PlanOptionError(`model '${echo(graph.name)}': ${graphIssue}`);
  const clusterIssues = validateCluster(cluster);
  if (clusterIssues.length) throw new PlanOptionError(`cluster '${echo(cluster.name)}': ${summarise(clusterIssues)}`);
  const G = options.globalBatch;
  const batchIssue = rangeProblem('globalBatch', G, LIMITS.globalBatch);
  if (batchIssue) throw new PlanOptionError(batchIssue);
  let microbatchCounts: number[];
  if (options.microbatches === 'auto') microbatchCounts = divisorsDescending(G).filter((B) => B <= LIMITS.microbatches.max);
  else {
    const B = options.microbatches;
    const countIssue = rangeProblem('microbatches', B, LIMITS.microbatches);
    if (countIssue) throw new PlanOptionError(countIssue);
    if (G % B !== 0) throw new PlanOptionError(`microbatches must divide the global batch ${G}, got ${echo(B)}`);
    microbatchCounts = [B];
  }
  if (options.layers !== 'auto') {
    const layersIssue = rangeProblem('layers', options.layers, LIMITS.layers);
    if (layersIssue) throw new PlanOptionError(layersIssue);
  }
  if (options.memoryLimitBytes !== undefined && !(Number.isFinite(options.memoryLimitBytes) && options.memoryLimitBytes > 0)) {
    throw new PlanOptionError(`memoryLimitBytes must be a positive finite number, got ${echo(options.memoryLimitBytes)}`);
  }
  const oneOf = (name: string, value: string | undefined, allowed: readonly string[]): void => {
    if (value !== undefined && !allowed.includes(value)) throw new PlanOptionError(`${name} must be one of ${allowed.join('|')}, got '${echo(value)}'`);
  };
  oneOf('precision', options.precision, PRECISIONS);
  oneOf('runtime', options.runtime, RUNTIMES);
  oneOf('remat', options.remat, ['auto', 'on', 'off', 'selective']);
  if (options.zero !== undefined && !([0, 1, 2, 3, 'auto'] as unknown[]).includes(options.zero)) throw new PlanOptionError(`zero must be one of 0|1|2|3|auto, got '${echo(String(options.zero))}'`);
  const tensors = new Map(graph.tensors.map((t) => [t.id, t]));
  const hasExperts = hasExpertDots(graph, tensors);
  if (options.ep !== undefined) {
    const epIssue = rangeProblem('ep', options.ep, LIMITS.parallelDegree);
    if (epIssue) throw new PlanOptionError(epIssue);
    if (!hasExperts) throw new PlanOptionError(`ep: model '${echo(graph.name)}' has no MoE experts to spread`);
  }
  if (options.capacityFactor !== undefined && !(Number.isFinite(options.capacityFactor) && options.capacityFactor > 0 && options.capacityFactor <= 16)) {
    throw new PlanOptionError(`capacityFactor must be a number in (0, 16], got ${echo(options.capacityFactor)}`);
  }
  oneOf('sp', options.sp, ['on', 'off', 'auto']);
  oneOf('cpKind', options.cpKind, CP_KINDS);
  oneOf('cpSplit', options.cpSplit, CP_SPLITS);
  oneOf('attention', options.attention, ATTENTION_CHOICES);
  if (options.cp !== undefined && !(Number.isInteger(options.cp) && options.cp >= 1 && options.cp <= totalDevices(cluster))) {
    throw new PlanOptionError(`cp must be an integer from 1 to the cluster's ${totalDevices(cluster)} GPUs, got ${echo(options.cp)}`);
  }
  if (options.cp !== undefined && options.cp > 1 && graph.seq !== undefined && graph.seq % options.cp !== 0) {
    throw new PlanOptionError(`cp ${options.cp} must divide the sequence length ${graph.seq}`);
  }
  const training = options.mode === 'train';
  if (training && graph.training === null) throw new PlanOptionError(`model '${graph.name}' is inference-only; use mode 'infer'`);
  const clustering = runLayerConstruction(graph, { layers: options.layers });
  // The limit is what the runtime's allocator is given (under XLA 75% of HBM: inter/runtime.ts), unless stated.
  const fraction = runtimeTraits(options.runtime).memoryFraction;
  const memoryLimitBytes = gpuGroups(cluster).map((g) => options.memoryLimitBytes ?? fraction * gpuSpec(cluster, g.gpu).hbmBytes);
  // 'auto': the search picks per stage; selective only where the graph has attention cores (else it is 'none').
  // Baselines take the first that fits (baselines/uniform.ts): none, then full, as Megatron-LM did.
  const selective = attentionCoreOpsOf(graph).size > 0;
  const remat: Recompute[] = !training ? ['none'] : options.remat === 'on' ? ['full'] : options.remat === 'off' ? ['none']
    : options.remat === 'selective' ? ['selective'] : selective ? ['none', 'full', 'selective'] : ['none', 'full'];
  return { graph, cluster, options, training, clustering, tensors, memoryLimitBytes, microbatchCounts, remat, hasExperts, rebatched: new Map(), concurrency, describeSharding: true };
}

/** Whether the plan's attention cores run fused (inter/runtime.ts usesFusedAttention), by its first node's GPU. */
export function fusedAttentionOf(ctx: PlanContext): boolean {
  const gpu = ctx.cluster.nodes[0]?.gpu;
  return gpu !== undefined && usesFusedAttention(ctx.options.attention, runtimeTraits(ctx.options.runtime), gpuSpec(ctx.cluster, gpu), ctx.options.precision);
}

/**
 * The intra-op pass per (unit, mesh); a unit the ILP cannot solve falls back to `fallback`. One solve per unit and
 * logical mesh: the SP and CP variants ('ilp+sp', 'ilp+cp2-ring', inter/ilpSeqParallel.ts) are derived from the same
 * answer; a CP variant whose answer cannot run CP falls back too.
 */
export function intraProfileFn(ctx: PlanContext, intra: IntraFn, fallback: ProfileFn): ProfileFn {
  const solved = new Map<string, Promise<ShardingPlan>>();
  const attentionOps = attentionCoreOpsOf(ctx.graph);
  return async (unit, mesh, sub) => {
    const key = profileKey(unit, { ...mesh, variant: 'ilp' }, sub);
    let pending = solved.get(key);
    if (!pending) {
      const opIds = [...unit.forwardOps, ...unit.backwardOps].map((i) => ctx.graph.ops[i].id);
      pending = intra({
        graph: ctx.graph, opIds, cluster: ctx.cluster, submesh: mesh.canonical, meshShape: mesh.logical,
        mode: ctx.options.mode, precision: ctx.options.precision, gradientSync: ctx.training, timeLimitSeconds: 10,
      });
      solved.set(key, pending);
    }
    const plan = await pending;
    if (plan.status !== 'optimal' && plan.status !== 'time-limit') return fallback(unit, mesh, sub);
    const c = seqChoiceOf(mesh.variant);
    // CP only where the answer's axis 0 is pure data parallelism (ilpSeqParallel.ts); elsewhere the template prices it.
    if (c.cp > 1 && ilpContextParallelSplit(ctx.graph, unit, plan, ctx.tensors) === undefined) return fallback(unit, mesh, sub);
    const cp = c.cp > 1 ? {
      degree: c.cp, kind: c.cpKind, link: expertGroupLink(ctx.cluster, mesh.canonical, mesh.logical, c.cp), ...(ctx.options.cpSplit ? { split: ctx.options.cpSplit } : {}),
    } : undefined;
    return profileFromSharding(ctx.graph, unit, plan, ctx.tensors, ctx.training, ctx.options.precision,
      runtimeTraits(ctx.options.runtime), c.sp ? { attentionOps } : undefined, cp);
  };
}

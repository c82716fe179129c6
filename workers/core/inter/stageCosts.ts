/**
 * The stage cost table (alpa.md §3 "Stage cost"): for every (layer, sub-mesh shape, logical mesh: meshSpace.ts) the
 * latency of one micro-batch, gradient synchronisation and memory. Each distinct unit is profiled once per logical
 * mesh (profileUnits.ts); a layer's cost is the sum of its units' (resharding between units assumed free), a stage's
 * the sum of its layers'. Profiles are re-priced for each micro-batch size (unitProfile.ts).
 */
import { gpuSpec } from '../cluster/topology.ts';
import type { Cluster, GpuSpec } from '../cluster/types.ts';
import type { ModelGraph } from '../ir/types.ts';
import type { Precision } from '../cost/precision.ts';
import type { LayerClustering } from './layerConstruction.ts';
import { evaluateProfile, type PricingGraph, type UnitCost, type UnitProfile } from './unitProfile.ts';
import { rebatch } from '../ir/rebatch.ts';
import { attentionCoresOf } from '../ir/attention.ts';
import { precisionBytes } from '../cost/memory.ts';
import { optimizerSeconds } from '../cost/optimizer.ts';
import { tensorLookup } from '../cost/opCost.ts';
import { unitParamIds } from './units.ts';
import { isRepeatedBlock, overlapsGradientReduce, runtimeTraits, scanResidualSeconds, usesFusedAttention, type AttentionChoice, type Runtime, type RuntimeTraits } from './runtime.ts';
import type { MeshChoice, MeshSpace } from './meshSpace.ts';
import { profileKey, type ProfileTable } from './profileUnits.ts';
import { addUnitZero, emptyZeroCosts, type ZeroCosts } from './zeroStages.ts';

/** The runtime prices ZeRO-3 and gradient synchronisation its own way (inter/runtime.ts): no ZeRO re-pricing. */
function zeroRepricable(traits: RuntimeTraits): boolean {
  return traits.stepsInFlight === 1 && traits.zero3ForwardAllToAlls === 0 && traits.zero3RematAllToAlls === 0
    && traits.noRematGradientSyncFactor === 1 && !traits.zero3LogitsAllToAll;
}

/** Does ZeRO shard anything of these costs (some parameter replicated over more than one device)? */
function shardable(z: ZeroCosts): boolean {
  return z.shardedElems.some((v, k) => v < z.elems[k] * (1 - 1e-12));
}

/** Per-layer costs on one mesh for one micro-batch size, per device; gradientSyncSeconds includes the optimizer update
 * (both once per step). */
export interface LayerCosts {
  readonly forwardSeconds: Float64Array;
  readonly backwardSeconds: Float64Array;
  readonly recomputeSeconds: Float64Array;
  /** Runtime work without remat only (inter/runtime.ts: XLA's scan residual copies), part of the backward. */
  readonly noRematSeconds: Float64Array;
  readonly gradientSyncSeconds: Float64Array;
  /** Added to the gradient synchronisation when the stage does not rematerialise (inter/runtime.ts
   * noRematGradientSyncFactor). */
  readonly noRematGradientSyncSeconds: Float64Array;
  /** The gradient reduction's collectives alone (gradientSyncSeconds without the optimizer update). */
  readonly gradientReduceSeconds: Float64Array;
  readonly computeSeconds: Float64Array;
  readonly communicationSeconds: Float64Array;
  readonly paramBytes: Float64Array;
  readonly gradBytes: Float64Array;
  readonly optimizerBytes: Float64Array;
  /** Activations kept for backward without remat, one micro-batch. */
  readonly activationBytes: Float64Array;
  /** Activations live while the layer is recomputed under remat, one micro-batch: its largest unit's when units
   * come from path hints (blocks are recomputed one at a time), else the whole layer's. */
  readonly recomputePeakBytes: Float64Array;
  /** Collective receive buffers live beside the activations (UnitProfile.bufferBytes), one micro-batch. */
  readonly bufferBytes: Float64Array;
  /** The layer's input activations (what remat keeps), one micro-batch. */
  readonly inputBytes: Float64Array;
  /** Activations held under remat, one micro-batch: the input of a layer that is recomputed, plus all of those
   * of its units the runtime does not recompute (inter/runtime.ts rematBlocksOnly). */
  readonly rematActivationBytes: Float64Array;
  /** Selective recomputation (ir/attention.ts): the attention cores' forward, recomputed in the backward, and the
   * activations they make (not kept), one micro-batch. */
  readonly attentionRecomputeSeconds: Float64Array;
  readonly attentionActivationBytes: Float64Array;
  /** The parameter-gradient part of backwardSeconds (zero-bubble W passes); NaN where not known (explicit backward). */
  readonly weightGradientSeconds: Float64Array;
  /** Parameters several layers read (tied embeddings), per device: a stage holding n of those layers counts
   * their state n - 1 times too often in the layer sums. */
  readonly shared: readonly SharedParam[];
  /** Steps whose temporaries the runtime holds at once (inter/runtime.ts). */
  readonly stepsInFlight: number;
  /** The runtime reduces gradients bucket by bucket during the last backward (inter/runtime.ts gradientReduceOverlap). */
  readonly overlapGradientReduce: boolean;
  /** Expert-parallel degree of the layer's MoE experts (UnitProfile.expertParallel); 0: no experts. */
  readonly expertParallel: Float64Array;
  /** What the ZeRO stages cost on this mesh (inter/zeroStages.ts): training on template profiles with a
   * data-parallel axis, under a runtime without ZeRO-specific terms of its own; absent otherwise. */
  readonly zero?: ZeroCosts;
}

export interface SharedParam {
  readonly layers: readonly number[];
  readonly paramBytes: number;
  readonly gradBytes: number;
  readonly optimizerBytes: number;
  /** Its share of one reader's gradient synchronisation and optimizer update (a stage reduces and updates a tied
   * parameter once). */
  readonly syncSeconds: number;
  /** The reduction alone of that (LayerCosts.gradientReduceSeconds): what an overlapping runtime can hide. */
  readonly reduceSeconds: number;
  /** Its share of one reader's extra synchronisation without remat (LayerCosts.noRematGradientSyncSeconds). */
  readonly noRematSyncSeconds: number;
  /** Its share of one reader's ZeRO-shardable elements (LayerCosts.zero). */
  readonly zeroElems: number;
}

export interface CostContext {
  readonly graph: ModelGraph;
  readonly cluster: Cluster;
  readonly clustering: LayerClustering;
  readonly space: MeshSpace;
  readonly profiles: ProfileTable;
  readonly training: boolean;
  readonly precision: Precision;
  /** Runtime the plan runs under (inter/runtime.ts); default 'megatron'. */
  readonly runtime?: Runtime;
  /** Fused or naive attention cores (inter/runtime.ts usesFusedAttention); default the runtime's. */
  readonly attention?: AttentionChoice;
  /** The graph rebatched per micro-batch size, filled on demand (one rebatch per size per search). */
  readonly rebatched: Map<number, PricingGraph>;
}

/** The graph's attention-core ops (ir/attention.ts), found once per graph. */
export function attentionCoreOpsOf(graph: ModelGraph): Set<number> {
  return attentionCoresOf(graph).ops;
}

export function pricingGraph(ctx: CostContext, batch: number): PricingGraph {
  let g = ctx.rebatched.get(batch);
  if (!g) {
    const graph = rebatch(ctx.graph, batch, true);
    g = { graph, tensors: tensorLookup(graph), fused: new Map() };
    ctx.rebatched.set(batch, g);
  }
  return g;
}

/** Per unit, the parameters it reads that some other unit reads too (tied embeddings), with their positions. */
interface UnitParams {
  readonly tied: readonly (readonly { readonly id: string; readonly position: number }[])[];
  /** Per layer: a layer whose units read no tied parameter has costs that depend on its units' hashes alone. */
  readonly signature: readonly (string | undefined)[];
}

/** Computed once per clustering: each table (one per micro-batch size and search) reads it. */
const unitParamsMemo = new WeakMap<LayerClustering, UnitParams>();

function unitParams(graph: ModelGraph, clustering: LayerClustering): UnitParams {
  let memo = unitParamsMemo.get(clustering);
  if (memo) return memo;
  const units = clustering.unitGraph.units;
  const tensors = new Map(graph.tensors.map((t) => [t.id, t]));
  const ids = units.map((u) => unitParamIds(graph, u, tensors));
  const readers = new Map<string, number>();
  for (const list of ids) for (const id of list) readers.set(id, (readers.get(id) ?? 0) + 1);
  const tied = ids.map((list) => list.flatMap((id, position) => ((readers.get(id) ?? 0) > 1 ? [{ id, position }] : [])));
  const signature = clustering.layers.map((layer) => {
    const hashes: string[] = [];
    for (let u = layer.unitStart; u < layer.unitEnd; u++) {
      if (tied[u].length) return undefined;
      hashes.push(units[u].hash);
    }
    return hashes.join(',');
  });
  memo = { tied, signature };
  unitParamsMemo.set(clustering, memo);
  return memo;
}

const LAYER_FIELDS = ['expertParallel', 'forwardSeconds', 'backwardSeconds', 'recomputeSeconds', 'noRematSeconds', 'gradientSyncSeconds',
  'noRematGradientSyncSeconds', 'gradientReduceSeconds', 'computeSeconds', 'communicationSeconds', 'paramBytes', 'gradBytes', 'optimizerBytes',
  'activationBytes', 'recomputePeakBytes', 'bufferBytes', 'attentionRecomputeSeconds', 'attentionActivationBytes', 'weightGradientSeconds'] as const;

/**
 * layerCosts[meshId] for micro-batches of `batch` samples; `usable` leaves out meshes the caller will not price
 * (undefined there: e.g. a data-parallel axis that does not divide the micro-batch). Each distinct unit is evaluated
 * once per mesh, and a layer whose units match an earlier layer's (and read no tied parameter) copies its sums.
 */
export function layerCostTable(ctx: CostContext, batch: number): LayerCosts[];
export function layerCostTable(ctx: CostContext, batch: number, usable: (mesh: MeshChoice) => boolean): (LayerCosts | undefined)[];
export function layerCostTable(ctx: CostContext, batch: number, usable?: (mesh: MeshChoice) => boolean): (LayerCosts | undefined)[] {
  const { clustering, space } = ctx;
  const L = clustering.layers.length;
  const units = clustering.unitGraph.units;
  const r = batch / ctx.graph.batch;
  const at = pricingGraph(ctx, batch);
  const { tied, signature } = unitParams(ctx.graph, clustering);
  const gpus = new Map<string, GpuSpec>();
  const traits = runtimeTraits(ctx.runtime);
  const pb = precisionBytes(ctx.precision);
  const cores = { ...attentionCoresOf(ctx.graph), normsInFp32: traits.normsInFp32, residuals: traits.residuals };
  return space.meshes.map((mesh) => {
    if (usable && !usable(mesh)) return undefined;
    const sub = space.submeshes[mesh.shape];
    let gpu = gpus.get(sub.gpu);
    if (!gpu) gpus.set(sub.gpu, (gpu = gpuSpec(ctx.cluster, sub.gpu)));
    const attention = { ...cores, fused: usesFusedAttention(ctx.attention, traits, gpu, ctx.precision) };
    const byHash = new Map<string, { cost: UnitCost; profile: UnitProfile; updateSeconds: number }>();
    const t: LayerCosts = {
      forwardSeconds: new Float64Array(L), backwardSeconds: new Float64Array(L), recomputeSeconds: new Float64Array(L), noRematSeconds: new Float64Array(L),
      gradientSyncSeconds: new Float64Array(L), noRematGradientSyncSeconds: new Float64Array(L), gradientReduceSeconds: new Float64Array(L), computeSeconds: new Float64Array(L), communicationSeconds: new Float64Array(L),
      paramBytes: new Float64Array(L), gradBytes: new Float64Array(L), optimizerBytes: new Float64Array(L),
      activationBytes: new Float64Array(L), recomputePeakBytes: new Float64Array(L), bufferBytes: new Float64Array(L), inputBytes: new Float64Array(L), rematActivationBytes: new Float64Array(L), shared: [], stepsInFlight: traits.stepsInFlight, overlapGradientReduce: overlapsGradientReduce(traits, gpu),
      expertParallel: new Float64Array(L),
      attentionRecomputeSeconds: new Float64Array(L), attentionActivationBytes: new Float64Array(L), weightGradientSeconds: new Float64Array(L),
    };
    const owners = new Map<string, Omit<SharedParam, 'layers'> & { layers: number[] }>();
    let zero: ZeroCosts | undefined;
    // Template profiles shard over axis 0, ILP profiles over each weight's replicas (either axis): a mesh where
    // nothing turns out shardable drops its ZeRO costs at the end.
    let zeroOk = ctx.training && mesh.logical[0] * mesh.logical[1] > 1 && zeroRepricable(traits);
    const firstWith = new Map<string, { layer: number; recomputed: boolean; kept: number }>();
    clustering.layers.forEach((layer, k) => {
      let recomputed = false;
      let kept = 0;
      const sig = signature[k];
      const same = sig === undefined ? undefined : firstWith.get(sig);
      if (same) {
        for (const f of LAYER_FIELDS) t[f][k] = t[f][same.layer];
        // The same units: the same ZeRO level (zeroOk unchanged) and per-layer ZeRO costs.
        if (zeroOk && zero) for (const v of Object.values(zero)) if (v instanceof Float64Array) v[k] = v[same.layer];
        ({ recomputed, kept } = same);
      } else {
        for (let u = layer.unitStart; u < layer.unitEnd; u++) {
          let e = byHash.get(units[u].hash);
          if (!e) {
            const key = profileKey(units[u], mesh, sub);
            const profile = ctx.profiles.get(key);
            if (!profile) throw new Error(`layerCostTable: no profile for unit ${units[u].name} on mesh ${mesh.logical.join('x')}`);
            // The Adam update runs once per step on the optimizer shard this device holds (cost/optimizer.ts).
            const updateSeconds = ctx.training
              ? optimizerSeconds(gpu!, ctx.precision, profile.optimizerBytes / (pb.optimizerBytes + pb.masterBytes), profile.paramTensors) : 0;
            e = { profile, cost: evaluateProfile(profile, at, gpu!, ctx.precision, mesh.links, ctx.training, attention), updateSeconds };
            byHash.set(units[u].hash, e);
          }
          t.forwardSeconds[k] += e.cost.forwardSeconds;
          t.backwardSeconds[k] += e.cost.backwardSeconds;
          const block = isRepeatedBlock(units[u]);
          if (block || !traits.rematBlocksOnly) {
            t.recomputeSeconds[k] += e.cost.recomputeSeconds;
            recomputed = true;
          } else kept += e.cost.activationBytes;
          if (block && traits.scanResidualPasses > 0) t.noRematSeconds[k] += scanResidualSeconds(e.profile, e.cost, gpu!, traits);
          const sync = e.profile.gradientSyncSeconds + e.updateSeconds;
          const noRematSync = e.profile.gradientSyncKind === 'reduce-scatter' ? 0 : (traits.noRematGradientSyncFactor - 1) * e.profile.gradientSyncSeconds;
          t.gradientSyncSeconds[k] += sync;
          t.noRematGradientSyncSeconds[k] += noRematSync;
          t.gradientReduceSeconds[k] += e.profile.gradientSyncSeconds;
          t.computeSeconds[k] += e.cost.computeSeconds;
          t.communicationSeconds[k] += e.cost.communicationSeconds;
          t.paramBytes[k] += e.profile.paramBytes;
          t.gradBytes[k] += e.profile.gradBytes;
          t.optimizerBytes[k] += e.profile.optimizerBytes;
          t.activationBytes[k] += e.cost.activationBytes;
          t.attentionRecomputeSeconds[k] += e.cost.attentionRecomputeSeconds;
          t.weightGradientSeconds[k] += e.cost.weightGradientSeconds;
          t.attentionActivationBytes[k] += Math.min(e.cost.attentionActivationBytes, e.cost.activationBytes);
          // Units from path hints (blocks, embedding, head) are recomputed one at a time (Megatron's per-layer
          // checkpoints, a JAX scan's body); op chunks of a hint-less graph with the rest of their layer.
          t.recomputePeakBytes[k] = Math.max(t.recomputePeakBytes[k], e.cost.activationBytes);
          t.bufferBytes[k] += e.cost.bufferBytes;
          t.expertParallel[k] = Math.max(t.expertParallel[k], e.profile.expertParallel ?? 0);
          if (zeroOk) {
            const level = e.profile.zero?.level;
            if (level === undefined || (zero && zero.level !== level)) zeroOk = false;
            else addUnitZero((zero ??= emptyZeroCosts(level, mesh.logical, L)), k, e.profile, mesh.links, pb, gpu!);
          }
          // Parameters no other unit reads are held, reduced and updated by this unit alone: nothing to correct.
          for (const { id, position } of tied[u]) {
            const f = e.profile.paramFractions[position] ?? 0;
            const o = owners.get(id);
            if (!o) {
              owners.set(id, {
                layers: [k], paramBytes: f * e.profile.paramBytes, gradBytes: f * e.profile.gradBytes, optimizerBytes: f * e.profile.optimizerBytes,
                syncSeconds: f * sync, reduceSeconds: f * e.profile.gradientSyncSeconds, noRematSyncSeconds: f * noRematSync, zeroElems: f * (e.profile.zero?.elems ?? 0),
              });
            } else if (o.layers.includes(k)) {
              // Read twice inside one layer: held, reduced and updated once.
              t.paramBytes[k] -= f * e.profile.paramBytes;
              t.gradBytes[k] -= f * e.profile.gradBytes;
              t.optimizerBytes[k] -= f * e.profile.optimizerBytes;
              t.gradientSyncSeconds[k] -= f * sync;
              t.noRematGradientSyncSeconds[k] -= f * noRematSync;
              t.gradientReduceSeconds[k] -= f * e.profile.gradientSyncSeconds;
              if (zeroOk && zero) addUnitZero(zero, k, e.profile, mesh.links, pb, gpu!, -f);
            } else o.layers.push(k);
          }
        }
        if (sig !== undefined) firstWith.set(sig, { layer: k, recomputed, kept });
      }
      t.inputBytes[k] = layer.inputBytes * r / mesh.logical[0];
      t.rematActivationBytes[k] = (recomputed ? t.inputBytes[k] : 0) + kept;
      if (!clustering.unitGraph.hinted) t.recomputePeakBytes[k] = t.activationBytes[k];
    });
    return { ...t, shared: [...owners.values()].filter((o) => o.layers.length > 1), ...(zeroOk && zero && shardable(zero) ? { zero } : {}) };
  });
}

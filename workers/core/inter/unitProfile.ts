/**
 * A unit's sharded cost profile on one logical mesh, independent of the micro-batch size: each op with the number
 * of devices its work is split over, and the collectives at the graph's batch. For a micro-batch of b samples the
 * ops are priced again by the cost model (cost/opCost.ts opSeconds, the intra-op pass's own op times) on the graph
 * rebatched to b, and batch-dependent collectives scaled by b / refBatch: small kernels lose efficiency. One
 * intra-op solve per (distinct unit, logical mesh) thus serves every micro-batch count the stage DP tries.
 */
import type { GpuSpec, Link } from '../cluster/types.ts';
import { opSeconds, type SplitDim, type TensorLookup } from '../cost/opCost.ts';
import { elementWidth, fusionTraffic, type ElementWidth, type FusedOpTraffic } from '../cost/fusion.ts';
import { collectiveSeconds, type CollectiveKind } from '../cost/collectives.ts';
import type { Precision } from '../cost/precision.ts';
import type { ShardingPlan } from '../intra/types.ts';
import type { ModelGraph, Op, Tensor } from '../ir/types.ts';
import { opResiduals, type ResidualPolicy } from '../cost/memory.ts';
import { causalImbalance, fusedCoreSeconds, logsumexpBytes, type AttentionCore } from './fusedCore.ts';

export interface ProfiledKernel {
  /** Index of the op in graph.ops. */
  readonly op: number;
  /** Devices the op's work is split over, and along which GEMM dim (opSeconds' split). */
  readonly tiles: number;
  readonly split: SplitDim;
  /** 'forward': its backward is the cost model's unless the graph has explicit backward ops. */
  readonly phase: 'forward' | 'backward';
  /** The fixed strategy's role for the op (template profiles): how its tensors are split. */
  readonly role?: TemplateRole;
}

/** data: batch on axis 0; column / row: Megatron's parallel GEMMs (weight split on its output / input features
 * over axis 1); tensor: between them (feature dim on axis 1); vocab: embedding rows over axis 1; expert: experts
 * over axis 0; replicated: no batch dim; sequence: batch on axis 0 and sequence on axis 1 (sequence parallelism). */
export type TemplateRole = 'data' | 'column' | 'row' | 'tensor' | 'vocab' | 'expert' | 'replicated' | 'sequence';

export interface ProfiledCollective {
  readonly kind: CollectiveKind;
  readonly axis: 0 | 1;
  /** Full message bytes at refBatch. */
  readonly bytes: number;
  readonly phase: 'forward' | 'backward';
  readonly scales: boolean;
  /** Index in graph.ops of the op that implies it (template profiles). */
  readonly op?: number;
  /** Runs only when the unit is rematerialised (priced into recomputeSeconds alone). */
  readonly rematOnly?: boolean;
  /** Devices of the group it runs over when smaller than the axis (expert parallelism), and that group's link. */
  readonly group?: number;
  readonly link?: Link;
  /** A ring of `steps` equal transfers (ring attention), each hidden behind one block's compute of `ops` (graph.ops
   * indices, this phase's): see profiledCollectiveSeconds. */
  readonly ring?: { readonly steps: number; readonly ops: readonly number[] };
  /** Issued asynchronously beside one GEMM of `op`'s backward (Megatron-LM's column-parallel backward): 'dgrad'
   * (the input gradient, half the op's backward) or 'wgrad' (the weight gradient, the other half); only what
   * exceeds that GEMM shows. */
  readonly beside?: 'dgrad' | 'wgrad';
}

/**
 * Seconds of a profiled collective moving `bytes`, over its group (the axis, or fewer: expert or context
 * parallelism) and link. A ring's transfers overlap the compute of its ops: those ops run in steps + 1 blocks,
 * transfer j beside block j, so each transfer shows only what exceeds a block's compute (`hiddenSeconds` /
 * (steps + 1)): steps x max(0, transfer - block).
 */
export function profiledCollectiveSeconds(c: ProfiledCollective, bytes: number, meshShape: readonly [number, number],
  links: readonly [Link, Link], hiddenSeconds = 0): number {
  const n = c.group ?? meshShape[c.axis];
  const link = c.link ?? links[c.axis];
  if (!c.ring) return Math.max(0, collectiveSeconds(c.kind, bytes, n, link) - (c.beside ? hiddenSeconds : 0));
  const transfer = collectiveSeconds(c.kind, bytes / c.ring.steps, n, link);
  return c.ring.steps * Math.max(0, transfer - hiddenSeconds / (c.ring.steps + 1));
}

export interface UnitProfile {
  readonly meshShape: readonly [number, number];
  readonly refBatch: number;
  readonly explicitBackward: boolean;
  readonly kernels: readonly ProfiledKernel[];
  readonly collectives: readonly ProfiledCollective[];
  /** Once per step. */
  readonly gradientSyncSeconds: number;
  /** How the gradients are reduced (default all-reduce; ZeRO-3 reduce-scatters). */
  readonly gradientSyncKind?: 'all-reduce' | 'reduce-scatter';
  /** Per device. */
  readonly paramBytes: number;
  readonly gradBytes: number;
  readonly optimizerBytes: number;
  /** Activations kept for backward, per device, one micro-batch of refBatch samples. */
  readonly activationBytes: number;
  /** Receive buffers of collectives live beside the activations (ZeRO-3's logits all-to-all under XLA), per
   * device, one micro-batch of refBatch samples; absent: none. */
  readonly bufferBytes?: number;
  /** Parameter tensors the unit updates (optimizer kernel launches). */
  readonly paramTensors: number;
  /** Share of the unit's per-device model state each parameter holds, in unitParamIds order (so that a parameter
   * two units share, a tied embedding, is counted once per stage). */
  readonly paramFractions: readonly number[];
  readonly source: 'ilp' | 'manual';
  readonly sharding?: ShardingPlan;
  /** The ZeRO stage the profile's state already has and the parameter elements per device it can shard: template
   * profiles (`elems`) those replicated over axis 0, whose gradients are synchronised over it (experts split over it apart,
   * with the replicas they can shard over); ILP profiles (ZeRO-1: inter/ilpProfile.ts) every weight its spec leaves
   * replicated, in `groups` by the axes. The stage DP prices the other levels from these (zeroStages.ts). */
  readonly zero?: {
    readonly level: 0 | 1 | 2 | 3;
    readonly elems: number;
    /** The same by the axes they are replicated over (ILP profiles); absent: all over axis 0. */
    readonly groups?: readonly ZeroGroup[];
    /** Expert elements per device (already split over the expert-parallel group), replicated over expertReplicas
     * devices of axis 0 (n0 / ep): what ZeRO can shard them over. */
    readonly expertElems?: number;
    readonly expertReplicas?: number;
  };
  /** Units with MoE experts: the expert-parallel degree (1: experts replicated or tensor-parallel). */
  readonly expertParallel?: number;
  /** Ring context parallelism over this many devices with the sequence split in cp contiguous blocks (no load
   * balancing): under a causal mask the last rank does (2cp - 1) / cp of the average rank's attention (see
   * causalImbalance). Absent: no CP, Ulysses, or Megatron's balanced 2cp-chunk split. */
  readonly cpContiguous?: number;
}

/** Shardable parameter elements per device replicated over the same mesh axes (ZeRO shards them over those). */
export interface ZeroGroup { readonly elems: number; readonly axes: readonly (0 | 1)[] }

export interface UnitCost {
  readonly forwardSeconds: number;
  /** Backward without recomputation. */
  readonly backwardSeconds: number;
  /** Forward compute repeated in backward when rematerialised. */
  readonly recomputeSeconds: number;
  readonly activationBytes: number;
  readonly bufferBytes: number;
  readonly computeSeconds: number;
  readonly communicationSeconds: number;
  /** Selective recomputation (ir/attention.ts): the attention cores' forward, recomputed in the backward, and the
   * activations they make, not kept (0 without an attention core or when not asked). */
  readonly attentionRecomputeSeconds: number;
  readonly attentionActivationBytes: number;
  /** backwardSeconds' parameter gradients (zero-bubble W, cost/opCost.ts); NaN for explicit backward kernels. */
  readonly weightGradientSeconds: number;
}

export { causalImbalance, type AttentionCore } from './fusedCore.ts';


/** The graph at one micro-batch size, as the cost model reads it. */
export interface PricingGraph {
  readonly graph: ModelGraph;
  readonly tensors: TensorLookup;
  /** XLA-style fusion traffic of the memory-bound ops per profiled op set (cost/fusion.ts), filled on demand. */
  readonly fused: Map<string, ReadonlyMap<string, FusedOpTraffic>>;
}

function fusedFor(p: UnitProfile, at: PricingGraph, precision: Precision): ReadonlyMap<string, FusedOpTraffic> {
  const key = `${p.kernels[0]?.op ?? -1}:${p.kernels.length}`;
  let m = at.fused.get(key);
  if (!m) {
    // The profile's ops in graph order, read one by one: a rebatched graph rescales only the ops that are read
    // (ir/rebatch.ts lazyOps), and a search prices a few units' ops of the whole graph.
    const ops = [...new Set(p.kernels.map((k) => k.op))].sort((a, b) => a - b).map((k) => at.graph.ops[k]);
    m = fusionTraffic({ ops, tensors: at.graph.tensors }, precision);
    at.fused.set(key, m);
  }
  return m;
}

/** Prices a profile for micro-batches of `at.graph.batch` samples. */
export function evaluateProfile(p: UnitProfile, at: PricingGraph, gpu: GpuSpec, precision: Precision,
  links: readonly [Link, Link], training: boolean, attention?: AttentionCore): UnitCost {
  const r = at.graph.batch / p.refBatch;
  // Seconds: compute and communication by phase; weightGradient is the backward's parameter gradients (W).
  let fwdCompute = 0, bwdCompute = 0, weightGradient = 0, fwdComm = 0, bwdComm = 0, rematComm = 0, attentionSeconds = 0;
  const attentionKernels: ProfiledKernel[] = [];
  const fusedCore: ProfiledKernel[] = [];
  const imbalance = causalImbalance(p.cpContiguous ?? 1);
  const fused = fusedFor(p, at, precision);
  // Compute of the ops ring collectives hide behind (forward, backward), when the profile has rings.
  const hiding = p.collectives.some((c) => c.ring || c.beside) ? new Map<number, readonly [number, number]>() : undefined;
  for (const k of p.kernels) {
    const op = at.graph.ops[k.op];
    const f = fused.get(op.id);
    const inFusedCore = attention?.fused === true && k.phase === 'forward' && attention.ops.has(k.op);
    if (inFusedCore) fusedCore.push(k);
    const c = inFusedCore ? fusedCoreSeconds(op, k, attention!, gpu, precision, imbalance)
      : opSeconds(op, at.tensors, gpu, precision, k.tiles, f ? { split: k.split, fused: f } : { split: k.split });
    hiding?.set(k.op, [c.forwardSeconds, c.backwardSeconds]);
    if (k.phase === 'backward') bwdCompute += c.forwardSeconds;
    else {
      fwdCompute += c.forwardSeconds;
      if (!p.explicitBackward) { bwdCompute += c.backwardSeconds; weightGradient += c.weightGradientSeconds; }
      if (training && !inFusedCore && attention?.ops.has(k.op)) { attentionSeconds += c.forwardSeconds; attentionKernels.push(k); }
    }
  }
  for (const c of p.collectives) {
    const phase = c.phase === 'forward' ? 0 : 1;
    const hidden = !hiding ? 0 : c.ring ? c.ring.ops.reduce((s, op) => s + (hiding.get(op)?.[phase] ?? 0), 0)
      : c.beside && c.op !== undefined ? (hiding.get(c.op)?.[1] ?? 0) / 2 : 0;
    const t = profiledCollectiveSeconds(c, c.bytes * (c.scales ? r : 1), p.meshShape, links, hidden);
    if (c.rematOnly) rematComm += t;
    else if (c.phase === 'backward') bwdComm += t; else fwdComm += t;
  }
  const forwardSeconds = fwdCompute + fwdComm;
  const backwardSeconds = training ? bwdCompute + bwdComm : 0;
  // Fused cores keep no scores or probabilities, only the log-sum-exp beside O (kept by the next op anyway).
  const fusedSaving = fusedCore.length ? attentionResidualBytes(at, fusedCore, precision, attention!.normsInFp32, attention!.residuals) - logsumexpBytes(at, fusedCore) : 0;
  return {
    forwardSeconds,
    backwardSeconds,
    recomputeSeconds: training ? forwardSeconds + rematComm : 0,
    activationBytes: Math.max(0, p.activationBytes * r - fusedSaving),
    bufferBytes: (p.bufferBytes ?? 0) * r,
    computeSeconds: fwdCompute + (training ? bwdCompute : 0),
    communicationSeconds: fwdComm + (training ? bwdComm : 0),
    attentionRecomputeSeconds: attentionSeconds,
    attentionActivationBytes: attentionKernels.length ? attentionResidualBytes(at, attentionKernels, precision, attention!.normsInFp32, attention!.residuals) : 0,
    weightGradientSeconds: !training ? 0 : p.explicitBackward ? Number.NaN : weightGradient,
  };
}

/**
 * Residual bytes (per device, as keptActivationBytes counts them) the attention-core kernels keep for tensors they
 * make themselves: the scores, probabilities, dropout mask and output; not their inputs Q, K, V.
 */
export function attentionResidualBytes(at: PricingGraph, kernels: readonly ProfiledKernel[], precision: Precision, normsInFp32: boolean,
  policy: ResidualPolicy = 'autodiff'): number {
  const made = new Set<string>();
  for (const k of kernels) for (const t of at.graph.ops[k.op].outputs) made.add(t);
  const width = elementWidth(at.graph, precision);
  const seen = new Set<string>();
  let bytes = 0;
  for (const k of kernels) {
    const op = at.graph.ops[k.op];
    for (const r of opResiduals(op, at.tensors, width, (t) => (t.batchDim === undefined ? Infinity : k.tiles), policy, normsInFp32)) {
      if (seen.has(r.key) || !Number.isFinite(r.bytes) || (at.tensors(r.key) && !made.has(r.key))) continue;
      seen.add(r.key);
      bytes += r.bytes;
    }
  }
  return bytes;
}

export function scalesWithBatch(op: { inputs: readonly string[]; outputs: readonly string[] }, tensors: ReadonlyMap<string, Tensor>): boolean {
  return [...op.inputs, ...op.outputs].some((t) => tensors.get(t)?.batchDim !== undefined);
}

/**
 * Activation bytes the backward of `op` keeps (cost/memory.ts opResiduals under the runtime's policy: JAX autodiff
 * keeps two tensors per layer norm and four per GELU; Megatron's fused norm its input and fp32 statistics), per
 * device, counting each residual once per unit (`seen`). `tiles`: the ways the op splits its tensors, or per tensor
 * (a column-parallel input is whole on every tensor-parallel rank).
 */
export function keptActivationBytes(op: Op, tensors: ReadonlyMap<string, Tensor>, tiles: number | ((t: Tensor) => number), seen: Set<string>,
  width: ElementWidth, normsInFp32 = false, policy: ResidualPolicy = 'autodiff'): number {
  let b = 0;
  const divisor = typeof tiles === 'number' ? () => tiles : tiles;
  for (const r of opResiduals(op, (id) => tensors.get(id), width, (t) => (t.batchDim === undefined ? Infinity : divisor(t)), policy, normsInFp32)) {
    if (seen.has(r.key) || !Number.isFinite(r.bytes) || r.bytes === 0) continue;
    seen.add(r.key);
    b += r.bytes;
  }
  return b;
}

/** Each element count's share of their total (0s when the total is 0). */
export function elementFractions(elems: readonly number[]): number[] {
  const total = elems.reduce((a, b) => a + b, 0);
  return elems.map((e) => (total > 0 ? e / total : 0));
}

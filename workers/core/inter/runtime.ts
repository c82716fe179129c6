/**
 * What the runtime / compiler a plan runs under does to its time and memory, beyond the model and the GPU
 * (PlanOptions.runtime). Each trait is a documented property of the runtime, the same for every model and plan:
 *
 * - 'megatron' (eager kernels; the paper's V100 runs and Megatron-LM): rematerialisation recomputes every layer of
 *   the clustering; the layers are separate kernels (no loop buffers); residuals in the compute dtype; one step's
 *   memory at a time.
 * - 'xla' (JAX/XLA; the H100 calibration rows, cost/calibration/h100-e2e-steps.json): remat is jax.checkpoint on
 *   each repeated block, so the layers outside the blocks (embedding, LM head) are not recomputed; the repeated
 *   blocks run as one lax.scan loop, whose residuals without remat cost extra HBM passes (cost/runtimeTerms.ts
 *   SCAN_RESIDUAL_PASSES), plus a copy into / out of the stacked [layers, ...] buffers per loop that runs on the
 *   compute stream when the loop holds no collectives (SCAN_RESIDUAL_COPY_PASSES) and on the copy engines otherwise,
 *   slowing the loop's collectives (COPY_ENGINE_COLLECTIVE_SLOWDOWN); Flax/JAX keep layer-norm
 *   and softmax residuals in fp32 for 16-bit inputs; a step holds its own arguments + temporaries only
 *   (ASYNC_STEPS_IN_FLIGHT = 1) inside JAX's arena, 75% of HBM by default (XLA_ARENA_FRACTION); under ZeRO-3 the SPMD partitioner reshards activations with all-to-alls
 *   (ZERO3_ALL_TO_ALLS_PER_LAYER: one per layer in the forward, 5 per checkpointed layer with remat) and one all-to-all of the logits (cost/runtimeTerms.ts logitsBytes); data-parallel gradient
 *   all-reduces hide partly behind a recomputing backward loop, hardly at all without remat
 *   (GRADIENT_SYNC_NO_REMAT_FACTOR).
 *
 * Attention (PlanOptions.attention, cost/fusedAttention.ts): 'megatron' runs fused attention kernels (Transformer
 * Engine's cuDNN / flash-attn) where the GPU has them (Ampere on) and the compute is 16-bit; 'xla' runs the explicit
 * attention as written (XLA's cuDNN fMHA rewrite is off by default), keeping the scores.
 */
import {
  ASYNC_STEPS_IN_FLIGHT, COPY_ENGINE_COLLECTIVE_SLOWDOWN, GRADIENT_SYNC_NO_REMAT_FACTOR, SCAN_RESIDUAL_COPY_PASSES, SCAN_RESIDUAL_PASSES,
  XLA_ARENA_FRACTION, ZERO3_ALL_TO_ALLS_PER_LAYER,
} from '../cost/runtimeTerms.ts';
import type { Unit } from './units.ts';
import type { GpuSpec } from '../cluster/types.ts';
import type { Precision } from '../cost/precision.ts';
import type { ResidualPolicy } from '../cost/memory.ts';
import { fusedAttentionSupported } from '../cost/fusedAttention.ts';
import type { UnitCost, UnitProfile } from './unitProfile.ts';

/** Runtimes a plan can be priced for (the traits below). */
export const RUNTIMES = ['megatron', 'xla'] as const;
export type Runtime = (typeof RUNTIMES)[number];

export interface RuntimeTraits {
  /** Remat recomputes only the repeated blocks (else every layer of the clustering). */
  readonly rematBlocksOnly: boolean;
  /** Extra HBM passes over a repeated block's residuals when it is not rematerialised. */
  readonly scanResidualPasses: number;
  /** Further passes per layer loop (forward, backward) without collectives: the residual copies on the compute
   * stream. */
  readonly scanResidualCopyPasses: number;
  /** In a loop with collectives the copies run on the copy engines and slow those collectives by this fraction. */
  readonly copyEngineCollectiveSlowdown: number;
  /** Layer-norm and softmax residuals kept in fp32. */
  readonly normsInFp32: boolean;
  /** Steps whose temporaries (gradients, activations, transients) are allocated at once. */
  readonly stepsInFlight: number;
  /** The share of HBM the runtime's allocator is given (the memory limit unless the plan states one). */
  readonly memoryFraction: number;
  /** ZeRO-3 activation all-to-alls per repeated layer in the forward (XLA's SPMD partitioner resharding around
   * weights split on their contracting dim; eager ZeRO-3 gathers the weights only). */
  readonly zero3ForwardAllToAlls: number;
  /** ZeRO-3 activation all-to-alls per repeated layer added by rematerialisation, beyond the forward's
   * recomputed. */
  readonly zero3RematAllToAlls: number;
  /** Data-parallel gradient all-reduces cost this many times their (remat-calibrated) price without remat: they
   * overlap the backward loop only when it recomputes. */
  readonly noRematGradientSyncFactor: number;
  /** ZeRO-3 splits the tied embedding on its vocab dim and reshards the logits' gradient by one all-to-all. */
  readonly zero3LogitsAllToAll: boolean;
  /** Attention runs as fused kernels by default where the GPU and precision allow (cost/fusedAttention.ts). */
  readonly fusedAttention: boolean;
  /** The column-parallel backward issues its tensor-parallel collectives asynchronously beside its GEMMs (Megatron's
   * LinearWithGradAccumulationAndAsyncCommunication; inter/manualProfile.ts); XLA's calibrated TP steps show none. */
  readonly asyncColumnBackward: boolean;
  /** Data-parallel gradients are reduced bucket by bucket as the last micro-batch's backward produces them, hidden
   * behind the backward of the layers before (inter/stageOptions.ts stageCore; zeroStages.ts): Megatron-Core's
   * --overlap-grad-reduce, PyTorch DDP's buckets (Li et al., VLDB'20), FSDP; on GPUs of that stack's era only
   * (overlapsGradientReduce). XLA's rows price their own overlap (GRADIENT_SYNC_NO_REMAT_FACTOR). */
  readonly gradientReduceOverlap: boolean;
  /** What the backward keeps (cost/memory.ts ResidualPolicy): Megatron-Core / Transformer Engine's fused kernels
   * ('fused': a norm keeps its input and fp32 statistics), JAX autodiff's composed primitives ('autodiff'). */
  readonly residuals: ResidualPolicy;
}

/**
 * Whether a plan's gradient reduction overlaps the last backward: under a runtime that does so, on GPUs from Ampere
 * on. Megatron there is Megatron-Core with Transformer Engine (fused attention, overlapped gradient reduce-scatter,
 * as NVIDIA's and Meta's 2024 runs); on V100 it is the Megatron-LM of the paper's runs (2021), whose data-parallel
 * all-reduce followed the backward (its local DDP).
 */
export function overlapsGradientReduce(traits: RuntimeTraits, gpu: Pick<GpuSpec, 'name'>): boolean {
  return traits.gradientReduceOverlap && fusedAttentionSupported(gpu);
}

/**
 * A runtime's traits on one GPU. Megatron on V100 is the Megatron-LM of the paper's runs (2021), as for the gradient
 * reduction above: its column-parallel backward waited for the input gradient's all-reduce; the asynchronous one
 * (LinearWithGradAccumulationAndAsyncCommunication) belongs to the stack priced from Ampere on.
 */
export function runtimeTraitsOn(runtime: Runtime | undefined, gpu: Pick<GpuSpec, 'name'>): RuntimeTraits {
  const traits = runtimeTraits(runtime);
  return traits.asyncColumnBackward && !fusedAttentionSupported(gpu) ? { ...traits, asyncColumnBackward: false } : traits;
}

/** How attention cores run: fused kernels (FlashAttention / cuDNN), naive (scores in HBM), or the runtime's default. */
export const ATTENTION_CHOICES = ['auto', 'fused', 'naive'] as const;
export type AttentionChoice = (typeof ATTENTION_CHOICES)[number];

/** Whether a plan's attention cores run fused: asked for, or by default under a runtime that fuses them on a GPU
 * that has the kernels (Ampere on) with 16-bit compute. */
export function usesFusedAttention(choice: AttentionChoice | undefined, traits: RuntimeTraits, gpu: Pick<GpuSpec, 'name'>, precision: Precision): boolean {
  if (choice === 'fused') return true;
  if (choice === 'naive') return false;
  return traits.fusedAttention && precision !== 'fp32' && fusedAttentionSupported(gpu);
}

const TRAITS: Record<Runtime, RuntimeTraits> = {
  megatron: { rematBlocksOnly: false, scanResidualPasses: 0, scanResidualCopyPasses: 0, copyEngineCollectiveSlowdown: 0, normsInFp32: false, stepsInFlight: 1, zero3ForwardAllToAlls: 0, zero3RematAllToAlls: 0,
    noRematGradientSyncFactor: 1, zero3LogitsAllToAll: false, fusedAttention: true, asyncColumnBackward: true,
    memoryFraction: 1, gradientReduceOverlap: true, residuals: 'fused' },
  xla: { rematBlocksOnly: true, scanResidualPasses: SCAN_RESIDUAL_PASSES, scanResidualCopyPasses: SCAN_RESIDUAL_COPY_PASSES,
    copyEngineCollectiveSlowdown: COPY_ENGINE_COLLECTIVE_SLOWDOWN, normsInFp32: true, stepsInFlight: ASYNC_STEPS_IN_FLIGHT,
    memoryFraction: XLA_ARENA_FRACTION,
    zero3ForwardAllToAlls: ZERO3_ALL_TO_ALLS_PER_LAYER.noRemat,
    zero3RematAllToAlls: ZERO3_ALL_TO_ALLS_PER_LAYER.remat - 2 * ZERO3_ALL_TO_ALLS_PER_LAYER.noRemat,
    noRematGradientSyncFactor: GRADIENT_SYNC_NO_REMAT_FACTOR, zero3LogitsAllToAll: true, fusedAttention: false, asyncColumnBackward: false, gradientReduceOverlap: false,
    residuals: 'autodiff' },
};

export function runtimeTraits(runtime: Runtime = 'megatron'): RuntimeTraits {
  return TRAITS[runtime];
}

/** A unit of the repeated blocks (units.ts names them 'layer <i>'), as opposed to 'pre' / 'post'. */
export function isRepeatedBlock(unit: Pick<Unit, 'name'>): boolean {
  return unit.name.startsWith('layer ');
}

/**
 * What a repeated block costs without remat under a runtime whose layers run as a scan loop (runtime.ts): extra
 * passes over its residuals, the residual copies of each loop without collectives on the compute stream, and the
 * copy-engine slowdown of the block's collectives otherwise (cost/runtimeTerms.ts).
 */
export function scanResidualSeconds(profile: UnitProfile, cost: UnitCost, gpu: GpuSpec, traits: RuntimeTraits): number {
  const live = profile.collectives.filter((c) => !c.rematOnly);
  const forwardLoopFree = !live.some((c) => c.phase === 'forward');
  const backwardLoopFree = !live.some((c) => c.phase === 'backward') && profile.gradientSyncSeconds === 0;
  const passes = traits.scanResidualPasses + traits.scanResidualCopyPasses * (Number(forwardLoopFree) + Number(backwardLoopFree));
  return passes * cost.activationBytes / (gpu.hbmBandwidthBytesPerSecond * gpu.memoryEfficiency)
    + traits.copyEngineCollectiveSlowdown * cost.communicationSeconds;
}

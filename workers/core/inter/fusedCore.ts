/**
 * The attention cores of a unit profile run as fused kernels (cost/fusedAttention.ts): their seconds, their kept
 * log-sum-exp, and the causal load imbalance of a contiguous ring-CP split (evaluateProfile, unitProfile.ts).
 */
import type { GpuSpec } from '../cluster/types.ts';
import { CAUSAL_FLOP_FRACTION, fusedAttentionSeconds, LOGSUMEXP_BYTES } from '../cost/fusedAttention.ts';
import { computeDType, type Precision } from '../cost/precision.ts';
import type { TensorLookup } from '../cost/opCost.ts';
import type { ModelGraph, Op } from '../ir/types.ts';
import type { ResidualPolicy } from '../cost/memory.ts';

/** A profiled kernel as read here (unitProfile.ts ProfiledKernel): its op and the devices its work is split over. */
interface Kernel { readonly op: number; readonly tiles: number }

/**
 * Causal ring attention with the sequence split in cp contiguous blocks: rank r attends to blocks 0..r, so the last
 * rank computes cp - 1/2 blocks of (s/cp)^2 scores while the average is cp/2: it does (2cp - 1)/cp of the average
 * and every step of the ring waits for it. Megatron / Transformer Engine split the sequence in 2cp chunks and give
 * rank i chunks i and 2cp - 1 - i, so every rank does the same causal work (factor 1).
 */
export function causalImbalance(cp: number): number {
  return cp > 1 ? (2 * cp - 1) / cp : 1;
}

/** Attention-core ops of the pricing graph (ir/attention.ts) and how the runtime keeps softmax residuals. */
export interface AttentionCore {
  readonly ops: ReadonlySet<number>;
  readonly normsInFp32: boolean;
  /** What the runtime's kernels keep (cost/memory.ts ResidualPolicy), as the unit profiles counted it. */
  readonly residuals: ResidualPolicy;
  /** The cores run as fused kernels (cost/fusedAttention.ts): priced by their dots' FLOPs at the fused kernel's
   * efficiency, the backward 2.5x, nothing s x s kept; absent: naive (each op priced, its residuals kept). */
  readonly fused?: boolean;
  /** Core ops of causal cores (a fused kernel skips the masked half). */
  readonly causal?: ReadonlySet<number>;
  /** The first dot (Q K^T) of each core: one fused call each. */
  readonly calls?: ReadonlySet<number>;
}

/** Forward and backward seconds of one core op run inside a fused attention kernel (its dots carry the FLOPs). */
export function fusedCoreSeconds(op: Op, k: Kernel, a: AttentionCore, gpu: GpuSpec, precision: Precision, imbalance: number): { forwardSeconds: number; backwardSeconds: number; weightGradientSeconds: number } {
  if (op.kind !== 'dot') return { forwardSeconds: 0, backwardSeconds: 0, weightGradientSeconds: 0 };
  const causal = a.causal?.has(k.op) ?? false;
  const flops = (op.flops / Math.max(1, k.tiles)) * (causal ? CAUSAL_FLOP_FRACTION * imbalance : 1);
  const t = fusedAttentionSeconds(gpu, computeDType(precision), flops, a.calls?.has(k.op) ? 1 : 0);
  return { forwardSeconds: t.forward, backwardSeconds: t.backward, weightGradientSeconds: 0 }; // no parameters: no W
}

/** Bytes per device of the fused cores' log-sum-exp (one fp32 value per softmax row). */
export function logsumexpBytes(at: { readonly graph: ModelGraph; readonly tensors: TensorLookup }, kernels: readonly Kernel[]): number {
  let bytes = 0;
  for (const k of kernels) {
    const op = at.graph.ops[k.op];
    const out = op.kind === 'softmax' ? at.tensors(op.outputs[0]) : undefined;
    if (!out || op.attrs.kind !== 'axis') continue;
    const rows = out.shape.reduce((a, b) => a * b, 1) / out.shape[op.attrs.axis];
    bytes += (rows * LOGSUMEXP_BYTES) / Math.max(1, k.tiles);
  }
  return bytes;
}

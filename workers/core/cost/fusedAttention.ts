/**
 * Fused attention (FlashAttention, cuDNN fused multi-head attention, PyTorch's scaled_dot_product_attention): one
 * kernel runs softmax(Q K^T + mask) V tile by tile in on-chip memory, never writing the s x s scores or
 * probabilities to HBM. What changes against the naive core (two GEMMs with a softmax between, the scores kept):
 *
 * - Memory: the backward keeps only O (the attention output, which the next GEMM keeps anyway) and the row
 *   log-sum-exp L, one fp32 value per query row and head: 4 b a s bytes. No s x s tensor is live, in forward or in
 *   backward (the backward recomputes the scores a tile at a time).
 * - FLOPs: the forward does Q K^T and P V (4 b a s^2 d); the backward recomputes Q K^T and does dV = P^T dO,
 *   dP = dO V^T, dQ = dS K, dK = dS^T Q: 5 GEMMs against the forward's 2, so 2.5x the forward's FLOPs (the naive
 *   backward does 2x). A causal mask lets the kernel skip the tiles above the diagonal: half the FLOPs.
 * - Time: priced by FLOPs at the fused kernel's own efficiency, plus a fixed tail per call, fitted to
 *   cost/calibration/h100-sxm-attention.json (H100 SXM, PyTorch 2.11 scaled_dot_product_attention with the cuDNN
 *   backend, bf16, 32 heads of 128, sequences 1,024-32,768, causal and not; fwd 0.64 of the bf16 peak + 85 us,
 *   bwd 0.585 + 120 us; worst point 12% (forward) / 17% (backward, 2,048 tokens), within 5% from 8,192 tokens).
 *   cuDNN's kernel is the one Megatron-LM with Transformer Engine runs on Hopper by default (TE's FusedAttention
 *   backend); PyTorch's flash backend (FlashAttention-2) measured 0.35 fwd / 0.30 bwd of peak, about half as fast.
 *   The same fractions are used for other GPUs (FlashAttention-2 reports ~70% of peak forward on A100).
 *
 * Which runtimes use it by default (inter/fusedAttention.ts defaultAttention): Megatron-LM (Transformer Engine,
 * flash-attn) on GPUs from Ampere on with 16-bit compute; not on Volta (V100: no FlashAttention-2 / cuDNN fused
 * attention there; the paper's runs used Megatron's fused masked softmax, which writes the scores), not in fp32.
 * XLA does not rewrite an explicit attention into a fused kernel by default (its cuDNN fMHA rewrite is off; JAX
 * asks for it through jax.nn.dot_product_attention(implementation='cudnn')), and our JAX export and calibration
 * rows materialise the scores: 'naive' for the 'xla' runtime unless asked.
 */
import type { ComputeDType, GpuSpec } from '../cluster/types.ts';

/** Backward FLOPs of a fused attention core per forward FLOP: 5 GEMMs (Q K^T recomputed) against 2. */
export const FUSED_BACKWARD_FLOPS_RATIO = 2.5;
/** Forward and backward efficiency of the fused kernel (fraction of the 16-bit tensor peak) and its fixed tail per
 * call, fitted to h100-sxm-attention.json (cuDNN backend). */
export const FUSED_ATTENTION_KERNEL = {
  forward: { efficiency: 0.64, overheadSeconds: 85e-6 },
  backward: { efficiency: 0.585, overheadSeconds: 120e-6 },
} as const;
/** Causal attention: the fused kernel skips the tiles above the diagonal. */
export const CAUSAL_FLOP_FRACTION = 0.5;
/** Bytes per (query row, head) the fused backward keeps beyond O: the fp32 log-sum-exp. */
export const LOGSUMEXP_BYTES = 4;

/** GPUs without FlashAttention-2 / cuDNN fused attention (before Ampere), by preset or cluster-file name. */
const NO_FUSED_ATTENTION = /\b(V100|P100|P40|T4|K80|M60)\b/i;

/** Whether the GPU runs fused attention kernels (Ampere and later). */
export function fusedAttentionSupported(gpu: Pick<GpuSpec, 'name'>): boolean {
  return !NO_FUSED_ATTENTION.test(gpu.name);
}

/** Seconds of fused attention work of `forwardFlops` forward FLOPs (already halved when causal), per phase, with
 * `calls` kernel calls' fixed tails (a core's two dots are one call: the first carries it). */
export function fusedAttentionSeconds(gpu: GpuSpec, dtype: ComputeDType, forwardFlops: number, calls = 1): { forward: number; backward: number } {
  if (forwardFlops <= 0) return { forward: 0, backward: 0 };
  const peak = gpu.peakFlopsPerSecond[dtype];
  const { forward: f, backward: b } = FUSED_ATTENTION_KERNEL;
  return {
    forward: forwardFlops / (peak * f.efficiency) + calls * f.overheadSeconds,
    backward: (FUSED_BACKWARD_FLOPS_RATIO * forwardFlops) / (peak * b.efficiency) + calls * b.overheadSeconds,
  };
}

import type { ComputeDType } from '../cluster/types.ts';

/**
 * Training precision: parameter dtype / gradient dtype / optimizer state / fp32 master copy.
 * fp16-mixed and bf16-mixed: 2+2 bytes + 4 master + 8 Adam = 16 B/param (Megatron, the paper's runs);
 * bf16-adam32: bf16 params and grads, fp32 Adam moments, no master copy = 12 B/param (the calibration rows);
 * fp16-adafactor: fp16 params and grads, fp32 master copy, Adafactor's factored second moment and no first moment
 * = 8 B/param (the paper's MoE runs: cost/memory.ts precisionBytes says why and what it leaves out);
 * fp32: 4+4+8 = 16 B/param.
 */
export const PRECISIONS = ['fp16-mixed', 'bf16-mixed', 'bf16-adam32', 'fp16-adafactor', 'fp32'] as const;
export type Precision = (typeof PRECISIONS)[number];

/** Tensor-core dtype the matmuls of a precision run in (fp32 training uses TF32 where the GPU has it). */
export function computeDType(p: Precision): ComputeDType {
  switch (p) {
    case 'fp16-mixed':
    case 'fp16-adafactor': return 'f16';
    case 'bf16-mixed':
    case 'bf16-adam32': return 'bf16';
    case 'fp32': return 'tf32';
  }
}

/** Bytes of one activation element under a precision (floating tensors only; integers keep their dtype). */
export function activationElementBytes(p: Precision): number {
  return p === 'fp32' ? 4 : 2;
}
